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
func openBenchCluster(b *testing.B, n int) *benchCluster { return openBenchClusterWith(b, n, true) }

// openBenchClusterWith is openBenchCluster, the Routers keeping the
// journal or not.
func openBenchClusterWith(b *testing.B, n int, journal bool) *benchCluster {
	dsn, schema := benchClusterSchema(b)
	c := &benchCluster{}
	for range n {
		s, err := sqlstore.OpenPostgres(context.Background(), dsn, sqlstore.WithSchema(schema))
		benchNoError(b, err)
		r, err := openBenchRouterWith(s, journal)
		benchNoError(b, err)
		c.stores, c.routers = append(c.stores, s), append(c.routers, r)
		c.subs = append(c.subs, r.Subscribe(routing.Assigned))
	}
	b.Cleanup(func() {
		for i := range c.routers {
			_ = c.routers[i].Stop(context.Background())
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
func openBenchRouter(s *sqlstore.Store) (*routing.Router, error) { return openBenchRouterWith(s, true) }

// openBenchRouterWith is openBenchRouter, the Router keeping the journal
// or not.
func openBenchRouterWith(s *sqlstore.Store, journal bool) (*routing.Router, error) {
	return routing.New(context.Background(), routing.Config{
		Store: s, Clock: clock.New(), Takeover: time.Second, NoJournal: !journal,
		Groups: []routing.Group{{ID: "g", Policy: policy.LeastLoaded()}},
	})
}

// enqueue enqueues conversation id through router i and checks that it was
// assigned at once.
func (c *benchCluster) enqueue(i int, id string) error {
	return enqueueAssigned(c.routers[i%len(c.routers)], id)
}

// enqueueAssigned enqueues conversation id through r and checks that it
// was assigned at once.
func enqueueAssigned(r *routing.Router, id string) error {
	cv, err := r.Enqueue(context.Background(), routing.NewConversation{ID: id, Group: "g"})
	if err == nil && cv.State != store.Assigned {
		err = fmt.Errorf("conversation %s is %s, not assigned", id, cv.State)
	}
	return err
}

// runArrivals enqueues conversation "l<k>" for each k of ks, k/rate
// seconds after it starts (open loop: an arrival does not wait for the
// ones before it), through enqueue. It returns the time from each
// enqueue to the conversation's Assigned event on one of subs, and the
// time from its start to the last event.
func runArrivals(subs []*routing.Subscription, ks []int, rate int, enqueue func(k int, id string) error) ([]time.Duration, time.Duration, error) {
	var started sync.Map // conversation id → time.Time
	lat := make([][]time.Duration, len(subs))
	var seen atomic.Int64
	allSeen, done := make(chan struct{}), make(chan struct{})
	if len(ks) == 0 {
		close(allSeen)
	}
	var wg sync.WaitGroup
	for i, sub := range subs {
		wg.Go(func() {
			for {
				select {
				case e := <-sub.Events():
					// Every Router delivers every Router's events (the
					// journal): the first to show it counts.
					t0, ok := started.LoadAndDelete(e.Conversation)
					if !ok {
						continue
					}
					lat[i] = append(lat[i], time.Since(t0.(time.Time)))
					if seen.Add(1) == int64(len(ks)) {
						close(allSeen)
					}
				case <-done:
					return
				}
			}
		})
	}
	begin := time.Now()
	err := func() error {
		var calls sync.WaitGroup
		var failed atomic.Value
		for _, k := range ks {
			waitUntil(begin.Add(time.Duration(k) * time.Second / time.Duration(rate)))
			id := "l" + strconv.Itoa(k)
			started.Store(id, time.Now())
			calls.Go(func() {
				if err := enqueue(k, id); err != nil {
					failed.Store(err)
				}
			})
		}
		calls.Wait()
		if err, ok := failed.Load().(error); ok {
			return err
		}
		select {
		case <-allSeen:
			return nil
		case <-time.After(time.Minute):
			return fmt.Errorf("%d of %d Assigned events seen within a minute", seen.Load(), len(ks))
		}
	}()
	elapsed := time.Since(begin)
	close(done)
	wg.Wait()
	if err != nil {
		return nil, 0, err
	}
	return slices.Concat(lat...), elapsed, nil
}

// BenchmarkClusterThroughput measures durable assignments per second
// through 1, 2 and 4 Routers on one PostgreSQL database: 32 callers, spread
// evenly over the Routers, each enqueueing conversations that are assigned
// at once (least loaded of 1,000 operators) as fast as they can.
func BenchmarkClusterThroughput(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run("routers="+strconv.Itoa(n), func(b *testing.B) { clusterThroughput(b, n, true) })
	}
	// The 4 Routers again without the journal (Config.NoJournal), for
	// what it costs.
	b.Run("routers=4/journal=false", func(b *testing.B) { clusterThroughput(b, 4, false) })
}

// clusterThroughput is BenchmarkClusterThroughput with n Routers, with or
// without the journal.
func clusterThroughput(b *testing.B, n int, journal bool) {
	c := openBenchClusterWith(b, n, journal)
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
			ks := make([]int, b.N)
			for k := range ks {
				ks[k] = k
			}
			b.ResetTimer()
			lat, elapsed, err := runArrivals(c.subs, ks, rate, c.enqueue)
			b.StopTimer()
			benchNoError(b, err)
			reportLatency(b, lat, elapsed)
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
