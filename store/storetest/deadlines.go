package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// deadlineTests check that deadlines are stored with their conversation.
var deadlineTests = []plainTest{
	{"Deadlines_StoredWithConversation", testDeadlinesStored},
	{"Deadlines_Invalid", testDeadlinesInvalid},
	{"Apply_AddMissed", testAddMissed},
	{"Operators_Deadlines", testOperatorDeadlines},
	{"Deadlines_FollowTheState", testDeadlinesFollowState},
	{"Deadlines_WaitingForAnOperator", testDeadlinesWaitingForAnOperator},
}

func testDeadlinesFollowState(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	accept := store.Deadline{Kind: store.AcceptTimeout, Due: at(5)}
	wait := store.Deadline{Kind: store.WaitLevel, Due: at(2)}
	c := assignedConv("c1", "sales", "", "ann", at(0))
	c.Deadlines = []store.Deadline{accept, wait}
	createConv(t, s, c, store.Require{})
	expiry := store.Deadline{Kind: store.WaitingExpiry, Due: at(60)}
	// Waiting: no accept timeout any more; the expiry may be set.
	res := apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann",
		SetDeadlines: true, Deadlines: []store.Deadline{accept, wait, expiry}, At: at(1)})
	require.Equal(t, []store.Deadline{wait, expiry}, normConv(res.Conversation).Deadlines)
	// Queued again: the waiting expiry goes too.
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Waiting}, To: store.Queued, At: at(2)})
	require.Equal(t, []store.Deadline{wait}, normConv(res.Conversation).Deadlines)
	// A queued conversation is created without an accept timeout.
	q := queuedConv("c2", "sales", "", at(3))
	q.Deadlines = []store.Deadline{accept}
	require.Empty(t, createConv(t, s, q, store.Require{}).Conversation.Deadlines)
}

func testAddMissed(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, assignedConv("c1", "sales", "", "ann", at(0)), store.Require{})
	res := apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Queued, AddMissed: []string{"ann"}, At: at(1)})
	require.Equal(t, []string{"ann"}, res.Conversation.MissedBy)
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Queued, AddMissed: []string{"bob", "ann"}, At: at(2)})
	require.Equal(t, []string{"ann", "bob"}, res.Conversation.MissedBy)
	requireConv(t, res.Conversation, getConv(t, s, "c1"))
	applyFails(t, s, store.ErrInvalid, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Queued, AddMissed: []string{""}, At: at(3)})
}

func testDeadlinesStored(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	level := store.Deadline{Kind: store.WaitLevel, Due: at(2), Level: 0}
	in := queuedConv("c1", "sales", "", at(0))
	in.Deadlines = []store.Deadline{level}
	res := createConv(t, s, in, store.Require{})
	require.Equal(t, []store.Deadline{level}, normConv(res.Conversation).Deadlines)
	require.Equal(t, []store.Deadline{level}, normConv(getConv(t, s, "c1")).Deadlines)

	// A change without SetDeadlines keeps them.
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: at(1)})
	require.Equal(t, []store.Deadline{level}, normConv(res.Conversation).Deadlines)

	// SetDeadlines replaces them, also with none.
	next := []store.Deadline{{Kind: store.WaitLevel, Due: at(5), Level: 1}, {Kind: store.AcceptTimeout, Due: at(3)}}
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann", SetDeadlines: true, Deadlines: next, At: at(2)})
	require.Equal(t, next, normConv(res.Conversation).Deadlines)
	requireConv(t, res.Conversation, getConv(t, s, "c1"))
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann", SetDeadlines: true, At: at(3)})
	require.Empty(t, res.Conversation.Deadlines)

	// DropDeadlines removes the kinds named, keeping the others.
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann", SetDeadlines: true, Deadlines: next, At: at(3)})
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann", DropDeadlines: []store.DeadlineKind{store.AcceptTimeout, store.AutoClose}, At: at(3)})
	require.Equal(t, next[:1], normConv(res.Conversation).Deadlines)
	applyFails(t, s, store.ErrInvalid, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann", DropDeadlines: []store.DeadlineKind{0}, At: at(3)})

	// Closing drops them.
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann", SetDeadlines: true, Deadlines: next, At: at(4)})
	require.Len(t, res.Conversation.Deadlines, 2)
	res = apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Closed, SetDeadlines: true, Deadlines: next, At: at(5)})
	require.Empty(t, res.Conversation.Deadlines)
	require.Empty(t, getConv(t, s, "c1").Deadlines)

	// Rows returned and rows given share no deadlines with the store.
	in2 := queuedConv("c2", "sales", "", at(6))
	in2.Deadlines = []store.Deadline{level}
	res = createConv(t, s, in2, store.Require{})
	in2.Deadlines[0].Level = 7
	res.Conversation.Deadlines[0].Level = 8
	require.Equal(t, []store.Deadline{level}, normConv(getConv(t, s, "c2")).Deadlines)
}

