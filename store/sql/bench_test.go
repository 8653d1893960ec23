package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// The durable benchmarks of issue 4, run on both databases in one run so
// that their figures can be compared:
//
//	go test -run '^$' -bench 'RawCommit|DurableCycle' -benchtime 5000x -count 3 ./store/sql/
//	go test -run '^$' -bench Reopen -benchtime 5x ./store/sql/
//
// BenchmarkRawCommit is the baseline: the rate at which the database
// commits a one-row change durably, one caller. BenchmarkDurableCycle
// drives a Router on the same database with one caller and with 16; each
// of its operations is one assignment and one release, two Router
// commands and two commits. BenchmarkReopen measures routing.New on a
// store holding 100k open conversations and 10k operators.

const (
	benchOperators = 10_000
	benchOpen      = 100_000
)

// benchDB is one benchmark database: a SQLite file or a PostgreSQL
// schema.
type benchDB struct {
	name string
	// open opens a migrated store on it; fast opens one that does not
	// wait for the disk, for setting up.
	open func(b *testing.B, fast bool) *sqlstore.Store
	// raw returns a pool for the baseline's own statements, with the
	// store's durability settings, and the name of a table for them.
	raw func(b *testing.B) (*sql.DB, string)
}

// benchDatabases returns a fresh SQLite file and a fresh PostgreSQL
// schema (skipped when PostgreSQL is not configured).
func benchDatabases(b *testing.B) []benchDB {
	dbs := []benchDB{sqliteBench(b)}
	if pg, ok := postgresBench(b); ok {
		dbs = append(dbs, pg)
	}
	return dbs
}

func sqliteBench(b *testing.B) benchDB {
	path := filepath.Join(b.TempDir(), "bench.db")
	return benchDB{
		name: "SQLite",
		open: func(b *testing.B, fast bool) *sqlstore.Store {
			level := sqlstore.SynchronousFull
			if fast {
				level = sqlstore.SynchronousOff
			}
			s, err := sqlstore.OpenSQLite(context.Background(), path, sqlstore.WithSynchronous(level))
			benchNoError(b, err)
			benchNoError(b, s.Migrate(context.Background()))
			return s
		},
		raw: func(b *testing.B) (*sql.DB, string) {
			// The store's own settings: WAL, synchronous=FULL, one
			// connection, transactions that begin IMMEDIATE.
			db, err := sql.Open("sqlite", "file:"+filepath.Join(filepath.Dir(path), "raw.db")+
				"?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)")
			benchNoError(b, err)
			db.SetMaxOpenConns(1)
			return db, "raw"
		},
	}
}

func postgresBench(b *testing.B) (benchDB, bool) {
	dsn := postgresDSNIfSet(b)
	if dsn == "" {
		return benchDB{}, false
	}
	admin := postgresPool(b)
	schema, _ := freshSchema(b, admin)
	return benchDB{
		name: "Postgres",
		open: func(b *testing.B, fast bool) *sqlstore.Store {
			d := dsn
			if fast {
				d = withParam(dsn, "synchronous_commit=off")
			}
			s, err := sqlstore.OpenPostgres(context.Background(), d, sqlstore.WithSchema(schema))
			benchNoError(b, err)
			benchNoError(b, s.Migrate(context.Background()))
			return s
		},
		raw: func(b *testing.B) (*sql.DB, string) {
			_, err := admin.Exec("CREATE SCHEMA IF NOT EXISTS " + schema)
			benchNoError(b, err)
			db, err := sql.Open("pgx", dsn)
			benchNoError(b, err)
			return db, schema + ".raw"
		},
	}, true
}

// withParam adds a runtime parameter to a URL DSN.
func withParam(dsn, param string) string {
	if strings.Contains(dsn, "?") {
		return dsn + "&" + param
	}
	return dsn + "?" + param
}

func benchNoError(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRawCommit measures the baseline: one caller updating one row
// per transaction (begin, update, commit), durably.
func BenchmarkRawCommit(b *testing.B) {
	for _, bd := range benchDatabases(b) {
		b.Run(bd.name, func(b *testing.B) {
			db, table := bd.raw(b)
			defer db.Close()
			ctx := context.Background()
			// b.Run calls this again for each b.N it tries.
			_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+table)
			benchNoError(b, err)
			_, err = db.ExecContext(ctx, "CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)")
			benchNoError(b, err)
			for i := range benchOperators {
				_, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id, n) VALUES ("+strconv.Itoa(i)+", 0)")
				benchNoError(b, err)
			}
			update := "UPDATE " + table + " SET n = n + 1 WHERE id = $1"
			if bd.name == "SQLite" {
				update = "UPDATE " + table + " SET n = n + 1 WHERE id = ?"
			}
			i := 0
			start := time.Now()
			for b.Loop() {
				tx, err := db.BeginTx(ctx, nil)
				benchNoError(b, err)
				_, err = tx.ExecContext(ctx, update, i%benchOperators)
				benchNoError(b, err)
				benchNoError(b, tx.Commit())
				i++
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commits/s")
		})
	}
}

