package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

var applyTests = []plainTest{
	{"Apply_QueuedOfferedAssigned", testApplyOfferThenClaim},
	{"Apply_AssignedWaitingAssigned", testApplyWaiting},
	{"Apply_Requeue", testApplyRequeue},
	{"Apply_Transfer", testApplyTransfer},
	{"Apply_Close", testApplyClose},
	{"Apply_MarkAllBusy", testApplyMarkAllBusy},
	{"Apply_Invalid", testApplyInvalid},
	{"Apply_From", testApplyFrom},
	{"Apply_AssigneeAndVersion", testApplyAssigneeAndVersion},
	{"Apply_Require", testApplyRequire},
}

// Source-state sets used by the examples.
var (
	fromQueue = []store.State{store.Queued, store.Offered}
	fromOpen  = []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}
	fromHeld  = []store.State{store.Assigned, store.Waiting}
)

func testApplyOfferThenClaim(t *testing.T, s store.Store) {
	ann := createOp(t, s, "ann", ready, 2, "sales")
	bob := createOp(t, s, "bob", help, 2, "sales")
	createOp(t, s, "cid", away, 2, "sales")
	queued := createConv(t, s, queuedConv("c1", "sales", "cu1", at(1)), store.Require{}).Conversation

	// Offer to two operators.
	res := apply(t, s, store.Change{
		Conversation: "c1", From: []store.State{store.Queued}, To: store.Offered,
		Offers: []string{"ann", "bob"}, Require: store.Require{OfferStatuses: []string{ready, help}}, At: at(2),
	})
	requireConv(t, queued, res.Before)
	offered := queued
	offered.State, offered.OfferedTo, offered.Version = store.Offered, []string{"ann", "bob"}, 2
	requireConv(t, offered, res.Conversation)
	requireConv(t, offered, getConv(t, s, "c1"))
	require.Empty(t, res.Loads())
	requireOp(t, ann, getOp(t, s, "ann"))
	requireOp(t, bob, getOp(t, s, "bob"))

	// Offers are checked: cid is away.
	applyFails(t, s, store.ErrNotAllowed, store.Change{
		Conversation: "c1", From: fromQueue, To: store.Offered,
		Offers: []string{"ann", "cid"}, Require: store.Require{OfferStatuses: []string{ready, help}}, At: at(3),
	})

	// Bob takes it.
	claim := func(op string, min int) store.Change {
		return store.Change{
			Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: op,
			Require: store.Require{AssigneeStatuses: []string{ready, help}, AssigneeCap: 2}, At: at(min),
		}
	}
	res = apply(t, s, claim("bob", 4))
	requireConv(t, offered, res.Before)
	assigned := offered
	assigned.State, assigned.Assignee, assigned.OfferedTo = store.Assigned, "bob", nil
	assigned.AssignedAt, assigned.LastOperator, assigned.Version = at(4), "bob", 3
	requireConv(t, assigned, res.Conversation)
	requireConv(t, assigned, getConv(t, s, "c1"))
	bob.Load, bob.LastAssigned, bob.Version = 1, at(4), 2
	require.Equal(t, loadsOf(bob), res.Loads())
	requireOp(t, bob, getOp(t, s, "bob"))
	requireOp(t, ann, getOp(t, s, "ann"))
	requireLoads(t, s, "ann", 0, "bob", 1, "cid", 0)
	prev, err := s.PreviousOperator(bg, "cu1")
	require.NoError(t, err)
	require.Equal(t, "bob", prev)

	// Ann is too late.
	applyFails(t, s, store.ErrAlreadyTaken, claim("ann", 5))
	// The offers were withdrawn: ann can leave.
	require.NoError(t, s.DeleteOperator(bg, "ann"))
}

