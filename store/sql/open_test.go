package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

var (
	t0    = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)
	ready = "ready"
)

func TestOpenSQLiteMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "no", "such", "dir", "switchboard.db")
	_, err := sqlstore.OpenSQLite(t.Context(), path)
	require.Error(t, err)
	require.Contains(t, err.Error(), path, "the error names the file")
	require.Contains(t, err.Error(), "unable to open database file")
	_, err = os.Stat(filepath.Join(dir, "no"))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing was created")

	_, err = sqlstore.OpenSQLite(t.Context(), "")
	require.ErrorIs(t, err, store.ErrInvalid)
}

func TestOpenPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := sqlstore.OpenPostgres(ctx, "postgres://postgres:secret@127.0.0.1:1/test?sslmode=disable")
	require.Error(t, err)
	require.ErrorIs(t, err, store.ErrUnavailable)
	require.Contains(t, err.Error(), "connect to PostgreSQL database")
	require.Contains(t, err.Error(), "127.0.0.1")
	require.NotContains(t, err.Error(), "secret", "the error does not repeat the password")

	_, err = sqlstore.OpenPostgres(ctx, "postgres://postgres:secret@127.0.0.1:5432/test?sslmode=nonsense")
	require.ErrorIs(t, err, store.ErrInvalid, "a malformed DSN")
	require.NotContains(t, err.Error(), "secret")
}

func TestNewClosedDB(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "closed.db"))
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = sqlstore.New(t.Context(), db, sqlstore.SQLite)
	require.ErrorIs(t, err, store.ErrClosed)
	require.Contains(t, err.Error(), "database is closed")
}

// TestClosedDBUnderStore: a pool closed by its owner under a store makes
// calls fail with store.ErrClosed.
func TestClosedDBUnderStore(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "shared.db"))
	require.NoError(t, err)
	s, err := sqlstore.New(t.Context(), db, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	require.NoError(t, db.Close())
	_, err = s.Operators(t.Context())
	require.ErrorIs(t, err, store.ErrClosed)
	_, err = s.CreateOperator(t.Context(), store.Operator{ID: "ann", Status: ready})
	require.ErrorIs(t, err, store.ErrClosed)
	require.NoError(t, s.Close())
}

func TestNewInvalidArguments(t *testing.T) {
	ctx := t.Context()
	_, err := sqlstore.New(ctx, nil, sqlstore.SQLite)
	require.ErrorIs(t, err, store.ErrInvalid)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	defer db.Close()
	_, err = sqlstore.New(ctx, db, sqlstore.Dialect{})
	require.ErrorIs(t, err, store.ErrInvalid)
	require.Equal(t, "sqlite", sqlstore.SQLite.String())
	require.Equal(t, "postgres", sqlstore.Postgres.String())

	for name, opt := range map[string]sqlstore.Option{
		"dash in prefix":      sqlstore.WithTablePrefix("switch-board"),
		"leading digit":       sqlstore.WithTablePrefix("1sb_"),
		"quote in prefix":     sqlstore.WithTablePrefix(`sb"; DROP TABLE x; --`),
		"long prefix":         sqlstore.WithTablePrefix("a_very_long_prefix_that_goes_on_and_on_forever_"),
		"schema on SQLite":    sqlstore.WithSchema("tenant"),
		"synchronous on New":  sqlstore.WithSynchronous(sqlstore.SynchronousNormal),
		"busy timeout on New": sqlstore.WithBusyTimeout(time.Second),
		"no feed ping":        sqlstore.WithFeedPing(0),
		"negative idle limit": sqlstore.WithIdleInTransactionTimeout(-time.Second),
	} {
		_, err := sqlstore.New(ctx, db, sqlstore.SQLite, opt)
		require.ErrorIs(t, err, store.ErrInvalid, name)
	}
	_, err = sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "y.db"), sqlstore.WithSynchronous("SOMETIMES"))
	require.ErrorIs(t, err, store.ErrInvalid)
	_, err = sqlstore.OpenPostgres(ctx, "postgres://127.0.0.1:1/x", sqlstore.WithSchema(""))
	require.ErrorIs(t, err, store.ErrInvalid)
	_, err = sqlstore.OpenPostgres(ctx, "postgres://127.0.0.1:1/x", sqlstore.WithSchema("a.b"))
	require.ErrorIs(t, err, store.ErrInvalid)
	_, err = sqlstore.OpenPostgres(ctx, "postgres://127.0.0.1:1/x", sqlstore.WithSynchronous(sqlstore.SynchronousOff))
	require.ErrorIs(t, err, store.ErrInvalid)
	// An empty prefix is allowed.
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, sqlstore.WithTablePrefix(""))
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

