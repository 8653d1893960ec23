package prommetrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/prommetrics"
)

// TestGaugesReadTheSnapshot: the queue gauges and the operators by group
// and status (every status of the presence model, zero included) are
// read from the Router's Snapshot at each scrape.
func TestGaugesReadTheSnapshot(t *testing.T) {
	e := newEnv(t, routing.Config{Presence: presence.ActiveInactive(), Groups: []routing.Group{{ID: "billing"}, {ID: "support"}}},
		prommetrics.Options{})
	e.addOp("ann", presence.StatusInactive, "billing", "support")
	e.addOp("bob", presence.StatusInactive, "support")
	e.enqueue("c1", "support")
	e.clk.Add(20 * time.Second)
	e.enqueue("c2", "support")
	e.clk.Add(10 * time.Second)

	const want = `
# HELP switchboard_operators Operators serving the group, by status.
# TYPE switchboard_operators gauge
switchboard_operators{group="billing",status="active"} 0
switchboard_operators{group="billing",status="inactive"} 1
switchboard_operators{group="support",status="active"} %d
switchboard_operators{group="support",status="inactive"} %d
# HELP switchboard_queue_length Conversations in the group's queue (queued and offered).
# TYPE switchboard_queue_length gauge
switchboard_queue_length{group="billing"} 0
switchboard_queue_length{group="support"} %d
# HELP switchboard_queue_oldest_wait_seconds How long the conversation that has waited longest in the group's queue has waited; 0 for an empty queue.
# TYPE switchboard_queue_oldest_wait_seconds gauge
switchboard_queue_oldest_wait_seconds{group="billing"} 0
switchboard_queue_oldest_wait_seconds{group="support"} %d
`
	names := []string{"switchboard_operators", "switchboard_queue_length", "switchboard_queue_oldest_wait_seconds"}
	e.requireMetrics(fmt.Sprintf(want, 0, 2, 2, 30), names...)

	// Read again at the next scrape: bob becomes active and gets both.
	require.NoError(t, e.r.SetStatus(e.ctx, routing.ByOperator("bob"), "bob", presence.StatusActive))
	e.requireMetrics(fmt.Sprintf(want, 1, 1, 0, 0), names...)
}

// TestGaugesNeedWatch: before Watch, the gauges are not exported.
func TestGaugesNeedWatch(t *testing.T) {
	m := prommetrics.New(prommetrics.Options{})
	require.Zero(t, testutil.CollectAndCount(m, "switchboard_queue_length", "switchboard_operators"))
	require.Equal(t, len(routing.WriteCalls()), testutil.CollectAndCount(m, "switchboard_store_write_errors_total"),
		"the store calls' series, at zero, from the start")
}

// TestSubscriptionGauges: the live subscriptions and those ended by a
// Lagged marker are read from the Router at each scrape.
func TestSubscriptionGauges(t *testing.T) {
	e := newEnv(t, routing.Config{EventBuffer: 1, Groups: []routing.Group{{ID: "support"}}}, prommetrics.Options{})
	const want = `
# HELP switchboard_subscriptions Live event subscriptions of the Router.
# TYPE switchboard_subscriptions gauge
switchboard_subscriptions %d
# HELP switchboard_subscriptions_lagged_total Subscriptions ended because they fell behind (a Lagged marker), since the Router started.
# TYPE switchboard_subscriptions_lagged_total counter
switchboard_subscriptions_lagged_total %d
`
	names := []string{"switchboard_subscriptions", "switchboard_subscriptions_lagged_total"}
	e.requireMetrics(fmt.Sprintf(want, 0, 0), names...)
	slow := e.r.Subscribe(routing.Queued)
	e.r.Subscribe(routing.Assigned)
	e.requireMetrics(fmt.Sprintf(want, 2, 0), names...)
	e.enqueue("c1", "support")
	e.enqueue("c2", "support") // the slow subscription's buffer holds one
	_, lagged := slow.Lagged()
	require.True(t, lagged)
	e.requireMetrics(fmt.Sprintf(want, 1, 1), names...)
}
