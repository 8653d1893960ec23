package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
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

// clusterBaselineConns is how many connections the baseline of
// BenchmarkClusterLatency opens before it starts.
const clusterBaselineConns = 32

// clusterBenchOperators is the number of ready operators (without a cap)
// of the cluster benchmarks.
const clusterBenchOperators = 1000

// benchCluster is n Routers on one PostgreSQL schema, each with a Store
// (and pool) of its own, as n app servers would have, and a subscription
// to its Assigned events.
type benchCluster struct {
	routers []*routing.Router
	subs    []*routing.Subscription
	stores  []*sqlstore.Store
}

// openBenchCluster opens n Routers on a fresh schema holding the
// operators.
func openBenchCluster(b *testing.B, n int) *benchCluster {
	dsn, schema := benchClusterSchema(b)
	c := &benchCluster{}
	for range n {
		s, err := sqlstore.OpenPostgres(context.Background(), dsn, sqlstore.WithSchema(schema))
		benchNoError(b, err)
		r, err := openBenchRouter(s)
		benchNoError(b, err)
		c.stores, c.routers = append(c.stores, s), append(c.routers, r)
		c.subs = append(c.subs, r.Subscribe(routing.Assigned))
	}
	b.Cleanup(func() {
		for i := range c.routers {
			_ = c.routers[i].Stop()
			_ = c.stores[i].Close()
		}
	})
	return c
}

// benchClusterSchema makes a fresh schema holding the operators of the
// cluster benchmarks and returns the DSN and the schema.
func benchClusterSchema(b *testing.B) (dsn, schema string) {
	dsn = postgresDSN(b)
	schema, _ = freshSchema(b, postgresPool(b))
	ctx := context.Background()
	setup, err := sqlstore.OpenPostgres(ctx, dsn, sqlstore.WithSchema(schema))
	benchNoError(b, err)
	benchNoError(b, setup.Migrate(ctx))
	benchOperatorsOn(b, setup, clusterBenchOperators)
	benchNoError(b, setup.Close())
	return dsn, schema
}

// openBenchRouter opens the Router of a cluster benchmark on s.
func openBenchRouter(s *sqlstore.Store) (*routing.Router, error) {
	return routing.New(context.Background(), routing.Config{
		Store: s, Clock: clock.New(), Takeover: time.Second,
		Groups: []routing.Group{{ID: "g", Policy: policy.LeastLoaded()}},
	})
}

// enqueue enqueues conversation id through router i and checks that it was
// assigned at once.
func (c *benchCluster) enqueue(i int, id string) error {
	cv, err := c.routers[i%len(c.routers)].Enqueue(context.Background(), routing.NewConversation{ID: id, Group: "g"})
	if err == nil && cv.State != store.Assigned {
		err = fmt.Errorf("conversation %s is %s, not assigned", id, cv.State)
	}
	return err
}

// BenchmarkClusterThroughput measures durable assignments per second
// through 1, 2 and 4 Routers on one PostgreSQL database: 32 callers, spread
// evenly over the Routers, each enqueueing conversations that are assigned
// at once (least loaded of 1,000 operators) as fast as they can.
func BenchmarkClusterThroughput(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run("routers="+strconv.Itoa(n), func(b *testing.B) {
			c := openBenchCluster(b, n)
			var next, caller atomic.Int64
			b.SetParallelism(16) // 16 × GOMAXPROCS (2 here) = 32 callers
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				i := int(caller.Add(1))
				for pb.Next() {
					if err := c.enqueue(i, "c"+strconv.FormatInt(next.Add(1), 10)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "assignments/s")
		})
	}
}

