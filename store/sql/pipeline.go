package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Write transactions on PostgreSQL through pgx are pipelined: the
// statements whose results a body does not need (its writes, the
// notifications) are held back and sent in one round trip with the next
// statement that returns rows, or with COMMIT. BEGIN travels with the
// first read, and a read whose row a body needs only after its next read
// travels with that one (scanWithNext). A conversation created and
// assigned alone thus costs two round trips (existence check, sequence
// number and operator lock; writes and COMMIT) instead of eight; a change
// of a conversation three (its lock, then its operators' lock, whose ids
// depend on the row); the bodies of a batch one or two each, plus one for
// the COMMIT of all.

// beginReadCommitted starts a pipelined transaction (see
// postgresDialect.txOptions).
const beginReadCommitted = "BEGIN ISOLATION LEVEL READ COMMITTED"

// pipelined runs body in a pipelined transaction on a connection of the
// pool (see transact).
func (s *Store) pipelined(ctx context.Context, batch bool, body func(w *writeTx) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var out error
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connection is a %T, not pgx's", dc)
		}
		t := &pipeTx{conn: sc.Conn(), ctx: ctx}
		t.held = append(t.held, heldStmt{query: beginReadCommitted})
		if s.idleInTx != "" {
			t.held = append(t.held, heldStmt{query: s.idleInTx})
		}
		if batch {
			t.held = append(t.held, heldStmt{query: s.d.batchLockTimeout()})
		}
		out = s.finish(ctx, &writeTx{st: t}, batch, body)
		return nil
	})
	if err != nil {
		return err
	}
	return out
}

// pipeTx is a write transaction pipelined on a pgx connection.
type pipeTx struct {
	conn *pgx.Conn
	// ctx bounds the transaction's COMMIT (see Store.transact).
	ctx context.Context
	// held are the statements not sent yet, in order.
	held []heldStmt
	// failed is the first error of a statement: after it nothing of the
	// transaction can commit (PostgreSQL aborts it; or the statements
	// held with the failed one were never sent).
	failed error
}

// fail records err, if it is a failure, and returns it.
func (t *pipeTx) fail(err error) error {
	if err != nil && t.failed == nil && !errors.Is(err, sql.ErrNoRows) {
		t.failed = err
	}
	return err
}

// heldStmt is a statement held back until the next round trip.
type heldStmt struct {
	query string
	args  []any
	// dest, for a query held by scanWithNext, receives its one row.
	dest []any
}

func (t *pipeTx) exec(_ context.Context, query string, args ...any) error {
	t.held = append(t.held, heldStmt{query: query, args: args})
	return nil
}

// send sends the held statements, then query, then the statements of
// after (which take no arguments) in one round trip, and reads the
// results of the held ones. On success the results are at query's, and
// the caller must close them; otherwise the error is the first held
// statement's.
func (t *pipeTx) send(ctx context.Context, query string, args []any, after ...string) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, h := range t.held {
		b.Queue(h.query, h.args...)
	}
	held, n := t.held, len(t.held)
	t.held = t.held[:0]
	b.Queue(query, args...)
	for _, a := range after {
		b.Queue(a)
	}
	if t.failed != nil {
		return nil, t.failed
	}
	br := t.conn.SendBatch(ctx, b)
	for _, h := range held[:n] {
		var err error
		if h.dest != nil {
			err = br.QueryRow().Scan(h.dest...)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			_ = br.Close()
			// A held query that found no row has failed too: the
			// transaction cannot go on without what it was to read.
			if errors.Is(err, sql.ErrNoRows) {
				err = errHeldNoRow
			}
			return nil, t.fail(err)
		}
	}
	return br, nil
}

func (t *pipeTx) scanWithNext(_ context.Context, dest []any, query string, args ...any) error {
	t.held = append(t.held, heldStmt{query: query, args: args, dest: dest})
	return nil
}

func (t *pipeTx) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	br, err := t.send(ctx, query, args)
	if err != nil {
		return 0, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag.RowsAffected(), t.fail(err)
}

func (t *pipeTx) queryRow(ctx context.Context, query string, args ...any) scanner {
	br, err := t.send(ctx, query, args)
	if err != nil {
		return errScanner{err}
	}
	return batchRow{t: t, br: br, row: br.QueryRow()}
}

func (t *pipeTx) query(ctx context.Context, query string, args ...any) (rowSet, error) {
	br, err := t.send(ctx, query, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, t.fail(err)
	}
	return batchRows{Rows: rows, t: t, br: br}, nil
}

