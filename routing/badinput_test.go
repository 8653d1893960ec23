package routing_test

import (
	"context"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// TestInvariant8_BadInputChangesNothing: every kind of bad input returns a
// typed error and leaves the store and the router's view exactly as they
// were (invariant 8).
func TestInvariant8_BadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*routing.Router, store.Store) {
		st := memory.New()
		model := presence.MustNew(presence.Definition{
			Statuses: []presence.Status{
				{Name: "ready", Capabilities: presence.All},
				{Name: "pause", Capabilities: presence.Transfers},
				{Name: "offline"},
			},
			Transitions: []presence.Transition{{From: "ready", To: "pause"}, {From: "pause", To: "ready"}, {From: "ready", To: "offline"}, {From: "offline", To: "ready"}},
			Guards:      []presence.Guard{{To: []string{"offline"}, Holding: []store.State{store.Assigned}}},
		})
		r, err := routing.New(ctx, routing.Config{Store: st, Clock: clock.NewMock(), Presence: model, Groups: []routing.Group{
			{ID: "g", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})},
			{ID: "h"},
		}})
		require.NoError(t, err)
		for _, id := range []string{"ann", "bob"} {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"g"}, Status: "ready"})
			require.NoError(t, err)
		}
		_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "cat", Groups: []string{"g"}, Status: "pause"})
		require.NoError(t, err)
		_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "dan", Groups: []string{"g"}, Status: "offline"})
		require.NoError(t, err)
		for _, id := range []string{"c1", "c2", "c3"} { // ann, bob, then queued
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"})
			require.NoError(t, err)
		}
		return r, st
	}
	cases := []struct {
		name string
		want error
		do   func(r *routing.Router) error
	}{
		{"take: unknown operator", routing.ErrNotFound, func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator("zed"), "c3"); return err }},
		{"take: unknown conversation", routing.ErrNotFound, func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator("ann"), "c9"); return err }},
		{"take: status does not allow it", routing.ErrNotAllowed, func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator("cat"), "c3"); return err }},
		{"take: at cap, manual over cap refused", routing.ErrOverCapacity, func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator("ann"), "c3"); return err }},
		{"take: already taken", routing.ErrAlreadyTaken, func(r *routing.Router) error { _, err := r.Take(ctx, routing.ByOperator("bob"), "c1"); return err }},
		{"close: not the assignee (L11)", routing.ErrNotAssignee, func(r *routing.Router) error {
			_, err := r.CloseConversation(ctx, routing.ByOperator("bob"), "c1", "x")
			return err
		}},
		{"close: empty id", routing.ErrInvalid, func(r *routing.Router) error {
			_, err := r.CloseConversation(ctx, routing.ByAdmin("boss"), "", "x")
			return err
		}},
		{"mark waiting: not the assignee", routing.ErrNotAssignee, func(r *routing.Router) error {
			_, err := r.MarkWaiting(ctx, routing.ByOperator("bob"), "c1")
			return err
		}},
		{"transfer: target refuses transfers", routing.ErrNotAllowed, func(r *routing.Router) error {
			_, err := r.TransferToOperator(ctx, routing.ByOperator("ann"), "c1", "dan")
			return err
		}},
		{"transfer: unknown target", routing.ErrNotFound, func(r *routing.Router) error {
			_, err := r.TransferToOperator(ctx, routing.ByOperator("ann"), "c1", "zed")
			return err
		}},
		{"transfer to group: unknown group", routing.ErrNotFound, func(r *routing.Router) error {
			_, err := r.TransferToGroup(ctx, routing.ByOperator("ann"), "c1", "nope")
			return err
		}},
		{"assign: not an admin", routing.ErrNotAllowed, func(r *routing.Router) error {
			_, err := r.Assign(ctx, routing.ByOperator("ann"), "c3", "cat")
			return err
		}},
		{"assign: status refuses admin assignment", routing.ErrNotAllowed, func(r *routing.Router) error {
			_, err := r.Assign(ctx, routing.ByAdmin("boss"), "c3", "cat")
			return err
		}},
		{"add operator: negative cap", routing.ErrInvalid, func(r *routing.Router) error {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "eve", Groups: []string{"g"}, Cap: -1})
			return err
		}},
		{"add operator: unknown group", routing.ErrNotFound, func(r *routing.Router) error {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "eve", Groups: []string{"nope"}})
			return err
		}},
		{"add operator: duplicate id", routing.ErrAlreadyExists, func(r *routing.Router) error {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}})
			return err
		}},
		{"update operator: negative cap", routing.ErrInvalid, func(r *routing.Router) error {
			_, err := r.UpdateOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Cap: -3})
			return err
		}},
		{"status: unknown status", routing.ErrUnknownStatus, func(r *routing.Router) error { return r.SetStatus(ctx, routing.ByOperator("ann"), "ann", "lunch") }},
		{"status: transition not allowed", routing.ErrTransitionNotAllowed, func(r *routing.Router) error { return r.SetStatus(ctx, routing.ByOperator("cat"), "cat", "offline") }},
		{"status: guard, offline with open chats (P8)", routing.ErrHoldsConversations, func(r *routing.Router) error { return r.SetStatus(ctx, routing.ByOperator("ann"), "ann", "offline") }},
		{"status: someone else's", routing.ErrNotAllowed, func(r *routing.Router) error { return r.SetStatus(ctx, routing.ByOperator("bob"), "ann", "pause") }},
		{"status: unknown operator", routing.ErrNotFound, func(r *routing.Router) error { return r.SetStatus(ctx, routing.ByAdmin("boss"), "zed", "ready") }},
		{"end shift: guarded for the operator", routing.ErrHoldsConversations, func(r *routing.Router) error { return r.EndShift(ctx, routing.ByOperator("ann"), "ann") }},
		{"enqueue: unknown group", routing.ErrNotFound, func(r *routing.Router) error {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c9", Group: "nope"})
			return err
		}},
		{"enqueue: duplicate id", routing.ErrAlreadyExists, func(r *routing.Router) error {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"})
			return err
		}},
		{"reopen: not closed", routing.ErrWrongState, func(r *routing.Router) error {
			_, err := r.Reopen(ctx, "c1", routing.NewConversation{ID: "c9"})
			return err
		}},
		{"customer replied: unknown conversation", routing.ErrNotFound, func(r *routing.Router) error { _, err := r.CustomerReplied(ctx, "c9"); return err }},
		{"set policy: nil", routing.ErrInvalid, func(r *routing.Router) error { return r.SetPolicy(ctx, routing.ByAdmin("admin"), "g", nil) }},
		{"set policy: unknown group", routing.ErrNotFound, func(r *routing.Router) error {
			return r.SetPolicy(ctx, routing.ByAdmin("admin"), "nope", policy.LeastLoaded())
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, st := setup(t)
			defer r.Stop(context.Background())
			ops, convs, snap := dump(t, st), dumpConvs(t, st), r.Snapshot()
			err := tc.do(r)
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, ops, dump(t, st))
			require.Equal(t, convs, dumpConvs(t, st))
			require.Equal(t, snap, r.Snapshot())
		})
	}
}