func testApplyWaiting(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 1, "sales")
	c1 := createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(1)), store.Require{AssigneeCap: 1}).Conversation
	ann := getOp(t, s, "ann")
	require.Equal(t, 1, ann.Load)

	// Assigned -> Waiting: the load drops, the assignee stays.
	res := apply(t, s, store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, Assignee: "ann",
		To: store.Waiting, NewAssignee: "ann", At: at(2),
	})
	waiting := c1
	waiting.State, waiting.Version = store.Waiting, 2
	requireConv(t, c1, res.Before)
	requireConv(t, waiting, res.Conversation)
	ann.Load, ann.Version = 0, ann.Version+1
	require.Equal(t, loadsOf(ann), res.Loads())
	requireOp(t, ann, getOp(t, s, "ann"))
	requireLoads(t, s, "ann", 0)

	// The freed slot takes another conversation.
	createConv(t, s, assignedConv("c2", "sales", "cu2", "ann", at(3)), store.Require{AssigneeCap: 1})
	requireLoads(t, s, "ann", 1)

	// Back to Assigned adds to the load again, so the cap is checked.
	back := store.Change{
		Conversation: "c1", From: []store.State{store.Waiting}, Assignee: "ann",
		To: store.Assigned, NewAssignee: "ann", Require: store.Require{AssigneeCap: 1}, At: at(4),
	}
	applyFails(t, s, store.ErrOverCapacity, back)
	apply(t, s, store.Change{Conversation: "c2", From: []store.State{store.Assigned}, To: store.Closed, At: at(5)})
	requireLoads(t, s, "ann", 0)
	ann = getOp(t, s, "ann")

	back.At = at(6)
	res = apply(t, s, back)
	assigned := waiting
	assigned.State, assigned.Version = store.Assigned, 3 // AssignedAt stays at(1): same assignee
	requireConv(t, assigned, res.Conversation)
	requireConv(t, assigned, getConv(t, s, "c1"))
	ann.Load, ann.LastAssigned, ann.Version = 1, at(6), ann.Version+1
	require.Equal(t, loadsOf(ann), res.Loads())
	requireOp(t, ann, getOp(t, s, "ann"))
	requireLoads(t, s, "ann", 1)

	// Assigned -> Assigned to the same operator adds nothing: no cap check
	// (ann is at the cap), no operator row changes, but the status is
	// still checked.
	res = apply(t, s, store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann",
		Require: store.Require{AssigneeStatuses: []string{ready}, AssigneeCap: 1}, At: at(7),
	})
	require.Empty(t, res.Loads())
	assigned.Version = 4
	requireConv(t, assigned, res.Conversation)
	requireOp(t, ann, getOp(t, s, "ann"))
	applyFails(t, s, store.ErrNotAllowed, store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann",
		Require: store.Require{AssigneeStatuses: []string{away}}, At: at(8),
	})

	// Waiting with an assignee at cap is fine too: no load is added.
	res = apply(t, s, store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann",
		Require: store.Require{AssigneeCap: 1}, At: at(9),
	})
	require.Equal(t, store.Waiting, res.Conversation.State)
	requireLoads(t, s, "ann", 0)
}

func testApplyRequeue(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	c1 := createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(1)), store.Require{}).Conversation
	c2 := createConv(t, s, queuedConv("c2", "sales", "cu2", at(2)), store.Require{}).Conversation
	ann := getOp(t, s, "ann")

	res := apply(t, s, store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, To: store.Queued, Requeue: true, At: at(5),
	})
	require.Greater(t, res.Conversation.Seq, c2.Seq)
	queued := c1
	queued.State, queued.Assignee, queued.EnqueuedAt = store.Queued, "", at(5)
	queued.Seq, queued.Version = res.Conversation.Seq, 2 // AssignedAt, LastOperator kept
	requireConv(t, queued, res.Conversation)
	requireConv(t, queued, getConv(t, s, "c1"))
	ann.Load, ann.Version = 0, ann.Version+1
	require.Equal(t, loadsOf(ann), res.Loads())
	requireLoads(t, s, "ann", 0)

	inQueue, err := s.Conversations(bg, store.Filter{States: fromQueue})
	require.NoError(t, err)
	require.Len(t, inQueue, 2)
	require.Equal(t, "c2", inQueue[0].ID)
	require.Equal(t, "c1", inQueue[1].ID)

	// Without Requeue the wait goes on.
	apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(6)})
	res = apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Offered, Offers: []string{"ann"}, At: at(7)})
	require.Equal(t, queued.Seq, res.Conversation.Seq)
	require.Equal(t, at(5), res.Conversation.EnqueuedAt.UTC())
	require.Equal(t, at(6), res.Conversation.AssignedAt.UTC())
	requireLoads(t, s, "ann", 0)

	// Requeue into Offered, too.
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Offered, Offers: []string{"ann"}, Requeue: true, At: at(8)})
	require.Greater(t, res.Conversation.Seq, queued.Seq)
	require.Equal(t, at(8), res.Conversation.EnqueuedAt.UTC())
}

