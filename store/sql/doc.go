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
// Both are folded to lower case, as the databases fold unquoted names, so
// names that differ only in case are one name, for the tables and for the
// change feed alike.
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
//   - Lists (groups, skills, offers, missed-by, tags, deadlines, rule
//     matches) and attributes are stored as JSON text.
//   - Every rule set stored (SetRuleSet) is a row of its own, kept for
//     audit: RuleSet reads the highest version. Of concurrent SetRuleSet
//     calls expecting the same version, from any number of Stores on one
//     database, exactly one succeeds and the others fail with
//     store.ErrConflict. On PostgreSQL the change feed reports a new rule
//     set (store.Notice.RuleSet) in commit order with the rows.
//   - Groups are rows of their own table, one per group (PutGroup,
//     DeleteGroup, with compare-and-set on their version). DeleteGroup's
//     check that no open conversation and no operator names the group is
//     atomic with the delete: on PostgreSQL it locks the tables of
//     operators and conversations against writes (LOCK TABLE ... IN SHARE
//     MODE) for its transaction, which waits for the writes under way and
//     holds back new ones for the few milliseconds it takes; on SQLite the
//     write transaction excludes every other writer anyway. The change
//     feed reports every change of the groups (store.Notice.Groups).
//   - The journal (store.Journaler, ReadJournal) is a table of entries
//     keyed by number. A transaction numbers and inserts the entries of
//     all its writes just before it commits; on PostgreSQL it takes the
//     numbers from a one-row table (journal_head), in one statement sent
//     with its COMMIT, and holds that row's lock until the commit is
//     recorded, so numbers follow commit order across every Store
//     on the database and a rolled-back transaction leaves no gap; on
//     SQLite the write lock each write transaction takes at its start
//     does the same. An append with keys (store.Entry.Key) runs in a
//     transaction of its own that takes that lock first, then looks its
//     keys up (a unique index backs them) and numbers the rest.
//     PruneJournal deletes from the oldest end, in a write transaction,
//     and keeps the newest entry.
//
// # Atomicity and concurrency
//
// Every write is one database transaction: the rows a write checks are
// read and locked inside it, the same checks as the memory store run on
// them, and the changes, operators' load counters included, are written
// before the commit. A call returns only after its commit.
//
//   - PostgreSQL: transactions run at READ COMMITTED and lock the rows they
//     check with SELECT ... FOR UPDATE; Seq numbers come from a sequence,
//     which locks nothing. A serialization failure or deadlock (possible
//     between the batches of several Stores, see below) is retried (up to
//     5 attempts) and then reported as store.ErrConflict.
//   - SQLite: transactions begin IMMEDIATE (OpenSQLite's DSN sets
//     _txlock=immediate), taking the database's single write lock before
//     they read; OpenSQLite's pool holds one connection. SQLITE_BUSY (the
//     busy timeout ran out, or a deferred transaction's snapshot went
//     stale) is retried likewise. On SQLite the store prepares its
//     statements once and reuses them.
//
// # Group commit
//
// A Store writes through one connection and commits the writes of
// concurrent callers together: while one transaction commits, the writes
// that arrive wait, and the next transaction runs them all (up to
// WithMaxBatch) one after the other and commits once. Each caller still
// returns only after the commit that holds its own write, with its own
// outcome; a lone caller is committed at once. Since the commit (the wait
// for the disk) is paid once per batch, throughput grows with the number
// of callers. A write whose checks refuse it has written nothing and does
// not disturb the others; a database error rolls the batch back and each
// of its writes runs again in a transaction of its own. Several Stores
// (processes) on one database each batch their own writes; a batch runs
// them in the order of the first operator row each locks, so that batches
// that each lock one operator per write (new conversations assigned at
// once) take rows in one order and cannot deadlock. On PostgreSQL a batch
// waits at most 100 ms for a row lock another process holds (batches of
// other writes could still deadlock), then its writes run alone; its
// COMMIT waits as long as it takes.
//
// On PostgreSQL a write transaction that sends notifications (the change
// feed) commits with synchronous_commit off, and a second transaction in
// the same round trip (a transactional pg_logical_emit_message) commits
// durably, flushing the WAL past the first; the call returns once both
// have. PostgreSQL keeps a server-wide lock through the COMMIT of every
// notifying transaction; this way it is released before the wait for the
// disk, not after, and the flushes of several Stores can share a write.
// Other connections may see such a write up to one flush before it is on
// disk, and a crash of the server in between loses it: so a write refused
// on the strength of what it read also commits (nothing) with the flush
// after it before it returns, and Sync makes what the Store has shown
// durable for a caller that acknowledges something without writing. A
// user who may not execute pg_logical_emit_message (PUBLIC may by
// default) commits durably in place instead.
//
// One writer per Store means that writes wait for each other. A caller's
// context bounds the whole call: its wait in the queue, its statements,
// and, on PostgreSQL, the transaction its write runs in, COMMIT included
// (a batch's transaction runs until every caller in it has given up).
//
// Faults. A call that cannot connect to the database fails with
// store.ErrUnavailable: nothing was sent. On PostgreSQL a Watch pings its
// connection after WithFeedPing of silence and replaces a connection that
// does not answer (a half-open connection, a silent network), then
// reports a Resync; the server ends a session of the Store left idle in a
// transaction after WithIdleInTransactionTimeout, so that a client gone
// silent holds no row locks. Now reads the server's clock, against which
// Routers check theirs.
//
// Loads are counters in the operators' rows, changed in the same
// transaction as the conversation. Reconcile compares every operator's
// load counter with the conversations assigned to them.
//
// A call whose context ends before its write was taken into a batch
// returns the context's error and writes nothing; one whose context ends
// later returns store.ErrOutcomeUnknown, as does a COMMIT that fails
// without saying whether it took effect (a connection lost meanwhile), or
// that succeeded while the flush after it failed. After Close every call
// fails with store.ErrClosed.
package sqlstore
