package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// writeTx is what a write body runs its statements on, in one
// transaction. A body notes there each row it changes, as it writes it
// (after its checks have passed), for the change feed.
//
// Statements whose result the body does not need (exec) may be held back
// and sent with the next statement that returns rows, or with COMMIT (see
// pipeTx): a body must not rely on an exec having run before its next
// read, only on the transaction seeing its writes in order. An error of a
// held-back statement is reported by the statement it was sent with.
type writeTx struct {
	st txStatements
	// ops are the operator rows written, an operator deleted as its id
	// alone (Version 0); convs the conversation rows written.
	ops   []store.Operator
	convs []store.Conversation
	// ruleSet records that the transaction stored a rule set, groups
	// that it created, changed or deleted a group.
	ruleSet, groups bool
	// refused records that a body of the transaction refused (see
	// Store.refused): its COMMIT is then flushed too.
	refused bool
	// journal holds the journal entries of the transaction's writes, in
	// the order they were noted (see journal.go).
	journal [][]store.Entry
	// appended are the entries of journal whose numbers the statement
	// sent with COMMIT hands out, the newest of them appendedLast (see
	// appendNoted).
	appended     []*store.Entry
	appendedLast int64
}

// txStatements runs the statements of one write transaction: sqlTx
// through database/sql, pipeTx pipelined on a pgx connection.
type txStatements interface {
	// exec runs a statement whose result is not needed, now or later.
	exec(ctx context.Context, query string, args ...any) error
	// execCount runs a statement now and returns the rows it changed.
	execCount(ctx context.Context, query string, args ...any) (int64, error)
	// queryRow runs a query returning at most one row, read by Scan (which
	// must be called).
	queryRow(ctx context.Context, query string, args ...any) scanner
	// query runs a query; the caller must close the rows.
	query(ctx context.Context, query string, args ...any) (rowSet, error)
	// scanWithNext runs a query returning exactly one row and scans it
	// into dest, at the latest when the next statement that returns rows
	// runs (pipeTx sends the two in one round trip), before that
	// statement's results are read. Its error is then that statement's.
	scanWithNext(ctx context.Context, dest []any, query string, args ...any) error
	// commit commits the transaction. Its error is a commitError when
	// whether the transaction took effect (or is on disk) is unknown; any
	// other error means it did not. flush, when not "", is a statement
	// that makes the commit durable when run after it (see pipeTx.commit
	// and Store.flushAfter); sqlTx, which is never given one, ignores it
	// and commits durably.
	commit(flush string) error
	// rollback ends the transaction without effect.
	rollback()
}

// rowSet is the rows of a query: *sql.Rows or pgxRows.
type rowSet interface {
	scanner
	Next() bool
	Err() error
	Close() error
}

func (w *writeTx) exec(ctx context.Context, query string, args ...any) error {
	return w.st.exec(ctx, query, args...)
}

func (w *writeTx) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	return w.st.execCount(ctx, query, args...)
}

func (w *writeTx) queryRow(ctx context.Context, query string, args ...any) scanner {
	return w.st.queryRow(ctx, query, args...)
}

func (w *writeTx) query(ctx context.Context, query string, args ...any) (rowSet, error) {
	return w.st.query(ctx, query, args...)
}

// scanWithNext runs a query returning exactly one row and scans it into
// dest, at the latest together with the next query (see
// txStatements.scanWithNext): a body calls a query right after it and
// reads dest only once that query has returned.
func (w *writeTx) scanWithNext(ctx context.Context, dest []any, query string, args ...any) error {
	return w.st.scanWithNext(ctx, dest, query, args...)
}

// changedOperator notes that the transaction wrote operator row op.
func (w *writeTx) changedOperator(op store.Operator) { w.ops = append(w.ops, op) }

// deletedOperator notes that the transaction deleted operator id.
func (w *writeTx) deletedOperator(id string) { w.ops = append(w.ops, store.Operator{ID: id}) }

// changedConversation notes that the transaction wrote conversation row
// c.
func (w *writeTx) changedConversation(c store.Conversation) { w.convs = append(w.convs, c) }

// storedRuleSet notes that the transaction stored a rule set.
func (w *writeTx) storedRuleSet() { w.ruleSet = true }

// changedGroups notes that the transaction created, changed or deleted a
// group.
func (w *writeTx) changedGroups() { w.groups = true }

// noteMark is where the notes of a transaction stand (see writeTx.mark).
type noteMark struct {
	ops, convs, journal int
	ruleSet, groups     bool
}

// mark returns where the notes stand, for rewind.
func (w *writeTx) mark() noteMark {
	return noteMark{ops: len(w.ops), convs: len(w.convs), journal: len(w.journal), ruleSet: w.ruleSet, groups: w.groups}
}

// rewind drops the notes taken since m (those of a refused body).
func (w *writeTx) rewind(m noteMark) {
	w.ops, w.convs, w.ruleSet, w.groups = w.ops[:m.ops], w.convs[:m.convs], m.ruleSet, m.groups
	w.journal = w.journal[:m.journal]
}