func testDeadlinesInvalid(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("c1", "sales", "", at(0)), store.Require{})
	bad := map[string][]store.Deadline{
		"unknown kind":    {{Kind: 0, Due: at(1)}},
		"zero due":        {{Kind: store.AutoClose}},
		"level elsewhere": {{Kind: store.AutoClose, Due: at(1), Level: 2}},
		"negative level":  {{Kind: store.WaitLevel, Due: at(1), Level: -1}},
		"two of a kind":   {{Kind: store.WaitLevel, Due: at(1)}, {Kind: store.WaitLevel, Due: at(2), Level: 1}},
	}
	for name, ds := range bad {
		c := queuedConv("c2", "sales", "", at(0))
		c.Deadlines = ds
		createFails(t, s, store.ErrInvalid, c, store.Require{}, name)
		applyFails(t, s, store.ErrInvalid, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Queued, SetDeadlines: true, Deadlines: ds, At: at(1)}, name)
	}
	applyFails(t, s, store.ErrInvalid, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Queued, Deadlines: []store.Deadline{{Kind: store.AutoClose, Due: at(1)}}, At: at(1)}, "deadlines without SetDeadlines")
}

func testOperatorDeadlines(t *testing.T, s store.Store) {
	idle := store.Deadline{Kind: store.Inactivity, Due: at(15)}
	op := newOp("ann", ready, 0, "sales")
	op.Deadlines = []store.Deadline{idle}
	created, err := s.CreateOperator(bg, op)
	require.NoError(t, err)
	require.Equal(t, []store.Deadline{idle}, normOp(created).Deadlines)

	// Re-armed without touching the status or its history.
	later := store.Deadline{Kind: store.Inactivity, Due: at(30)}
	got, err := s.SetOperatorDeadlines(bg, store.OperatorDeadlines{Operator: "ann", Version: created.Version, Deadlines: []store.Deadline{later}})
	require.NoError(t, err)
	require.Equal(t, []store.Deadline{later}, normOp(got).Deadlines)
	require.Equal(t, created.Version+1, got.Version)
	require.Equal(t, ready, got.Status)
	requireOp(t, got, getOp(t, s, "ann"))

	requireFails(t, s, store.ErrConflict, func() error {
		_, err := s.SetOperatorDeadlines(bg, store.OperatorDeadlines{Operator: "ann", Version: created.Version, Deadlines: nil})
		return err
	})
	requireFails(t, s, store.ErrNotFound, func() error {
		_, err := s.SetOperatorDeadlines(bg, store.OperatorDeadlines{Operator: "nobody"})
		return err
	})
	requireFails(t, s, store.ErrInvalid, func() error {
		_, err := s.SetOperatorDeadlines(bg, store.OperatorDeadlines{Operator: "ann", Deadlines: []store.Deadline{{Kind: store.Inactivity}}})
		return err
	})

	// A status change replaces them (here with none).
	got, err = s.SetStatus(bg, store.StatusChange{Operator: "ann", To: away, At: at(20)})
	require.NoError(t, err)
	require.Empty(t, got.Deadlines)
}

// testDeadlinesWaitingForAnOperator: a SkillRelax and a PreferExpiry
// deadline are kept while the conversation waits in the queue (Queued or
// Offered) and dropped once it is assigned, waiting or closed, or created
// assigned.
func testDeadlinesWaitingForAnOperator(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	relax := store.Deadline{Kind: store.SkillRelax, Due: at(5)}
	prefer := store.Deadline{Kind: store.PreferExpiry, Due: at(3)}
	level := store.Deadline{Kind: store.WaitLevel, Due: at(4)}
	all := []store.Deadline{relax, prefer, level}

	q := queuedConv("c1", "sales", "", at(0))
	q.Deadlines = all
	res := createConv(t, s, q, store.Require{})
	require.Equal(t, all, normConv(res.Conversation).Deadlines)
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Offered, Offers: []string{"ann"}, At: at(1)})
	require.Equal(t, all, normConv(res.Conversation).Deadlines, "kept while offered")
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(2)})
	require.Equal(t, []store.Deadline{level}, normConv(res.Conversation).Deadlines, "dropped once assigned")
	require.Equal(t, []store.Deadline{level}, normConv(getConv(t, s, "c1")).Deadlines)

	// Set while held, they are dropped too; back in the queue, they are
	// kept.
	res = apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Waiting, NewAssignee: "ann", SetDeadlines: true, Deadlines: all, At: at(3)})
	require.Equal(t, []store.Deadline{level}, normConv(res.Conversation).Deadlines, "dropped while waiting")
	res = apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Queued, Requeue: true, SetDeadlines: true, Deadlines: all, At: at(4)})
	require.Equal(t, all, normConv(res.Conversation).Deadlines)
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Closed, At: at(5)})
	require.Empty(t, res.Conversation.Deadlines)

	a := assignedConv("c2", "sales", "", "ann", at(6))
	a.Deadlines = all
	require.Equal(t, []store.Deadline{level}, normConv(createConv(t, s, a, store.Require{}).Conversation).Deadlines)
}
