package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

var miscTests = []plainTest{
	{"CloneIsolation_Operators", testCloneOperators},
	{"CloneIsolation_Conversations", testCloneConversations},
	{"Versions", testVersions},
	{"PreviousOperator", testPreviousOperator},
	{"Close", testClose},
	{"ContextCancelled", testContextCancelled},
}

// testContextCancelled: a call with a cancelled context fails with the
// context's error and changes nothing.
func testContextCancelled(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "g")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.CreateOperator(ctx, newOp("bob", ready, 0, "g"))
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Assigned, Assignee: "ann", CreatedAt: t0}, store.Require{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Operator(ctx, "ann")
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.SetRuleSet(ctx, store.RuleSet{Body: []byte("rules"), UpdatedAt: t0})
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.RuleSet(ctx)
	require.ErrorIs(t, err, context.Canceled)

	ops, err := s.Operators(t.Context())
	require.NoError(t, err)
	require.Len(t, ops, 1)
	require.Zero(t, ops[0].Load)
	convs, err := s.Conversations(t.Context(), store.Filter{})
	require.NoError(t, err)
	require.Empty(t, convs)
	rs, err := s.RuleSet(t.Context())
	require.NoError(t, err)
	require.Zero(t, rs.Version)
}

func testCloneOperators(t *testing.T, s store.Store) {
	in := store.Operator{ID: "ann", Status: ready, Groups: []string{"sales", "support"}, Skills: []string{"en"}}
	got, err := s.CreateOperator(bg, in)
	require.NoError(t, err)
	want := normOp(got)

	in.Groups[0], in.Skills[0] = "MUTATED", "MUTATED"
	got.Groups[1], got.Skills[0] = "MUTATED", "MUTATED"
	requireOp(t, want, getOp(t, s, "ann"))

	read := getOp(t, s, "ann")
	read.Groups[0] = "MUTATED"
	ops, err := s.Operators(bg)
	require.NoError(t, err)
	ops[0].Groups[0], ops[0].Skills[0] = "MUTATED", "MUTATED"
	requireOp(t, want, getOp(t, s, "ann"))

	upd := store.Operator{ID: "ann", Groups: []string{"vip"}, Skills: []string{"de", "fr"}}
	got, err = s.UpdateOperator(bg, upd)
	require.NoError(t, err)
	want = normOp(got)
	upd.Groups[0], upd.Skills[1] = "MUTATED", "MUTATED"
	got.Groups[0], got.Skills[0] = "MUTATED", "MUTATED"
	requireOp(t, want, getOp(t, s, "ann"))

	got, err = s.SetStatus(bg, store.StatusChange{Operator: "ann", To: away, At: at(1)})
	require.NoError(t, err)
	want = normOp(got)
	got.Groups[0] = "MUTATED"
	requireOp(t, want, getOp(t, s, "ann"))
}

func testCloneConversations(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createOp(t, s, "bob", ready, 0, "sales")
	in := queuedConv("c1", "sales", "cu1", at(1))
	in.State, in.OfferedTo = store.Offered, []string{"ann", "bob"}
	in.Skills, in.Attributes = []string{"en", "vip"}, map[string]string{"site": "example.com"}
	res, err := s.CreateConversation(bg, in, store.Require{})
	require.NoError(t, err)
	want := normConv(res.Conversation)

	mutate := func(c *store.Conversation) {
		if len(c.Skills) > 0 {
			c.Skills[0] = "MUTATED"
		}
		if len(c.OfferedTo) > 0 {
			c.OfferedTo[0] = "MUTATED"
		}
		if c.Attributes != nil {
			c.Attributes["site"] = "MUTATED"
			c.Attributes["added"] = "MUTATED"
		}
	}
	mutate(&in)
	mutate(&res.Conversation)
	requireConv(t, want, getConv(t, s, "c1"))

	read := getConv(t, s, "c1")
	mutate(&read)
	list, err := s.Conversations(bg, store.Filter{})
	require.NoError(t, err)
	mutate(&list[0])
	list, err = s.Conversations(bg, store.Filter{States: []store.State{store.Offered}, Group: "sales"})
	require.NoError(t, err)
	mutate(&list[0])
	requireConv(t, want, getConv(t, s, "c1"))

	offers := []string{"bob", "ann"}
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Offered, Offers: offers, At: at(2)})
	want = normConv(res.Conversation)
	require.Equal(t, []string{"bob", "ann"}, want.OfferedTo)
	offers[0] = "MUTATED"
	mutate(&res.Conversation)
	mutate(&res.Before)
	requireConv(t, want, getConv(t, s, "c1"))

	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(3)})
	want = normConv(res.Conversation)
	mutate(&res.Before)
	mutate(&res.Conversation)
	list, err = s.Conversations(bg, store.Filter{Assignee: "ann"})
	require.NoError(t, err)
	mutate(&list[0])
	requireConv(t, want, getConv(t, s, "c1"))
	require.Equal(t, "example.com", getConv(t, s, "c1").Attributes["site"])
}

