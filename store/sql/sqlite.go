package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"modernc.org/sqlite"

	"github.com/switchboard-go/switchboard/store"
)

// SQLite result codes the store looks at (extended codes carry the primary
// code in their low byte).
const (
	sqliteBusy                 = 5
	sqliteLocked               = 6
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// OpenSQLite opens (creating it if needed) the SQLite database file at
// path and returns a Store on it. The connection is set up for a durable
// single-writer store: write-ahead logging (WAL), synchronous=FULL unless
// WithSynchronous says otherwise, a busy timeout (WithBusyTimeout), and
// foreign keys enforced. The pool holds a single connection, so calls of
// one Store run one at a time; several processes may share the file, their
// writes serialized by SQLite's lock.
//
// The database is checked as described in the package documentation; WAL
// mode, a persistent setting of the file, is switched on only once the
// check has passed, so a foreign or newer database is left untouched.
// Close closes the database.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg, db, err := openSQLitePool(path, opts)
	if err != nil {
		return nil, err
	}
	s, err := newStore(ctx, db, sqliteDialect{}, cfg, true, "SQLite database "+strconv.Quote(path))
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	mode, err := setWAL(ctx, db)
	if err != nil {
		_ = s.Close()
		return nil, s.mapError(ctx, fmt.Sprintf("open SQLite database %q: set WAL mode", path), err)
	}
	if err := checkWAL(path, mode); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// OpenSQLiteDB opens (creating it if needed) the SQLite database file at
// path set up as OpenSQLite sets it up (one connection, WAL, the
// synchronous setting and busy timeout of opts, foreign keys enforced) and
// returns the pool, for a host that keeps tables of its own in the same
// file: New(ctx, db, SQLite) makes the Store on it (with the options
// other than the connection's, which the pool carries), and the
// host's queries share its one connection, so that their writes queue up
// behind the Store's instead of contending for the file's lock. Unlike
// OpenSQLite it switches WAL mode on at once, before any Store checks the
// database. The pool is the caller's to close, after the Store.
func OpenSQLiteDB(ctx context.Context, path string, opts ...Option) (*sql.DB, error) {
	_, db, err := openSQLitePool(path, opts)
	if err != nil {
		return nil, err
	}
	mode, err := setWAL(ctx, db)
	if err == nil {
		err = checkWAL(path, mode)
	} else {
		err = fmt.Errorf("sqlstore: open SQLite database %q: set WAL mode: %w", path, err)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// openSQLitePool checks opts and path and opens the single-connection
// pool of OpenSQLite and OpenSQLiteDB.
func openSQLitePool(path string, opts []Option) (config, *sql.DB, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(sqliteDialect{}, true); err != nil {
		return cfg, nil, err
	}
	if path == "" {
		return cfg, nil, fmt.Errorf("%w: sqlstore: SQLite database path is empty", store.ErrInvalid)
	}
	db, err := sql.Open("sqlite", sqliteDSN(path, cfg))
	if err != nil {
		return cfg, nil, fmt.Errorf("sqlstore: open SQLite database %q: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return cfg, db, nil
}

// setWAL asks for write-ahead logging on db's database, and returns the
// journal mode it is in.
func setWAL(ctx context.Context, db *sql.DB) (string, error) {
	var mode string
	err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
	return mode, err
}

// checkWAL refuses a journal mode other than WAL (or an in-memory
// database's).
func checkWAL(path, mode string) error {
	if mode != "wal" && mode != "memory" {
		return fmt.Errorf("sqlstore: open SQLite database %q: journal mode is %q, not WAL", path, mode)
	}
	return nil
}

// sqliteDSN returns the modernc.org/sqlite DSN of the file at path with
// the connection settings of cfg. The path becomes a file: URI, so that
// characters such as ? in it are not taken for parameters.
func sqliteDSN(path string, cfg config) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return fmt.Sprintf("file:%s?_txlock=immediate&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(%s)",
		esc, cfg.busyTimeout.Milliseconds(), cfg.synchronous)
}

// sqliteDialect is the Dialect of SQLite.
type sqliteDialect struct{}

func (sqliteDialect) name() string               { return "sqlite" }
func (sqliteDialect) rebind(query string) string { return query }
func (sqliteDialect) forUpdate() string          { return "" }

// batchLockTimeout is "": a SQLite transaction takes the database's lock
// when it begins (bounded by the busy timeout) and waits for none after.
func (sqliteDialect) batchLockTimeout() string { return "" }

// flushAfterCommit is "": SQLite commits durably (as WithSynchronous
// says) and sends no notifications.
func (sqliteDialect) flushAfterCommit(context.Context, *sql.DB) (string, error) { return "", nil }

// commitLockTimeout is "", as batchLockTimeout is.
func (sqliteDialect) commitLockTimeout() string { return "" }

// journalReserve reads the greatest number stored: every write
// transaction holds the database's write lock from its start (see
// txOptions), and pruning keeps the newest entry.
func (sqliteDialect) journalReserve(n names) (string, bool) {
	return "SELECT coalesce(max(seq), 0) FROM " + n.journal, false
}

// journalAppend is "": the entries go in after journalReserve, in runs.
func (sqliteDialect) journalAppend(names) string { return "" }

// journalLock is "": the write lock, held from the transaction's start,
// excludes every other writer.
func (sqliteDialect) journalLock(names) string { return "" }

// nextSeq reads the greatest Seq (from the index on it) and adds one:
// writers hold SQLite's write lock, so no other can take the same number.
func (sqliteDialect) nextSeq(n names) string {
	return "SELECT coalesce(max(seq), 0) + 1 FROM " + n.conversations
}

// unindexed is +column: SQLite plans without statistics (unless the host
// runs ANALYZE), and to it the unary plus disqualifies the column's
// indexes, as its query planner documentation advises.
func (sqliteDialect) unindexed(column string) string { return "+" + column }

func (sqliteDialect) idList(param string) string {
	return "SELECT value FROM json_each(" + param + ")"
}

func (sqliteDialect) jsonHas(column, param string) string {
	return "EXISTS (SELECT 1 FROM json_each(" + column + ") WHERE value = " + param + ")"
}

// lockTables returns "": a write transaction (BEGIN IMMEDIATE) holds the
// database's write lock already.
func (sqliteDialect) lockTables(...string) string { return "" }

// txOptions returns no options: how a transaction begins is set by the
// DSN's _txlock parameter, "immediate" for OpenSQLite: BEGIN IMMEDIATE
// takes the database's write lock before the transaction reads anything,
// so what it reads cannot change before it commits, also when other
// connections or processes write to the same file. A pool given to New
// without it begins transactions DEFERRED: still correct (a transaction
// whose snapshot went stale fails with SQLITE_BUSY_SNAPSHOT and is run
// again), but contended writers then retry.
func (sqliteDialect) txOptions() *sql.TxOptions { return nil }

// prepares is true: modernc.org/sqlite compiles every statement it is
// given, which costs more than running the store's small statements.
func (sqliteDialect) prepares() bool { return true }

func (sqliteDialect) tableExists(ctx context.Context, q querier, _, table string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE", table).Scan(&n)
	return n > 0, err
}

func (sqliteDialect) migrationsTable(name string) string {
	return "CREATE TABLE IF NOT EXISTS " + name + " (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL) STRICT"
}

// lockMigrations does nothing: BEGIN IMMEDIATE already excludes every
// other writer.
func (sqliteDialect) lockMigrations(context.Context, querier, string) error { return nil }

func (sqliteDialect) isUniqueViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqliteConstraintUnique || e.Code() == sqliteConstraintPrimaryKey)
}

// updateLoad writes the load only: the history row takes a statement of
// its own (SQLite has no data-modifying WITH).
func (sqliteDialect) updateLoad(n names) string {
	return "UPDATE " + n.operators + " SET load_count = ?, last_assigned = ?, version = ? WHERE id = ?"
}

func (sqliteDialect) loadWithHistory() bool { return false }

// feeds is false: SQLite has no way to tell another process what changed.
func (sqliteDialect) feeds() bool { return false }

// unreachable is false: SQLite is a file, opened in the process.
func (sqliteDialect) unreachable(error) bool { return false }

// clock is "": SQLite runs in the process, on its clock.
func (sqliteDialect) clock() string { return "" }

func (sqliteDialect) pipelines(*sql.DB) bool { return false }

func (sqliteDialect) isRetryable(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code()&0xff == sqliteBusy || e.Code()&0xff == sqliteLocked)
}
