package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// historyTests check the status history kept with status changes (P9).
var historyTests = []plainTest{
	{"Operators_StatusHistory", testStatusHistory},
}

func testStatusHistory(t *testing.T, s store.Store) {
	op := newOp("ann", "offline", 0, "sales")
	op.StatusSince = at(0)
	_, err := s.CreateOperator(bg, op)
	require.NoError(t, err)
	for i, st := range []string{ready, away, ready} {
		_, err := s.SetStatus(bg, store.StatusChange{Operator: "ann", To: st, At: at(10 * (i + 1))})
		require.NoError(t, err)
	}
	// A refused change records nothing.
	_, err = s.SetStatus(bg, store.StatusChange{Operator: "ann", From: away, To: ready, At: at(35)})
	require.ErrorIs(t, err, store.ErrConflict)

	norm := func(is []store.StatusInterval) []store.StatusInterval {
		for i := range is {
			is[i].From = is[i].From.UTC()
			if !is[i].To.IsZero() {
				is[i].To = is[i].To.UTC()
			}
		}
		return is
	}
	all, err := s.StatusHistory(bg, "ann", at(-100), at(100))
	require.NoError(t, err)
	require.Equal(t, []store.StatusInterval{
		{Operator: "ann", Status: "offline", From: at(0), To: at(10)},
		{Operator: "ann", Status: ready, From: at(10), To: at(20)},
		{Operator: "ann", Status: away, From: at(20), To: at(30)},
		{Operator: "ann", Status: ready, From: at(30)},
	}, norm(all))
	some, err := s.StatusHistory(bg, "ann", at(15), at(25))
	require.NoError(t, err)
	require.Equal(t, all[1:3], norm(some))
	none, err := s.StatusHistory(bg, "nobody", at(0), at(100))
	require.NoError(t, err)
	require.Empty(t, none)
}