func testApplyTransfer(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 2, "sales")
	createOp(t, s, "bob", ready, 2, "sales", "support")
	createOp(t, s, "cid", away, 2, "support")
	c1 := createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(1)), store.Require{}).Conversation
	ann, bob := getOp(t, s, "ann"), getOp(t, s, "bob")

	// To another operator: ann loses one, bob gains one.
	transfer := store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, Assignee: "ann", To: store.Assigned, NewAssignee: "bob",
		Require: store.Require{AssigneeStatuses: []string{ready}, AssigneeCap: 2}, At: at(2),
	}
	res := apply(t, s, transfer)
	requireConv(t, c1, res.Before)
	moved := c1
	moved.Assignee, moved.AssignedAt, moved.LastOperator, moved.Version = "bob", at(2), "bob", 2
	requireConv(t, moved, res.Conversation)
	requireConv(t, moved, getConv(t, s, "c1"))
	ann.Load, ann.Version = 0, ann.Version+1
	bob.Load, bob.LastAssigned, bob.Version = 1, at(2), bob.Version+1
	require.Equal(t, loadsOf(ann, bob), res.Loads())
	requireOp(t, ann, getOp(t, s, "ann"))
	requireOp(t, bob, getOp(t, s, "bob"))
	requireLoads(t, s, "ann", 0, "bob", 1, "cid", 0)
	prev, err := s.PreviousOperator(bg, "cu1")
	require.NoError(t, err)
	require.Equal(t, "bob", prev)

	// Not to an operator whose status refuses transfers, nor from the
	// wrong holder.
	applyFails(t, s, store.ErrNotAllowed, store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, Assignee: "bob", To: store.Assigned, NewAssignee: "cid",
		Require: store.Require{AssigneeStatuses: []string{ready}}, At: at(3),
	})
	applyFails(t, s, store.ErrNotAssignee, transfer)

	// To an operator in another group, moving the conversation there.
	res = apply(t, s, store.Change{
		Conversation: "c1", From: []store.State{store.Assigned}, Assignee: "bob", To: store.Assigned, NewAssignee: "cid",
		Group: "support", At: at(4),
	})
	require.Equal(t, "support", res.Conversation.Group)
	require.Equal(t, "cid", res.Conversation.Assignee)
	requireLoads(t, s, "ann", 0, "bob", 0, "cid", 1)

	// To another group's queue: nobody holds it any more.
	res = apply(t, s, store.Change{
		Conversation: "c1", From: fromHeld, Assignee: "cid", To: store.Queued, Group: "sales", Requeue: true, At: at(5),
	})
	require.Equal(t, "sales", res.Conversation.Group)
	require.Equal(t, store.Queued, res.Conversation.State)
	require.Empty(t, res.Conversation.Assignee)
	require.Equal(t, "cid", res.Conversation.LastOperator)
	requireLoads(t, s, "ann", 0, "bob", 0, "cid", 0)

	// A waiting conversation changes hands without touching loads.
	createConv(t, s, assignedConv("c2", "sales", "cu2", "ann", at(6)), store.Require{})
	apply(t, s, store.Change{Conversation: "c2", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(7)})
	ann, bob = getOp(t, s, "ann"), getOp(t, s, "bob")
	res = apply(t, s, store.Change{
		Conversation: "c2", From: []store.State{store.Waiting}, To: store.Waiting, NewAssignee: "bob", Require: store.Require{AssigneeCap: 1}, At: at(8),
	})
	require.Empty(t, res.Loads())
	require.Equal(t, "bob", res.Conversation.Assignee)
	require.Equal(t, at(8), res.Conversation.AssignedAt.UTC())
	requireOp(t, ann, getOp(t, s, "ann"))
	requireOp(t, bob, getOp(t, s, "bob"))
	prev, err = s.PreviousOperator(bg, "cu2")
	require.NoError(t, err)
	require.Equal(t, "bob", prev)

	// Assigned to ann, then handed to bob as waiting: ann loses, bob gains
	// nothing.
	createConv(t, s, assignedConv("c3", "sales", "cu3", "ann", at(9)), store.Require{})
	requireLoads(t, s, "ann", 1, "bob", 0)
	res = apply(t, s, store.Change{Conversation: "c3", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "bob", At: at(10)})
	require.Len(t, res.Loads(), 1)
	require.Equal(t, "ann", res.Loads()[0].Operator)
	requireLoads(t, s, "ann", 0, "bob", 0)
}

