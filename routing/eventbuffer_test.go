package routing_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// TestEventBufferAboveMaxRefused: an EventBuffer above MaxEventBuffer
// (math.MaxInt made Subscribe panic in make) is a bad configuration: New
// fails with ErrInvalidConfig and touches nothing; MaxEventBuffer itself
// is accepted.
func TestEventBufferAboveMaxRefused(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	_, err := st.CreateOperator(ctx, store.Operator{ID: "ann", Status: "offline", Groups: []string{"g"}})
	require.NoError(t, err)
	before, err := st.Operators(ctx)
	require.NoError(t, err)
	for _, n := range []int{math.MaxInt, routing.MaxEventBuffer + 1} {
		_, err := routing.New(ctx, routing.Config{Store: st, EventBuffer: n, Groups: []routing.Group{{ID: "g"}}})
		require.ErrorIs(t, err, routing.ErrInvalidConfig, n)
		require.ErrorIs(t, err, routing.ErrInvalid, n)
		require.Contains(t, err.Error(), "MaxEventBuffer")
	}
	after, err := st.Operators(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)

	r, err := routing.New(ctx, routing.Config{Store: st, EventBuffer: routing.MaxEventBuffer, Groups: []routing.Group{{ID: "g"}}})
	require.NoError(t, err)
	require.NoError(t, r.Stop(context.Background()))
}
