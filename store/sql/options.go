package sqlstore

import (
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// DefaultTablePrefix starts the name of every table the store creates,
// unless WithTablePrefix says otherwise.
const DefaultTablePrefix = "switchboard_"

// DefaultBusyTimeout is how long a SQLite connection waits for another
// connection's lock on the database before it fails, unless
// WithBusyTimeout says otherwise.
const DefaultBusyTimeout = 5 * time.Second

// DefaultFeedPing is how long the connection of a Watch may stay silent
// before it is pinged, and how long the ping's answer may take, unless
// WithFeedPing says otherwise.
const DefaultFeedPing = 5 * time.Second

// DefaultIdleInTransaction is how long PostgreSQL lets a session of the
// store sit idle inside a transaction before it ends the session, unless
// WithIdleInTransactionTimeout says otherwise.
const DefaultIdleInTransaction = 10 * time.Second

// maxIdentifier bounds the length of a table prefix or schema name, so that
// every table and index name stays below PostgreSQL's limit of 63 bytes.
const maxIdentifier = 40

// Option configures a Store.
type Option func(*config)

// config is what the options set.
type config struct {
	prefix      string
	schema      string
	setSchema   bool
	synchronous Synchronous
	busyTimeout time.Duration
	maxBatch    int
	feedPing    time.Duration
	idleInTx    time.Duration
	// sqliteOnly names an option given that only OpenSQLite and
	// OpenSQLiteDB honour.
	sqliteOnly string
	// migrations replaces the embedded migration files (tests only).
	migrations fs.FS
}

func defaultConfig() config {
	return config{prefix: DefaultTablePrefix, synchronous: SynchronousFull, busyTimeout: DefaultBusyTimeout, maxBatch: DefaultMaxBatch,
		feedPing: DefaultFeedPing, idleInTx: DefaultIdleInTransaction}
}

// WithTablePrefix sets the prefix of every table and index name. It may
// hold ASCII letters, digits and underscores, must not start with a digit,
// and may be empty; on SQLite it must not start with "sqlite_", which
// SQLite keeps for its own tables. It is folded to lower case, as both
// dialects fold the unquoted names the store uses: "Tenant_" and "tenant_"
// name the same tables, and Stores on them see each other's changes. A
// prefix is always followed by a table's name, so it cannot make a name a
// reserved key word. Two stores with different prefixes share a database
// without seeing each other's rows. Defaults to DefaultTablePrefix.
func WithTablePrefix(p string) Option {
	return func(c *config) { c.prefix = p }
}

// WithSchema puts the store's tables in the named PostgreSQL schema, which
// Migrate creates if it does not exist. The name follows the rules of
// WithTablePrefix and must not be empty. It is folded to lower case, as
// PostgreSQL folds unquoted names: WithSchema("Sales") and
// WithSchema("sales") name the same schema, and Stores on it see each
// other's changes. It must not be a reserved SQL key word (those marked
// reserved in the SQL Key Words appendix of PostgreSQL's documentation,
// such as "user" or "order"), information_schema, or start with "pg_",
// which PostgreSQL keeps for its system schemas (pg_catalog, pg_toast,
// pg_temp, ...). SQLite has no schemas: OpenSQLite and New with SQLite
// refuse this option. Defaults to the connection's current schema (the
// first of search_path, usually "public").
func WithSchema(name string) Option {
	return func(c *config) { c.schema = name; c.setSchema = true }
}

// Synchronous is SQLite's synchronous setting: how often it waits for the
// disk to confirm a write.
type Synchronous string

// SQLite synchronous settings, from the safest to the fastest.
const (
	// SynchronousFull makes every commit wait until the write-ahead log is
	// on disk: a committed change survives a power failure or an operating
	// system crash. This is the default, and the only setting under which
	// "a call returns only after its change is durable" holds against power
	// loss.
	SynchronousFull Synchronous = "FULL"
	// SynchronousNormal lets commits return before the log is on disk; the
	// disk is synced at checkpoints. A committed change survives a crash
	// of the process, but the last commits before a power failure or an
	// operating system crash may be lost (the database stays consistent).
	// Commits are several times faster.
	SynchronousNormal Synchronous = "NORMAL"
	// SynchronousOff never waits for the disk. A power failure may corrupt
	// the database. For tests and throw-away data only.
	SynchronousOff Synchronous = "OFF"
)

// WithSynchronous sets SQLite's synchronous setting for the connections
// OpenSQLite (or OpenSQLiteDB) makes: a trade of durability against power
// loss for commit speed (see the constants). Only those two honour it; New
// refuses it. Defaults to
// SynchronousFull.
func WithSynchronous(level Synchronous) Option {
	return func(c *config) { c.synchronous = level; c.sqliteOnly = "WithSynchronous" }
}

// WithBusyTimeout sets how long a SQLite connection OpenSQLite (or
// OpenSQLiteDB) makes waits for a lock held by another connection or
// process before failing; it is rounded down to whole milliseconds. Only
// those two honour it; New refuses it. Defaults
// to DefaultBusyTimeout.
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) { c.busyTimeout = d; c.sqliteOnly = "WithBusyTimeout" }
}