func testApplyClose(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("q", "sales", "cu1", at(1)), store.Require{})
	o := queuedConv("o", "sales", "cu2", at(1))
	o.State, o.OfferedTo = store.Offered, []string{"ann"}
	createConv(t, s, o, store.Require{})
	createConv(t, s, assignedConv("a", "sales", "cu3", "ann", at(1)), store.Require{})
	createConv(t, s, assignedConv("w", "sales", "cu4", "ann", at(1)), store.Require{})
	apply(t, s, store.Change{Conversation: "w", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(2)})
	requireLoads(t, s, "ann", 1)

	for i, id := range []string{"q", "o", "w", "a"} {
		before := getConv(t, s, id)
		annBefore := getOp(t, s, "ann")
		res := apply(t, s, store.Change{Conversation: id, From: fromOpen, To: store.Closed, CloseReason: "resolved " + id, At: at(10 + i)})
		want := before
		want.State, want.Assignee, want.OfferedTo = store.Closed, "", nil
		want.ClosedAt, want.CloseReason, want.Version = at(10+i), "resolved "+id, before.Version+1
		requireConv(t, before, res.Before)
		requireConv(t, want, res.Conversation)
		requireConv(t, want, getConv(t, s, id))
		if id == "a" {
			annBefore.Load, annBefore.Version = 0, annBefore.Version+1
			require.Equal(t, loadsOf(annBefore), res.Loads())
		} else {
			require.Empty(t, res.Loads(), id)
		}
		requireOp(t, annBefore, getOp(t, s, "ann"))
	}
	requireLoads(t, s, "ann", 0)
	require.Equal(t, "ann", getConv(t, s, "a").LastOperator)

	// Closed is final.
	applyFails(t, s, store.ErrWrongState, store.Change{Conversation: "a", From: fromOpen, To: store.Closed, At: at(20)})
	applyFails(t, s, store.ErrWrongState, store.Change{Conversation: "a", From: []store.State{store.Closed}, To: store.Closed, At: at(20)})
	applyFails(t, s, store.ErrWrongState, store.Change{Conversation: "a", From: []store.State{store.Closed}, To: store.Queued, Requeue: true, At: at(20)})
	applyFails(t, s, store.ErrWrongState, store.Change{Conversation: "a", From: []store.State{store.Closed}, To: store.Assigned, NewAssignee: "ann", At: at(20)})
	require.NoError(t, s.DeleteOperator(bg, "ann"))
}

func testApplyMarkAllBusy(t *testing.T, s store.Store) {
	c := createConv(t, s, queuedConv("c1", "sales", "", at(1)), store.Require{}).Conversation
	res := apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Queued, MarkAllBusy: true, At: at(2)})
	want := c
	want.AllBusyNotified, want.Version = true, 2
	requireConv(t, want, res.Conversation)
	requireConv(t, want, getConv(t, s, "c1"))
	// It stays set, and CloseReason is stored with a close only.
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Queued, CloseReason: "ignored", At: at(3)})
	want.Version = 3
	requireConv(t, want, res.Conversation)
}

