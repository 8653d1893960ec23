package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store/memory"
)

// actorRouter returns a Router on a mock clock with one balanced group
// "g" (an accept timeout of a minute, auto-close after an hour) and
// operators ann and bob, ready.
func actorRouter(t *testing.T) (*routing.Router, *clock.Mock) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	r, err := routing.New(ctx, routing.Config{Store: memory.New(), Clock: clk, ManualDeadlines: true, Presence: presence.Standard(), Groups: []routing.Group{
		{ID: "g", Policy: policy.LeastLoaded(), AcceptTimeout: time.Minute, AutoClose: time.Hour},
	}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(ctx) })
	for _, id := range []string{"ann", "bob"} {
		_, err := r.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: id, Groups: []string{"g"}, Status: presence.StatusReady})
		require.NoError(t, err)
	}
	return r, clk
}

// byOf returns the actor of each event, as "kind:what".
func byOf(evs []routing.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Kind.String() + " " + e.By.String()
	}
	return out
}

// TestEventsCarryTheirActor: the events of a command carry its actor (the
// customer for Enqueue), also for the routing it sets off; the work the
// Router does on its own carries the system and its cause.
func TestEventsCarryTheirActor(t *testing.T) {
	ctx := context.Background()
	r, clk := actorRouter(t)
	sub := r.Subscribe()

	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g", CustomerID: "cust"})
	require.NoError(t, err)
	require.Equal(t, []string{"assigned customer:cust"}, byOf(drain(sub)))

	// ann does not accept in time: the system takes it back.
	clk.Add(time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{"missed system:accept-timeout", "assigned system:accept-timeout"}, byOf(drain(sub)))

	// bob replies, then nobody writes for an hour: auto-close.
	_, err = r.OperatorReplied(ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	require.Equal(t, []string{"replied operator:bob"}, byOf(drain(sub)))
	clk.Add(time.Hour)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{"closed system:auto-close"}, byOf(drain(sub)))

	// A close by an operator frees a slot: the queue routed after it
	// carries the operator who closed.
	for _, id := range []string{"ann", "bob"} {
		_, err := r.UpdateOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: id, Groups: []string{"g"}, Cap: 1})
		require.NoError(t, err)
	}
	require.NoError(t, r.SetPolicy(ctx, routing.ByAdmin("boss"), "g", policy.Capped(policy.LeastLoaded(), policy.CapOptions{})))
	for _, id := range []string{"c2", "c3", "c4"} {
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"})
		require.NoError(t, err)
	}
	drain(sub)
	_, err = r.Take(ctx, routing.ByOperator("ann"), "c2")
	require.ErrorIs(t, err, routing.ErrAlreadyTaken)
	c2, err := r.Conversation(ctx, "c2")
	require.NoError(t, err)
	_, err = r.CloseConversation(ctx, routing.ByOperator(c2.Assignee), "c2", "done")
	require.NoError(t, err)
	require.Equal(t, []string{"closed operator:" + c2.Assignee, "assigned operator:" + c2.Assignee}, byOf(drain(sub)))
}

// TestForcedEndOfShiftSaysSoAndByWhom: an admin forcing an operator off
// shift is named in every event, and the status change says it was
// forced; an operator ending their own shift is named, without that
// reason.
func TestForcedEndOfShiftSaysSoAndByWhom(t *testing.T) {
	ctx := context.Background()
	r, _ := actorRouter(t)
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"})
	require.NoError(t, err)
	sub := r.Subscribe(routing.StatusChanged, routing.Redistributed, routing.Assigned)
	require.NoError(t, r.EndShift(ctx, routing.ByAdmin("lead"), "ann"))
	evs := drain(sub)
	require.Equal(t, []string{"status-changed admin:lead", "redistributed admin:lead", "assigned admin:lead"}, byOf(evs))
	require.Equal(t, routing.ReasonForcedOffShift, evs[0].Reason)

	require.NoError(t, r.EndShift(ctx, routing.ByOperator("bob"), "bob"))
	evs = drain(sub)
	require.Equal(t, "status-changed operator:bob", byOf(evs)[0])
	require.Empty(t, evs[0].Reason)
}