// WithMaxBatch sets the most writes the store commits in one transaction
// when several callers write at once (group commit: see the package
// documentation). 1 commits every write on its own. Defaults to
// DefaultMaxBatch.
func WithMaxBatch(n int) Option {
	return func(c *config) { c.maxBatch = n }
}

// WithFeedPing sets how long the connection a Watch listens on may stay
// silent before it is pinged, and how long the ping's answer may take
// before the connection counts as lost: a connection can be lost without
// either end closing it (the server's machine crashed, a network went
// silent), and the changes committed meanwhile would never be reported. A
// lost connection is replaced, and the Watch reports a Resync. A half-open
// connection is thus noticed within twice d. Defaults to DefaultFeedPing;
// must be positive.
func WithFeedPing(d time.Duration) Option {
	return func(c *config) { c.feedPing = d }
}

// WithIdleInTransactionTimeout sets PostgreSQL's
// idle_in_transaction_session_timeout for the store's sessions: a session
// left idle inside a transaction that long (its client gone silent
// mid-transaction) is ended by the server, so that it cannot hold row
// locks for ever. The store's own transactions are never idle for more
// than a round trip. OpenPostgres sets it for every connection it makes;
// on a pool given to New, each write transaction sets it. Zero leaves the
// server's setting. Defaults to DefaultIdleInTransaction; must not be
// negative.
func WithIdleInTransactionTimeout(d time.Duration) Option {
	return func(c *config) { c.idleInTx = d }
}

// withMigrations replaces the embedded migration files; fsys has the
// layout of the migrations directory. Tests use it to simulate older and
// newer code.
func withMigrations(fsys fs.FS) Option {
	return func(c *config) { c.migrations = fsys }
}

// validate checks the configuration for dialect d, and folds the table
// prefix and the schema name to lower case, so that the names of the
// tables and the notification channel are made of the folded form.
func (c *config) validate(d dialect, openSQLite bool) error {
	if err := validIdentifier("table prefix", c.prefix, true); err != nil {
		return err
	}
	c.prefix = strings.ToLower(c.prefix)
	if d.name() == "sqlite" && strings.HasPrefix(c.prefix, "sqlite_") {
		return fmt.Errorf("%w: sqlstore: table prefix %q: SQLite keeps names starting with sqlite_ for itself", store.ErrInvalid, c.prefix)
	}
	if c.setSchema {
		if d.name() != "postgres" {
			return fmt.Errorf("%w: sqlstore: WithSchema applies to PostgreSQL only", store.ErrInvalid)
		}
		if err := validIdentifier("schema", c.schema, false); err != nil {
			return err
		}
		c.schema = strings.ToLower(c.schema)
		if err := validSchema(c.schema); err != nil {
			return err
		}
	}
	if c.sqliteOnly != "" && !openSQLite {
		return fmt.Errorf("%w: sqlstore: %s applies to OpenSQLite and OpenSQLiteDB only", store.ErrInvalid, c.sqliteOnly)
	}
	switch c.synchronous {
	case SynchronousFull, SynchronousNormal, SynchronousOff:
	default:
		return fmt.Errorf("%w: sqlstore: synchronous setting %q", store.ErrInvalid, c.synchronous)
	}
	if c.maxBatch < 1 {
		return fmt.Errorf("%w: sqlstore: batch size %d is not positive", store.ErrInvalid, c.maxBatch)
	}
	if c.feedPing <= 0 {
		return fmt.Errorf("%w: sqlstore: feed ping interval %v is not positive", store.ErrInvalid, c.feedPing)
	}
	if c.idleInTx < 0 {
		return fmt.Errorf("%w: sqlstore: idle-in-transaction timeout %v is negative", store.ErrInvalid, c.idleInTx)
	}
	if c.busyTimeout < 0 {
		return fmt.Errorf("%w: sqlstore: busy timeout %v is negative", store.ErrInvalid, c.busyTimeout)
	}
	return nil
}

// validSchema checks a schema name, folded to lower case, against the
// names PostgreSQL keeps: its reserved key words and its system schemas.
func validSchema(s string) error {
	switch {
	case reservedWords[s]:
		return fmt.Errorf("%w: sqlstore: schema %q is a reserved SQL key word", store.ErrInvalid, s)
	case s == "information_schema" || strings.HasPrefix(s, "pg_"):
		return fmt.Errorf("%w: sqlstore: schema %q: PostgreSQL keeps information_schema and names starting with pg_ for its system schemas", store.ErrInvalid, s)
	}
	return nil
}

// validIdentifier checks a name that becomes part of SQL identifiers:
// ASCII letters, digits and underscores, not starting with a digit.
func validIdentifier(what, s string, emptyOK bool) error {
	if s == "" {
		if emptyOK {
			return nil
		}
		return fmt.Errorf("%w: sqlstore: %s is empty", store.ErrInvalid, what)
	}
	if len(s) > maxIdentifier {
		return fmt.Errorf("%w: sqlstore: %s %q is longer than %d bytes", store.ErrInvalid, what, s, maxIdentifier)
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return fmt.Errorf("%w: sqlstore: %s %q: only ASCII letters, digits and underscores are allowed, and no leading digit", store.ErrInvalid, what, s)
		}
	}
	return nil
}