// benchOperatorsOn adds n ready operators of group "g" to s, from 16
// goroutines.
func benchOperatorsOn(b *testing.B, s store.Store, n int) {
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				_, err := s.CreateOperator(context.Background(), store.Operator{ID: "op" + strconv.Itoa(i), Status: "ready", Groups: []string{"g"}})
				if err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
}

// BenchmarkDurableCycle measures assign+release cycles through a Router on
// a durable store with 10k ready operators: a conversation is enqueued and
// assigned at once by the least-loaded policy (one commit), then closed by
// its operator (one commit). The 16-caller run drives the Router from 16
// goroutines.
func BenchmarkDurableCycle(b *testing.B) {
	for _, bd := range benchDatabases(b) {
		b.Run(bd.name, func(b *testing.B) {
			setup := bd.open(b, true)
			benchOperatorsOn(b, setup, benchOperators)
			benchNoError(b, setup.Close())
			// next numbers the conversations across runs: b.Run calls
			// its function again for each b.N it tries.
			var next atomic.Int64
			for _, callers := range []int{1, 16} {
				b.Run("callers="+strconv.Itoa(callers), func(b *testing.B) {
					s := bd.open(b, false)
					defer s.Close()
					r, err := routing.New(context.Background(), routing.Config{
						Store: s, Clock: clock.New(),
						Groups: []routing.Group{{ID: "g", Policy: policy.LeastLoaded()}},
					})
					benchNoError(b, err)
					defer r.Stop(context.Background())
					start := time.Now()
					runCycles(b, r, callers, &next)
					secs := time.Since(start).Seconds()
					b.ReportMetric(float64(b.N)/secs, "assignments/s")
					b.ReportMetric(float64(2*b.N)/secs, "commands/s")
				})
			}
		})
	}
}

// runCycles runs b.N assign+release cycles on r from callers goroutines
// (see BenchmarkDurableCycle), numbering conversations with next.
func runCycles(b *testing.B, r *routing.Router, callers int, next *atomic.Int64) {
	cycle := func() error {
		id := "c" + strconv.FormatInt(next.Add(1), 10)
		c, err := r.Enqueue(context.Background(), routing.NewConversation{ID: id, Group: "g"})
		if err != nil {
			return err
		}
		if c.State != store.Assigned {
			return fmt.Errorf("conversation %s is %s, not assigned", id, c.State)
		}
		_, err = r.CloseConversation(context.Background(), routing.ByOperator(c.Assignee), id, "done")
		return err
	}
	if callers == 1 {
		for b.Loop() {
			benchNoError(b, cycle())
		}
		return
	}
	b.SetParallelism((callers + 1) / 2)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := cycle(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkReopen measures routing.New on a store holding 10k operators
// and 100k open conversations: 50k assigned (every operator at its cap of
// 5) and 50k queued behind them, so that opening finds nothing to route.
func BenchmarkReopen(b *testing.B) {
	for _, bd := range benchDatabases(b) {
		b.Run(bd.name, func(b *testing.B) {
			setup := bd.open(b, true)
			benchOperatorsOn(b, setup, benchOperators)
			groups := []routing.Group{{ID: "g", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})}}
			ctx := context.Background()
			r, err := routing.New(ctx, routing.Config{Store: setup, Clock: clock.New(), Groups: groups, ManualDeadlines: true})
			benchNoError(b, err)
			var wg sync.WaitGroup
			var failed atomic.Value
			for w := range 16 {
				wg.Go(func() {
					for i := w; i < benchOpen; i += 16 {
						if _, err := r.Enqueue(ctx, routing.NewConversation{ID: "c" + strconv.Itoa(i), Group: "g"}); err != nil {
							failed.Store(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if err, ok := failed.Load().(error); ok {
				b.Fatal(err)
			}
			snap := r.Snapshot()
			benchNoError(b, r.Stop(context.Background()))
			benchNoError(b, setup.Close())
			if q := snap.Groups[0].Queued; q != benchOpen-5*benchOperators {
				b.Fatalf("%d queued after the setup, want %d", q, benchOpen-5*benchOperators)
			}
			s := bd.open(b, false)
			defer s.Close()
			for b.Loop() {
				r, err := routing.New(ctx, routing.Config{Store: s, Clock: clock.New(), Groups: groups})
				benchNoError(b, err)
				benchNoError(b, r.Stop(context.Background()))
			}
		})
	}
}