func testVersions(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createOp(t, s, "bob", ready, 0, "sales")
	opVersions := func(ann, bob int64) {
		t.Helper()
		require.Equal(t, ann, getOp(t, s, "ann").Version, "ann")
		require.Equal(t, bob, getOp(t, s, "bob").Version, "bob")
	}
	convVersion := func(want int64) {
		t.Helper()
		require.Equal(t, want, getConv(t, s, "c1").Version)
	}
	opVersions(1, 1)
	createConv(t, s, queuedConv("c1", "sales", "", at(1)), store.Require{})
	convVersion(1)
	opVersions(1, 1)

	apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Offered, Offers: []string{"ann", "bob"}, At: at(2)})
	convVersion(2)
	opVersions(1, 1) // offers change no operator row

	applyFails(t, s, store.ErrConflict, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(3), Version: 1})
	convVersion(2)

	apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(3)})
	convVersion(3)
	opVersions(2, 1)
	apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Assigned, NewAssignee: "bob", At: at(4)})
	convVersion(4)
	opVersions(3, 2)
	apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Assigned, NewAssignee: "bob", At: at(5)})
	convVersion(5)
	opVersions(3, 2) // no load change
	apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Waiting, NewAssignee: "bob", At: at(6)})
	convVersion(6)
	opVersions(3, 3)
	apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Closed, At: at(7)})
	convVersion(7)
	opVersions(3, 3) // waiting counted for nobody

	_, err := s.SetStatus(bg, store.StatusChange{Operator: "ann", To: away, At: at(8)})
	require.NoError(t, err)
	_, err = s.UpdateOperator(bg, store.Operator{ID: "ann", Cap: 2})
	require.NoError(t, err)
	opVersions(5, 3)
	requireFails(t, s, store.ErrConflict, func() error {
		_, err := s.SetStatus(bg, store.StatusChange{Operator: "ann", From: ready, To: away, At: at(9)})
		return err
	})
	opVersions(5, 3)
}

