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
