package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

var conversationTests = []plainTest{
	{"CreateConversation_Queued", testCreateQueued},
	{"CreateConversation_Assigned", testCreateAssigned},
	{"CreateConversation_Offered", testCreateOffered},
	{"CreateConversation_Invalid", testCreateInvalid},
	{"CreateConversation_Refused", testCreateRefused},
	{"Conversation_NotFound", testConversationNotFound},
	{"Conversations_Filter", testConversationsFilter},
	{"Seq_Increasing", testSeqIncreasing},
}

func testCreateQueued(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 1, "sales")
	in := store.Conversation{
		ID: "c1", Group: "sales", Channel: "telegram", CustomerID: "cu1", Priority: 3,
		Skills: []string{"en"}, Attributes: map[string]string{"site": "example.com"},
		State: store.Queued, LastOperator: "ann", LinkedTo: "c0", CreatedAt: at(1),
		AllBusyNotified: true,
		// Owned by the store: ignored.
		Seq: 99, Version: 99,
	}
	res, err := s.CreateConversation(bg, in, store.Require{AssigneeCap: 1, AssigneeStatuses: []string{}})
	require.NoError(t, err)
	require.Equal(t, store.Conversation{}, res.Before)
	require.Empty(t, res.Loads())
	require.Positive(t, res.Conversation.Seq)
	want := in
	want.EnqueuedAt, want.Seq, want.Version = at(1), res.Conversation.Seq, 1
	requireConv(t, want, res.Conversation)
	requireConv(t, want, getConv(t, s, "c1"))

	// A given EnqueuedAt is kept.
	in2 := queuedConv("c2", "sales", "", at(3))
	in2.EnqueuedAt = at(2)
	res2 := createConv(t, s, in2, store.Require{})
	require.Equal(t, at(2), res2.Conversation.EnqueuedAt.UTC())
	require.Greater(t, res2.Conversation.Seq, res.Conversation.Seq)
	require.Equal(t, int64(1), res2.Conversation.Version)

	// Creating queued conversations touches no operator.
	op := getOp(t, s, "ann")
	require.Equal(t, int64(1), op.Version)
	require.Zero(t, op.Load)
	prev, err := s.PreviousOperator(bg, "cu1")
	require.NoError(t, err)
	require.Empty(t, prev, "LastOperator given on create does not make a previous operator")
}

func testCreateAssigned(t *testing.T, s store.Store) {
	ann := createOp(t, s, "ann", ready, 2, "sales")
	in := assignedConv("c1", "sales", "cu1", "ann", at(4))
	in.LastOperator = "someone"
	res, err := s.CreateConversation(bg, in, store.Require{AssigneeStatuses: []string{ready}, AssigneeCap: 2})
	require.NoError(t, err)
	want := in
	want.EnqueuedAt, want.AssignedAt, want.LastOperator = at(4), at(4), "ann"
	want.Seq, want.Version = res.Conversation.Seq, 1
	requireConv(t, want, res.Conversation)
	requireConv(t, want, getConv(t, s, "c1"))

	ann.Load, ann.LastAssigned, ann.Version = 1, at(4), 2
	require.Equal(t, loadsOf(ann), res.Loads())
	requireOp(t, ann, getOp(t, s, "ann"))

	prev, err := s.PreviousOperator(bg, "cu1")
	require.NoError(t, err)
	require.Equal(t, "ann", prev)

	// Up to the cap.
	createConv(t, s, assignedConv("c2", "sales", "cu2", "ann", at(5)), store.Require{AssigneeCap: 2})
	requireLoads(t, s, "ann", 2)
	createFails(t, s, store.ErrOverCapacity, assignedConv("c3", "sales", "cu3", "ann", at(6)), store.Require{AssigneeCap: 2})
	// Zero means no limit, and the operator's own Cap is not the store's
	// business.
	createConv(t, s, assignedConv("c3", "sales", "cu3", "ann", at(6)), store.Require{})
	requireLoads(t, s, "ann", 3)
	require.Equal(t, int64(4), getOp(t, s, "ann").Version)
}

func testCreateOffered(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 1, "sales")
	createOp(t, s, "bob", help, 1, "sales")
	in := queuedConv("c1", "sales", "cu1", at(1))
	in.State, in.OfferedTo = store.Offered, []string{"bob", "ann"}
	res, err := s.CreateConversation(bg, in, store.Require{OfferStatuses: []string{ready, help}, AssigneeStatuses: []string{}})
	require.NoError(t, err)
	require.Empty(t, res.Loads())
	want := in
	want.EnqueuedAt, want.Seq, want.Version = at(1), res.Conversation.Seq, 1
	requireConv(t, want, res.Conversation)
	requireConv(t, want, getConv(t, s, "c1"))
	requireLoads(t, s, "ann", 0, "bob", 0)
	require.Equal(t, int64(1), getOp(t, s, "ann").Version)
	prev, err := s.PreviousOperator(bg, "cu1")
	require.NoError(t, err)
	require.Empty(t, prev)
}

