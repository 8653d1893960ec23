package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// assignedWait is an Assigned event's policy and Wait.
type assignedWait struct {
	policy string
	wait   time.Duration
}

// assignedWaits returns the policy and Wait of every Assigned event of l
// since the last read.
func assignedWaits(l *eventLog) []assignedWait {
	var out []assignedWait
	for _, e := range l.raw() {
		if e.Kind == routing.Assigned {
			out = append(out, assignedWait{e.Policy, e.Wait})
		}
	}
	return out
}

// TestAssignedCarriesTimeToAssignment: an Assigned event's Wait is how
// long the conversation waited since it last entered its queue, whatever
// assigned it; a release and a redistribution keep the wait running, and
// an outbound conversation never waited.
func TestAssignedCarriesTimeToAssignment(t *testing.T) {
	capped := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})
	s := newScenario(t, routing.Config{ManualDeadlines: true, Groups: []routing.Group{
		{ID: "auto", Policy: capped},
		{ID: "leads", Policy: policy.Broadcast(0)},
	}})
	log := s.subscribe(routing.Assigned)
	ann := routing.ByOperator("ann")

	// Routed when an operator comes: 3 s.
	s.enqueue("c1", "auto")
	s.clk.Add(3 * time.Second)
	s.addOp("ann", presence.StatusReady, 0, "auto", "leads")
	require.Equal(t, []assignedWait{{"capped(least-loaded)", 3 * time.Second}}, assignedWaits(log))

	// Taken from a broadcast after 5 s, assigned by an admin after 7 s.
	s.enqueue("c2", "leads")
	s.clk.Add(5 * time.Second)
	_, err := s.r.Take(s.ctx, ann, "c2")
	require.NoError(t, err)
	s.enqueue("c3", "leads")
	s.clk.Add(7 * time.Second)
	_, err = s.r.Assign(s.ctx, routing.ByAdmin("admin"), "c3", "ann")
	require.NoError(t, err)
	require.Equal(t, []assignedWait{{"manual", 5 * time.Second}, {"admin", 7 * time.Second}}, assignedWaits(log))

	// Outbound: no wait.
	_, err = s.r.StartOutbound(s.ctx, ann, routing.NewConversation{ID: "o1", Group: "auto"}, "ann")
	require.NoError(t, err)
	require.Equal(t, []assignedWait{{"outbound", 0}}, assignedWaits(log))

	// A customer's return to the operator it waited with: from when it
	// last entered the queue, 12 s before the take of c2 plus 10 s.
	_, err = s.r.MarkWaiting(s.ctx, ann, "c2")
	require.NoError(t, err)
	s.clk.Add(10 * time.Second)
	_, err = s.r.CustomerReplied(s.ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, []assignedWait{{"returned", 22 * time.Second}}, assignedWaits(log))

	// Released: c1 keeps its place and its wait (it entered the queue
	// 3+5+7+10 = 25 s before).
	_, err = s.r.Release(s.ctx, ann, "c1")
	require.NoError(t, err)
	require.Equal(t, []assignedWait{{"capped(least-loaded)", 25 * time.Second}}, assignedWaits(log), "routed back to ann at once")

	// Redistributed at an end of shift: routed again without a requeue,
	// so each one's wait goes on from when it entered the queue (o1's from
	// its start).
	s.addOp("bob", presence.StatusReady, 0, "auto")
	s.clk.Add(30 * time.Second)
	require.NoError(t, s.r.EndShift(s.ctx, ann, "ann"))
	require.ElementsMatch(t, []assignedWait{
		{"capped(least-loaded)", 55 * time.Second}, // c1
		{"capped(least-loaded)", 40 * time.Second}, // o1
	}, assignedWaits(log))
	s.requireQueued("c2", "leads") // bob does not serve leads
	s.requireQueued("c3", "leads")
}

// TestAssignedAfterAMissKeepsWaiting: a conversation not accepted in
// time goes on waiting from when it entered the queue, not from the miss.
func TestAssignedAfterAMissKeepsWaiting(t *testing.T) {
	s := newScenario(t, routing.Config{ManualDeadlines: true, Groups: []routing.Group{{ID: "auto", AcceptTimeout: time.Minute}}})
	log := s.subscribe(routing.Assigned)
	s.addOp("ann", presence.StatusReady, 0, "auto")
	s.clk.Add(time.Second)
	s.addOp("bob", presence.StatusReady, 0, "auto")
	s.enqueue("c1", "auto")
	s.clk.Add(4 * time.Second)
	s.addOp("cat", presence.StatusReady, 0, "auto") // nothing for her: c1 is with ann
	require.Equal(t, []assignedWait{{"capped(least-loaded)", 0}}, assignedWaits(log))

	s.clk.Add(time.Minute - 4*time.Second)
	require.NoError(t, s.r.ProcessDue(s.ctx))
	require.Equal(t, []assignedWait{{"capped(least-loaded)", time.Minute}}, assignedWaits(log))
}
