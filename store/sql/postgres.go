package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver, for New

	"github.com/switchboard-go/switchboard/store"
)

// PostgreSQL error codes the store looks at.
const (
	pgUniqueViolation      = "23505"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

// OpenPostgres connects to the PostgreSQL database named by dsn (a URL or
// a key=value string, as pgx accepts) and returns a Store on it. It fails
// with store.ErrInvalid if the DSN is malformed, and with the connection's
// error if the server cannot be reached. The pool has database/sql's default
// settings; use New to bring a pool configured otherwise. Close closes the
// pool.
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(postgresDialect{}, false); err != nil {
		return nil, err
	}
	pgcfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx masks the password in the DSN it quotes.
		return nil, fmt.Errorf("%w: sqlstore: PostgreSQL DSN: %v", store.ErrInvalid, err)
	}
	if _, set := pgcfg.RuntimeParams[idleInTxParam]; !set && cfg.idleInTx > 0 {
		pgcfg.RuntimeParams[idleInTxParam] = strconv.FormatInt(cfg.idleInTx.Milliseconds(), 10)
	}
	db := stdlib.OpenDB(*pgcfg)
	s, err := newStore(ctx, db, postgresDialect{}, cfg, true, "PostgreSQL database")
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// idleInTxParam is PostgreSQL's setting that ends a session idle in a
// transaction (see WithIdleInTransactionTimeout).
const idleInTxParam = "idle_in_transaction_session_timeout"

// setIdleInTx returns the statement that sets idleInTxParam to d for one
// transaction.
func setIdleInTx(d time.Duration) string {
	return "SET LOCAL " + idleInTxParam + " = " + strconv.FormatInt(d.Milliseconds(), 10)
}

// postgresDialect is the Dialect of PostgreSQL.
type postgresDialect struct{}

func (postgresDialect) name() string               { return "postgres" }
func (postgresDialect) rebind(query string) string { return rebindDollar(query) }
func (postgresDialect) forUpdate() string          { return " FOR UPDATE" }

// unindexed is the column itself: PostgreSQL plans by the statistics that
// autovacuum keeps.
func (postgresDialect) unindexed(column string) string { return column }

// batchLockTimeout bounds a batch's wait for a row lock held by another
// process to 100 ms (the batches of several processes can deadlock, which
// PostgreSQL would detect only after deadlock_timeout, a second by
// default).
func (postgresDialect) batchLockTimeout() string { return "SET LOCAL lock_timeout = '100ms'" }

// asyncCommit makes a transaction's COMMIT return once the commit is
// written, before it is flushed to disk (see pipeTx.commit).
const asyncCommit = "SET LOCAL synchronous_commit = off"

// flushStatement writes a transactional logical-decoding message (nothing
// reads it; it does not need wal_level logical): its implicit transaction
// thereby has WAL of its own to commit, so its COMMIT waits for the WAL
// to be on disk up to its commit record, which comes after the record of
// every commit before it on the connection.
const flushStatement = "SELECT pg_logical_emit_message(true, 'switchboard', '')"

// flushAfterCommit is flushStatement when the user may run it (PUBLIC
// may, unless an administrator revoked it), else "".
func (postgresDialect) flushAfterCommit(ctx context.Context, db *sql.DB) (string, error) {
	var ok bool
	err := db.QueryRowContext(ctx, "SELECT COALESCE(has_function_privilege("+
		"to_regprocedure('pg_catalog.pg_logical_emit_message(boolean, text, text)'), 'EXECUTE'), false)").Scan(&ok)
	if err != nil || !ok {
		return "", err
	}
	return flushStatement, nil
}

// commitLockTimeout lifts the bound for COMMIT. The lock COMMIT waits for
// is PostgreSQL's lock on its notification queue, which a transaction
// that sent notifications takes in COMMIT and keeps until its commit is
// flushed to disk: every such transaction on the server waits for the
// flushes of those before it. A wait for that lock cannot be part of a
// deadlock, and on a slow disk it outlasts 100 ms, which would roll a
// whole batch back for nothing.
func (postgresDialect) commitLockTimeout() string { return "SET LOCAL lock_timeout = 0" }

// journalReserve adds the count to the one row of journal_head: the
// transaction holds that row's lock until it commits, so numbers follow
// commit order across Stores, and a transaction rolled back gives its
// numbers back. A pipelined transaction uses journalAppend instead.
func (postgresDialect) journalReserve(n names) (string, bool) {
	return "UPDATE " + n.journalHead + " SET seq = seq + ? WHERE id = 1 RETURNING seq - ?", true
}

