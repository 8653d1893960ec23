package prommetrics_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/prommetrics"
)

// TestTimeToAssignmentObservesTheWait: a conversation assigned 3 s after
// it arrived is observed at 3 s; an outbound one, which never waited, and
// a customer's return to their operator and a conversation given again
// after an end of shift are not observed.
func TestTimeToAssignmentObservesTheWait(t *testing.T) {
	e := newEnv(t, routing.Config{Groups: []routing.Group{{ID: "support"}}},
		prommetrics.Options{TimeToAssignmentBuckets: []float64{1, 5}})
	e.enqueue("c1", "support")
	e.clk.Add(3 * time.Second)
	e.addOp("ann", presence.StatusReady, "support")

	ann := routing.ByOperator("ann")
	_, err := e.r.StartOutbound(e.ctx, ann, routing.NewConversation{ID: "o1", Group: "support"}, "ann")
	require.NoError(t, err)
	_, err = e.r.MarkWaiting(e.ctx, ann, "c1")
	require.NoError(t, err)
	_, err = e.r.CustomerReplied(e.ctx, "c1")
	require.NoError(t, err)
	// ann ends her shift a minute later; bob is given c1 again: not
	// observed, its Wait would count the minute with ann.
	e.addOp("bob", presence.StatusReady, "support")
	e.clk.Add(time.Minute)
	require.NoError(t, e.r.EndShift(e.ctx, ann, "ann"))

	e.requireMetrics(`
# HELP switchboard_time_to_assignment_seconds How long the group's conversations waited in its queue before an operator got them.
# TYPE switchboard_time_to_assignment_seconds histogram
switchboard_time_to_assignment_seconds_bucket{group="support",le="1"} 0
switchboard_time_to_assignment_seconds_bucket{group="support",le="5"} 1
switchboard_time_to_assignment_seconds_bucket{group="support",le="+Inf"} 1
switchboard_time_to_assignment_seconds_sum{group="support"} 3
switchboard_time_to_assignment_seconds_count{group="support"} 1
# HELP switchboard_conversations_assigned_total Conversations of the group assigned to an operator (Assigned events).
# TYPE switchboard_conversations_assigned_total counter
switchboard_conversations_assigned_total{group="support"} 5
`, "switchboard_time_to_assignment_seconds", "switchboard_conversations_assigned_total")
}
