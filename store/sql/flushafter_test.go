package sqlstore

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// flushHeld returns the held PostgreSQL store, recording in its table
// "seen", in COMMIT, each key inserted with the transaction's
// synchronous_commit, its id and the WAL position.
func flushHeld(t *testing.T) *held {
	t.Helper()
	h := heldPostgres(t)
	h.recordAtCommit(t, "sync TEXT, xid BIGINT, lsn PG_LSN",
		"current_setting('synchronous_commit'), txid_current(), pg_current_wal_insert_lsn()")
	return h
}

// writeNoting writes key to h's scratch table in a transaction of its
// own; noted says whether the body notes a changed row (so that the
// transaction sends a notification).
func (h *held) writeNoting(t *testing.T, key string, noted bool) error {
	t.Helper()
	insert := h.insertBody(key, nil)
	done := make(chan error, 1)
	go func() {
		done <- h.batch.write(t.Context(), "", func(q *writeTx) error {
			if noted {
				q.changedOperator(store.Operator{ID: key, Version: 1, Status: "online"})
			}
			return insert(q)
		})
	}()
	require.Equal(t, 1, <-h.taken)
	h.release <- struct{}{}
	return <-done
}

// TestFlushAfterCommit: a transaction that sends notifications commits
// with synchronous_commit off, and the Store's flush statement then runs
// in a synchronous transaction of its own before the write returns, so
// that the WAL is on disk past the transaction's commit when the caller
// hears of it. A transaction that sends none commits as it did.
func TestFlushAfterCommit(t *testing.T) {
	h := flushHeld(t)
	require.Equal(t, flushStatement, h.flushAfter, "PUBLIC may run pg_logical_emit_message")
	ctx := context.Background()
	q := qualifier(h.cfg.schema)

	require.NoError(t, h.writeNoting(t, "notified", true))
	var sync string
	var onDisk bool
	require.NoError(t, h.db.QueryRowContext(ctx, "SELECT sync, pg_current_wal_flush_lsn() >= lsn FROM "+q+
		"seen WHERE k = 'notified'").Scan(&sync, &onDisk))
	require.Equal(t, "off", sync)
	require.True(t, onDisk, "the WAL is flushed past the commit")

	require.NoError(t, h.writeNoting(t, "quiet", false))
	require.NoError(t, h.db.QueryRowContext(ctx, "SELECT sync FROM "+q+"seen WHERE k = 'quiet'").Scan(&sync))
	require.Equal(t, "on", sync, "no notification, no flush after")

	// What runs after COMMIT, and how.
	_, err := h.db.Exec("CREATE TABLE " + q + "flushes (sync TEXT, xid BIGINT)")
	require.NoError(t, err)
	h.flushAfter = "INSERT INTO " + q + "flushes VALUES (current_setting('synchronous_commit'), txid_current())"
	require.NoError(t, h.writeNoting(t, "again", true))
	var flushSync string
	var own bool
	require.NoError(t, h.db.QueryRowContext(ctx, "SELECT f.sync, f.xid > s.xid FROM "+q+"flushes f, "+q+
		"seen s WHERE s.k = 'again'").Scan(&flushSync, &own))
	require.Equal(t, "on", flushSync, "the flush statement commits synchronously")
	require.True(t, own, "in a transaction of its own, after the write's")
	require.NoError(t, h.writeNoting(t, "still quiet", false))
	var n int
	require.NoError(t, h.db.QueryRowContext(ctx, "SELECT count(*) FROM "+q+"flushes").Scan(&n))
	require.Equal(t, 1, n, "once per transaction that notified")
}

// TestFlushAfterCommitFails: when the flush statement fails after the
// COMMIT succeeded, the transaction took effect but is not known to be on
// disk: the caller gets a commitError (outcome unknown), not an error
// saying that nothing was written, nor success. That holds when the
// failure carries a code that marks a transaction as rolled back and
// worth running again (serialization failure): the committed write is
// not run a second time.
func TestFlushAfterCommitFails(t *testing.T) {
	h := flushHeld(t)
	for key, flush := range map[string]string{
		"division": "SELECT 1 / 0",
		"serialization": "DO $$ BEGIN RAISE EXCEPTION 'flush refused' USING ERRCODE = '" +
			pgSerializationFailure + "'; END $$",
	} {
		h.flushAfter = flush
		err := h.writeNoting(t, key, true)
		require.Error(t, err, key)
		require.True(t, errors.As(err, new(commitError)), "%s: %v", key, err)
		require.False(t, h.d.isRetryable(err), "%s: not to be run again: %v", key, err)
		require.ErrorContains(t, err, "not known to be on disk", key)
	}
	require.Equal(t, []string{"division", "serialization"}, h.keys(t), "committed, once each")
}