func testApplyInvalid(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("c1", "sales", "", at(1)), store.Require{})
	valid := store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: at(2)}
	with := func(f func(ch *store.Change)) store.Change {
		ch := valid
		f(&ch)
		return ch
	}
	cases := map[string]store.Change{
		"empty conversation":  with(func(ch *store.Change) { ch.Conversation = "" }),
		"no source state":     with(func(ch *store.Change) { ch.From = nil }),
		"undefined source":    with(func(ch *store.Change) { ch.From = []store.State{store.Queued, 0} }),
		"source past closed":  with(func(ch *store.Change) { ch.From = []store.State{store.Closed + 1} }),
		"no target":           with(func(ch *store.Change) { ch.To = 0 }),
		"undefined target":    with(func(ch *store.Change) { ch.To = store.Closed + 1 }),
		"held, no assignee":   with(func(ch *store.Change) { ch.NewAssignee = "" }),
		"waiting, no one":     with(func(ch *store.Change) { ch.To, ch.NewAssignee = store.Waiting, "" }),
		"queued, assignee":    with(func(ch *store.Change) { ch.To = store.Queued }),
		"offered, no offers":  with(func(ch *store.Change) { ch.To, ch.NewAssignee = store.Offered, "" }),
		"assigned, offers":    with(func(ch *store.Change) { ch.Offers = []string{"ann"} }),
		"requeue, assigned":   with(func(ch *store.Change) { ch.Requeue = true }),
		"requeue, closed":     with(func(ch *store.Change) { ch.To, ch.NewAssignee, ch.Requeue = store.Closed, "", true }),
		"zero time":           with(func(ch *store.Change) { ch.At = time.Time{} }),
		"negative cap":        with(func(ch *store.Change) { ch.Require.AssigneeCap = -1 }),
		"empty offer":         with(func(ch *store.Change) { ch.To, ch.NewAssignee, ch.Offers = store.Offered, "", []string{"ann", ""} }),
		"duplicate offer":     with(func(ch *store.Change) { ch.To, ch.NewAssignee, ch.Offers = store.Offered, "", []string{"ann", "ann"} }),
		"invalid and unknown": with(func(ch *store.Change) { ch.Conversation, ch.At = "ghost", time.Time{} }),
	}
	for name, ch := range cases {
		applyFails(t, s, store.ErrInvalid, ch, name)
	}
	applyFails(t, s, store.ErrNotFound, with(func(ch *store.Change) { ch.Conversation = "ghost" }))
	apply(t, s, valid)
}

func testApplyFrom(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("q", "sales", "", at(1)), store.Require{})
	createConv(t, s, assignedConv("a", "sales", "", "ann", at(1)), store.Require{})
	createConv(t, s, assignedConv("w", "sales", "", "ann", at(1)), store.Require{})
	apply(t, s, store.Change{Conversation: "w", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(2)})
	createConv(t, s, queuedConv("x", "sales", "", at(1)), store.Require{})
	apply(t, s, store.Change{Conversation: "x", From: []store.State{store.Queued}, To: store.Closed, At: at(2)})
	take := func(id string, from ...store.State) store.Change {
		return store.Change{Conversation: id, From: from, To: store.Assigned, NewAssignee: "ann", At: at(3)}
	}
	// Held by someone and From lists no held state: already taken.
	applyFails(t, s, store.ErrAlreadyTaken, take("a", store.Queued, store.Offered))
	applyFails(t, s, store.ErrAlreadyTaken, take("w", store.Queued))
	applyFails(t, s, store.ErrAlreadyTaken, take("a", store.Closed))
	// Otherwise the wrong state.
	applyFails(t, s, store.ErrWrongState, take("a", store.Waiting))
	applyFails(t, s, store.ErrWrongState, take("w", store.Assigned, store.Offered))
	applyFails(t, s, store.ErrWrongState, take("q", store.Assigned, store.Waiting))
	applyFails(t, s, store.ErrWrongState, take("q", store.Offered))
	applyFails(t, s, store.ErrWrongState, take("x", store.Queued, store.Offered))
	applyFails(t, s, store.ErrWrongState, take("x", store.Assigned))
	// The state is checked before the other preconditions.
	ch := take("a", store.Queued)
	ch.Assignee, ch.Version = "bob", 99
	applyFails(t, s, store.ErrAlreadyTaken, ch)
	ch = take("q", store.Offered)
	ch.Assignee, ch.Version, ch.NewAssignee = "bob", 99, "ghost"
	applyFails(t, s, store.ErrWrongState, ch)

	apply(t, s, take("w", store.Waiting))
	apply(t, s, take("q", store.Queued, store.Waiting))
}

