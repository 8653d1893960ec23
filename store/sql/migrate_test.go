package sqlstore_test

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// codeMigrations returns the names of the code's migrations, by version
// (the name of version v at index v-1): "init", "load_history", ...
func codeMigrations(t *testing.T) []string {
	t.Helper()
	entries, err := fs.ReadDir(sqlstore.EmbeddedMigrations, "migrations/sqlite")
	require.NoError(t, err)
	var names []string
	file := regexp.MustCompile(`^\d{4}_([a-z0-9_]+)\.sql$`)
	for _, e := range entries {
		m := file.FindStringSubmatch(e.Name())
		require.NotNil(t, m, e.Name())
		names = append(names, m[1])
	}
	return names
}

// storeTables is how many tables a migrated store of backend b has: its
// data tables and its migrations table.
func storeTables(b *backend) int { return len(dataTables(b)) + 1 }

// dataTables names the data tables of backend b.
func dataTables(b *backend) []string { return sqlstore.DataTables(strings.ToLower(b.name)) }

func TestMigrateIdempotent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		_, err := s.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.Migrate(ctx))
		// A second store, migrating an up-to-date database.
		other := b.mustMigrate(t)
		require.Equal(t, len(codeMigrations(t)), b.count(t, "SELECT count(*) FROM "+b.table("switchboard_migrations")))
		op, err := other.Operator(ctx, "ann")
		require.NoError(t, err)
		require.Equal(t, int64(1), op.Version)
		require.Equal(t, storeTables(b), b.tables(t, "switchboard_"))
	})
}

// TestEmptyDatabase: a store opens on an empty database, but every call
// fails with ErrSchemaOutdated until Migrate, and nothing is written
// before. A store opened before another one migrates sees the migration.
func TestEmptyDatabase(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustOpen(t)
		_, err := s.Operators(ctx)
		require.ErrorIs(t, err, sqlstore.ErrSchemaOutdated)
		require.ErrorIs(t, err, store.ErrInvalid)
		require.Contains(t, err.Error(), "call Migrate")
		_, err = s.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.ErrorIs(t, err, sqlstore.ErrSchemaOutdated)
		_, err = s.Reconcile(ctx)
		require.ErrorIs(t, err, sqlstore.ErrSchemaOutdated)
		require.Zero(t, b.tables(t, ""), "nothing written")

		other := b.mustMigrate(t)
		_, err = other.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		op, err := s.Operator(ctx, "ann")
		require.NoError(t, err, "the first store sees the migration")
		require.Equal(t, "ann", op.ID)
	})
}

// migrationsWithExtra returns the code's migration files plus a next
// version, as newer code would have them.
func migrationsWithExtra(t *testing.T) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(sqlstore.EmbeddedMigrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sqlstore.EmbeddedMigrations, path)
		out[path] = &fstest.MapFile{Data: data}
		return err
	}))
	extra := "CREATE TABLE {{schema}}{{prefix}}extra (id TEXT NOT NULL PRIMARY KEY);\n"
	name := fmt.Sprintf("%04d_extra.sql", len(codeMigrations(t))+1)
	out[path.Join("migrations/sqlite", name)] = &fstest.MapFile{Data: []byte(extra)}
	out[path.Join("migrations/postgres", name)] = &fstest.MapFile{Data: []byte(extra)}
	return out
}

// TestSchemaOutdated: newer code opens a database of the current version;
// calls fail until Migrate applies the missing version, and only it.
func TestSchemaOutdated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		old := b.mustMigrate(t)
		_, err := old.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		require.NoError(t, old.Close())

		s := b.mustOpen(t, sqlstore.WithMigrations(migrationsWithExtra(t)))
		_, err = s.Operator(ctx, "ann")
		require.ErrorIs(t, err, sqlstore.ErrSchemaOutdated)
		latest := len(codeMigrations(t))
		require.Contains(t, err.Error(), fmt.Sprintf("schema version %d, this code needs version %d", latest, latest+1))
		require.Equal(t, storeTables(b), b.tables(t, "switchboard_"), "nothing written")

		require.NoError(t, s.Migrate(ctx))
		op, err := s.Operator(ctx, "ann")
		require.NoError(t, err)
		require.Equal(t, int64(1), op.Version)
		require.Equal(t, latest+1, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_migrations")))
		require.Zero(t, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_extra")))
	})
}

