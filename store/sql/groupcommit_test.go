package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// held is a store whose committer stops before each batch: it reports
// the batch's size on taken and waits for release (or the test's end).
type held struct {
	*Store
	taken   chan int
	release chan struct{}
	// insert is the scratch table's insert statement.
	insert string
}

// hold makes s's committer stop before each batch, and gives s a scratch
// table.
func hold(t *testing.T, s *Store) *held {
	t.Helper()
	_, err := s.db.Exec("CREATE TABLE " + qualifier(s.cfg.schema) + "scratch (k TEXT PRIMARY KEY)")
	require.NoError(t, err)
	h := &held{Store: s, taken: make(chan int), release: make(chan struct{}),
		insert: s.d.rebind("INSERT INTO " + qualifier(s.cfg.schema) + "scratch (k) VALUES (?)")}
	s.batch.beforeBatch = func(n int) {
		select {
		case h.taken <- n:
		case <-t.Context().Done():
			return
		}
		select {
		case <-h.release:
		case <-t.Context().Done():
		}
	}
	return h
}

// heldStores returns a held SQLite store and, when PostgreSQL is
// configured, a held PostgreSQL store in a fresh schema.
func heldStores(t *testing.T) map[string]*held {
	t.Helper()
	out := map[string]*held{}
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "gc.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(t.Context()))
	out["SQLite"] = hold(t, s)

	pg, ok := freshPostgres(t, "sbtest_gc_")
	if !ok {
		t.Log("PostgreSQL left out: SWITCHBOARD_TEST_POSTGRES is not set")
		return out
	}
	out["Postgres"] = hold(t, pg)
	return out
}

// insertBody returns a write body that inserts key into the scratch table
// and then returns err.
func (h *held) insertBody(key string, err error) func(q *writeTx) error {
	return func(q *writeTx) error {
		if e := q.exec(context.Background(), h.insert, key); e != nil {
			return e
		}
		return err
	}
}

// failingBody returns a write body whose statement fails in the database
// after an insert (which aborts a PostgreSQL transaction).
func (h *held) failingBody(key string) func(q *writeTx) error {
	return func(q *writeTx) error {
		if err := q.exec(context.Background(), h.insert, key); err != nil {
			return err
		}
		return q.exec(context.Background(), h.insert, key) // duplicate key
	}
}

// refuseBody returns a write body that refuses without writing.
func refuseBody(key string) func(q *writeTx) error {
	return func(q *writeTx) error {
		return fmt.Errorf("%w: %s", store.ErrAlreadyTaken, key)
	}
}

// queueWrites runs first alone in a held batch, queues every body of rest
// behind it, each with its key in rest as its lock key, and lets the
// batches go: the bodies of rest are then in one batch. It returns each
// write's outcome.
//
//lint:ignore ST1008 the first write's error comes first, as it runs first
func (h *held) queueWrites(t *testing.T, first func(q *writeTx) error, rest map[string]func(q *writeTx) error) (error, map[string]error) {
	t.Helper()
	firstDone := make(chan error, 1)
	go func() { firstDone <- h.batch.write(t.Context(), "", first) }()
	require.Equal(t, 1, <-h.taken)
	var mu sync.Mutex
	out := map[string]error{}
	var wg sync.WaitGroup
	for key, fn := range rest {
		wg.Go(func() {
			err := h.batch.write(t.Context(), key, fn)
			mu.Lock()
			out[key] = err
			mu.Unlock()
		})
	}
	for len(h.batch.reqs) != len(rest) { // all queued behind the first
		runtime.Gosched()
	}
	h.release <- struct{}{}
	require.Equal(t, len(rest), <-h.taken, "the queued writes are in one batch")
	h.release <- struct{}{}
	wg.Wait()
	return <-firstDone, out
}