func testApplyAssigneeAndVersion(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createOp(t, s, "bob", ready, 0, "sales")
	createConv(t, s, assignedConv("a", "sales", "", "ann", at(1)), store.Require{})
	createConv(t, s, queuedConv("q", "sales", "", at(1)), store.Require{})

	release := func(id, assignee string, version int64) store.Change {
		return store.Change{Conversation: id, From: fromOpen, Assignee: assignee, Version: version, To: store.Queued, At: at(2)}
	}
	applyFails(t, s, store.ErrNotAssignee, release("a", "bob", 0))
	applyFails(t, s, store.ErrNotAssignee, release("q", "ann", 0), "nobody holds it")
	applyFails(t, s, store.ErrNotAssignee, release("a", "bob", 7), "assignee before version")
	applyFails(t, s, store.ErrConflict, release("a", "ann", 2))
	applyFails(t, s, store.ErrConflict, release("q", "", 2))
	applyFails(t, s, store.ErrConflict, store.Change{Conversation: "a", From: fromOpen, Version: 3, To: store.Assigned, NewAssignee: "ghost", At: at(2)},
		"version before the assignee's existence")

	res := apply(t, s, release("a", "ann", 1))
	require.Equal(t, int64(2), res.Conversation.Version)
	applyFails(t, s, store.ErrConflict, release("a", "", 1), "the version moved on")
	res = apply(t, s, store.Change{Conversation: "a", From: fromQueue, Version: 2, To: store.Assigned, NewAssignee: "bob", At: at(3)})
	require.Equal(t, int64(3), res.Conversation.Version)
	requireLoads(t, s, "ann", 0, "bob", 1)
}

func testApplyRequire(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createOp(t, s, "bob", away, 0, "sales")
	createConv(t, s, assignedConv("busy", "sales", "", "ann", at(1)), store.Require{})
	createConv(t, s, queuedConv("q", "sales", "", at(1)), store.Require{})

	claim := func(op string, req store.Require) store.Change {
		return store.Change{Conversation: "q", From: fromQueue, To: store.Assigned, NewAssignee: op, Require: req, At: at(2)}
	}
	offer := func(req store.Require, ops ...string) store.Change {
		return store.Change{Conversation: "q", From: fromQueue, To: store.Offered, Offers: ops, Require: req, At: at(2)}
	}
	applyFails(t, s, store.ErrNotFound, claim("ghost", store.Require{}))
	applyFails(t, s, store.ErrNotAllowed, claim("bob", store.Require{AssigneeStatuses: []string{ready, help}}))
	applyFails(t, s, store.ErrNotAllowed, claim("ann", store.Require{AssigneeStatuses: []string{}}), "an empty, non-nil list allows nobody")
	applyFails(t, s, store.ErrOverCapacity, claim("ann", store.Require{AssigneeCap: 1}))
	applyFails(t, s, store.ErrNotAllowed, claim("ann", store.Require{AssigneeStatuses: []string{away}, AssigneeCap: 1}), "status before cap")
	applyFails(t, s, store.ErrNotFound, offer(store.Require{}, "ann", "ghost"))
	applyFails(t, s, store.ErrNotAllowed, offer(store.Require{OfferStatuses: []string{ready}}, "ann", "bob"))
	applyFails(t, s, store.ErrNotAllowed, offer(store.Require{OfferStatuses: []string{}}, "ann"))
	applyFails(t, s, store.ErrNotFound, offer(store.Require{OfferStatuses: []string{ready}}, "ghost", "bob"), "offers in order")

	// Requirements on one side do not apply to the other.
	apply(t, s, offer(store.Require{AssigneeStatuses: []string{}, AssigneeCap: 1}, "bob", "ann"))
	// Zero cap means no limit.
	apply(t, s, claim("ann", store.Require{OfferStatuses: []string{}, AssigneeStatuses: []string{ready}}))
	requireLoads(t, s, "ann", 2, "bob", 0)

	// At the cap exactly, over it, and below it.
	createConv(t, s, queuedConv("q2", "sales", "", at(3)), store.Require{})
	ch := claim("ann", store.Require{AssigneeCap: 2})
	ch.Conversation = "q2"
	applyFails(t, s, store.ErrOverCapacity, ch)
	ch.Require.AssigneeCap = 3
	apply(t, s, ch)
	requireLoads(t, s, "ann", 3)
}