// TestSchemaTooNew: code opening a database migrated by newer code refuses
// it, and Migrate refuses to touch it.
func TestSchemaTooNew(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		newer := b.mustMigrate(t, sqlstore.WithMigrations(migrationsWithExtra(t)))
		_, err := newer.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		require.NoError(t, newer.Close())

		_, err = b.open()
		require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
		require.ErrorIs(t, err, store.ErrInvalid)
		latest := len(codeMigrations(t))
		require.Contains(t, err.Error(), fmt.Sprintf("schema version %d, this code knows versions up to %d", latest+1, latest))
		require.Equal(t, latest+1, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_migrations")))
		require.Equal(t, 1, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_operators")))
	})
}

// TestForeignTables: tables with the store's names that it did not create
// make Open and Migrate fail with ErrForeignSchema, and stay untouched.
func TestForeignTables(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()

		// A host table named like one of the store's.
		b.exec(t, "CREATE TABLE "+b.table("switchboard_operators")+" (name TEXT, salary INTEGER)")
		b.exec(t, "INSERT INTO "+b.table("switchboard_operators")+" (name, salary) VALUES ('ann', 100)")
		_, err := b.open()
		require.ErrorIs(t, err, sqlstore.ErrForeignSchema)
		require.ErrorIs(t, err, store.ErrInvalid)
		require.Contains(t, err.Error(), "switchboard_operators")
		require.Equal(t, 1, b.tables(t, "switchboard_"), "nothing created")
		require.Equal(t, 1, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_operators")+" WHERE salary = 100"))
		if b.name == "SQLite" {
			var mode string
			require.NoError(t, b.raw.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
			require.Equal(t, "delete", mode, "the file is not switched to WAL")
		}
		// Another prefix is free to use.
		s := b.mustMigrate(t, sqlstore.WithTablePrefix("sb_"))
		_, err = s.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		require.NoError(t, s.Close())

		// A foreign migrations table.
		b.exec(t, "CREATE TABLE "+b.table("other_migrations")+" (id TEXT, applied TEXT)")
		_, err = b.open(sqlstore.WithTablePrefix("other_"))
		require.ErrorIs(t, err, sqlstore.ErrForeignSchema)
		require.Contains(t, err.Error(), "is not a migrations table")

		// A migrations table recording the latest version over tables of
		// another shape (a corrupted schema).
		b.exec(t, "CREATE TABLE "+b.table("bad_migrations")+" (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)")
		var records []string
		for i, name := range codeMigrations(t) {
			records = append(records, fmt.Sprintf("(%d, '%s')", i+1, name))
		}
		b.exec(t, "INSERT INTO "+b.table("bad_migrations")+" (version, name) VALUES "+strings.Join(records, ", "))
		for _, name := range dataTables(b) {
			b.exec(t, "CREATE TABLE "+b.table("bad_"+name)+" (x INTEGER)")
		}
		_, err = b.open(sqlstore.WithTablePrefix("bad_"))
		require.ErrorIs(t, err, sqlstore.ErrForeignSchema)
		require.Contains(t, err.Error(), "does not have the columns this code expects")

		// A migrations table naming another migration.
		b.exec(t, "CREATE TABLE "+b.table("alien_migrations")+" (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)")
		b.exec(t, "INSERT INTO "+b.table("alien_migrations")+" (version, name) VALUES (1, 'something_else')")
		_, err = b.open(sqlstore.WithTablePrefix("alien_"))
		require.ErrorIs(t, err, sqlstore.ErrForeignSchema)
		require.Contains(t, err.Error(), "0001_something_else")
	})
}