// commit sends the held statements and COMMIT in one round trip. After
// a failed statement the transaction is rolled back. When the round trip
// fails, the connection tells what happened: still in the transaction
// (a held statement refused, after which PostgreSQL skips the rest of the
// pipeline, COMMIT included; or nothing sent), COMMIT did not run and the
// transaction is rolled back; the transaction over and the connection
// open after the server answered COMMIT with ERROR (see refusedCommit),
// it was rolled back too; the connection lost or the transaction over
// otherwise, whether it took effect is unknown (a commitError).
//
// With flush, COMMIT runs with synchronous_commit off and flush follows it
// in the same round trip, in an implicit transaction of its own that
// commits durably: commit returns once both have, and the transaction is
// then on disk too (flushing the WAL up to a record flushes every record
// before it). The point is PostgreSQL's notification-queue lock, which a
// transaction that sent notifications takes in COMMIT and keeps until its
// commit is done: with a durable COMMIT that includes the wait for the
// disk, so the commits of every Store on the server wait for each
// other's flushes one by one, and the row locks they hold are kept as
// long. An asynchronous COMMIT releases both once its record is written,
// and the flushes of several Stores can then share a write to disk. The
// cost: other connections (and the Stores watching) see the transaction
// before it is on disk; a server crash in between loses it with the
// connections, and what a client was told depended on it was never
// acknowledged as durable (its own commit came later in the WAL). The
// same holds for journal entries: another Store may read entry n before
// it is on disk; if the server then crashes, n is lost and numbered
// again, and a reader that kept the lost entry n must read from before
// it again (nothing acknowledged is lost: its writer had not returned).
func (t *pipeTx) commit(flush string) error {
	if t.failed != nil {
		t.rollback()
		return fmt.Errorf("the transaction had failed: %w", t.failed)
	}
	var after []string
	if flush != "" {
		t.held = append(t.held, heldStmt{query: asyncCommit})
		after = []string{flush}
	}
	br, err := t.send(t.ctx, "COMMIT", nil, after...)
	var tag pgconn.CommandTag
	if err == nil {
		tag, err = br.Exec()
		if err == nil && flush != "" && tag.String() == "COMMIT" {
			// Committed: durable once flush has committed too.
			_, err = br.Exec()
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				// %v, not %w: the error's code must not make the
				// committed transaction look rolled back and worth
				// running again (isRetryable).
				return commitError{fmt.Errorf("committed, but not known to be on disk: %v", err)}
			}
			return nil
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if t.conn.IsClosed() || t.conn.PgConn().TxStatus() == 'I' {
			if refusedCommit(err) && !t.conn.IsClosed() {
				return err
			}
			return commitError{err}
		}
		t.rollback()
		return err
	}
	if tag.String() == "ROLLBACK" {
		// The transaction had failed without a statement reporting it
		// (should never happen: failed covers every statement): nothing
		// was committed.
		return errCommitRolledBack
	}
	return nil
}

// refusedCommit reports whether err is an answer of severity ERROR from
// the server. To COMMIT, on a connection still open, it means that the
// transaction was rolled back: PostgreSQL raises such errors before it
// records the commit (a lock it could not take, a deferred check), and a
// failure after that point ends the connection.
func refusedCommit(err error) bool {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return false
	}
	severity := e.SeverityUnlocalized
	if severity == "" {
		severity = e.Severity
	}
	return severity == "ERROR"
}

// errHeldNoRow is the error of a query held by scanWithNext that returned
// no row.
var errHeldNoRow = errors.New("a query expected to return one row returned none")

// errCommitRolledBack is the error of a COMMIT the server answered with
// ROLLBACK.
var errCommitRolledBack = errors.New("commit: the transaction had failed and was rolled back")

// rollback ends the transaction if it was begun. A connection that cannot
// roll back is closed, so that the pool drops it.
func (t *pipeTx) rollback() {
	t.held = nil
	if t.conn.IsClosed() || t.conn.PgConn().TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	if _, err := t.conn.Exec(ctx, "ROLLBACK"); err != nil {
		_ = t.conn.Close(ctx)
	}
}

// rollbackTimeout bounds the wait for a ROLLBACK's answer: on a silent
// network it would never come. The connection is then closed, and the
// server rolls the transaction back when it notices, at the latest after
// its idle-in-transaction timeout (see WithIdleInTransactionTimeout).
const rollbackTimeout = time.Second

// errScanner is a row whose query failed.
type errScanner struct{ err error }

func (e errScanner) Scan(...any) error { return e.err }

// batchRow is the one row of the last query of a batch.
type batchRow struct {
	t   *pipeTx
	br  pgx.BatchResults
	row pgx.Row
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return r.t.fail(err)
}

// batchRows is the rows of the last query of a batch.
type batchRows struct {
	pgx.Rows
	t  *pipeTx
	br pgx.BatchResults
}

func (r batchRows) Scan(dest ...any) error { return r.t.fail(r.Rows.Scan(dest...)) }

func (r batchRows) Err() error { return r.t.fail(r.Rows.Err()) }

func (r batchRows) Close() error {
	r.Rows.Close()
	err := r.br.Close()
	if err == nil {
		err = r.Rows.Err()
	}
	return r.t.fail(err)
}
