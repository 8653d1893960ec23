package routing_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// gateStore holds back the result of the next SetStatus or UpdateOperator
// after the store has applied it, so that a test can let another command's
// result reach the router first.
type gateStore struct {
	*memory.Store
	mu               sync.Mutex
	reached, release chan struct{}
}

// arm makes the next SetStatus or UpdateOperator wait: reached is closed
// once its change is stored, and it returns after release is closed.
func (s *gateStore) arm() (reached, release chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reached, s.release = make(chan struct{}), make(chan struct{})
	return s.reached, s.release
}

func (s *gateStore) wait() {
	s.mu.Lock()
	reached, release := s.reached, s.release
	s.reached, s.release = nil, nil
	s.mu.Unlock()
	if reached != nil {
		close(reached)
		<-release
	}
}

func (s *gateStore) SetStatus(ctx context.Context, ch store.StatusChange) (store.Operator, error) {
	o, err := s.Store.SetStatus(ctx, ch)
	s.wait()
	return o, err
}

func (s *gateStore) UpdateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	o, err := s.Store.UpdateOperator(ctx, op)
	s.wait()
	return o, err
}

// lateResult runs change in the background, holds its stored result back,
// runs meanwhile (whose result reaches the router first), then lets the
// held result through.
func lateResult(t *testing.T, st *gateStore, change func() error, meanwhile func()) {
	t.Helper()
	reached, release := st.arm()
	done := make(chan error)
	go func() { done <- change() }()
	<-reached
	meanwhile()
	close(release)
	require.NoError(t, <-done)
}

func newGated(t *testing.T, groups ...routing.Group) (*routing.Router, *gateStore) {
	t.Helper()
	st := &gateStore{Store: memory.New()}
	r, err := routing.New(context.Background(), routing.Config{Store: st, Groups: groups})
	require.NoError(t, err)
	t.Cleanup(func() { r.Stop(context.Background()) })
	return r, st
}

// A status change whose result arrives after a later load change is not
// lost: the router's view keeps the status the store has (invariant 3).
func TestInvariant3_LateStatusResultIsKept(t *testing.T) {
	ctx := context.Background()
	r, st := newGated(t, routing.Group{ID: "g"}, routing.Group{ID: "h"})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Status: "ready"}))
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "y", Groups: []string{"h"}, Status: "ready"}))
	must(r.StartOutbound(ctx, routing.ByOperator("y"), routing.NewConversation{ID: "t", Group: "h"}, "y"))

	lateResult(t, st, func() error { return r.SetStatus(ctx, routing.ByAdmin("boss"), "x", "pause") }, func() {
		_, err := r.TransferToOperator(ctx, routing.ByAdmin("boss"), "t", "x")
		require.NoError(t, err)
	})
	require.Equal(t, "pause", r.Snapshot().Operators[0].Status)
	c := must(r.Enqueue(ctx, routing.NewConversation{ID: "c", Group: "g"}))
	require.Equal(t, store.Queued, c.State, "nothing is assigned to an operator on pause")
}

// A cap lowered while a transfer lands is not lost: automatic assignment
// then respects the new cap (invariant 2).
func TestInvariant2_LateCapResultIsKept(t *testing.T) {
	ctx := context.Background()
	r, st := newGated(t, routing.Group{ID: "g"}, routing.Group{ID: "h"})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Cap: 5, Status: "ready"}))
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "y", Groups: []string{"h"}, Status: "ready"}))
	must(r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"}))
	must(r.StartOutbound(ctx, routing.ByOperator("y"), routing.NewConversation{ID: "t", Group: "h"}, "y"))

	lateResult(t, st, func() error {
		_, err := r.UpdateOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Cap: 2})
		return err
	}, func() {
		_, err := r.TransferToOperator(ctx, routing.ByAdmin("boss"), "t", "x")
		require.NoError(t, err)
	})
	// x holds c1 and t: at the new cap of 2.
	c := must(r.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "g"}))
	require.Equal(t, store.Queued, c.State)
	require.Equal(t, 2, r.Snapshot().Operators[0].Cap)
}