// journalAppend adds the count to the one row of journal_head and inserts
// the entries under the numbers it reserved, in one statement that a
// pipelined transaction sends with its COMMIT: it holds that row's lock
// from there until its commit is recorded, so that the other Stores wait
// for the lock no longer than a COMMIT takes (not a round trip to the
// client and back besides).
func (postgresDialect) journalAppend(n names) string {
	return "WITH head AS (UPDATE " + n.journalHead + " SET seq = seq + ? WHERE id = 1 RETURNING seq), " +
		"entry AS (INSERT INTO " + n.journal + " (" + journalColumns + ") " +
		"SELECT head.seq - ? + e.ord, e.at_ns, e.body, NULLIF(e.entry_key, '') FROM head, " +
		"unnest(CAST(? AS bigint[]), CAST(? AS bytea[]), CAST(? AS text[])) WITH ORDINALITY AS e(at_ns, body, entry_key, ord)) " +
		"SELECT seq FROM head"
}

// journalLock locks journal_head's row, which every transaction that
// appends entries takes too: after it, no other can store a key unseen.
func (postgresDialect) journalLock(n names) string {
	return "SELECT seq FROM " + n.journalHead + " WHERE id = 1 FOR UPDATE"
}

// nextSeq takes a number from the store's sequence, which locks no row:
// concurrent writers do not wait for each other's commits. Numbers of
// transactions that roll back are skipped.
func (postgresDialect) nextSeq(n names) string {
	return "SELECT nextval('" + n.seq + "')"
}

func (postgresDialect) idList(param string) string {
	return "SELECT jsonb_array_elements_text(CAST(" + param + " AS text)::jsonb)"
}

// jsonHas tests containment of the JSON array, which the column's text
// casts to.
func (postgresDialect) jsonHas(column, param string) string {
	return "CAST(" + column + " AS jsonb) @> jsonb_build_array(CAST(" + param + " AS text))"
}

// lockTables takes SHARE locks, which conflict with the ROW EXCLUSIVE lock
// every INSERT, UPDATE and DELETE takes: writers of the tables wait for
// the transaction (and it for the writers under way), readers do not.
func (postgresDialect) lockTables(tables ...string) string {
	return "LOCK TABLE " + strings.Join(tables, ", ") + " IN SHARE MODE"
}

// txOptions asks for READ COMMITTED, whatever the server's default: the
// store's writes lock the rows they check with SELECT ... FOR UPDATE, so
// they need no stronger isolation.
func (postgresDialect) txOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
}

// prepares is false: pgx caches prepared statements itself.
func (postgresDialect) prepares() bool { return false }

func (postgresDialect) tableExists(ctx context.Context, q querier, schema, table string) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
		WHERE schemaname = COALESCE(NULLIF(lower($1), ''), current_schema()) AND tablename = lower($2))`, schema, table).Scan(&ok)
	return ok, err
}

func (postgresDialect) migrationsTable(name string) string {
	return "CREATE TABLE IF NOT EXISTS " + name + " (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)"
}

// lockMigrations takes a transaction-scoped advisory lock keyed by a hash
// of key.
func (postgresDialect) lockMigrations(ctx context.Context, q querier, key string) error {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	_, err := q.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64()))
	return err
}

func (postgresDialect) isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == pgUniqueViolation
}

func (postgresDialect) feeds() bool { return true }

// unreachable reports a failure to connect, which pgx reports before
// anything is sent.
func (postgresDialect) unreachable(err error) bool {
	var e *pgconn.ConnectError
	return errors.As(err, &e)
}

// clock reads the time at the moment the query runs (now() would give the
// start of its transaction).
func (postgresDialect) clock() string { return "SELECT clock_timestamp()" }

// pipelines is true on a pool of pgx's database/sql driver.
func (postgresDialect) pipelines(db *sql.DB) bool {
	_, ok := db.Driver().(*stdlib.Driver)
	return ok
}

func (postgresDialect) loadWithHistory() bool { return true }

// updateLoad writes the load and its history row in one statement (one
// round trip).
func (postgresDialect) updateLoad(n names) string {
	return "WITH changed AS (UPDATE " + n.operators + " SET load_count = ?, last_assigned = ?, version = ? WHERE id = ? " +
		"RETURNING id, load_count) INSERT INTO " + n.loads + " (operator_id, conversation_id, delta, load_after, at_ns, cap_checked) " +
		"SELECT id, ?, ?, load_count, ?, ? FROM changed"
}

func (postgresDialect) isRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == pgSerializationFailure || e.Code == pgDeadlockDetected)
}
