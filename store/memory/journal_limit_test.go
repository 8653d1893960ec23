package memory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// TestJournalLimitDropsTheOldest: a journal bounded to n entries keeps
// the n newest as more are appended, wrapping around its buffer, and a
// read from a dropped number is ErrPruned.
func TestJournalLimitDropsTheOldest(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.WithJournalLimit(3))
	defer s.Close()
	t0 := time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)
	for i := range 8 {
		got, err := s.AppendJournal(ctx, []store.Entry{{At: t0, Body: fmt.Appendf(nil, "e%d", i+1)}})
		require.NoError(t, err)
		require.Equal(t, uint64(i+1), got[0].Seq)
		b, err := s.JournalBounds(ctx)
		require.NoError(t, err)
		require.Equal(t, store.JournalBounds{Oldest: uint64(max(i-2, 0) + 1), Newest: uint64(i + 1)}, b)
	}
	es, err := s.ReadJournal(ctx, 5, 10)
	require.NoError(t, err)
	require.Len(t, es, 3)
	for i, e := range es {
		require.Equal(t, uint64(6+i), e.Seq)
		require.Equal(t, fmt.Sprintf("e%d", 6+i), string(e.Body))
	}
	_, err = s.ReadJournal(ctx, 4, 10)
	require.ErrorIs(t, err, store.ErrPruned)
	n, err := s.PruneJournal(ctx, store.JournalPrune{Keep: 1, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 2, n)
}

// TestJournalRingGrowsAfterAPrune: a ring whose oldest entry has moved
// (pruned) keeps every entry in order when it grows.
func TestJournalRingGrowsAfterAPrune(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.WithJournalLimit(1000))
	defer s.Close()
	t0 := time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)
	appendN := func(n int) {
		es := make([]store.Entry, n)
		for i := range es {
			es[i] = store.Entry{At: t0, Body: []byte("x")}
		}
		_, err := s.AppendJournal(ctx, es)
		require.NoError(t, err)
	}
	appendN(64)
	n, err := s.PruneJournal(ctx, store.JournalPrune{Keep: 10, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, 54, n)
	appendN(60)
	es, err := s.ReadJournal(ctx, 54, 1000)
	require.NoError(t, err)
	require.Len(t, es, 70)
	for i, e := range es {
		require.Equal(t, uint64(55+i), e.Seq)
	}
}