// An operator serving two groups has one cap, the lowest of their groups'
// defaults, whichever group's conversation they are given (invariant 2).
func TestInvariant2_OneCapAcrossGroups(t *testing.T) {
	ctx := context.Background()
	r, _ := newGated(t,
		routing.Group{ID: "g1", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})},
		routing.Group{ID: "g2", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g1", "g2"}, Status: "ready"}))
	for i, g := range []string{"g2", "g2", "g2", "g1"} {
		c := must(r.Enqueue(ctx, routing.NewConversation{ID: string(rune('a' + i)), Group: g}))
		if i < 2 {
			require.Equal(t, store.Assigned, c.State)
		} else {
			require.Equal(t, store.Queued, c.State, "conversation %d", i)
		}
	}
	op := r.Snapshot().Operators[0]
	require.Equal(t, 2, op.Load)
	require.Equal(t, 2, op.Cap)
}

// A queued conversation nobody available can take (a skill nobody free
// has) does not block those behind it (R7).
func TestR7_KeptConversationDoesNotBlockTheQueue(t *testing.T) {
	ctx := context.Background()
	r, _ := newGated(t, routing.Group{ID: "g"})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Cap: 1, Status: "ready"}))
	must(r.Enqueue(ctx, routing.NewConversation{ID: "c0", Group: "g"}))
	must(r.Enqueue(ctx, routing.NewConversation{ID: "fr", Group: "g", Skills: []string{"fr"}}))
	must(r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"}))
	must(r.CloseConversation(ctx, routing.ByOperator("x"), "c0", "done"))
	c1 := must(r.Conversation(ctx, "c1"))
	require.Equal(t, "x", c1.Assignee)
	fr := must(r.Conversation(ctx, "fr"))
	require.Equal(t, store.Queued, fr.State)
}

// A new conversation does not overtake conversations already waiting: it
// joins the queue and the queue is served in order (invariant 5).
func TestInvariant5_NewConversationJoinsTheQueue(t *testing.T) {
	ctx := context.Background()
	// The policy keeps what the host marked as on hold, so the queue is
	// not empty while an operator is free.
	hold := policy.Func(func(in policy.Input) policy.Decision {
		if in.Conversation.Attributes["hold"] != "" {
			return policy.Decision{Reason: "on hold"}
		}
		return policy.LeastLoaded().Decide(in)
	})
	r, _ := newGated(t, routing.Group{ID: "g", Policy: policy.Capped(hold, policy.CapOptions{Default: 1})})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Status: "ready"}))
	must(r.Enqueue(ctx, routing.NewConversation{ID: "held", Group: "g", Priority: 9, Attributes: map[string]string{"hold": "y"}}))
	sub := r.Subscribe(routing.Queued, routing.Assigned)
	c := must(r.Enqueue(ctx, routing.NewConversation{ID: "next", Group: "g"}))
	require.Equal(t, "x", c.Assignee)
	// Events are emitted before a command returns.
	var got []string
	for len(got) < 3 {
		select {
		case ev := <-sub.Events():
			got = append(got, ev.String())
			continue
		default:
		}
		break
	}
	require.Equal(t, []string{
		`queued conv=next group=g policy=capped(func) pos=2 reason=conversations are waiting ahead of it`,
		`assigned conv=next group=g op=x policy=capped(func)`,
	}, got)
}

// Offers withdrawn from an operator who went offline go to whoever the
// policy picks next, at once (R1, R7).
func TestR1_WithdrawnOfferMovesOn(t *testing.T) {
	ctx := context.Background()
	r, _ := newGated(t, routing.Group{ID: "g", Policy: policy.Broadcast(1)})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "a", Groups: []string{"g"}, Status: "ready"}))
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "b", Groups: []string{"g"}, Status: "ready"}))
	c := must(r.Enqueue(ctx, routing.NewConversation{ID: "c", Group: "g"}))
	require.Equal(t, []string{"a"}, c.OfferedTo)
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("a"), "a", "offline"))
	c.Conversation = must(r.Conversation(ctx, "c"))
	require.Equal(t, store.Offered, c.State)
	require.Equal(t, []string{"b"}, c.OfferedTo)
}

