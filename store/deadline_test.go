package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

func TestDeadlineKinds(t *testing.T) {
	for k := store.AcceptTimeout; k <= store.PreferExpiry; k++ {
		require.True(t, k.Valid())
		require.NotContains(t, k.String(), "deadline(")
	}
	require.Equal(t, "skill-relax", store.SkillRelax.String())
	require.Equal(t, "prefer-expiry", store.PreferExpiry.String())
	require.Equal(t, store.DeadlineKind(5), store.Inactivity, "the kinds before keep their numbers")
	require.False(t, store.DeadlineKind(0).Valid())
	require.False(t, (store.PreferExpiry + 1).Valid())
	require.Equal(t, "deadline(9)", store.DeadlineKind(9).String())
}

// TestWaitingDeadlinesHeldWhileQueued: a SkillRelax and a PreferExpiry
// concern a conversation waiting for an operator: they are held while it
// is Queued or Offered, and dropped once it is Assigned, Waiting or
// Closed.
func TestWaitingDeadlinesHeldWhileQueued(t *testing.T) {
	for _, k := range []store.DeadlineKind{store.SkillRelax, store.PreferExpiry} {
		for s := store.Queued; s <= store.Closed; s++ {
			require.Equal(t, s.InQueue(), k.Holds(s), "%v in %v", k, s)
		}
	}
	ds := []store.Deadline{{Kind: store.SkillRelax, Due: testTime}, {Kind: store.WaitLevel, Due: testTime}, {Kind: store.PreferExpiry, Due: testTime}}
	require.Equal(t, ds, store.DeadlinesFor(ds, store.Offered))
	require.Equal(t, ds[1:2], store.DeadlinesFor(ds, store.Assigned))
}

func TestDeadlineOf(t *testing.T) {
	ds := []store.Deadline{{Kind: store.AutoClose, Due: testTime}, {Kind: store.WaitLevel, Due: testTime, Level: 1}}
	d, ok := store.DeadlineOf(ds, store.WaitLevel)
	require.True(t, ok)
	require.Equal(t, 1, d.Level)
	_, ok = store.DeadlineOf(ds, store.AcceptTimeout)
	require.False(t, ok)
}
