package sqlstore_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// backend is one test database: a SQLite file or a PostgreSQL schema, on
// which a test opens stores and runs raw SQL.
type backend struct {
	name string
	// open returns a new, unmigrated Store on the test's database, with its
	// own pool.
	open func(opts ...sqlstore.Option) (*sqlstore.Store, error)
	// raw is a pool on the same database, for the test's own statements.
	raw *sql.DB
	// table qualifies a table name for raw SQL.
	table func(name string) string
}

// forEachBackend runs test on a fresh SQLite file and on a fresh
// PostgreSQL schema (skipped, or failed under CI, when PostgreSQL is not
// configured).
func forEachBackend(t *testing.T, test func(t *testing.T, b *backend)) {
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "switchboard.db")
		raw, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = raw.Close() })
		test(t, &backend{
			name: "SQLite",
			open: func(opts ...sqlstore.Option) (*sqlstore.Store, error) {
				return sqlstore.OpenSQLite(t.Context(), path, opts...)
			},
			raw:   raw,
			table: func(name string) string { return name },
		})
	})
	t.Run("Postgres", func(t *testing.T) {
		raw := postgresPool(t)
		schema, _ := freshSchema(t, raw)
		_, err := raw.ExecContext(t.Context(), "CREATE SCHEMA "+schema)
		require.NoError(t, err)
		dsn := postgresDSN(t)
		test(t, &backend{
			name: "Postgres",
			open: func(opts ...sqlstore.Option) (*sqlstore.Store, error) {
				return sqlstore.OpenPostgres(t.Context(), dsn, append([]sqlstore.Option{sqlstore.WithSchema(schema)}, opts...)...)
			},
			raw:   raw,
			table: func(name string) string { return schema + "." + name },
		})
	})
}

// mustOpen opens a store on b and closes it when t ends.
func (b *backend) mustOpen(t *testing.T, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s, err := b.open(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// mustMigrate opens a store on b and migrates it.
func (b *backend) mustMigrate(t *testing.T, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s := b.mustOpen(t, opts...)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// exec runs raw SQL on b.
func (b *backend) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	_, err := b.raw.ExecContext(t.Context(), query, args...)
	require.NoError(t, err, query)
}

// count returns the result of a count query on b.
func (b *backend) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.raw.QueryRowContext(t.Context(), query, args...).Scan(&n), query)
	return n
}

// tables returns the number of tables of b whose name starts with prefix.
func (b *backend) tables(t *testing.T, prefix string) int {
	t.Helper()
	if b.name == "SQLite" {
		return b.count(t, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE ? || '%'", prefix)
	}
	schema := b.table("")[:len(b.table(""))-1]
	return b.count(t, "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename LIKE $2 || '%'", schema, prefix)
}
