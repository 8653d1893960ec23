package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Dialect selects the database a Store talks to: SQLite or Postgres. The
// zero Dialect is not usable.
type Dialect struct {
	impl dialect
}

// The supported dialects, for New.
var (
	// SQLite is the dialect of SQLite through modernc.org/sqlite (driver
	// name "sqlite").
	SQLite = Dialect{sqliteDialect{}}
	// Postgres is the dialect of PostgreSQL through pgx's database/sql
	// adapter (driver name "pgx").
	Postgres = Dialect{postgresDialect{}}
)

// String returns the dialect's name: "sqlite" or "postgres".
func (d Dialect) String() string {
	if d.impl == nil {
		return "none"
	}
	return d.impl.name()
}

// querier runs statements: a *sql.DB, a *sql.Conn or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// dialect is what differs between the databases. Statements are written
// with ? placeholders and passed through rebind once, when a Store is made.
type dialect interface {
	// name is "sqlite" or "postgres", also the directory of the dialect's
	// migration files.
	name() string
	// rebind turns the ? placeholders of query into the dialect's.
	rebind(query string) string
	// forUpdate is the clause that locks the rows a SELECT reads until the
	// transaction ends ("" where the transaction already excludes other
	// writers).
	forUpdate() string
	// batchLockTimeout returns the statement that bounds how long a
	// transaction of several callers' writes waits for a row lock, or "".
	batchLockTimeout() string
	// commitLockTimeout returns the statement that lifts that bound for
	// the transaction's COMMIT, or "".
	commitLockTimeout() string
	// nextSeq returns the query giving the next conversation Seq number,
	// greater than every number given before.
	nextSeq(n names) string
	// journalReserve returns the query that reserves numbers for the
	// journal entries a transaction is about to insert and returns the
	// newest number handed out before them, and whether it takes the
	// count of entries (twice) as its parameters (see appendNoted).
	journalReserve(n names) (query string, takesCount bool)
	// journalAppend returns, where the database can, a statement that
	// numbers and inserts a transaction's entries at once, given the count
	// of entries (twice) and their times (UnixNano), bodies and keys as
	// arrays, and returning the newest number, the last of theirs: a
	// pipelined transaction sends it with COMMIT. "" where it cannot.
	journalAppend(n names) string
	// journalLock returns the statement that takes the lock under which
	// entries are numbered, for an append that must see every key stored
	// before it (see AppendJournal), or "" where every write transaction
	// holds that lock from its start.
	journalLock(n names) string
	// unindexed returns column as an operand the database does not look
	// up in an index, for a condition that must not choose the index a
	// query reads (see Store.filterQuery), or column itself where the
	// database chooses by its statistics.
	unindexed(column string) string
	// idList returns a subquery yielding the strings of the JSON array
	// passed as the placeholder param.
	idList(param string) string
	// jsonHas returns a condition that holds when the JSON array of
	// strings in column (NULL: none) holds the string passed as the
	// placeholder param.
	jsonHas(column, param string) string
	// lockTables returns the statement that keeps other transactions from
	// writing the tables named until the transaction ends, or "" where a
	// write transaction excludes every other writer already.
	lockTables(tables ...string) string
	// txOptions returns the options of a write transaction.
	txOptions() *sql.TxOptions
	// prepares reports whether the store should prepare its fixed
	// statements once and reuse them (the driver does not cache them).
	prepares() bool
	// tableExists reports whether table (unqualified) exists in schema ("":
	// the default schema).
	tableExists(ctx context.Context, q querier, schema, table string) (bool, error)
	// migrationsTable returns the statement creating the migrations table
	// named name, if it does not exist.
	migrationsTable(name string) string
	// lockMigrations serializes Migrate calls on the same tables, until the
	// transaction q ends; key names the tables.
	lockMigrations(ctx context.Context, q querier, key string) error
	// isUniqueViolation reports whether err is a unique-key violation.
	isUniqueViolation(err error) bool
	// isRetryable reports whether the transaction that failed with err may
	// succeed when run again (serialization failure, deadlock, busy).
	isRetryable(err error) bool
	// updateLoad returns the statement that stores an operator's load
	// (params: load, last assigned, version, id) and, where the database
	// can do both in one statement, adds the row of the load history
	// (params then: conversation, delta, time, cap); see Store.writeLoad.
	updateLoad(n names) string
	// loadWithHistory reports whether updateLoad adds the history row.
	loadWithHistory() bool
	// feeds reports whether the database can tell other connections what
	// a transaction changed (PostgreSQL's NOTIFY): see Store.Watch.
	feeds() bool
	// unreachable reports whether err says that no connection to the
	// database could be made (nothing was sent).
	unreachable(err error) bool
	// clock is the query that reads the database server's clock, or ""
	// when the database has none of its own (SQLite runs in the process).
	clock() string
	// pipelines reports whether write transactions on db are pipelined
	// (see pipeTx).
	pipelines(db *sql.DB) bool
	// flushAfterCommit returns the statement that makes the write
	// transactions on db that send notifications durable after their
	// COMMIT, or "" when they commit durably themselves (see
	// pipeTx.commit). It is asked once, when the store opens, and only
	// for stores that pipeline.
	flushAfterCommit(ctx context.Context, db *sql.DB) (string, error)
}

// rebindDollar numbers the ? placeholders of query: $1, $2, ...
func rebindDollar(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