// transact runs body in one write transaction and, if body returns nil,
// publishes the changes it noted (see publish) and commits. batch says
// that the transaction holds the writes of several callers: on PostgreSQL
// its waits for row locks are bounded (see dialect.batchLockTimeout), its
// COMMIT's are not (see dialect.commitLockTimeout). Body's statements
// run under the contexts body gives them. On PostgreSQL through pgx the
// transaction, its COMMIT included, runs under ctx: a transaction whose
// context ends is abandoned, rolled back if COMMIT was not sent and of
// unknown outcome (a commitError) if it was, so that a silent network
// holds nobody past their deadline. Through database/sql (SQLite) only
// the acquisition of the connection runs under ctx: database/sql would
// roll back a transaction whose context ends even while its COMMIT is
// under way.
//
// The error is body's (nothing was committed), a commitError when the
// outcome of COMMIT is unknown, or another error when nothing was
// committed.
func (s *Store) transact(ctx context.Context, batch bool, body func(w *writeTx) error) error {
	if s.pipelines {
		return s.pipelined(ctx, batch, body)
	}
	tx, err := s.db.BeginTx(context.WithoutCancel(ctx), s.d.txOptions())
	if err != nil {
		return err
	}
	sets := []string{s.idleInTx}
	if batch {
		sets = append(sets, s.d.batchLockTimeout())
	}
	for _, set := range sets {
		if set == "" {
			continue
		}
		if _, err := tx.Exec(set); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return s.finish(ctx, &writeTx{st: sqlTx{tx: tx, q: s.querier(tx)}}, batch, body)
}

// finish runs body in w's transaction, then publishes and commits, or
// rolls back. batch is transact's.
func (s *Store) finish(ctx context.Context, w *writeTx, batch bool, body func(w *writeTx) error) error {
	if err := body(w); err != nil {
		if isStoreError(err) {
			return s.refused(ctx, w, err)
		}
		w.st.rollback()
		return err
	}
	// The bound on lock waits is lifted once the bodies are done: the
	// journal's numbers, taken next, wait for a lock another Store holds
	// through its COMMIT, which cannot be part of a deadlock and must not
	// time the batch out, no more than the COMMIT itself.
	if lt := s.d.commitLockTimeout(); batch && lt != "" {
		if err := w.exec(context.Background(), lt); err != nil {
			w.st.rollback()
			return err
		}
	}
	if err := s.appendNoted(ctx, w); err != nil {
		w.st.rollback()
		return err
	}
	notified, err := s.publish(context.Background(), w)
	if err != nil {
		w.st.rollback()
		return err
	}
	flush := ""
	if notified || w.refused || len(w.journal) > 0 {
		flush = s.flushAfter
	}
	if err := w.st.commit(flush); err != nil {
		return err
	}
	w.numberAppended()
	return nil
}

// refused ends the transaction of a body that refused with err, a store
// error, having written nothing. When commits are asynchronous (see
// pipeTx.commit), the rows the body read may be another Store's commit
// that is not on disk yet, and would be lost with it in a crash of the
// server: a refusal must not rest on them. So the transaction, which
// changes nothing, is committed with the flush after it, and err returned
// once every commit before it is on disk; if that fails, so that what err
// rests on is not known to be durable, the error says so and no longer
// matches err's sentinel.
func (s *Store) refused(ctx context.Context, w *writeTx, err error) error {
	if s.flushAfter == "" {
		w.st.rollback()
		return err
	}
	cerr := w.st.commit(s.flushAfter)
	if cerr == nil {
		return err
	}
	// Not committed (the transaction had failed, or was never begun):
	// flush on a connection of the pool.
	if _, ferr := s.db.ExecContext(ctx, s.flushAfter); ferr != nil {
		return fmt.Errorf("%v; the rows it was decided on are not known to be on disk: %w", err, ferr)
	}
	return err
}

// sqlTx runs a write transaction through database/sql: each statement
// when it is given.
type sqlTx struct {
	tx *sql.Tx
	q  querier
}

func (t sqlTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.q.ExecContext(ctx, query, args...)
	return err
}

func (t sqlTx) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t sqlTx) queryRow(ctx context.Context, query string, args ...any) scanner {
	return t.q.QueryRowContext(ctx, query, args...)
}

func (t sqlTx) query(ctx context.Context, query string, args ...any) (rowSet, error) {
	return t.q.QueryContext(ctx, query, args...)
}

func (t sqlTx) scanWithNext(ctx context.Context, dest []any, query string, args ...any) error {
	return t.q.QueryRowContext(ctx, query, args...).Scan(dest...)
}

func (t sqlTx) commit(string) error {
	if err := t.tx.Commit(); err != nil {
		return commitError{err}
	}
	return nil
}

func (t sqlTx) rollback() { _ = t.tx.Rollback() }
