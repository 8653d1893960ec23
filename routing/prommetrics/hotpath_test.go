package prommetrics_test

import (
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/prommetrics"
)

// TestObserverMethodsAllocateNothing: once a group was seen, telling the
// Collector of an event or a store write allocates nothing.
func TestObserverMethodsAllocateNothing(t *testing.T) {
	m := prommetrics.New(prommetrics.Options{})
	assigned := routing.Event{Kind: routing.Assigned, Group: "support", Policy: "least-loaded", Wait: 3 * time.Second}
	write := routing.StoreWrite{Call: routing.WriteApply, Took: time.Millisecond, Err: errDown}
	m.Event(assigned) // the first sight of the group makes its metrics
	require.Zero(t, testing.AllocsPerRun(100, func() {
		m.Event(assigned)
		m.Event(routing.Event{Kind: routing.Closed, Group: "support", Reason: "done"})
		m.Event(routing.Event{Kind: routing.StatusChanged, Operator: "ann"})
		m.StoreWrite(write)
	}))
}

// TestConcurrentObservationsAndScrapes: the Collector may be told and
// scraped at once (run with -race), and registers with a pedantic
// registry, which checks that Collect sends only what Describe declared.
func TestConcurrentObservationsAndScrapes(t *testing.T) {
	e := newEnv(t, routing.Config{Groups: []routing.Group{{ID: "support"}}}, prommetrics.Options{})
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(e.m))
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 50 {
				group := []string{"support", "new-a", "new-b"}[(w+i)%3]
				e.m.Event(routing.Event{Kind: routing.Queued, Group: group})
				e.m.StoreWrite(routing.StoreWrite{Call: routing.WriteApply})
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			_, err := reg.Gather()
			require.NoError(t, err)
		}
	})
	wg.Wait()
	e.requireMetrics(`
# HELP switchboard_conversations_queued_total Conversations that joined or were kept in the group's queue (Queued events).
# TYPE switchboard_conversations_queued_total counter
switchboard_conversations_queued_total{group="new-a"} 50
switchboard_conversations_queued_total{group="new-b"} 50
switchboard_conversations_queued_total{group="support"} 50
`, "switchboard_conversations_queued_total")
}
