package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
	"github.com/switchboard-go/switchboard/store/storetest"
)

// defaultChecks is rapid's number of sequences for this package when
// neither RAPID_CHECKS nor -rapid.checks says otherwise. It is lower than
// the 1,000 of the memory store because every sequence runs on a new
// database and every step of it reads the whole store back: 1,000
// sequences take about 3.5 minutes on SQLite and longer on PostgreSQL
// under the race detector (SQLite is C translated to Go, which the race
// detector slows about tenfold). Set RAPID_CHECKS=1000 to run as many.
const defaultChecks = "200"

// TestMain sets rapid's default number of checks to defaultChecks, unless
// the RAPID_CHECKS environment variable or an explicit -rapid.checks flag
// says otherwise. Started as a child of TestCrashRecovery, TestCluster or
// BenchmarkClusterLatencyProcesses, it runs the child instead of the tests.
func TestMain(m *testing.M) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		os.Exit(crashChild(spec)) // a child of TestCrashRecovery
	}
	if spec := os.Getenv(clusterChildEnv); spec != "" {
		os.Exit(clusterChild(spec)) // a child of TestCluster
	}
	if spec := os.Getenv(latencyChildEnv); spec != "" {
		os.Exit(latencyChild(spec)) // a child of BenchmarkClusterLatencyProcesses
	}
	if _, ok := os.LookupEnv("RAPID_CHECKS"); !ok {
		flag.Parse()
		if !flagSet("rapid.checks") {
			if err := flag.Set("rapid.checks", defaultChecks); err != nil {
				panic(err)
			}
		}
	}
	os.Exit(m.Run())
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// postgresEnv names the variable holding the DSN of the PostgreSQL server
// the tests use.
const postgresEnv = "SWITCHBOARD_TEST_POSTGRES"

// postgresDSN returns the DSN of the test server, skipping the test when
// none is configured outside CI and failing it under CI.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn != "" {
		return dsn
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set: under CI the PostgreSQL tests must run (.ci/run sets it)", postgresEnv)
	}
	t.Skipf("PostgreSQL tests skipped: set %s to a DSN to run them, e.g. %s='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'", postgresEnv, postgresEnv)
	return ""
}

// postgresDSNIfSet returns the DSN of the test server, or "" (with a
// log line) when none is configured outside CI; under CI it fails b when
// none is.
func postgresDSNIfSet(b testing.TB) string {
	b.Helper()
	if os.Getenv(postgresEnv) == "" && os.Getenv("CI") == "" {
		b.Logf("PostgreSQL left out: set %s to a DSN to include it", postgresEnv)
		return ""
	}
	return postgresDSN(b)
}

var (
	adminOnce sync.Once
	adminDB   *sql.DB
	adminErr  error
)

// postgresPool returns one pool on the test server, shared by the tests
// (stores made with New leave it open).
func postgresPool(t testing.TB) *sql.DB {
	t.Helper()
	dsn := postgresDSN(t)
	adminOnce.Do(func() {
		adminDB, adminErr = sql.Open("pgx", dsn)
		if adminErr == nil {
			adminErr = adminDB.PingContext(context.Background())
		}
	})
	if adminErr != nil {
		t.Fatalf("PostgreSQL at %s=%q is unreachable: %v", postgresEnv, dsn, adminErr)
	}
	return adminDB
}

// freshSchema returns the name of a schema no other test uses, and a func
// that drops it. The schema is dropped when t ends, if not before: the
// conformance suite drops it when it closes the store, so that a thousand
// random sequences do not pile up a thousand schemas in the catalog (which
// makes PostgreSQL several times slower).
func freshSchema(t testing.TB, db *sql.DB) (string, func() error) {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "sbtest_" + hex.EncodeToString(b)
	drop := func() error {
		_, err := db.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+name+" CASCADE")
		return err
	}
	t.Cleanup(func() { require.NoError(t, drop()) })
	return name, drop
}

// newPostgres returns a migrated store in a fresh schema of the test
// server, and a func that drops the schema.
func newPostgres(t *testing.T, opts ...sqlstore.Option) (*sqlstore.Store, func() error) {
	t.Helper()
	db := postgresPool(t)
	schema, drop := freshSchema(t, db)
	opts = append([]sqlstore.Option{sqlstore.WithSchema(schema)}, opts...)
	s, err := sqlstore.New(t.Context(), db, sqlstore.Postgres, opts...)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s, drop
}

// newSQLite returns a migrated store on a new file in a temporary
// directory.
func newSQLite(t *testing.T, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"), opts...)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// reconciling wraps a store so that closing it first checks, with
// Reconcile, that every operator's load counter equals the number of
// conversations assigned to them. Wrapped around the stores of the
// conformance suite, it checks the counters after every example and every
// random sequence of the state-machine test.
type reconciling struct {
	*sqlstore.Store
	t      *testing.T
	closed bool
	// checked counts the reconciled stores of a test.
	checked *atomic.Int64
	// drop, if not nil, drops the store's tables after Close.
	drop func() error
}

func (r *reconciling) Close() error {
	if !r.closed {
		r.closed = true
		mismatches, err := r.Reconcile(context.Background())
		switch {
		case err != nil:
			r.t.Errorf("Reconcile: %v", err)
		case len(mismatches) > 0:
			r.t.Errorf("load counters differ from the assignments: %+v", mismatches)
		default:
			r.checked.Add(1)
		}
	}
	err := r.Store.Close()
	if r.drop != nil {
		if err := r.drop(); err != nil {
			r.t.Errorf("drop the store's tables: %v", err)
		}
		r.drop = nil
	}
	return err
}

// runConformance runs the conformance suite on the stores open returns,
// reconciling each, and checks that the stores were reconciled.
func runConformance(t *testing.T, open func(t *testing.T) (*sqlstore.Store, func() error)) {
	var checked atomic.Int64
	storetest.Run(t, func(st *testing.T) store.Store {
		s, drop := open(st)
		return &reconciling{Store: s, t: st, checked: &checked, drop: drop}
	})
	if !t.Failed() {
		require.Positive(t, checked.Load())
		t.Logf("%d stores reconciled after use", checked.Load())
	}
}

func TestConformanceSQLite(t *testing.T) {
	runConformance(t, func(t *testing.T) (*sqlstore.Store, func() error) { return newSQLite(t), nil })
}

func TestConformancePostgres(t *testing.T) {
	postgresPool(t)
	runConformance(t, func(t *testing.T) (*sqlstore.Store, func() error) { return newPostgres(t) })
}
