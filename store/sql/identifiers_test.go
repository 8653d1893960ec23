package sqlstore_test

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// TestSchemaNamesDifferingInCaseShareChanges: WithSchema("Sales") and
// WithSchema("sales") name one schema (PostgreSQL folds unquoted names),
// so Stores on them share rows, and each Watch reports the other Store's
// changes: the notification channel is named after the folded name too.
// The same holds for table prefixes.
func TestSchemaNamesDifferingInCaseShareChanges(t *testing.T) {
	pool := postgresPool(t)
	schema, _ := freshSchema(t, pool)
	dsn := postgresDSN(t)
	open := func(opts ...sqlstore.Option) *sqlstore.Store {
		s, err := sqlstore.OpenPostgres(t.Context(), dsn, opts...)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	for _, tc := range []struct {
		name string
		a, b []sqlstore.Option
	}{
		{"schema", []sqlstore.Option{sqlstore.WithSchema(strings.ToUpper(schema))}, []sqlstore.Option{sqlstore.WithSchema(schema)}},
		{"prefix", []sqlstore.Option{sqlstore.WithSchema(schema), sqlstore.WithTablePrefix("Tenant_")},
			[]sqlstore.Option{sqlstore.WithSchema(schema), sqlstore.WithTablePrefix("tenant_")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			a := open(tc.a...)
			require.NoError(t, a.Migrate(ctx))
			b := open(tc.b...)
			fromA, err := a.Watch(ctx)
			require.NoError(t, err)
			fromB, err := b.Watch(ctx)
			require.NoError(t, err)

			feedOperator(t, a, "ann")
			atB := newSeen()
			atB.until(t, fromB, func(s *seen) bool { return s.ops["ann"] })
			got, err := b.Operator(ctx, "ann")
			require.NoError(t, err, "one table")
			require.Equal(t, "ready", got.Status)

			feedConversation(t, b, "c1")
			atA := newSeen()
			atA.until(t, fromA, func(s *seen) bool { return s.convs["c1"] })
			_, err = a.Conversation(ctx, "c1")
			require.NoError(t, err)
		})
	}
	var n int
	require.NoError(t, pool.QueryRowContext(t.Context(),
		"SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'tenant\\_%'", schema).Scan(&n))
	require.Equal(t, len(sqlstore.DataTables("postgres"))+1, n, "the prefix's tables are named in lower case")
}

// TestReservedSchemaNamesRefused: a schema named by a reserved key word, or
// by a name PostgreSQL keeps for its system schemas, in any case, is
// refused with store.ErrInvalid before the server is contacted; other key
// words are names like any other.
func TestReservedSchemaNamesRefused(t *testing.T) {
	const unreachable = "postgres://127.0.0.1:1/x?connect_timeout=1"
	for _, name := range []string{"select", "User", "ORDER", "left", "System_User", "pg_catalog", "PG_TOAST", "pg_temp", "pg_switchboard", "information_schema", "Information_Schema"} {
		_, err := sqlstore.OpenPostgres(t.Context(), unreachable, sqlstore.WithSchema(name))
		require.ErrorIs(t, err, store.ErrInvalid, name)
		require.Contains(t, err.Error(), strings.ToLower(name))
	}
	for _, name := range []string{"int", "values", "users", "sales_pg_", "public", "schema_select"} {
		_, err := sqlstore.OpenPostgres(t.Context(), unreachable, sqlstore.WithSchema(name))
		require.Error(t, err, name)
		require.NotErrorIs(t, err, store.ErrInvalid, "%s is a valid schema name", name)
	}
}

// TestSQLitePrefixOfItsOwnTablesRefused: SQLite keeps the names starting
// with sqlite_ (in any case) for itself, so such a table prefix is refused
// with store.ErrInvalid at Open, and the file is not created.
func TestSQLitePrefixOfItsOwnTablesRefused(t *testing.T) {
	for _, prefix := range []string{"sqlite_", "SQLite_sb_"} {
		path := filepath.Join(t.TempDir(), "x.db")
		_, err := sqlstore.OpenSQLite(t.Context(), path, sqlstore.WithTablePrefix(prefix))
		require.ErrorIs(t, err, store.ErrInvalid, prefix)
		require.NoFileExists(t, path)
	}
	s, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "y.db"), sqlstore.WithTablePrefix("sqlitesb_"))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	require.NoError(t, s.Close())
}

// TestReservedWordsCoverTheServers: every key word the test server
// reserves (the categories the SQL Key Words appendix marks reserved) is
// in the list WithSchema refuses, and the server refuses each of them as a
// schema name: the list is neither short nor wrong for this server.
func TestReservedWordsCoverTheServers(t *testing.T) {
	pool := postgresPool(t)
	rows, err := pool.QueryContext(t.Context(), "SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')")
	require.NoError(t, err)
	defer rows.Close()
	var server []string
	for rows.Next() {
		var w string
		require.NoError(t, rows.Scan(&w))
		server = append(server, w)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, server)
	for _, w := range server {
		require.True(t, sqlstore.ReservedWords[w], "%q is reserved by the server but not in the list", w)
		_, err := pool.ExecContext(t.Context(), fmt.Sprintf("DO $$ BEGIN EXECUTE 'CREATE SCHEMA %s'; RAISE EXCEPTION 'created'; END $$", w))
		require.ErrorContains(t, err, "syntax error", "%q is refused as a schema name", w)
	}
}

// TestNoTablePrefixMakesAReservedName: every table, index and sequence the
// migrations name ends with a name that no reserved key word ends with,
// so that no table prefix, not even the empty one, makes one of them a
// reserved word; WithTablePrefix need not refuse any.
func TestNoTablePrefixMakesAReservedName(t *testing.T) {
	named := regexp.MustCompile(`\{\{prefix\}\}(\w+)`)
	var names []string
	require.NoError(t, fs.WalkDir(sqlstore.EmbeddedMigrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := fs.ReadFile(sqlstore.EmbeddedMigrations, path)
		for _, m := range named.FindAllStringSubmatch(string(text), -1) {
			names = append(names, m[1])
		}
		return err
	}))
	require.Contains(t, names, "operators")
	names = append(names, "migrations") // made by the code, not by a migration
	for w := range sqlstore.ReservedWords {
		for _, n := range names {
			require.False(t, strings.HasSuffix(w, n), "prefix %q would make %q the reserved word %q", strings.TrimSuffix(w, n), n, w)
		}
	}
}
