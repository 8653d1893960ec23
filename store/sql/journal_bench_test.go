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
)

// journaling wraps a store so that, when on, every conversation write
// and status change appends one journal entry the size of an encoded
// event in the same transaction, as a Router writing its journal does.
// Both arms of BenchmarkJournaledCycle go through it, so that they differ
// only in the journal.
type journaling struct {
	store.Store
	on bool
}

// eventBody is the size and shape of an Assigned event as JSON.
var eventBody = []byte(`{"seq":0,"kind":"assigned","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"system","cause":"start"},` +
	`"conversation":"c1234567","group":"g","operator":"op01234","policy":"least-loaded","wait_ms":0}`)

// oneEntry journals one entry per write.
type oneEntry struct{}

func (oneEntry) Entries(w store.Written) []store.Entry {
	return []store.Entry{{At: time.Now(), Body: eventBody}}
}
func (oneEntry) Stored([]store.Entry) {}

func (j journaling) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	if j.on {
		req.Journal = oneEntry{}
	}
	return j.Store.CreateConversation(ctx, c, req)
}

func (j journaling) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	if j.on {
		ch.Require.Journal = oneEntry{}
	}
	return j.Store.Apply(ctx, ch)
}

func (j journaling) SetStatus(ctx context.Context, ch store.StatusChange) (store.Operator, error) {
	if j.on {
		ch.Journal = oneEntry{}
	}
	return j.Store.SetStatus(ctx, ch)
}

// BenchmarkJournaledCycle is BenchmarkDurableCycle without and with one
// journal entry per write, the two arms alternating in one run: what the
// journal costs the store. Compare assignments/s of journal=on with
// journal=off at the same callers.
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
							Store: journaling{Store: s, on: on}, Clock: clock.New(),
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