// An outbound conversation that brings an operator to their cap withdraws
// their offers (R3, L8).
func TestR3_OutboundToCapWithdrawsOffers(t *testing.T) {
	ctx := context.Background()
	r, _ := newGated(t, routing.Group{ID: "g", Policy: policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1})})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Status: "ready"}))
	must(r.Enqueue(ctx, routing.NewConversation{ID: "c", Group: "g"}))
	must(r.StartOutbound(ctx, routing.ByOperator("x"), routing.NewConversation{ID: "o", Group: "g"}, "x"))
	c := must(r.Conversation(ctx, "c"))
	require.Equal(t, store.Queued, c.State)
	require.Empty(t, c.OfferedTo)
}

// After a policy change, offers the new policy would not make are withdrawn
// (R8).
func TestR8_SetPolicyWithdrawsStaleOffers(t *testing.T) {
	ctx := context.Background()
	r, _ := newGated(t, routing.Group{ID: "g", Policy: policy.Broadcast(0)})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Status: "can-help"}))
	c := must(r.Enqueue(ctx, routing.NewConversation{ID: "c", Group: "g"}))
	require.Equal(t, store.Offered, c.State)
	require.NoError(t, r.SetPolicy(ctx, routing.ByAdmin("admin"), "g", policy.LeastLoaded()))
	c.Conversation = must(r.Conversation(ctx, "c"))
	require.Equal(t, store.Queued, c.State)
	require.Empty(t, c.OfferedTo)
}

// Setting the status an operator already has changes nothing: no event,
// and the time in status keeps running (P1, P9).
func TestP1_SameStatusChangesNothing(t *testing.T) {
	ctx := context.Background()
	r, _ := newGated(t, routing.Group{ID: "g"})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"g"}, Status: "ready"}))
	before := must(r.Operator(ctx, "x"))
	sub := r.Subscribe()
	require.NoError(t, r.LogIn(ctx, routing.ByOperator("x"), "x"))
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("x"), "x", "ready"))
	require.Equal(t, before, must(r.Operator(ctx, "x")))
	select {
	case ev := <-sub.Events():
		t.Fatalf("unexpected event %v", ev)
	default:
	}
}

// must returns v, and panics (failing the test) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Setting a status the router's view believes current, while a change to
// another status is still on its way to the view, is not lost: the view is
// checked against the store first.
func TestP1_SameStatusCheckedAgainstTheStore(t *testing.T) {
	ctx := context.Background()
	r, st := newGated(t, routing.Group{ID: "g"})
	must(r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Status: "ready"}))
	must(r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"}))
	lateResult(t, st, func() error { return r.EndShift(ctx, routing.ByAdmin("boss"), "ann") }, func() {
		require.NoError(t, r.SetStatus(ctx, routing.ByAdmin("boss"), "ann", "ready"))
	})
	op := must(r.Operator(ctx, "ann"))
	require.Equal(t, "ready", op.Status)
	c := must(r.Conversation(ctx, "c1"))
	require.Equal(t, "ann", c.Assignee, "back on shift before redistribution: the conversation stays with her")
}

// TestL3_CustomerWritesAgainWhileWaitingOnThem: a customer writes (the
// wait level starts), the operator marks the conversation waiting on the
// customer without answering, and the customer writes again: it goes back
// to the operator, its wait level kept. The second write was refused with
// ErrInvalid: the unchanged deadlines were given without SetDeadlines.
func TestL3_CustomerWritesAgainWhileWaitingOnThem(t *testing.T) {
	s := newScenario(t, routing.Config{ManualDeadlines: true, Groups: []routing.Group{
		{ID: "support", WaitLevels: []routing.WaitLevel{{Name: "yellow", After: time.Minute}}},
	}})
	s.addOp("ann", presence.StatusReady, 0, "support")
	s.enqueue("c1", "support")
	_, err := s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	_, err = s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	c, err := s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Assigned, c.State)
	require.Equal(t, "ann", c.Assignee)
	_, ok := store.DeadlineOf(c.Deadlines, store.WaitLevel)
	require.True(t, ok, "the customer still waits for an answer")
}
