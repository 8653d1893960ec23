package prommetrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/prommetrics"
)

// TestCountersCountEvents: each counter counts its kind of event by
// group: a queued arrival, an offer in a broadcast group, an assignment
// not accepted in time (a miss), a close, and an end of shift that
// redistributes a conversation.
func TestCountersCountEvents(t *testing.T) {
	e := newEnv(t, routing.Config{Groups: []routing.Group{
		{ID: "support", AcceptTimeout: time.Minute, Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})},
		{ID: "leads", Policy: policy.Broadcast(0)},
	}}, prommetrics.Options{})
	const counters = `
# HELP switchboard_conversations_assigned_total Conversations of the group assigned to an operator (Assigned events).
# TYPE switchboard_conversations_assigned_total counter
switchboard_conversations_assigned_total{group="leads"} 0
switchboard_conversations_assigned_total{group="support"} %d
# HELP switchboard_conversations_closed_total Conversations of the group closed (Closed events).
# TYPE switchboard_conversations_closed_total counter
switchboard_conversations_closed_total{group="leads"} 0
switchboard_conversations_closed_total{group="support"} %d
# HELP switchboard_conversations_missed_total Assignments and offers of the group's conversations not accepted in time (Missed events).
# TYPE switchboard_conversations_missed_total counter
switchboard_conversations_missed_total{group="leads"} 0
switchboard_conversations_missed_total{group="support"} %d
# HELP switchboard_conversations_offered_total Offers of the group's conversations (Offered events).
# TYPE switchboard_conversations_offered_total counter
switchboard_conversations_offered_total{group="leads"} %d
switchboard_conversations_offered_total{group="support"} 0
# HELP switchboard_conversations_queued_total Conversations that joined or were kept in the group's queue (Queued events).
# TYPE switchboard_conversations_queued_total counter
switchboard_conversations_queued_total{group="leads"} 0
switchboard_conversations_queued_total{group="support"} %d
# HELP switchboard_conversations_redistributed_total Conversations of the group taken from an operator ending their shift (Redistributed events).
# TYPE switchboard_conversations_redistributed_total counter
switchboard_conversations_redistributed_total{group="leads"} 0
switchboard_conversations_redistributed_total{group="support"} %d
`
	names := []string{
		"switchboard_conversations_assigned_total", "switchboard_conversations_closed_total",
		"switchboard_conversations_missed_total", "switchboard_conversations_offered_total",
		"switchboard_conversations_queued_total", "switchboard_conversations_redistributed_total",
	}
	expect := func(assigned, closed, missed, offered, queued, redistributed int) {
		t.Helper()
		e.requireMetrics(fmt.Sprintf(counters, assigned, closed, missed, offered, queued, redistributed), names...)
	}
	expect(0, 0, 0, 0, 0, 0) // every group's, at zero, from the start

	e.enqueue("c1", "support") // nobody on shift: queued
	expect(0, 0, 0, 0, 1, 0)
	e.addOp("ann", presence.StatusReady, "support")
	expect(1, 0, 0, 0, 1, 0)
	e.addOp("vera", presence.StatusReady, "leads")
	e.enqueue("l1", "leads") // offered to vera
	expect(1, 0, 0, 1, 1, 0)

	// ann does not accept c1 in time: missed, queued while it still
	// counts in her load, and back to her, the only operator.
	e.clk.Add(time.Minute)
	require.NoError(t, e.r.ProcessDue(e.ctx))
	expect(2, 0, 1, 1, 2, 0)
	_, err := e.r.Accept(e.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)

	_, err = e.r.CloseConversation(e.ctx, routing.ByOperator("ann"), "c1", "resolved: free text, not a label")
	require.NoError(t, err)
	expect(2, 1, 1, 1, 2, 0)

	// ann ends her shift holding c2: redistributed to bob.
	e.enqueue("c2", "support")
	_, err = e.r.Accept(e.ctx, routing.ByOperator("ann"), "c2")
	require.NoError(t, err)
	e.addOp("bob", presence.StatusReady, "support")
	require.NoError(t, e.r.EndShift(e.ctx, routing.ByOperator("ann"), "ann"))
	expect(4, 1, 1, 1, 2, 1)
}

// TestCountersOfAGroupAddedLater: a group added after Watch is counted
// from its first event.
func TestCountersOfAGroupAddedLater(t *testing.T) {
	e := newEnv(t, routing.Config{}, prommetrics.Options{Namespace: "sb"})
	require.NoError(t, e.r.AddGroup(e.ctx, routing.ByAdmin("admin"), routing.Group{ID: "late"}))
	e.requireMetrics("", "sb_conversations_queued_total")
	e.enqueue("c1", "late")
	e.requireMetrics(`
# HELP sb_conversations_queued_total Conversations that joined or were kept in the group's queue (Queued events).
# TYPE sb_conversations_queued_total counter
sb_conversations_queued_total{group="late"} 1
`, "sb_conversations_queued_total")
}
