package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// golden returns the output of a run on the in-memory store, which is the
// output of the first run on any store, after its first line.
func golden(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "memory.golden"))
	require.NoError(t, err)
	return string(b)
}

// idPattern matches every id the scenario creates.
var idPattern = regexp.MustCompile(`\b(anna|boris|vera|support|chat-\d+)\b`)

// renamed returns out with every id renamed as run n names it.
func renamed(out string, n int) string {
	return idPattern.ReplaceAllString(out, fmt.Sprintf("${1}-run%d", n))
}

// runWith runs the scenario with the -store flag set to value and returns
// its output.
func runWith(t *testing.T, value string) (string, error) {
	t.Helper()
	var spec storeSpec
	require.NoError(t, spec.Set(value))
	var out bytes.Buffer
	err := run(t.Context(), &out, spec)
	return out.String(), err
}

func TestMemoryOutput(t *testing.T) {
	for _, value := range []string{"", "memory"} {
		out, err := runWith(t, value)
		require.NoError(t, err)
		require.Equal(t, golden(t), out, "-store %q", value)
	}
}

func TestStoreFlag(t *testing.T) {
	for _, tc := range []struct {
		value  string
		kind   int
		target string
	}{
		{"", memoryStore, ""},
		{"memory", memoryStore, ""},
		{"sqlite:quickstart.db", sqliteStore, "quickstart.db"},
		{"sqlite:/tmp/a:b.db", sqliteStore, "/tmp/a:b.db"},
		{"postgres://u@h/db?sslmode=disable", postgresStore, "postgres://u@h/db?sslmode=disable"},
		{"postgresql://u@h/db", postgresStore, "postgresql://u@h/db"},
	} {
		var spec storeSpec
		require.NoError(t, spec.Set(tc.value), tc.value)
		require.Equal(t, storeSpec{value: tc.value, kind: tc.kind, target: tc.target}, spec, tc.value)
		require.Equal(t, tc.value, spec.String())
	}
	for _, value := range []string{"sqlite:", "sqlite", "mem", "postgres:", "mysql://u@h/db", "quickstart.db"} {
		var spec storeSpec
		require.Error(t, spec.Set(value), value)
	}
}

// testRunsAgain runs the scenario twice on the store the -store value
// names, which must be empty, and checks that the second run resumes the
// first's rows and plays the same scenario in a group of its own.
func testRunsAgain(t *testing.T, value string) {
	t.Helper()
	out, err := runWith(t, value)
	require.NoError(t, err)
	require.Equal(t, "store holds 0 conversations (0 open) from earlier runs; this is run 1\n"+golden(t), out)

	out, err = runWith(t, value)
	require.NoError(t, err)
	require.Equal(t, "store holds 8 conversations (7 open) from earlier runs; this is run 2\n"+renamed(golden(t), 2), out)
}

// checkStore checks what two runs left in st: both runs' rows, the first
// run's as it left them, and load counters that match the conversations.
func checkStore(t *testing.T, st *sqlstore.Store) {
	t.Helper()
	ctx := t.Context()
	convs, err := st.Conversations(ctx, store.Filter{})
	require.NoError(t, err)
	require.Len(t, convs, 16)
	queued, err := st.Conversations(ctx, store.Filter{States: []store.State{store.Queued}, Group: "support"})
	require.NoError(t, err)
	var ids []string
	for _, c := range queued {
		ids = append(ids, c.ID)
	}
	require.Equal(t, []string{"chat-2", "chat-5", "chat-8"}, ids)
	ops, err := st.Operators(ctx)
	require.NoError(t, err)
	require.Len(t, ops, 6)
	mismatches, err := st.Reconcile(ctx)
	require.NoError(t, err)
	require.Empty(t, mismatches)
}

func TestSQLiteRunsAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quickstart.db")
	testRunsAgain(t, "sqlite:"+path)

	st, err := sqlstore.OpenSQLite(t.Context(), path)
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close()) }()
	checkStore(t, st)
}

func TestForeignGroupRefused(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "other.db")
	st, err := sqlstore.OpenSQLite(ctx, path)
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	_, err = st.CreateOperator(ctx, store.Operator{ID: "ann", Groups: []string{"sales"}, Status: "offline", StatusSince: time.Now()})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	out, err := runWith(t, "sqlite:"+path)
	require.ErrorContains(t, err, `the store holds rows of group "sales", which quickstart did not create`)
	require.Empty(t, out)
}

// postgresEnv names the variable holding the DSN of the PostgreSQL server
// the tests use, as in package store/sql.
const postgresEnv = "SWITCHBOARD_TEST_POSTGRES"

func TestPostgresRunsAgain(t *testing.T) {
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: under CI the PostgreSQL tests must run (.ci/run sets it)", postgresEnv)
		}
		t.Skipf("set %s to a postgres:// URL to run this test", postgresEnv)
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s=%q is not a postgres:// URL, which -store needs", postgresEnv, dsn)
	}

	// A schema of its own, first in the search path, holds the tables. It
	// is dropped when the test ends, once t.Context is cancelled.
	ctx := t.Context()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	schema := fmt.Sprintf("quickstart_test_%d", time.Now().UnixNano())
	_, err = db.ExecContext(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		require.NoError(t, err)
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	testRunsAgain(t, u.String())

	st, err := sqlstore.OpenPostgres(ctx, u.String())
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close()) }()
	checkStore(t, st)
}
