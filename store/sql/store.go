package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/switchboard-go/switchboard/store"
)

// maxAttempts is how many times a write transaction runs when the database
// reports a transient failure (PostgreSQL serialization failure or
// deadlock, SQLite busy) before the write fails with store.ErrConflict.
const maxAttempts = 5

// Store is a store.Store kept in a SQL database. It is safe for concurrent
// use, also by several processes sharing one database. A Store must be
// made with OpenSQLite, OpenPostgres or New.
type Store struct {
	// mu guards closed; every call holds it for reading while it runs, so
	// that Close waits for the calls under way.
	mu     sync.RWMutex
	closed bool

	db    *sql.DB
	ownDB bool
	d     dialect
	cfg   config
	n     names
	q     queries
	// what names the database in errors.
	what string

	migrations []migration
	// batch commits the writes of concurrent calls together.
	batch *committer
	// pipelines says that write transactions are pipelined (see pipeTx).
	pipelines bool
	// flushAfter, when not "", is the statement a pipelined transaction
	// that sent notifications runs after its COMMIT to be durable (see
	// pipeTx.commit, dialect.flushAfterCommit).
	flushAfter string
	// migrated records that the schema was found to be the latest (and the
	// statements prepared).
	migrated atomic.Bool

	// stmts holds the fixed statements prepared on the pool when the
	// dialect asks for it, by query text; prepMu serializes its writers.
	prepMu sync.Mutex
	stmts  atomic.Pointer[map[string]*sql.Stmt]
	// filters holds the prepared queries of Conversations, by text.
	filters sync.Map

	// channel is the notification channel of the store's tables, origin
	// what tells this Store's notifications from the others' (see
	// Watch).
	channel, origin string
	// bg ends when the Store closes, ending the watches; watchers counts
	// their goroutines.
	bg       context.Context
	bgCancel context.CancelFunc
	watchers sync.WaitGroup
	// feedLost counts the connections the watches lost.
	feedLost atomic.Int64
	// idleInTx, when not "", is the statement that bounds idle time in a
	// transaction on the server (see WithIdleInTransactionTimeout), for
	// each write transaction to run: set on a pool the Store did not make.
	idleInTx string
}

var _ store.Store = (*Store)(nil)

// New returns a Store on db, an open pool of the given dialect (made with
// driver "sqlite" for SQLite, "pgx" for Postgres). It pings the database
// and checks its schema as described in the package documentation. The
// pool is used as it is configured: New sets none of SQLite's pragmas. For
// SQLite, OpenSQLite is the recommended way; a pool of several connections
// (or a file shared by several processes) needs a busy timeout, and
// "_txlock=immediate" in the DSN spares contended writers retries (see
// the package documentation). Close leaves db open: it belongs to the
// caller.
func New(ctx context.Context, db *sql.DB, d Dialect, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: sqlstore: nil *sql.DB", store.ErrInvalid)
	}
	if d.impl == nil {
		return nil, fmt.Errorf("%w: sqlstore: no dialect: use SQLite or Postgres", store.ErrInvalid)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(d.impl, false); err != nil {
		return nil, err
	}
	return newStore(ctx, db, d.impl, cfg, false, d.impl.name()+" database")
}

// newStore checks the database and returns a Store on it; own says whether
// Close closes db.
func newStore(ctx context.Context, db *sql.DB, d dialect, cfg config, own bool, what string) (*Store, error) {
	fsys := cfg.migrations
	if fsys == nil {
		fsys = embeddedMigrations
	}
	migs, err := loadMigrations(fsys, d.name())
	if err != nil {
		return nil, err
	}
	n := newNames(cfg.schema, cfg.prefix)
	s := &Store{db: db, ownDB: own, d: d, cfg: cfg, n: n, q: buildQueries(d, n), what: what, migrations: migs, origin: newOrigin(),
		pipelines: d.pipelines(db)}
	if err := db.PingContext(ctx); err != nil {
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case isClosedDB(err):
			return nil, fmt.Errorf("%w: sqlstore: %s: %v", store.ErrClosed, what, err)
		}
		if d.unreachable(err) {
			return nil, fmt.Errorf("%w: sqlstore: connect to %s: %w", store.ErrUnavailable, what, err)
		}
		return nil, fmt.Errorf("sqlstore: connect to %s: %w", what, err)
	}
	if err := s.checkSchema(ctx); err != nil && !errors.Is(err, ErrSchemaOutdated) {
		return nil, err
	}
	schema := cfg.schema
	if d.feeds() && schema == "" {
		if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return nil, fmt.Errorf("sqlstore: %s: current schema: %w", what, err)
		}
	}
	if s.pipelines && d.feeds() {
		if s.flushAfter, err = d.flushAfterCommit(ctx, db); err != nil {
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
	}
	if d.name() == "postgres" && !own && cfg.idleInTx > 0 {
		s.idleInTx = setIdleInTx(cfg.idleInTx)
	}
	s.channel = channelName(schema, cfg.prefix)
	s.bg, s.bgCancel = context.WithCancel(context.Background())
	s.batch = newCommitter(s, cfg.maxBatch)
	return s, nil
}

