package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// fixed returns the statements a store prepares once when its dialect
// asks for it (see dialect.prepares): those of every call, not the ones
// built per call or used only by Migrate.
func (q *queries) fixed() []string {
	return []string{
		q.selectOperator, q.lockOperator, q.lockOperators, q.listOperators,
		q.insertOperator, q.updateProfile, q.updateStatus, q.updateDeadlines,
		q.updateLoad, q.deleteOperator, q.countHeld, q.listHeld, q.listOffered,
		q.selectConversation, q.lockConversation, q.newConversation,
		q.insertConversation, q.updateConversation, q.nextSeq, q.upsertPrevious, q.selectPrevious,
		q.closeInterval, q.openInterval, q.history, q.reconcile,
		q.selectOperators, q.selectConversations,
		q.insertLoad, q.loadHistory, q.allLoadHistory,
		q.selectRuleSet, q.ruleSetVersion, q.insertRuleSet,
		q.listGroups, q.lockGroup, q.insertGroup, q.updateGroup, q.deleteGroup, q.groupInUse,
		q.reserveJournal, q.readJournal, q.journalBounds, q.journalNewest, q.journalFront, q.pruneJournal, q.keptKeys,
		q.insertEntries[0], q.insertEntries[1], q.insertEntries[2], q.insertEntries[3],
	}
}

// prepareAll prepares the fixed statements on the pool, once, if the
// dialect asks for it. It runs when the schema has been found to be the
// latest (the statements name its tables), never inside a transaction:
// SQLite's pool has a single connection, which a transaction would hold.
func (s *Store) prepareAll(ctx context.Context) error {
	if !s.d.prepares() {
		return nil
	}
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if s.stmts.Load() != nil {
		return nil
	}
	stmts := make(map[string]*sql.Stmt)
	for _, q := range s.q.fixed() {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range stmts {
				_ = st.Close()
			}
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		stmts[q] = st
	}
	s.stmts.Store(&stmts)
	return nil
}

// filterQuerier returns what runs query, one of the few queries of
// Conversations: a statement prepared on the pool at its first use if the
// dialect asks for it, the pool otherwise (or if preparing fails). It must
// not be called inside a transaction.
func (s *Store) filterQuerier(ctx context.Context, query string) querier {
	if !s.d.prepares() {
		return s.db
	}
	if st, ok := s.filters.Load(query); ok {
		return stmtQuerier{st.(*sql.Stmt)}
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return s.db
	}
	if prev, loaded := s.filters.LoadOrStore(query, st); loaded {
		_ = st.Close()
		st = prev.(*sql.Stmt)
	}
	return stmtQuerier{st}
}

// stmtQuerier runs one prepared statement, whatever query it is given.
type stmtQuerier struct{ st *sql.Stmt }

func (q stmtQuerier) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return q.st.ExecContext(ctx, args...)
}

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.st.QueryContext(ctx, args...)
}

func (q stmtQuerier) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return q.st.QueryRowContext(ctx, args...)
}

// closeStatements closes the prepared statements.
func (s *Store) closeStatements() {
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if stmts := s.stmts.Swap(nil); stmts != nil {
		for _, st := range *stmts {
			_ = st.Close()
		}
	}
	s.filters.Range(func(k, v any) bool {
		_ = v.(*sql.Stmt).Close()
		s.filters.Delete(k)
		return true
	})
}

// reader returns what runs the statements of a read: the pool, through the
// prepared statements if any.
func (s *Store) reader() querier {
	return s.querier(nil)
}

// querier returns what runs statements in tx (nil: on the pool), through
// the prepared statements if any.
func (s *Store) querier(tx *sql.Tx) querier {
	var base querier = s.db
	if tx != nil {
		base = tx
	}
	stmts := s.stmts.Load()
	if stmts == nil {
		return base
	}
	return preparedQuerier{base: base, tx: tx, stmts: *stmts}
}

// preparedQuerier runs the statements it has prepared as such, in tx if
// not nil, and the others through base.
type preparedQuerier struct {
	base  querier
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// stmt returns the prepared form of query, bound to the transaction.
func (p preparedQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	st, ok := p.stmts[query]
	if !ok {
		return nil
	}
	if p.tx != nil {
		// Reuses the statement when it is prepared on the transaction's
		// connection (always, on a single-connection pool).
		st = p.tx.StmtContext(ctx, st)
	}
	return st
}

func (p preparedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.base.ExecContext(ctx, query, args...)
}

func (p preparedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.base.QueryContext(ctx, query, args...)
}

func (p preparedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.base.QueryRowContext(ctx, query, args...)
}