func (h *held) keys(t *testing.T) []string {
	t.Helper()
	rows, err := h.db.Query("SELECT k FROM " + qualifier(h.cfg.schema) + "scratch")
	require.NoError(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	require.NoError(t, rows.Err())
	sort.Strings(keys)
	return keys
}

// TestGroupCommitOrdersBodiesByLockKey: a batch runs its bodies in the
// order of the first operator row each locks, whatever order they queued
// in, so that the batches of several Stores take rows in one order.
func TestGroupCommitOrdersBodiesByLockKey(t *testing.T) {
	for name, h := range heldStores(t) {
		t.Run(name, func(t *testing.T) {
			var ran []string // appended by the committer's one goroutine
			rest := map[string]func(q *writeTx) error{}
			for _, k := range []string{"op-d", "op-a", "op-c", "op-b", "op-e", "op-f"} {
				insert := h.insertBody(k, nil)
				rest[k] = func(q *writeTx) error {
					ran = append(ran, k)
					return insert(q)
				}
			}
			first, out := h.queueWrites(t, h.insertBody("first", nil), rest)
			require.NoError(t, first)
			for k, err := range out {
				require.NoError(t, err, k)
			}
			require.Equal(t, []string{"op-a", "op-b", "op-c", "op-d", "op-e", "op-f"}, ran)
		})
	}
}

// TestGroupCommitBatchesWaitingWriters: writers that arrive while a commit
// is under way are committed together in one transaction, and a writer
// whose checks refuse is told so while the others' writes are committed.
func TestGroupCommitBatchesWaitingWriters(t *testing.T) {
	for name, h := range heldStores(t) {
		t.Run(name, func(t *testing.T) {
			rest := map[string]func(q *writeTx) error{"refused": refuseBody("refused")}
			for i := range 8 {
				k := fmt.Sprintf("k%d", i)
				rest[k] = h.insertBody(k, nil)
			}
			first, out := h.queueWrites(t, h.insertBody("first", nil), rest)
			require.NoError(t, first)
			for k, err := range out {
				if k == "refused" {
					require.ErrorIs(t, err, store.ErrAlreadyTaken)
					continue
				}
				require.NoError(t, err, k)
			}
			require.Equal(t, []string{"first", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}, h.keys(t))
			require.EqualValues(t, 1, h.batch.batches.Load(), "one transaction for the eight writes and the refusal")
		})
	}
}

// TestGroupCommitDatabaseErrorRunsEachAlone: a database error in a batch
// (which aborts a PostgreSQL transaction) rolls the whole batch back, and
// each write then runs in a transaction of its own: nothing of the one
// that failed is written, all of the others are.
func TestGroupCommitDatabaseErrorRunsEachAlone(t *testing.T) {
	for name, h := range heldStores(t) {
		t.Run(name, func(t *testing.T) {
			boom := errors.New("boom")
			rest := map[string]func(q *writeTx) error{
				"a":   h.insertBody("a", nil),
				"b":   h.insertBody("b", nil),
				"bad": h.insertBody("bad", boom),
				"dup": h.failingBody("dup"),
				"c":   h.insertBody("c", nil),
			}
			first, out := h.queueWrites(t, h.insertBody("first", nil), rest)
			require.NoError(t, first)
			for k, err := range out {
				switch k {
				case "bad":
					require.ErrorIs(t, err, boom)
				case "dup":
					require.True(t, h.d.isUniqueViolation(err), "%v", err)
				default:
					require.NoError(t, err, k)
				}
			}
			require.Equal(t, []string{"a", "b", "c", "first"}, h.keys(t), "nothing of the failed writes, all of the others")
			require.Zero(t, h.batch.batches.Load(), "the batch was rolled back")
		})
	}
}

// TestGroupCommitCancelledBeforeRunning: a writer whose context ends while
// its write waits in the queue gets the context's error and writes
// nothing; the others of its batch are committed.
func TestGroupCommitCancelledBeforeRunning(t *testing.T) {
	for name, h := range heldStores(t) {
		t.Run(name, func(t *testing.T) {
			firstDone := make(chan error, 1)
			go func() { firstDone <- h.batch.write(t.Context(), "", h.insertBody("first", nil)) }()
			require.Equal(t, 1, <-h.taken)
			ctx, cancel := context.WithCancel(t.Context())
			lateDone, otherDone := make(chan error, 1), make(chan error, 1)
			go func() { lateDone <- h.batch.write(ctx, "", h.insertBody("late", nil)) }()
			go func() { otherDone <- h.batch.write(t.Context(), "", h.insertBody("other", nil)) }()
			for len(h.batch.reqs) != 2 {
				runtime.Gosched()
			}
			cancel()
			h.release <- struct{}{}
			require.NoError(t, <-firstDone)
			require.Equal(t, 2, <-h.taken)
			h.release <- struct{}{}
			require.ErrorIs(t, <-lateDone, context.Canceled)
			require.NoError(t, <-otherDone)
			require.Equal(t, []string{"first", "other"}, h.keys(t))
		})
	}
}

// TestGroupCommitSwallowedDatabaseError: a body that meets a database
// error and refuses anyway (a bug: it should return the error) leaves a
// PostgreSQL transaction aborted, whose COMMIT the server answers with
// ROLLBACK when no later statement reports the error. The batch must not
// report the write before it as committed: it is rolled back (and each
// write then runs again alone).
func TestGroupCommitSwallowedDatabaseError(t *testing.T) {
	for name, h := range heldStores(t) {
		t.Run(name, func(t *testing.T) {
			// A query the server cannot prepare (the insert held before it
			// is never sent), and one that fails when it runs (the insert
			// is, and the transaction is aborted).
			queries := []string{"SELECT k FROM " + qualifier(h.cfg.schema) + "no_such_table", "SELECT CAST(1 / 0 AS TEXT)"}
			for i, query := range queries {
				key := fmt.Sprintf("k%d", i)
				outcomes, rolledBack, err := h.batch.together([]*writeReq{
					{ctx: t.Context(), fn: h.insertBody(key, nil)},
					{ctx: t.Context(), fn: swallowBody(query)},
				})
				if name == "SQLite" {
					// SQLite's transaction goes on after an error.
					require.NoError(t, err)
					require.False(t, rolledBack)
					require.NoError(t, outcomes[0])
					require.ErrorIs(t, outcomes[1], store.ErrAlreadyTaken)
					require.Contains(t, h.keys(t), key)
					continue
				}
				require.True(t, rolledBack, "%s: outcomes %v, error %v", query, outcomes, err)
				require.Empty(t, h.keys(t))
			}
		})
	}
}

// swallowBody returns a write body that runs query, which fails, and
// refuses as if it had not.
func swallowBody(query string) func(q *writeTx) error {
	return func(q *writeTx) error {
		var k string
		err := q.queryRow(context.Background(), query).Scan(&k)
		if err == nil {
			return errors.New("the query did not fail")
		}
		return fmt.Errorf("%w: swallowed %v", store.ErrAlreadyTaken, err)
	}
}

// TestWritesSeeHeldStatements: a statement held back (pipelined on
// PostgreSQL) has run by the time a later read of the same transaction
// runs, and an error of one is reported by the statement it was sent
// with.
func TestWritesSeeHeldStatements(t *testing.T) {
	for name, h := range heldStores(t) {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, name == "Postgres", h.pipelines, "pipelined on PostgreSQL through pgx only")
			count := h.d.rebind("SELECT count(*) FROM " + qualifier(h.cfg.schema) + "scratch WHERE k = ?")
			done := make(chan error, 1)
			go func() {
				done <- h.batch.write(t.Context(), "", func(q *writeTx) error {
					require.NoError(t, q.exec(t.Context(), h.insert, "x"))
					var n int
					require.NoError(t, q.queryRow(t.Context(), count, "x").Scan(&n))
					require.Equal(t, 1, n, "the read sees the insert before it")
					require.NoError(t, q.exec(t.Context(), h.insert, "y"))
					rows, err := q.query(t.Context(), count, "y")
					require.NoError(t, err)
					require.True(t, rows.Next())
					require.NoError(t, rows.Scan(&n))
					require.Equal(t, 1, n)
					require.NoError(t, rows.Close())
					return nil
				})
			}()
			require.Equal(t, 1, <-h.taken)
			h.release <- struct{}{}
			require.NoError(t, <-done)
			require.Equal(t, []string{"x", "y"}, h.keys(t))

			go func() {
				done <- h.batch.write(t.Context(), "", func(q *writeTx) error {
					err := q.exec(t.Context(), h.insert, "x") // a duplicate
					if err == nil {
						var n int
						err = q.queryRow(t.Context(), count, "x").Scan(&n)
					}
					return err
				})
			}()
			require.Equal(t, 1, <-h.taken)
			h.release <- struct{}{}
			require.True(t, h.d.isUniqueViolation(<-done), "the read reports the insert's error")
			require.Equal(t, []string{"x", "y"}, h.keys(t))
		})
	}
}