// TestForeignTableAtMigrate: a foreign table created after Open makes
// Migrate fail, and the transaction leaves nothing behind.
func TestForeignTableAtMigrate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.mustOpen(t)
		b.exec(t, "CREATE TABLE "+b.table("switchboard_previous_operators")+" (k TEXT)")
		require.ErrorIs(t, s.Migrate(t.Context()), sqlstore.ErrForeignSchema)
		require.Equal(t, 1, b.tables(t, "switchboard_"))
	})
}

// TestTablePrefix: two stores with different prefixes in one database
// keep their rows apart.
func TestTablePrefix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		one := b.mustMigrate(t)
		two := b.mustMigrate(t, sqlstore.WithTablePrefix("Tenant2_"))
		_, err := one.CreateOperator(ctx, store.Operator{ID: "ann", Status: ready})
		require.NoError(t, err)
		_, err = two.CreateOperator(ctx, store.Operator{ID: "ann", Status: "away"})
		require.NoError(t, err)
		_, err = two.CreateOperator(ctx, store.Operator{ID: "bob", Status: ready})
		require.NoError(t, err)
		_, err = one.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Assigned, Assignee: "ann", CreatedAt: t0}, store.Require{})
		require.NoError(t, err)

		ops, err := one.Operators(ctx)
		require.NoError(t, err)
		require.Len(t, ops, 1)
		require.Equal(t, ready, ops[0].Status)
		require.Equal(t, 1, ops[0].Load)
		ops, err = two.Operators(ctx)
		require.NoError(t, err)
		require.Len(t, ops, 2)
		require.Equal(t, "away", ops[0].Status)
		require.Zero(t, ops[0].Load)
		convs, err := two.Conversations(ctx, store.Filter{})
		require.NoError(t, err)
		require.Empty(t, convs)
		require.NoError(t, two.DeleteOperator(ctx, "ann"), "ann of store two holds nothing")
		require.Equal(t, storeTables(b), b.tables(t, "switchboard_"))
		require.Equal(t, storeTables(b), b.tables(t, "tenant2_"))
	})
}

