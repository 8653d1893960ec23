package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestListOrderAndGet(t *testing.T) {
	cands := []policy.Candidate{
		lastAt(op("vera", 2), 0),
		lastAt(op("boris", 1), 10*time.Minute),
		lastAt(op("anna", 1), 10*time.Minute),
		lastAt(op("gleb", 1), 5*time.Minute),
		op("dina", 1), // never assigned
		lastAt(op("zoya", 0), time.Hour),
	}
	orig := append([]policy.Candidate(nil), cands...)

	l := policy.NewList(nil, cands...)

	require.Equal(t, orig, cands, "NewList does not reorder its argument")
	require.Equal(t, 6, l.Len())
	require.Equal(t, 6, l.Available(), "no limiter: everyone is available")
	require.Equal(t, []string{"zoya", "dina", "gleb", "anna", "boris", "vera"}, ids(l),
		"load, then longest waiting, then id")

	t.Run("Ascend stops when fn returns false", func(t *testing.T) {
		var seen []string
		l.Ascend(func(c policy.Candidate) bool {
			seen = append(seen, c.ID)
			return len(seen) < 2
		})
		require.Equal(t, []string{"zoya", "dina"}, seen)
	})

	t.Run("Get", func(t *testing.T) {
		c, ok := l.Get("gleb")
		require.True(t, ok)
		require.Equal(t, lastAt(op("gleb", 1), 5*time.Minute), c)
		_, ok = l.Get("ghost")
		require.False(t, ok)
		_, ok = l.Get("")
		require.False(t, ok)
	})

	t.Run("Available counts by the limiter", func(t *testing.T) {
		lim := policy.LimiterOf(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2}))
		l := policy.NewList(lim, cands...)
		require.Equal(t, 6, l.Len())
		require.Equal(t, 5, l.Available(), "vera is at the default cap")
		l = policy.NewList(lim, withCap(cands[0], 3), cands[1])
		require.Equal(t, 2, l.Available())
		require.Equal(t, 0, policy.NewList(lim, op("anna", 2), op("boris", 5)).Available())
	})

	t.Run("empty", func(t *testing.T) {
		l := policy.NewList(nil)
		require.Zero(t, l.Len())
		require.Zero(t, l.Available())
		require.Empty(t, ids(l))
		_, ok := l.Get("anna")
		require.False(t, ok)
	})

	t.Run("Before", func(t *testing.T) {
		a, b := lastAt(op("a", 1), time.Minute), lastAt(op("b", 1), time.Minute)
		require.True(t, a.Before(b))
		require.False(t, b.Before(a))
		require.False(t, a.Before(a), "irreflexive")
		require.True(t, op("z", 0).Before(op("a", 1)), "load first")
		require.True(t, lastAt(op("z", 1), 0).Before(lastAt(op("a", 1), time.Second)), "then waiting")

		pending := op("a", 0)
		pending.Pending = 1
		require.True(t, op("z", 0).Before(pending), "pending assignments count as load")
		require.True(t, lastAt(pending, 0).Before(lastAt(op("b", 1), time.Second)), "as much as stored ones")
		require.True(t, policy.BelowCap(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1}).(policy.Limiter), pending), "but not against the cap")
	})

	t.Run("HasSkills", func(t *testing.T) {
		c := withSkills(op("anna", 0), "en", "ru")
		require.True(t, c.HasSkills(nil))
		require.True(t, c.HasSkills([]string{"ru"}))
		require.True(t, c.HasSkills([]string{"ru", "en"}))
		require.False(t, c.HasSkills([]string{"en", "de"}))
		require.False(t, op("gleb", 0).HasSkills([]string{"en"}))
	})
}

func TestNamesOfPolicies(t *testing.T) {
	for _, tc := range []struct {
		p    policy.Policy
		want string
	}{
		{policy.LeastLoaded(), "least-loaded"},
		{policy.Broadcast(0), "broadcast"},
		{policy.Broadcast(-3), "broadcast"},
		{policy.Broadcast(2), "broadcast(2)"},
		{policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5}), "capped(least-loaded)"},
		{policy.PreviousOperator(policy.Capped(policy.Broadcast(3), policy.CapOptions{})), "previous-operator(capped(broadcast(3)))"},
		{policy.Func(func(policy.Input) policy.Decision { return policy.Decision{} }), "func"},
		{policy.Capped(policy.Func(nil), policy.CapOptions{}), "capped(func)"},
	} {
		require.Equal(t, tc.want, tc.p.Name())
	}

	require.Equal(t, "keep", policy.Keep.String())
	require.Equal(t, "assign", policy.Assign.String())
	require.Equal(t, "offer", policy.Offer.String())
	require.Equal(t, "action(?)", policy.Action(9).String())
}