// TestScanWithNext: a row read with scanWithNext is in its destination
// once the next query has returned, and sees the writes before it; a
// query that finds no row fails the next query, and the transaction.
func TestScanWithNext(t *testing.T) {
	for name, h := range heldStores(t) {
		t.Run(name, func(t *testing.T) {
			count := h.d.rebind("SELECT count(*) FROM " + qualifier(h.cfg.schema) + "scratch WHERE k = ?")
			pick := h.d.rebind("SELECT k FROM " + qualifier(h.cfg.schema) + "scratch WHERE k = ?")
			// The bodies run on the committer's goroutine: they return
			// what they saw, and the test checks it here.
			var early, late int
			done := make(chan error, 1)
			go func() {
				done <- h.batch.write(t.Context(), "", func(q *writeTx) error {
					if err := q.exec(t.Context(), h.insert, "x"); err != nil {
						return err
					}
					if err := q.scanWithNext(t.Context(), []any{&early}, count, "x"); err != nil {
						return err
					}
					if err := q.exec(t.Context(), h.insert, "y"); err != nil {
						return err
					}
					return q.queryRow(t.Context(), count, "y").Scan(&late)
				})
			}()
			require.Equal(t, 1, <-h.taken)
			h.release <- struct{}{}
			require.NoError(t, <-done)
			require.Equal(t, 1, early, "the held read sees the insert before it")
			require.Equal(t, 1, late)
			require.Equal(t, []string{"x", "y"}, h.keys(t))

			go func() {
				done <- h.batch.write(t.Context(), "", func(q *writeTx) error {
					if err := q.exec(t.Context(), h.insert, "z"); err != nil {
						return err
					}
					var k string
					if err := q.scanWithNext(t.Context(), []any{&k}, pick, "none"); err != nil {
						return err
					}
					// The next query finds its row: its error must not say
					// that it found none.
					return q.queryRow(t.Context(), pick, "x").Scan(&k)
				})
			}()
			require.Equal(t, 1, <-h.taken)
			h.release <- struct{}{}
			err := <-done
			require.Error(t, err, "a held read that finds no row fails")
			require.False(t, isStoreError(err), "not a refusal: %v", err)
			if h.pipelines {
				require.NotErrorIs(t, err, sql.ErrNoRows, "the held read's missing row is not the next query's")
			}
			require.Equal(t, []string{"x", "y"}, h.keys(t), "nothing of the failed transaction was committed")
		})
	}
}

