package desk_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
)

// t0 is the tests' time.
var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// forEachDB runs test on a fresh desk on SQLite and, when
// SWITCHBOARD_TEST_POSTGRES is set (always under CI), on PostgreSQL, in a
// schema of its own; it passes the pool too, for looking at the tables,
// and the dialect.
func forEachDB(t *testing.T, test func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect)) {
	t.Run("SQLite", func(t *testing.T) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "desk.db")+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		k, err := desk.Open(context.Background(), db, desk.SQLite, desk.WithBcryptCost(bcrypt.MinCost))
		require.NoError(t, err)
		test(t, k, db, desk.SQLite)
	})
	t.Run("Postgres", func(t *testing.T) {
		db := postgresPool(t)
		k, err := desk.Open(context.Background(), db, desk.Postgres, desk.WithBcryptCost(bcrypt.MinCost))
		require.NoError(t, err)
		test(t, k, db, desk.Postgres)
	})
}

// postgresPool returns a pool on SWITCHBOARD_TEST_POSTGRES's database in a
// new schema of its own, dropped at the test's end; without the variable
// the test is skipped, or fails under CI.
func postgresPool(t *testing.T) *sql.DB {
	t.Helper()
	dsn := os.Getenv("SWITCHBOARD_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SWITCHBOARD_TEST_POSTGRES is not set: under CI the PostgreSQL tests must run")
		}
		t.Skip("SWITCHBOARD_TEST_POSTGRES is not set")
	}
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "sbtest_desk_" + hex.EncodeToString(b)
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	db, err := sql.Open("pgx", withSearchPath(dsn, schema))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestOpenAtOnceOnPostgres: server processes starting together on a new
// PostgreSQL database all open their desk: the tables are created once.
func TestOpenAtOnceOnPostgres(t *testing.T) {
	db := postgresPool(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := desk.Open(context.Background(), db, desk.Postgres)
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	require.Zero(t, count(t, db, "helpdesk_accounts"))
}

// withSearchPath returns dsn, a URL or keyword/value connection string,
// with schema as its search path.
func withSearchPath(dsn, schema string) string {
	switch {
	case !strings.Contains(dsn, "://"):
		return dsn + " search_path=" + schema
	case strings.Contains(dsn, "?"):
		return dsn + "&search_path=" + schema
	}
	return dsn + "?search_path=" + schema
}

// count returns the rows of table.
func count(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM "+table).Scan(&n))
	return n
}

// TestOpenRefusesBadSettings: an unknown dialect or bcrypt cost.
func TestOpenRefusesBadSettings(t *testing.T) {
	_, err := desk.Open(context.Background(), nil, "oracle")
	require.ErrorIs(t, err, desk.ErrInvalid)
	_, err = desk.Open(context.Background(), nil, desk.SQLite, desk.WithBcryptCost(99))
	require.ErrorIs(t, err, desk.ErrInvalid)
}

// TestOpenTwice: opening a desk on its own tables again keeps them.
func TestOpenTwice(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		require.NoError(t, k.CreateAccount(ctx, desk.Account{ID: "anna", Name: "Anna", Role: desk.Operator}, "secret-anna", t0))
		_, err := desk.Open(ctx, db, d)
		require.NoError(t, err)
		require.Equal(t, 1, count(t, db, "helpdesk_accounts"))
	})
}
