// Package sqlstore is a store.Store kept in a SQL database: SQLite (the
// embedded default, through the pure-Go modernc.org/sqlite driver) or
// PostgreSQL (through pgx's database/sql adapter). The directory is
// store/sql; the package is named sqlstore so that it does not shadow
// database/sql, whose *sql.DB New takes.
//
// One database/sql code path serves both databases; a Dialect supplies the
// few pieces of SQL that differ (placeholders, row locks, how a write
// transaction starts, how a list of ids is expanded, catalog queries,
// error codes).
//
// # Opening and migrating
//
// OpenSQLite and OpenPostgres open a database from a path or a DSN; New
// wraps an existing *sql.DB. The schema lives in versioned migration files
// embedded in the binary and is changed only by an explicit call to
// Store.Migrate, which is idempotent and records the versions it applied in
// the table <prefix>migrations. Opening checks the schema:
//
//   - a database whose schema is newer than this code fails with
//     ErrSchemaTooNew;
//   - a database holding tables with this store's names that the store did
//     not create (or whose columns differ from what the code expects) fails
//     with ErrForeignSchema;
//   - an empty or older database opens, so that Migrate can be called on
//     it, but until Migrate has run every other method fails with
//     ErrSchemaOutdated. Nothing is written before Migrate.
//
// Table names start with a prefix ("switchboard_" by default, see
// WithTablePrefix), so the store can share a database with the host's own
// tables; on PostgreSQL WithSchema puts them in a schema of their own.
//
// # Behaviour
//
// The store behaves exactly like the reference store in package
// store/memory and passes the conformance suite in package store/storetest:
// the same validation, in the same order, the same errors and the same
// effects. Beyond that package's rules:
//
//   - Times are stored in UTC as integer nanoseconds since the Unix epoch
//     (a zero time as NULL), so they round-trip exactly; rows read back
//     carry UTC times. A time that does not fit (before 1678 or after 2262)
//     is refused with store.ErrInvalid. SQL never reads the database's
//     clock: every time comes from the caller.
//   - Strings are stored as given; a string that is not valid UTF-8 or
//     holds a NUL byte is refused with store.ErrInvalid (PostgreSQL cannot
//     store it, and JSON would silently alter it). Looking up such an id
//     finds nothing.
//   - Lists (groups, skills, offers, missed-by, deadlines) and attributes
//     are stored as JSON text.
//
// # Atomicity and concurrency
//
// Every write is one database transaction: the rows a write checks are
// read and locked inside it, the same checks as the memory store run on
// them, and the changes, operators' load counters included, are written
// before the commit. A call returns only after its commit.
//
//   - PostgreSQL: transactions run at READ COMMITTED and lock the rows they
//     check with SELECT ... FOR UPDATE, always in one order (the
//     conversation, then the operators by id, then the Seq counter), so
//     concurrent writes of different conversations proceed in parallel
//     and do not deadlock. A serialization failure or deadlock is retried
//     (up to 5 attempts) and then reported as store.ErrConflict.
//   - SQLite: transactions begin IMMEDIATE (OpenSQLite's DSN sets
//     _txlock=immediate), taking the database's single write lock before
//     they read; OpenSQLite's pool holds one connection. SQLITE_BUSY (the
//     busy timeout ran out, or a deferred transaction's snapshot went
//     stale) is retried likewise. On SQLite the store prepares its
//     statements once and reuses them.
//
// Loads are counters in the operators' rows, changed in the same
// transaction as the conversation. Reconcile compares every operator's
// load counter with the conversations assigned to them.
//
// A cancelled context makes a call return the context's error; after Close
// every call fails with store.ErrClosed.
package sqlstore