// TestSQLiteSettings checks the connection OpenSQLite sets up.
func TestSQLiteSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.db")
	s, err := sqlstore.OpenSQLite(t.Context(), path, sqlstore.WithBusyTimeout(1500*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer raw.Close()
	var mode string
	require.NoError(t, raw.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.Equal(t, "wal", mode, "WAL is a setting of the file")

	// The per-connection settings, seen through the store's own pool.
	for _, tc := range []struct {
		opts []sqlstore.Option
		want int
	}{{nil, 2}, {[]sqlstore.Option{sqlstore.WithSynchronous(sqlstore.SynchronousNormal)}, 1}} {
		s, err := sqlstore.OpenSQLite(t.Context(), path, tc.opts...)
		require.NoError(t, err)
		sync, fk, busy := sqliteSettings(t, s)
		require.Equal(t, tc.want, sync, "synchronous")
		require.Equal(t, 1, fk, "foreign keys")
		require.Equal(t, int(sqlstore.DefaultBusyTimeout/time.Millisecond), busy)
		require.NoError(t, s.Close())
	}
}

// TestOpenSQLiteDBSharesItsConnection: OpenSQLiteDB gives a pool set up
// as OpenSQLite's (one connection, WAL, the options' settings), on which
// New makes a Store and the host keeps a table of its own; closing the
// Store leaves the pool open for the host. A bad option or path is
// refused.
func TestOpenSQLiteDBSharesItsConnection(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "shared.db")
	opts := []sqlstore.Option{sqlstore.WithSynchronous(sqlstore.SynchronousNormal), sqlstore.WithBusyTimeout(1500 * time.Millisecond)}
	db, err := sqlstore.OpenSQLiteDB(ctx, path, opts...)
	require.NoError(t, err)
	defer db.Close()
	require.Equal(t, 1, db.Stats().MaxOpenConnections)
	var mode string
	var sync, fk, busy int
	require.NoError(t, db.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.NoError(t, db.QueryRow("PRAGMA synchronous").Scan(&sync))
	require.NoError(t, db.QueryRow("PRAGMA foreign_keys").Scan(&fk))
	require.NoError(t, db.QueryRow("PRAGMA busy_timeout").Scan(&busy))
	require.Equal(t, []any{"wal", 1, 1, 1500}, []any{mode, sync, fk, busy})

	_, err = sqlstore.New(ctx, db, sqlstore.SQLite, opts...)
	require.ErrorIs(t, err, store.ErrInvalid, "the connection's options are the pool's")
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	_, err = s.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready, StatusSince: t0})
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE host_notes (body TEXT NOT NULL)`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO host_notes VALUES ('hello')`)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM host_notes`).Scan(&n), "the pool is the host's")
	require.Equal(t, 1, n)

	_, err = sqlstore.OpenSQLiteDB(ctx, "")
	require.ErrorIs(t, err, store.ErrInvalid)
	_, err = sqlstore.OpenSQLiteDB(ctx, filepath.Join(t.TempDir(), "y.db"), sqlstore.WithSynchronous("SOMETIMES"))
	require.ErrorIs(t, err, store.ErrInvalid)
}

// sqliteSettings reads the synchronous, foreign_keys and busy_timeout
// settings of the store's connection.
func sqliteSettings(t *testing.T, s *sqlstore.Store) (sync, fk, busy int) {
	t.Helper()
	db := sqlstore.DB(s)
	require.NoError(t, db.QueryRow("PRAGMA synchronous").Scan(&sync))
	require.NoError(t, db.QueryRow("PRAGMA foreign_keys").Scan(&fk))
	require.NoError(t, db.QueryRow("PRAGMA busy_timeout").Scan(&busy))
	return sync, fk, busy
}

// TestReopen: what a store wrote is there when the database is opened
// again (a restart).
func TestReopen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		_, err := s.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready, StatusSince: t0, Groups: []string{"sales"}})
		require.NoError(t, err)
		res, err := s.CreateConversation(ctx, store.Conversation{
			ID: "c1", Group: "sales", CustomerID: "cu1", State: store.Assigned, Assignee: "ann", CreatedAt: t0,
			Deadlines: []store.Deadline{{Kind: store.AcceptTimeout, Due: t0.Add(time.Minute)}},
		}, store.Require{})
		require.NoError(t, err)
		require.NoError(t, s.Close())

		again := b.mustOpen(t)
		c, err := again.Conversation(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, res.Conversation, c)
		op, err := again.Operator(ctx, "ann")
		require.NoError(t, err)
		require.Equal(t, 1, op.Load)
		prev, err := again.PreviousOperator(ctx, "cu1")
		require.NoError(t, err)
		require.Equal(t, "ann", prev)
		res2, err := again.CreateConversation(ctx, store.Conversation{ID: "c2", Group: "sales", State: store.Queued, CreatedAt: t0}, store.Require{})
		require.NoError(t, err)
		require.Greater(t, res2.Conversation.Seq, res.Conversation.Seq, "the Seq counter survives")
	})
}

// TestTimesRoundTrip: times keep their instant to the nanosecond, whatever
// their location, and come back in UTC.
func TestTimesRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		zone := time.FixedZone("UTC+5:30", 5*3600+1800)
		at := time.Date(2026, 7, 1, 12, 34, 56, 123456789, zone)
		early := time.Date(1700, 1, 1, 0, 0, 0, 1, time.UTC)
		_, err := s.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready, StatusSince: at})
		require.NoError(t, err)
		in := store.Conversation{
			ID: "c1", Group: "g", State: store.Queued, CreatedAt: at, EnqueuedAt: early,
			Deadlines: []store.Deadline{{Kind: store.WaitLevel, Due: at.Add(time.Nanosecond), Level: 2}},
		}
		res, err := s.CreateConversation(ctx, in, store.Require{})
		require.NoError(t, err)
		c, err := s.Conversation(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, res.Conversation, c, "the result is what is read back")
		require.Equal(t, at.UTC(), c.CreatedAt)
		require.Equal(t, time.UTC, c.CreatedAt.Location())
		require.Equal(t, early, c.EnqueuedAt)
		require.Equal(t, at.Add(time.Nanosecond).UTC(), c.Deadlines[0].Due)
		op, err := s.Operator(ctx, "ann")
		require.NoError(t, err)
		require.Equal(t, at.UTC(), op.StatusSince)
		h, err := s.StatusHistory(ctx, "ann", time.Time{}, at.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, []store.StatusInterval{{Operator: "ann", Status: ready, From: at.UTC()}}, h)
	})
}

// TestInputDatabasesCannotKeep: text that is not UTF-8 or holds a NUL,
// and times outside the years 1678 to 2262, are refused and change
// nothing; looking such an id up finds nothing.
func TestInputDatabasesCannotKeep(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		_, err := s.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		bad := "bad\xff"
		for name, call := range map[string]func() error{
			"operator id": func() error { _, err := s.CreateOperator(ctx, store.Operator{ID: bad, Status: ready}); return err },
			"NUL status":  func() error { _, err := s.CreateOperator(ctx, store.Operator{ID: "bob", Status: "a\x00b"}); return err },
			"journal key": func() error {
				_, err := s.AppendJournal(ctx, []store.Entry{{At: t0, Body: []byte("x"), Key: bad}})
				return err
			},
			"group": func() error {
				_, err := s.UpdateOperator(ctx, store.Operator{ID: "ann", Groups: []string{bad}})
				return err
			},
			"attribute": func() error {
				_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: t0,
					Attributes: map[string]string{"k": bad}}, store.Require{})
				return err
			},
			"year 3000": func() error {
				_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued,
					CreatedAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, store.Require{})
				return err
			},
			"deadline in 1600": func() error {
				_, err := s.SetStatus(ctx, store.StatusChange{Operator: "ann", To: "away", At: t0,
					Deadlines: []store.Deadline{{Kind: store.Inactivity, Due: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}}})
				return err
			},
			"tag": func() error {
				_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: t0,
					Tags: []string{"vip", bad}}, store.Require{})
				return err
			},
			"NUL preferred": func() error {
				_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: t0,
					Preferred: "a\x00b"}, store.Require{})
				return err
			},
			"rule change": func() error {
				_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: t0,
					Rules: []store.RuleMatch{{Rule: "r", Changes: []string{bad}}}}, store.Require{})
				return err
			},
			"profile rule": func() error {
				_, err := s.Apply(ctx, store.Change{Conversation: "c0", From: []store.State{store.Queued}, To: store.Queued, At: t0,
					Profile: &store.Profile{Rules: []store.RuleMatch{{Rule: bad}}}})
				return err
			},
			"profile attribute": func() error {
				_, err := s.Apply(ctx, store.Change{Conversation: "c0", From: []store.State{store.Queued}, To: store.Queued, At: t0,
					Profile: &store.Profile{Attributes: map[string]string{bad: "v"}}})
				return err
			},
			"rule set author": func() error {
				_, err := s.SetRuleSet(ctx, store.RuleSet{Body: []byte("rules"), UpdatedAt: t0, UpdatedBy: bad})
				return err
			},
			"rule set in 3000": func() error {
				_, err := s.SetRuleSet(ctx, store.RuleSet{Body: []byte("rules"), UpdatedAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)})
				return err
			},
			"delete": func() error { return s.DeleteOperator(ctx, bad) },
		} {
			require.ErrorIs(t, call(), store.ErrInvalid, name)
		}
		_, err = s.Operator(ctx, bad)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.Conversation(ctx, bad)
		require.ErrorIs(t, err, store.ErrNotFound)
		convs, err := s.Conversations(ctx, store.Filter{Group: bad})
		require.NoError(t, err)
		require.Empty(t, convs)
		prev, err := s.PreviousOperator(ctx, bad)
		require.NoError(t, err)
		require.Empty(t, prev)
		h, err := s.StatusHistory(ctx, bad, t0, t0.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, h)

		ops, err := s.Operators(ctx)
		require.NoError(t, err)
		require.Len(t, ops, 1)
		require.Equal(t, int64(1), ops[0].Version)
		convs, err = s.Conversations(ctx, store.Filter{})
		require.NoError(t, err)
		require.Empty(t, convs)
		rs, err := s.RuleSet(ctx)
		require.NoError(t, err)
		require.Zero(t, rs.Version)
	})
}

// TestContextCancelled: Migrate and Reconcile with a cancelled context
// fail with the context's error and change nothing (the other calls: the
// conformance suite).
func TestContextCancelled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.mustMigrate(t)
		_, err := s.CreateOperator(t.Context(), store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		require.ErrorIs(t, s.Migrate(ctx), context.Canceled)
		_, err = s.Reconcile(ctx)
		require.ErrorIs(t, err, context.Canceled)

		ops, err := s.Operators(t.Context())
		require.NoError(t, err)
		require.Len(t, ops, 1)
		require.Zero(t, ops[0].Load)
	})
}

// TestClosedStore: Migrate and Reconcile fail after Close too.
func TestClosedStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.mustMigrate(t)
		require.NoError(t, s.Close())
		require.ErrorIs(t, s.Migrate(t.Context()), store.ErrClosed)
		_, err := s.Reconcile(t.Context())
		require.ErrorIs(t, err, store.ErrClosed)
		require.NoError(t, s.Close())
	})
}
