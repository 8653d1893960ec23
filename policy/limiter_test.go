package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestLimiterOfWalksWrappers(t *testing.T) {
	capped := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3})
	wrapped := policy.PreviousOperator(capped)

	lim := policy.LimiterOf(wrapped)
	require.NotNil(t, lim)
	require.Same(t, policy.LimiterOf(capped), lim, "the Capped inside is found")
	require.Equal(t, 3, lim.Limit(op("anna", 0)))
	require.Equal(t, 7, lim.Limit(withCap(op("anna", 0), 7)))

	require.NotNil(t, policy.LimiterOf(policy.PreviousOperator(policy.PreviousOperator(capped))))
	require.NotNil(t, policy.LimiterOf(policy.Capped(policy.PreviousOperator(policy.Broadcast(2)), policy.CapOptions{})))

	require.Nil(t, policy.LimiterOf(policy.LeastLoaded()))
	require.Nil(t, policy.LimiterOf(policy.Broadcast(0)))
	require.Nil(t, policy.LimiterOf(policy.PreviousOperator(policy.LeastLoaded())))
	require.Nil(t, policy.LimiterOf(nil))

	t.Run("the outermost limiter wins", func(t *testing.T) {
		outer := policy.Capped(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1}), policy.CapOptions{Default: 5})
		require.Equal(t, 5, policy.LimiterOf(outer).Limit(op("anna", 0)))
	})

	t.Run("BelowCap", func(t *testing.T) {
		require.True(t, policy.BelowCap(nil, op("anna", 100)), "no limiter: no cap")
		require.True(t, policy.BelowCap(lim, op("anna", 2)))
		require.False(t, policy.BelowCap(lim, op("anna", 3)))
		require.False(t, policy.BelowCap(lim, op("anna", 4)))
		require.True(t, policy.BelowCap(lim, withCap(op("anna", 6), 7)))
		require.False(t, policy.BelowCap(lim, withCap(op("anna", 7), 7)))
		none := policy.LimiterOf(policy.Capped(policy.LeastLoaded(), policy.CapOptions{}))
		require.True(t, policy.BelowCap(none, op("anna", 100)), "a limit of zero is no limit")
	})
}