func testCreateInvalid(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("taken", "sales", "", at(1)), store.Require{})
	with := func(f func(c *store.Conversation)) store.Conversation {
		c := queuedConv("c1", "sales", "cu1", at(1))
		f(&c)
		return c
	}
	cases := map[string]store.Conversation{
		"empty id":           with(func(c *store.Conversation) { c.ID = "" }),
		"empty group":        with(func(c *store.Conversation) { c.Group = "" }),
		"no state":           with(func(c *store.Conversation) { c.State = 0 }),
		"undefined state":    with(func(c *store.Conversation) { c.State = store.Closed + 1 }),
		"waiting":            with(func(c *store.Conversation) { c.State, c.Assignee = store.Waiting, "ann" }),
		"closed":             with(func(c *store.Conversation) { c.State = store.Closed }),
		"queued assignee":    with(func(c *store.Conversation) { c.Assignee = "ann" }),
		"assigned nobody":    with(func(c *store.Conversation) { c.State = store.Assigned }),
		"offered nobody":     with(func(c *store.Conversation) { c.State = store.Offered }),
		"queued offers":      with(func(c *store.Conversation) { c.OfferedTo = []string{"ann"} }),
		"zero creation time": with(func(c *store.Conversation) { c.CreatedAt = time.Time{} }),
		"empty offer": with(func(c *store.Conversation) {
			c.State, c.OfferedTo = store.Offered, []string{"ann", ""}
		}),
		"duplicate offer": with(func(c *store.Conversation) {
			c.State, c.OfferedTo = store.Offered, []string{"ann", "ann"}
		}),
		"invalid and taken": with(func(c *store.Conversation) { c.ID, c.Group = "taken", "" }),
		"invalid and unknown assignee": with(func(c *store.Conversation) {
			c.State, c.Assignee, c.CreatedAt = store.Assigned, "ghost", time.Time{}
		}),
	}
	for name, c := range cases {
		createFails(t, s, store.ErrInvalid, c, store.Require{}, name)
	}
	createFails(t, s, store.ErrInvalid, assignedConv("c1", "sales", "", "ann", at(1)), store.Require{AssigneeCap: -1}, "negative cap")
	_, err := s.Conversation(bg, "c1")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testCreateRefused(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createOp(t, s, "bob", away, 0, "sales")
	orig := createConv(t, s, assignedConv("c0", "sales", "cu0", "ann", at(1)), store.Require{}).Conversation

	createFails(t, s, store.ErrAlreadyExists, queuedConv("c0", "support", "cu9", at(2)), store.Require{})
	requireConv(t, orig, getConv(t, s, "c0"))

	createFails(t, s, store.ErrNotFound, assignedConv("c1", "sales", "cu1", "ghost", at(2)), store.Require{})
	createFails(t, s, store.ErrNotAllowed, assignedConv("c1", "sales", "cu1", "bob", at(2)),
		store.Require{AssigneeStatuses: []string{ready}})
	createFails(t, s, store.ErrNotAllowed, assignedConv("c1", "sales", "cu1", "ann", at(2)),
		store.Require{AssigneeStatuses: []string{}}, "an empty, non-nil list allows nobody")
	createFails(t, s, store.ErrOverCapacity, assignedConv("c1", "sales", "cu1", "ann", at(2)),
		store.Require{AssigneeCap: 1})
	createFails(t, s, store.ErrNotAllowed, assignedConv("c1", "sales", "cu1", "ann", at(2)),
		store.Require{AssigneeStatuses: []string{away}, AssigneeCap: 1}, "status is checked before the cap")

	offered := func(ops ...string) store.Conversation {
		c := queuedConv("c1", "sales", "cu1", at(2))
		c.State, c.OfferedTo = store.Offered, ops
		return c
	}
	createFails(t, s, store.ErrNotFound, offered("ann", "ghost"), store.Require{})
	createFails(t, s, store.ErrNotAllowed, offered("ann", "bob"), store.Require{OfferStatuses: []string{ready}})
	createFails(t, s, store.ErrNotAllowed, offered("ann"), store.Require{OfferStatuses: []string{}})
	createFails(t, s, store.ErrNotFound, offered("ghost", "bob"), store.Require{OfferStatuses: []string{ready}},
		"offers are checked in order")

	// Offer requirements do not apply to an assignee, nor assignee
	// requirements to offers.
	createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(3)), store.Require{OfferStatuses: []string{}})
	toBob := offered("bob")
	toBob.ID = "c2"
	createConv(t, s, toBob, store.Require{AssigneeStatuses: []string{}, AssigneeCap: 1})
	requireLoads(t, s, "ann", 2, "bob", 0)
}