// enter starts a call: it fails with store.ErrClosed after Close, with
// the context's error, and with ErrSchemaOutdated until the schema is the
// latest. On success the caller must call the returned func when done.
func (s *Store) enter(ctx context.Context) (func(), error) {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, fmt.Errorf("%w: sqlstore", store.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		s.mu.RUnlock()
		return nil, err
	}
	if !s.migrated.Load() {
		// Another Store (maybe in another process) may have migrated the
		// database since.
		if err := s.checkSchema(ctx); err != nil {
			s.mu.RUnlock()
			return nil, err
		}
	}
	return s.mu.RUnlock, nil
}

// write runs fn in a write transaction, committed together with those of
// concurrent callers (see committer), and maps the error (op names the call
// in it). fn must check before it writes: when it returns a store error it
// must have written nothing. It must set its results afresh each time it
// runs: it may run more than once. lockKey is the first operator id whose
// row fn locks, as far as the caller knows ("" for none or unknown): a
// batch runs its bodies in that order (see committer).
func (s *Store) write(ctx context.Context, op, lockKey string, fn func(q *writeTx) error) error {
	return s.mapError(ctx, op, s.batch.write(ctx, lockKey, fn))
}

// inTx runs fn in a database/sql transaction of its own, never pipelined
// (for the migrations, whose statements must run when given), again if
// the database reports a transient failure, and maps the error (op names
// the call in it).
func (s *Store) inTx(ctx context.Context, op string, fn func(q querier) error) error {
	return s.mapError(ctx, op, s.retrying(ctx, func() error {
		tx, err := s.db.BeginTx(context.WithoutCancel(ctx), s.d.txOptions())
		if err != nil {
			return err
		}
		if err := fn(s.querier(tx)); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return commitError{err}
		}
		return nil
	}))
}

// retryTx runs fn in one transaction, again if the database reports a
// transient failure.
func (s *Store) retryTx(ctx context.Context, fn func(q *writeTx) error) error {
	return s.retrying(ctx, func() error { return s.runTx(ctx, fn) })
}

// retrying calls run until it succeeds, fails for good (an error the
// database does not report as transient, or ctx ended), or has run
// maxAttempts times.
func (s *Store) retrying(ctx context.Context, run func() error) error {
	var err error
	for range maxAttempts {
		err = run()
		if err == nil || !s.d.isRetryable(err) || ctx.Err() != nil {
			break
		}
	}
	return err
}

// runTx runs fn in one transaction of its own and commits it (see
// transact).
func (s *Store) runTx(ctx context.Context, fn func(q *writeTx) error) error {
	return s.transact(ctx, false, fn)
}

// commitError is the error of a COMMIT. Unless the database reports it as
// transient (the transaction was rolled back), whether the transaction
// took effect is unknown.
type commitError struct{ err error }

func (e commitError) Error() string { return e.err.Error() }
func (e commitError) Unwrap() error { return e.err }

// Close marks the store closed, waits for the calls under way, and closes
// the database if the store opened it (OpenSQLite, OpenPostgres). Every
// later call fails with store.ErrClosed; closing again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.bgCancel()
	s.watchers.Wait()
	s.batch.close()
	s.closeStatements()
	if s.ownDB {
		return s.db.Close()
	}
	return nil
}