// TestMigrateFromVersion2KeepsRows: a database of schema version 2 with
// rows in it migrates to the latest version; its rows read back as they were, with
// no tags, no preferred operator, not off-hours and no rule matches, and
// take the new fields; no rule set is stored.
func TestMigrateFromVersion2KeepsRows(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustOpen(t)
		require.NoError(t, sqlstore.MigrateTo(ctx, s, 2))
		_, err := s.Operators(ctx)
		require.ErrorIs(t, err, sqlstore.ErrSchemaOutdated)
		require.Equal(t, 2, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_migrations")))

		// Rows as code of version 2 wrote them.
		b.exec(t, "INSERT INTO "+b.table("switchboard_operators")+" (id, groups_json, cap, skills_json, status, status_since, "+
			`load_count, last_assigned, deadlines_json, version) VALUES ('ann', '["g"]', 2, NULL, 'ready', 1000, 1, 2000, NULL, 2)`)
		b.exec(t, "INSERT INTO "+b.table("switchboard_conversations")+" (id, group_id, channel, customer_id, priority, skills_json, "+
			"attributes_json, state, assignee, offered_to_json, last_operator, linked_to, created_at, enqueued_at, seq, assigned_at, "+
			"closed_at, close_reason, all_busy_notified, deadlines_json, missed_by_json, version) VALUES "+
			`('c1', 'g', 'web', 'cu1', 3, '["en"]', '{"site":"a"}', 3, 'ann', NULL, 'ann', '', 1000, 1000, 1, 2000, NULL, '', TRUE, `+
			`'[{"kind":1,"due":5000}]', '["bob"]', 2), `+
			"('c2', 'g', 'chat', '', 0, NULL, NULL, 1, NULL, NULL, '', 'c0', 3000, 3000, 2, NULL, NULL, '', FALSE, NULL, NULL, 1)")

		require.NoError(t, s.Migrate(ctx))
		require.Equal(t, len(codeMigrations(t)), b.count(t, "SELECT count(*) FROM "+b.table("switchboard_migrations")))
		ns := func(n int64) time.Time { return time.Unix(0, n).UTC() }
		ann, err := s.Operator(ctx, "ann")
		require.NoError(t, err)
		require.Equal(t, store.Operator{ID: "ann", Groups: []string{"g"}, Cap: 2, Status: ready, StatusSince: ns(1000), Load: 1,
			LastAssigned: ns(2000), Version: 2}, ann)
		c1 := store.Conversation{ID: "c1", Group: "g", Channel: "web", CustomerID: "cu1", Priority: 3, Skills: []string{"en"},
			Attributes: map[string]string{"site": "a"}, State: store.Assigned, Assignee: "ann", LastOperator: "ann",
			CreatedAt: ns(1000), EnqueuedAt: ns(1000), Seq: 1, AssignedAt: ns(2000), AllBusyNotified: true,
			Deadlines: []store.Deadline{{Kind: store.AcceptTimeout, Due: ns(5000)}}, MissedBy: []string{"bob"}, Version: 2}
		c2 := store.Conversation{ID: "c2", Group: "g", Channel: "chat", State: store.Queued, LinkedTo: "c0",
			CreatedAt: ns(3000), EnqueuedAt: ns(3000), Seq: 2, Version: 1}
		convs, err := s.Conversations(ctx, store.Filter{})
		require.NoError(t, err)
		require.Equal(t, []store.Conversation{c1, c2}, convs)
		rs, err := s.RuleSet(ctx)
		require.NoError(t, err)
		require.Equal(t, store.RuleSet{}, rs)

		// The old rows take the new fields.
		p := store.Profile{Priority: 1, Tags: []string{"vip"}, Preferred: "ann", OffHours: true,
			Rules: []store.RuleMatch{{Rule: "vip", Changes: []string{"tag vip"}}}}
		_, err = s.Apply(ctx, store.Change{Conversation: "c2", From: []store.State{store.Queued}, To: store.Queued, Profile: &p, At: ns(4000)})
		require.NoError(t, err)
		got, err := s.Conversation(ctx, "c2")
		require.NoError(t, err)
		require.Equal(t, p, got.Profile())
		require.Equal(t, int64(2), got.Version)
		_, err = s.SetRuleSet(ctx, store.RuleSet{Body: []byte("rules"), UpdatedAt: ns(5000), UpdatedBy: "admin"})
		require.NoError(t, err)
	})
}

// TestMigrateFromVersion3IndexesPages: a database of schema version 3
// with rows in it migrates to version 4, which adds the indexes of the
// pages of conversations and changes no row; the pages read the old rows.
func TestMigrateFromVersion3IndexesPages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustOpen(t)
		require.NoError(t, sqlstore.MigrateTo(ctx, s, 3))
		insertPageRows(t, b, 100) // rows as code of version 3 wrote them
		indexes := func() int {
			query := "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?"
			if b.name == "Postgres" {
				query = "SELECT count(*) FROM pg_indexes WHERE schemaname || '.' || indexname = $1"
			}
			n := 0
			for _, name := range []string{"customer", "channel", "last_operator", "group"} {
				n += b.count(t, query, b.table("switchboard_conversations_"+name))
			}
			return n
		}
		require.Zero(t, indexes())

		require.NoError(t, s.Migrate(ctx))
		require.Equal(t, len(codeMigrations(t)), b.count(t, "SELECT count(*) FROM "+b.table("switchboard_migrations")))
		require.Equal(t, 4, indexes())
		page, err := s.Conversations(ctx, store.Filter{Customer: "cu3", States: []store.State{store.Closed}, Limit: 2})
		require.NoError(t, err)
		require.Len(t, page, 2)
		require.Equal(t, []uint64{3, 53}, []uint64{page[0].Seq, page[1].Seq})
		require.Equal(t, "email", page[0].Channel)
		require.Equal(t, int64(1), page[0].Version)
	})
}