// TestCommandsRefuseBadActorsAndEmptyIDs: every command refuses an empty
// id and an invalid actor with ErrInvalid, an operator acting for someone
// else or on an admin's command with ErrNotAllowed, and changes nothing.
func TestCommandsRefuseBadActorsAndEmptyIDs(t *testing.T) {
	ctx := context.Background()
	nc := routing.NewConversation{ID: "new", Group: "g"}
	spec := routing.OperatorSpec{ID: "cat", Groups: []string{"g"}}
	admin, ann := routing.ByAdmin("boss"), routing.ByOperator("ann")
	cases := []struct {
		name string
		want error
		do   func(r *routing.Router) error
	}{
		{"take: empty conversation", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Take(ctx, ann, ""); return err }},
		{"take: empty operator", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator(""), "c1"); return err }},
		{"take: zero actor", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Take(ctx, routing.Actor{}, "c1"); return err }},
		{"take: by an admin", routing.ErrNotAllowed, func(r *routing.Router) error { _, err := r.Take(ctx, admin, "c1"); return err }},
		{"take: by a customer", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByCustomer("x"), "c1"); return err }},
		{"assign: empty operator", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Assign(ctx, admin, "c1", ""); return err }},
		{"set status: empty operator", routing.ErrInvalid, func(r *routing.Router) error { return r.SetStatus(ctx, admin, "", presence.StatusAway) }},
		{"log in: empty operator", routing.ErrInvalid, func(r *routing.Router) error { return r.LogIn(ctx, admin, "") }},
		{"log in: someone else", routing.ErrNotAllowed, func(r *routing.Router) error { return r.LogIn(ctx, ann, "bob") }},
		{"log out: someone else", routing.ErrNotAllowed, func(r *routing.Router) error { return r.LogOut(ctx, ann, "bob") }},
		{"activity: someone else", routing.ErrNotAllowed, func(r *routing.Router) error { return r.OperatorActive(ctx, ann, "bob") }},
		{"activity: empty operator", routing.ErrInvalid, func(r *routing.Router) error { return r.OperatorActive(ctx, admin, "") }},
		{"end shift: empty operator", routing.ErrInvalid, func(r *routing.Router) error { return r.EndShift(ctx, admin, "") }},
		{"system without a cause", routing.ErrInvalid, func(r *routing.Router) error { return r.EndShift(ctx, routing.BySystem(""), "ann") }},
		{"transfer: empty target", routing.ErrInvalid, func(r *routing.Router) error {
			_, err := r.TransferToOperator(ctx, admin, "c1", "")
			return err
		}},
		{"transfer to group: empty group", routing.ErrInvalid, func(r *routing.Router) error {
			_, err := r.TransferToGroup(ctx, admin, "c1", "")
			return err
		}},
		{"outbound: empty operator", routing.ErrInvalid, func(r *routing.Router) error {
			_, err := r.StartOutbound(ctx, admin, nc, "")
			return err
		}},
		{"outbound: for someone else", routing.ErrNotAllowed, func(r *routing.Router) error {
			_, err := r.StartOutbound(ctx, ann, nc, "bob")
			return err
		}},
		{"remove operator: empty id", routing.ErrInvalid, func(r *routing.Router) error { return r.RemoveOperator(ctx, admin, "") }},
		{"remove operator: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error { return r.RemoveOperator(ctx, ann, "bob") }},
		{"add operator: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error { _, err := r.AddOperator(ctx, ann, spec); return err }},
		{"update operator: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error {
			_, err := r.UpdateOperator(ctx, ann, routing.OperatorSpec{ID: "ann", Groups: []string{"g"}})
			return err
		}},
		{"add group: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error { return r.AddGroup(ctx, ann, routing.Group{ID: "h"}) }},
		{"set policy: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error {
			return r.SetPolicy(ctx, ann, "g", policy.Broadcast(0))
		}},
		{"update group: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error { return r.UpdateGroup(ctx, ann, routing.Group{ID: "g"}) }},
		{"update group: zero actor", routing.ErrInvalid, func(r *routing.Router) error {
			return r.UpdateGroup(ctx, routing.Actor{}, routing.Group{ID: "g"})
		}},
		{"remove group: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error { return r.RemoveGroup(ctx, ann, "g") }},
		{"remove group: empty id", routing.ErrInvalid, func(r *routing.Router) error { return r.RemoveGroup(ctx, admin, "") }},
		{"group: empty id", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Group(""); return err }},
		{"operator: empty id", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Operator(ctx, ""); return err }},
		{"conversation: empty id", routing.ErrInvalid, func(r *routing.Router) error { _, err := r.Conversation(ctx, ""); return err }},
		{"time in status: empty id", routing.ErrInvalid, func(r *routing.Router) error {
			_, err := r.TimeInStatus(ctx, "", presence.Date{Year: 2026, Month: 12, Day: 2}, time.UTC)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := actorRouter(t)
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"})
			require.NoError(t, err)
			snap := r.Snapshot()
			require.ErrorIs(t, tc.do(r), tc.want)
			require.Equal(t, snap, r.Snapshot())
		})
	}
}

// TestActorString: actors print as kind:id, the system as system:cause.
func TestActorString(t *testing.T) {
	require.Equal(t, "operator:ann", routing.ByOperator("ann").String())
	require.Equal(t, "admin:boss", routing.ByAdmin("boss").String())
	require.Equal(t, "customer:c", routing.ByCustomer("c").String())
	require.Equal(t, "customer", routing.ByCustomer("").String())
	require.Equal(t, "system:inactivity", routing.BySystem(routing.CauseInactivity).String())
	require.True(t, routing.BySystem(routing.CauseStart).IsAdmin())
	require.False(t, routing.ByOperator("ann").IsAdmin())
}