// TestPipelinedCommitLeavesNoOpenTransaction: a held statement that pgx
// cannot even send (an argument it cannot encode) fails the commit as
// "not committed", not as an unknown outcome, and the connection goes back
// to the pool out of the transaction.
func TestPipelinedCommitLeavesNoOpenTransaction(t *testing.T) {
	h := heldPostgres(t)
	h.db.SetMaxOpenConns(1)
	count := h.d.rebind("SELECT count(*) FROM " + qualifier(h.cfg.schema) + "scratch")
	done := make(chan error, 1)
	go func() {
		done <- h.batch.write(t.Context(), "", func(q *writeTx) error {
			var n int
			if err := q.queryRow(t.Context(), count).Scan(&n); err != nil {
				return err
			}
			return q.exec(t.Context(), h.insert, make(chan int)) // cannot be encoded
		})
	}()
	require.Equal(t, 1, <-h.taken)
	h.release <- struct{}{}
	err := <-done
	require.Error(t, err)
	require.False(t, errors.As(err, new(commitError)), "nothing was committed, and that is known: %v", err)
	conn, err := h.db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.Raw(func(dc any) error {
		require.Equal(t, byte('I'), dc.(*stdlib.Conn).Conn().PgConn().TxStatus(), "the connection is out of the transaction")
		return nil
	}))
}

// heldPostgres returns the held PostgreSQL store of heldStores, or skips
// the test when PostgreSQL is left out.
func heldPostgres(t *testing.T) *held {
	t.Helper()
	h, ok := heldStores(t)["Postgres"]
	if !ok {
		t.Skip("PostgreSQL left out")
	}
	return h
}