// BenchmarkClusterLatency measures the time from Enqueue to the Assigned
// event with conversations arriving at a steady 1,000 per second (open
// loop: an arrival does not wait for the ones before it), spread evenly
// over 1, 2 and 4 Routers on one PostgreSQL database. Run it with
// -benchtime Nx: N arrivals, N/1000 seconds.
//
// The sub-benchmark "baseline" measures, in the same run, the floor this
// machine sets: the latency of one durable single-row INSERT per arrival
// at the same rate, through a pool (one round trip and one WAL flush).
func BenchmarkClusterLatency(b *testing.B) {
	const rate = 1000
	b.Run("baseline", func(b *testing.B) {
		schema, _ := freshSchema(b, postgresPool(b))
		ctx := context.Background()
		// A pool of its own, its connections made before the clock starts.
		db, err := sql.Open("pgx", postgresDSN(b))
		benchNoError(b, err)
		defer db.Close()
		db.SetMaxIdleConns(clusterBaselineConns)
		conns := make([]*sql.Conn, clusterBaselineConns)
		for i := range conns {
			conns[i], err = db.Conn(ctx)
			benchNoError(b, err)
		}
		for _, c := range conns {
			benchNoError(b, c.Close())
		}
		_, err = db.ExecContext(ctx, "CREATE SCHEMA "+schema)
		benchNoError(b, err)
		_, err = db.ExecContext(ctx, "CREATE TABLE "+schema+".t (id TEXT PRIMARY KEY)")
		benchNoError(b, err)
		insert := "INSERT INTO " + schema + ".t (id) VALUES ($1)"
		lat := make([]time.Duration, b.N)
		var calls sync.WaitGroup
		var failed atomic.Value
		b.ResetTimer()
		begin := time.Now()
		for k := range b.N {
			waitUntil(begin.Add(time.Duration(k) * time.Second / rate))
			t0 := time.Now()
			calls.Go(func() {
				if _, err := db.ExecContext(ctx, insert, "b"+strconv.Itoa(k)); err != nil {
					failed.Store(err)
				}
				lat[k] = time.Since(t0)
			})
		}
		calls.Wait()
		elapsed := time.Since(begin)
		b.StopTimer()
		if err, ok := failed.Load().(error); ok {
			b.Fatal(err)
		}
		reportLatency(b, lat, elapsed)
	})
	for _, n := range []int{1, 2, 4} {
		b.Run("routers="+strconv.Itoa(n), func(b *testing.B) {
			c := openBenchCluster(b, n)
			var started sync.Map // conversation id → time.Time
			lat := make([][]time.Duration, n)
			var wg sync.WaitGroup
			total := b.N
			var seen atomic.Int64
			allSeen := make(chan struct{})
			for i, sub := range c.subs {
				wg.Go(func() {
					for e := range sub.Events() {
						t0, ok := started.Load(e.Conversation)
						if !ok {
							continue
						}
						lat[i] = append(lat[i], time.Since(t0.(time.Time)))
						if seen.Add(1) == int64(total) {
							close(allSeen)
						}
					}
				})
			}
			b.ResetTimer()
			begin := time.Now()
			var calls sync.WaitGroup
			var failed atomic.Value
			for k := range total {
				waitUntil(begin.Add(time.Duration(k) * time.Second / rate))
				id := "l" + strconv.Itoa(k)
				started.Store(id, time.Now())
				calls.Go(func() {
					if err := c.enqueue(k, id); err != nil {
						failed.Store(err)
					}
				})
			}
			calls.Wait()
			if err, ok := failed.Load().(error); ok {
				b.Fatal(err)
			}
			select {
			case <-allSeen:
			case <-time.After(time.Minute):
				b.Fatalf("%d of %d Assigned events seen", seen.Load(), total)
			}
			elapsed := time.Since(begin)
			b.StopTimer()
			for i := range c.routers {
				_ = c.routers[i].Stop()
			}
			wg.Wait()
			reportLatency(b, slices.Concat(lat...), elapsed)
			var rolledBack int64
			for _, s := range c.stores {
				rolledBack += sqlstore.RolledBackBatches(s)
			}
			b.ReportMetric(float64(rolledBack), "rolled-back-batches")
		})
	}
}

// waitUntil sleeps until t: the arrivals of an open-loop benchmark keep
// to their schedule.
func waitUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}

// reportLatency reports the median and 99th percentile of lat, and the
// rate the writes were made at.
func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "writes/s")
}
