package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// BenchmarkJournaledCycle is BenchmarkDurableCycle with the Router's
// journal (every event written with its change, the default) and without
// it (Config.NoJournal), the two arms in one run: what the journal costs.
// Compare assignments/s of journal=true with journal=false at the same
// callers.
func BenchmarkJournaledCycle(b *testing.B) {
	for _, bd := range benchDatabases(b) {
		b.Run(bd.name, func(b *testing.B) {
			setup := bd.open(b, true)
			benchOperatorsOn(b, setup, benchOperators)
			benchNoError(b, setup.Close())
			var next atomic.Int64
			for _, callers := range []int{1, 16} {
				for _, on := range []bool{false, true} {
					b.Run(fmt.Sprintf("callers=%d/journal=%v", callers, on), func(b *testing.B) {
						s := bd.open(b, false)
						defer s.Close()
						r, err := routing.New(context.Background(), routing.Config{
							Store: s, Clock: clock.New(), NoJournal: !on,
							Groups: []routing.Group{{ID: "g", Policy: policy.LeastLoaded()}},
						})
						benchNoError(b, err)
						defer r.Stop(context.Background())
						start := time.Now()
						runCycles(b, r, callers, &next)
						b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "assignments/s")
					})
				}
			}
		})
	}
}

// BenchmarkResume100k measures a console's resume from the start of a
// journal of 100,000 events: Resume, then reading every event replayed,
// through a Router on the memory store, SQLite and PostgreSQL. One
// operation is one whole resume.
func BenchmarkResume100k(b *testing.B) {
	const events = 100_000
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{{"memory", func(*testing.B) store.Store { return memory.New() }}}
	for _, bd := range benchDatabases(b) {
		stores = append(stores, struct {
			name string
			open func(b *testing.B) store.Store
		}{bd.name, func(b *testing.B) store.Store { return bd.open(b, true) }})
	}
	for _, sc := range stores {
		b.Run(sc.name, func(b *testing.B) {
			st := sc.open(b)
			defer st.Close()
			ctx := context.Background()
			at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
			body := []byte(`{"kind":"assigned","at":"2026-12-03T09:00:00Z","by":{"kind":"system","cause":"start"},"conversation":"c1234567","group":"g","operator":"op01234","policy":"least-loaded"}`)
			batch := make([]store.Entry, 1000)
			for i := range batch {
				batch[i] = store.Entry{At: at, Body: body}
			}
			for range events / len(batch) {
				_, err := st.AppendJournal(ctx, batch)
				benchNoError(b, err)
			}
			r, err := routing.New(ctx, routing.Config{Store: st, Clock: clock.New(), EventBuffer: 4096,
				Groups: []routing.Group{{ID: "g", Policy: policy.LeastLoaded()}}})
			benchNoError(b, err)
			defer r.Stop(context.Background())
			for b.Loop() {
				sub, err := r.Resume(ctx, routing.EventFilter{}, 0)
				benchNoError(b, err)
				for n := 0; n < events; n++ {
					if _, ok := <-sub.Events(); !ok {
						b.Fatalf("ended after %d events: %v", n, sub.Err())
					}
				}
				sub.Cancel()
			}
		})
	}
}