func testPreviousOperator(t *testing.T, s store.Store) {
	for _, id := range []string{"ann", "bob", "cid"} {
		createOp(t, s, id, ready, 0, "sales")
	}
	prev := func(customer string) string {
		t.Helper()
		p, err := s.PreviousOperator(bg, customer)
		require.NoError(t, err)
		return p
	}
	require.Empty(t, prev("cu1"))
	require.Empty(t, prev(""))

	createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(1)), store.Require{})
	require.Equal(t, "ann", prev("cu1"))
	require.Empty(t, prev("cu2"))
	require.Empty(t, prev(""))

	// Another conversation of the same customer, given to bob later.
	createConv(t, s, queuedConv("c2", "sales", "cu1", at(2)), store.Require{})
	require.Equal(t, "ann", prev("cu1"))
	apply(t, s, store.Change{Conversation: "c2", From: fromQueue, To: store.Assigned, NewAssignee: "bob", At: at(3)})
	require.Equal(t, "bob", prev("cu1"))

	// Writes that name no assignee leave it; offers are no assignment.
	apply(t, s, store.Change{Conversation: "c2", From: fromHeld, To: store.Queued, Requeue: true, At: at(4)})
	apply(t, s, store.Change{Conversation: "c2", From: fromQueue, To: store.Offered, Offers: []string{"cid"}, At: at(5)})
	require.Equal(t, "bob", prev("cu1"))

	// Any write naming an assignee counts, even the same holder.
	apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Waiting, NewAssignee: "ann", At: at(6)})
	require.Equal(t, "ann", prev("cu1"))

	// A failed write changes nothing.
	applyFails(t, s, store.ErrNotAllowed, store.Change{
		Conversation: "c2", From: fromQueue, To: store.Assigned, NewAssignee: "cid",
		Require: store.Require{AssigneeStatuses: []string{away}}, At: at(7),
	})
	require.Equal(t, "ann", prev("cu1"))

	// Customers are kept apart, and conversations without one count for
	// nobody.
	createConv(t, s, assignedConv("c3", "sales", "cu2", "cid", at(8)), store.Require{})
	createConv(t, s, assignedConv("c4", "sales", "", "bob", at(9)), store.Require{})
	require.Equal(t, "ann", prev("cu1"))
	require.Equal(t, "cid", prev("cu2"))
	require.Empty(t, prev(""))

	// Deleting the operator does not forget them.
	apply(t, s, store.Change{Conversation: "c3", From: fromHeld, To: store.Closed, At: at(10)})
	apply(t, s, store.Change{Conversation: "c2", From: fromQueue, To: store.Queued, At: at(10)})
	require.NoError(t, s.DeleteOperator(bg, "cid"))
	require.Equal(t, "cid", prev("cu2"))
}

func testClose(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("c1", "sales", "cu1", at(1)), store.Require{})
	require.NoError(t, s.Close())

	ctx := context.Background()
	calls := map[string]func() error{
		"CreateOperator": func() error { _, err := s.CreateOperator(ctx, newOp("bob", ready, 0)); return err },
		"UpdateOperator": func() error { _, err := s.UpdateOperator(ctx, newOp("ann", ready, 1)); return err },
		"SetStatus": func() error {
			_, err := s.SetStatus(ctx, store.StatusChange{Operator: "ann", To: away, At: at(2)})
			return err
		},
		"DeleteOperator": func() error { return s.DeleteOperator(ctx, "ann") },
		"Operator":       func() error { _, err := s.Operator(ctx, "ann"); return err },
		"Operators":      func() error { _, err := s.Operators(ctx); return err },
		"CreateConversation": func() error {
			_, err := s.CreateConversation(ctx, queuedConv("c2", "sales", "", at(2)), store.Require{})
			return err
		},
		"Apply": func() error {
			_, err := s.Apply(ctx, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(2)})
			return err
		},
		"Conversation":     func() error { _, err := s.Conversation(ctx, "c1"); return err },
		"Conversations":    func() error { _, err := s.Conversations(ctx, store.Filter{}); return err },
		"PreviousOperator": func() error { _, err := s.PreviousOperator(ctx, "cu1"); return err },
		"RuleSet":          func() error { _, err := s.RuleSet(ctx); return err },
		"SetRuleSet": func() error {
			_, err := s.SetRuleSet(ctx, store.RuleSet{Body: []byte("rules"), UpdatedAt: at(2)})
			return err
		},
		"SetRuleSet invalid": func() error { _, err := s.SetRuleSet(ctx, store.RuleSet{}); return err },
		// Invalid input: still closed.
		"CreateOperator invalid": func() error { _, err := s.CreateOperator(ctx, store.Operator{}); return err },
		"Apply invalid":          func() error { _, err := s.Apply(ctx, store.Change{}); return err },
		"Operator empty":         func() error { _, err := s.Operator(ctx, ""); return err },
		"PreviousOperator empty": func() error { _, err := s.PreviousOperator(ctx, ""); return err },
	}
	for name, call := range calls {
		require.ErrorIs(t, call(), store.ErrClosed, name)
	}
	require.NoError(t, s.Close(), "closing twice")
	require.ErrorIs(t, calls["Operator"](), store.ErrClosed)
}
