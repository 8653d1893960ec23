package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// held is a store whose committer stops before each batch: it reports
// the batch's size on taken and waits for release.
type held struct {
	*Store
	taken   chan int
	release chan struct{}
}

// heldCommitter returns a migrated SQLite store with a scratch table,
// whose committer is held before each batch.
func heldCommitter(t *testing.T) *held {
	t.Helper()
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "gc.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(t.Context()))
	_, err = s.db.Exec("CREATE TABLE scratch (k TEXT PRIMARY KEY)")
	require.NoError(t, err)
	h := &held{Store: s, taken: make(chan int), release: make(chan struct{})}
	s.batch.beforeBatch = func(n int) {
		h.taken <- n
		<-h.release
	}
	return h
}

// insertBody returns a write body that inserts key into the scratch table
// and then returns err.
func insertBody(key string, err error) func(q querier) error {
	return func(q querier) error {
		if _, e := q.ExecContext(context.Background(), "INSERT INTO scratch (k) VALUES (?)", key); e != nil {
			return e
		}
		return err
	}
}

// refuseBody returns a write body that refuses without writing.
func refuseBody(key string) func(q querier) error {
	return func(q querier) error {
		return fmt.Errorf("%w: %s", store.ErrAlreadyTaken, key)
	}
}

// queueWrites starts one write per body, lets the first batch go once all
// the others wait to be handed over, then the second, which must hold them
// all. It returns each write's outcome.
func queueWrites(t *testing.T, h *held, bodies map[string]func(q querier) error) map[string]error {
	t.Helper()
	var mu sync.Mutex
	out := map[string]error{}
	var wg sync.WaitGroup
	for key, fn := range bodies {
		wg.Go(func() {
			err := h.batch.write(t.Context(), fn)
			mu.Lock()
			out[key] = err
			mu.Unlock()
		})
	}
	first := <-h.taken
	rest := len(bodies) - first
	require.Positive(t, rest)
	for h.batch.waiting.Load() != int64(rest) {
		runtime.Gosched()
	}
	h.release <- struct{}{}
	require.Equal(t, rest, <-h.taken, "every writer that waited is in the second batch")
	h.release <- struct{}{}
	wg.Wait()
	return out
}

func scratchKeys(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.Query("SELECT k FROM scratch ORDER BY k")
	require.NoError(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	require.NoError(t, rows.Err())
	return keys
}

// TestGroupCommitBatchesWaitingWriters: writers that arrive while a commit
// is under way are committed together in one transaction, and a writer
// whose checks refuse is told so while the others' writes are committed.
func TestGroupCommitBatchesWaitingWriters(t *testing.T) {
	s := heldCommitter(t)
	bodies := map[string]func(q querier) error{}
	for i := range 8 {
		k := fmt.Sprintf("k%d", i)
		bodies[k] = insertBody(k, nil)
	}
	bodies["refused"] = refuseBody("refused")
	out := queueWrites(t, s, bodies)
	for k, err := range out {
		if k == "refused" {
			require.ErrorIs(t, err, store.ErrAlreadyTaken)
			continue
		}
		require.NoError(t, err, k)
	}
	require.Equal(t, []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}, scratchKeys(t, s.Store))
	require.Positive(t, s.batch.batches.Load(), "the writers queued behind the first were committed together")
}

// TestGroupCommitDatabaseErrorRunsEachAlone: a database error in a batch
// rolls the whole batch back, and each write then runs in a transaction
// of its own, so the one that failed writes nothing and the others are
// committed.
func TestGroupCommitDatabaseErrorRunsEachAlone(t *testing.T) {
	s := heldCommitter(t)
	boom := errors.New("boom")
	bodies := map[string]func(q querier) error{
		"first": insertBody("first", nil),
		"a":     insertBody("a", nil),
		"b":     insertBody("b", nil),
		"bad":   insertBody("bad", boom),
		"c":     insertBody("c", nil),
	}
	// "first" alone, in the first batch; the rest together.
	out := queueWrites(t, s, bodies)
	for k, err := range out {
		if k == "bad" {
			require.ErrorIs(t, err, boom)
			continue
		}
		require.NoError(t, err, k)
	}
	require.Equal(t, []string{"a", "b", "c", "first"}, scratchKeys(t, s.Store), "nothing of the failed write, all of the others")
}

// TestGroupCommitCancelledBeforeRunning: a writer whose context ends while
// it waits gets the context's error and writes nothing.
func TestGroupCommitCancelledBeforeRunning(t *testing.T) {
	s := heldCommitter(t)
	firstDone := make(chan error)
	go func() { firstDone <- s.batch.write(t.Context(), insertBody("first", nil)) }()
	require.Equal(t, 1, <-s.taken)
	ctx, cancel := context.WithCancel(t.Context())
	lateDone := make(chan error)
	go func() { lateDone <- s.batch.write(ctx, insertBody("late", nil)) }()
	for s.batch.waiting.Load() != 1 {
		runtime.Gosched()
	}
	cancel()
	require.ErrorIs(t, <-lateDone, context.Canceled)
	s.release <- struct{}{}
	require.NoError(t, <-firstDone)
	go func() { firstDone <- s.batch.write(t.Context(), insertBody("after", nil)) }()
	require.Equal(t, 1, <-s.taken)
	s.release <- struct{}{}
	require.NoError(t, <-firstDone)
	require.Equal(t, []string{"after", "first"}, scratchKeys(t, s.Store))
}
