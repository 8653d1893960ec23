package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

func TestDeadlineKinds(t *testing.T) {
	for k := store.AcceptTimeout; k <= store.Inactivity; k++ {
		require.True(t, k.Valid())
		require.NotContains(t, k.String(), "deadline(")
	}
	require.False(t, store.DeadlineKind(0).Valid())
	require.Equal(t, "deadline(9)", store.DeadlineKind(9).String())
}

func TestDeadlineOf(t *testing.T) {
	ds := []store.Deadline{{Kind: store.AutoClose, Due: testTime}, {Kind: store.WaitLevel, Due: testTime, Level: 1}}
	d, ok := store.DeadlineOf(ds, store.WaitLevel)
	require.True(t, ok)
	require.Equal(t, 1, d.Level)
	_, ok = store.DeadlineOf(ds, store.AcceptTimeout)
	require.False(t, ok)
}