// recordAtCommit gives h a table "seen" (k TEXT PRIMARY KEY, then
// columns) and a deferred trigger that adds to it, in COMMIT, each key
// inserted into the scratch table with values (SQL expressions, evaluated
// then).
func (h *held) recordAtCommit(t *testing.T, columns, values string) {
	t.Helper()
	q := qualifier(h.cfg.schema)
	_, err := h.db.Exec("CREATE TABLE " + q + "seen (k TEXT PRIMARY KEY, " + columns + ")")
	require.NoError(t, err)
	h.deferredTrigger(t, "INSERT INTO "+q+"seen VALUES (NEW.k, "+values+");")
}

// deferredTrigger gives h's scratch table a constraint trigger that runs
// body (PL/pgSQL, the inserted row in NEW) in COMMIT, once per inserted
// row.
func (h *held) deferredTrigger(t *testing.T, body string) {
	t.Helper()
	q := qualifier(h.cfg.schema)
	_, err := h.db.Exec("CREATE FUNCTION " + q + "at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
		body + " RETURN NULL; END $$")
	require.NoError(t, err)
	_, err = h.db.Exec("CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON " + q +
		"scratch DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + q + "at_commit()")
	require.NoError(t, err)
}

// TestGroupCommitRefusedCommitRunsEachAlone: PostgreSQL answers a batch's
// COMMIT with an error (a deferred check that fails for one of its
// writes): nothing of the batch was committed, and that is known. The
// batch is rolled back and each write runs again alone, so that only the
// write the check refuses fails, and not as an unknown outcome.
func TestGroupCommitRefusedCommitRunsEachAlone(t *testing.T) {
	h := heldPostgres(t)
	h.deferredTrigger(t, "IF NEW.k = 'bad' THEN RAISE EXCEPTION 'bad is refused at commit'; END IF;")
	rest := map[string]func(q *writeTx) error{}
	for _, k := range []string{"a", "b", "bad", "c"} {
		rest[k] = h.insertBody(k, nil)
	}
	first, out := h.queueWrites(t, h.insertBody("first", nil), rest)
	require.NoError(t, first)
	for k, err := range out {
		if k != "bad" {
			require.NoError(t, err, k)
			continue
		}
		require.ErrorContains(t, err, "bad is refused at commit")
		require.False(t, errors.As(err, new(commitError)), "nothing was committed, and that is known: %v", err)
	}
	require.Equal(t, []string{"a", "b", "c", "first"}, h.keys(t))
	require.EqualValues(t, 1, h.batch.rolledBack.Load(), "the batch was rolled back")
}

// TestGroupCommitCommitWaitsUnbounded: a batch's statements wait at most
// 100 ms for a row lock (batches of several processes can deadlock), its
// COMMIT as long as it takes (what COMMIT waits for is the notification
// queue's lock, held by the commits before it until they are on disk; a
// deadlock cannot involve it).
func TestGroupCommitCommitWaitsUnbounded(t *testing.T) {
	h := heldPostgres(t)
	h.recordAtCommit(t, "lock_timeout TEXT", "current_setting('lock_timeout')")
	inBody := map[string]string{}
	var mu sync.Mutex
	rest := map[string]func(q *writeTx) error{}
	for _, k := range []string{"a", "b"} {
		insert := h.insertBody(k, nil)
		rest[k] = func(q *writeTx) error {
			var lt string
			if err := q.queryRow(t.Context(), "SELECT current_setting('lock_timeout')").Scan(&lt); err != nil {
				return err
			}
			mu.Lock()
			inBody[k] = lt
			mu.Unlock()
			return insert(q)
		}
	}
	first, out := h.queueWrites(t, h.insertBody("first", nil), rest)
	require.NoError(t, first)
	for k, err := range out {
		require.NoError(t, err, k)
	}
	require.Equal(t, map[string]string{"a": "100ms", "b": "100ms"}, inBody, "the batch's statements")
	rows, err := h.db.Query("SELECT k, lock_timeout FROM " + qualifier(h.cfg.schema) + "seen")
	require.NoError(t, err)
	defer rows.Close()
	atCommit := map[string]string{}
	for rows.Next() {
		var k, lt string
		require.NoError(t, rows.Scan(&k, &lt))
		atCommit[k] = lt
	}
	require.NoError(t, rows.Err())
	require.Equal(t, map[string]string{"first": "0", "a": "0", "b": "0"}, atCommit, "in COMMIT")
}