func dump(t *testing.T, st store.Store) []store.Operator {
	ops, err := st.Operators(context.Background())
	require.NoError(t, err)
	return ops
}

func dumpConvs(t *testing.T, st store.Store) []store.Conversation {
	cs, err := st.Conversations(context.Background(), store.Filter{})
	require.NoError(t, err)
	return cs
}

// TestConfigValidation: a bad Config is refused with ErrInvalidConfig.
func TestConfigValidation(t *testing.T) {
	ctx := context.Background()
	_, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: ""}}})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "g"}, {ID: "g"}}})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
	_, err = routing.New(ctx, routing.Config{EventBuffer: -1})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
}

// TestStoppedRouterRefusesCommands: after Stop every command fails with
// ErrClosed and subscriptions are closed.
func TestStoppedRouterRefusesCommands(t *testing.T) {
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "g"}}})
	require.NoError(t, err)
	sub := r.Subscribe()
	require.NoError(t, r.Stop(context.Background()))
	_, open := <-sub.Events()
	require.False(t, open)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c", Group: "g"})
	require.ErrorIs(t, err, routing.ErrClosed)
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "a", Groups: []string{"g"}})
	require.ErrorIs(t, err, routing.ErrClosed)
	require.ErrorIs(t, r.SetStatus(ctx, routing.ByAdmin("x"), "a", "ready"), routing.ErrClosed)
	require.NoError(t, r.Stop(context.Background()))
}