func testConversationNotFound(t *testing.T, s store.Store) {
	convs, err := s.Conversations(bg, store.Filter{})
	require.NoError(t, err)
	require.Empty(t, convs)
	_, err = s.Conversation(bg, "ghost")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Conversation(bg, "")
	require.ErrorIs(t, err, store.ErrInvalid)
	createConv(t, s, queuedConv("c1", "sales", "", at(1)), store.Require{})
	_, err = s.Conversation(bg, "C1")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testConversationsFilter(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales", "support")
	createOp(t, s, "bob", ready, 0, "sales", "support")
	createConv(t, s, queuedConv("q1", "sales", "", at(1)), store.Require{})
	createConv(t, s, assignedConv("a1", "sales", "", "ann", at(2)), store.Require{})
	createConv(t, s, queuedConv("q2", "support", "", at(3)), store.Require{})
	createConv(t, s, assignedConv("a2", "support", "", "bob", at(4)), store.Require{})
	createConv(t, s, assignedConv("w1", "support", "", "ann", at(5)), store.Require{})
	apply(t, s, store.Change{Conversation: "w1", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(6)})
	createConv(t, s, queuedConv("x1", "sales", "", at(7)), store.Require{})
	apply(t, s, store.Change{Conversation: "x1", From: []store.State{store.Queued}, To: store.Closed, At: at(8)})

	ids := func(f store.Filter) []string {
		t.Helper()
		return filterIDs(t, s, f)
	}
	require.Equal(t, []string{"q1", "a1", "q2", "a2", "w1", "x1"}, ids(store.Filter{}))
	require.Equal(t, []string{"q1", "a1", "x1"}, ids(store.Filter{Group: "sales"}))
	require.Equal(t, []string{"q1", "q2"}, ids(store.Filter{States: []store.State{store.Queued}}))
	require.Equal(t, []string{"a1", "a2", "w1"}, ids(store.Filter{States: []store.State{store.Assigned, store.Waiting}}))
	require.Equal(t, []string{"a1", "w1"}, ids(store.Filter{Assignee: "ann"}))
	require.Equal(t, []string{"w1"}, ids(store.Filter{Assignee: "ann", Group: "support"}))
	require.Equal(t, []string{"a1"}, ids(store.Filter{Assignee: "ann", States: []store.State{store.Assigned}}))
	require.Equal(t, []string{"x1"}, ids(store.Filter{States: []store.State{store.Closed}}))
	require.Equal(t, []string{"q2"}, ids(store.Filter{Group: "support", States: []store.State{store.Queued, store.Offered}}))
	require.Empty(t, ids(store.Filter{Group: "vip"}))
	require.Empty(t, ids(store.Filter{Assignee: "ghost"}))
	require.Empty(t, ids(store.Filter{States: []store.State{store.Offered}}))
	require.Empty(t, ids(store.Filter{Assignee: "bob", Group: "sales"}))
}

func testSeqIncreasing(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	var last uint64
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		seq := createConv(t, s, queuedConv(id, "sales", "", at(1)), store.Require{}).Conversation.Seq
		require.Greater(t, seq, last)
		last = seq
	}
	// Changes without Requeue keep the Seq, a requeue takes a new one.
	c2 := getConv(t, s, "c2")
	res := apply(t, s, store.Change{Conversation: "c2", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: at(2)})
	require.Equal(t, c2.Seq, res.Conversation.Seq)
	res = apply(t, s, store.Change{Conversation: "c2", From: []store.State{store.Assigned}, To: store.Queued, At: at(3)})
	require.Equal(t, c2.Seq, res.Conversation.Seq)
	res = apply(t, s, store.Change{Conversation: "c2", From: []store.State{store.Queued}, To: store.Queued, Requeue: true, At: at(4)})
	require.Greater(t, res.Conversation.Seq, last)
	require.Equal(t, at(4), res.Conversation.EnqueuedAt.UTC())
	last = res.Conversation.Seq
	require.Equal(t, last, getConv(t, s, "c2").Seq)

	c5 := createConv(t, s, queuedConv("c5", "sales", "", at(5)), store.Require{}).Conversation
	require.Greater(t, c5.Seq, last)

	convs, err := s.Conversations(bg, store.Filter{})
	require.NoError(t, err)
	var ids []string
	for i, c := range convs {
		if i > 0 {
			require.Greater(t, c.Seq, convs[i-1].Seq)
		}
		ids = append(ids, c.ID)
	}
	require.Equal(t, []string{"c1", "c3", "c4", "c2", "c5"}, ids)
}
