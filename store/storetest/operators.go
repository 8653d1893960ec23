package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

var operatorTests = []plainTest{
	{"CreateOperator", testCreateOperator},
	{"CreateOperator_Invalid", testCreateOperatorInvalid},
	{"CreateOperator_AlreadyExists", testCreateOperatorAlreadyExists},
	{"Operator_NotFound", testOperatorNotFound},
	{"Operators_OrderedByID", testOperatorsOrdered},
	{"UpdateOperator", testUpdateOperator},
	{"UpdateOperator_Errors", testUpdateOperatorErrors},
	{"SetStatus", testSetStatus},
	{"SetStatus_Errors", testSetStatusErrors},
	{"SetStatus_Forbid", testSetStatusForbid},
	{"DeleteOperator", testDeleteOperator},
	{"DeleteOperator_Refused", testDeleteOperatorRefused},
}

func testCreateOperator(t *testing.T, s store.Store) {
	in := store.Operator{
		ID: "ann", Groups: []string{"sales", "support"}, Cap: 4, Skills: []string{"en", "fr"},
		Status: ready, StatusSince: at(1),
		// Owned by the store: ignored.
		Load: 7, LastAssigned: at(2), Version: 42,
	}
	got, err := s.CreateOperator(bg, in)
	require.NoError(t, err)
	want := in
	want.Load, want.LastAssigned, want.Version = 0, time.Time{}, 1
	requireOp(t, want, got)
	requireOp(t, want, getOp(t, s, "ann"))

	// An operator with nothing optional.
	bare, err := s.CreateOperator(bg, store.Operator{ID: "bob", Status: away})
	require.NoError(t, err)
	requireOp(t, store.Operator{ID: "bob", Status: away, Version: 1}, bare)

	ops, err := s.Operators(bg)
	require.NoError(t, err)
	require.Equal(t, []store.Operator{normOp(want), normOp(bare)}, normOps(ops))
}

func testCreateOperatorInvalid(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0)
	for name, op := range map[string]store.Operator{
		"empty id":         {Status: ready},
		"negative cap":     {ID: "bob", Status: ready, Cap: -1},
		"empty status":     {ID: "bob"},
		"empty group":      {ID: "bob", Status: ready, Groups: []string{"sales", ""}},
		"duplicate group":  {ID: "bob", Status: ready, Groups: []string{"sales", "support", "sales"}},
		"taken id and bad": {ID: "ann", Status: ready, Cap: -3},
	} {
		requireFails(t, s, store.ErrInvalid, func() error {
			_, err := s.CreateOperator(bg, op)
			return err
		}, name)
	}
	_, err := s.Operator(bg, "bob")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testCreateOperatorAlreadyExists(t *testing.T, s store.Store) {
	orig := createOp(t, s, "ann", ready, 3, "sales")
	requireFails(t, s, store.ErrAlreadyExists, func() error {
		_, err := s.CreateOperator(bg, newOp("ann", away, 1, "support"))
		return err
	})
	requireOp(t, orig, getOp(t, s, "ann"))
}

func testOperatorNotFound(t *testing.T, s store.Store) {
	ops, err := s.Operators(bg)
	require.NoError(t, err)
	require.Empty(t, ops)
	_, err = s.Operator(bg, "ghost")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Operator(bg, "")
	require.ErrorIs(t, err, store.ErrInvalid)
	createOp(t, s, "ann", ready, 0)
	_, err = s.Operator(bg, "Ann")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testOperatorsOrdered(t *testing.T, s store.Store) {
	for _, id := range []string{"dan", "ann", "cid", "bob", "eve"} {
		createOp(t, s, id, ready, 0)
	}
	ops, err := s.Operators(bg)
	require.NoError(t, err)
	var ids []string
	for _, op := range ops {
		ids = append(ids, op.ID)
	}
	require.Equal(t, []string{"ann", "bob", "cid", "dan", "eve"}, ids)
}

func testUpdateOperator(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 2, "sales")
	createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(5)), store.Require{})
	before := getOp(t, s, "ann")
	require.Equal(t, int64(2), before.Version)

	got, err := s.UpdateOperator(bg, store.Operator{
		ID: "ann", Groups: []string{"support", "vip"}, Cap: 5, Skills: []string{"de"},
		// Not updated: kept as stored.
		Status: away, StatusSince: at(9), Load: 9, LastAssigned: at(9), Version: 9,
	})
	require.NoError(t, err)
	want := before
	want.Groups, want.Cap, want.Skills, want.Version = []string{"support", "vip"}, 5, []string{"de"}, 3
	requireOp(t, want, got)
	requireOp(t, want, getOp(t, s, "ann"))

	// The status need not be given; a cap may drop below the load.
	got, err = s.UpdateOperator(bg, store.Operator{ID: "ann"})
	require.NoError(t, err)
	want.Groups, want.Cap, want.Skills, want.Version = nil, 0, nil, 4
	requireOp(t, want, got)
	requireOp(t, want, getOp(t, s, "ann"))
	requireLoads(t, s, "ann", 1)
}

func testUpdateOperatorErrors(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 2, "sales")
	update := func(op store.Operator) func() error {
		return func() error {
			_, err := s.UpdateOperator(bg, op)
			return err
		}
	}
	requireFails(t, s, store.ErrNotFound, update(store.Operator{ID: "bob", Status: ready}))
	requireFails(t, s, store.ErrInvalid, update(store.Operator{Status: ready}), "empty id")
	requireFails(t, s, store.ErrInvalid, update(store.Operator{ID: "ann", Status: ready, Cap: -1}), "negative cap")
	requireFails(t, s, store.ErrInvalid, update(store.Operator{ID: "ann", Groups: []string{""}}), "empty group")
	requireFails(t, s, store.ErrInvalid, update(store.Operator{ID: "ann", Groups: []string{"a", "a"}}), "duplicate group")
	requireFails(t, s, store.ErrInvalid, update(store.Operator{ID: "bob", Cap: -1}), "invalid before not found")
}

func testSetStatus(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 2, "sales")
	got, err := s.SetStatus(bg, store.StatusChange{Operator: "ann", To: away, At: at(3)})
	require.NoError(t, err)
	want := newOp("ann", away, 2, "sales")
	want.StatusSince, want.Version = at(3), 2
	requireOp(t, want, got)
	requireOp(t, want, getOp(t, s, "ann"))

	// With a matching From.
	got, err = s.SetStatus(bg, store.StatusChange{Operator: "ann", From: away, To: help, At: at(4)})
	require.NoError(t, err)
	want.Status, want.StatusSince, want.Version = help, at(4), 3
	requireOp(t, want, got)

	// To the status it already has: still a write.
	got, err = s.SetStatus(bg, store.StatusChange{Operator: "ann", From: help, To: help, At: at(5)})
	require.NoError(t, err)
	want.StatusSince, want.Version = at(5), 4
	requireOp(t, want, got)
	requireOp(t, want, getOp(t, s, "ann"))
}

func testSetStatusErrors(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 2, "sales")
	set := func(ch store.StatusChange) func() error {
		return func() error {
			_, err := s.SetStatus(bg, ch)
			return err
		}
	}
	requireFails(t, s, store.ErrNotFound, set(store.StatusChange{Operator: "bob", To: away, At: at(1)}))
	requireFails(t, s, store.ErrConflict, set(store.StatusChange{Operator: "ann", From: away, To: help, At: at(1)}))
	requireFails(t, s, store.ErrInvalid, set(store.StatusChange{To: away, At: at(1)}), "empty operator")
	requireFails(t, s, store.ErrInvalid, set(store.StatusChange{Operator: "ann", At: at(1)}), "empty target")
	requireFails(t, s, store.ErrInvalid, set(store.StatusChange{Operator: "ann", To: away}), "zero time")
	requireFails(t, s, store.ErrInvalid, set(store.StatusChange{Operator: "ann", To: away, At: at(1), Forbid: []store.State{store.Assigned, 0}}), "undefined forbidden state")
	requireFails(t, s, store.ErrInvalid, set(store.StatusChange{Operator: "ann", To: away, At: at(1), Forbid: []store.State{store.Closed + 1}}), "undefined forbidden state")
	requireFails(t, s, store.ErrInvalid, set(store.StatusChange{Operator: "bob", To: ""}), "invalid before not found")
}

func testSetStatusForbid(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createOp(t, s, "bob", ready, 0, "sales")
	createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(1)), store.Require{})
	offered := queuedConv("c2", "sales", "cu2", at(1))
	offered.State, offered.OfferedTo = store.Offered, []string{"ann", "bob"}
	createConv(t, s, offered, store.Require{})
	createConv(t, s, assignedConv("c3", "sales", "cu3", "bob", at(1)), store.Require{})

	allStates := []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting, store.Closed}
	offline := func(op, from string, forbid ...store.State) store.StatusChange {
		return store.StatusChange{Operator: op, From: from, To: away, Forbid: forbid, At: at(2)}
	}
	requireFails(t, s, store.ErrHoldsConversations, func() error {
		_, err := s.SetStatus(bg, offline("ann", ready, store.Assigned))
		return err
	})
	requireFails(t, s, store.ErrHoldsConversations, func() error {
		_, err := s.SetStatus(bg, offline("ann", ready, allStates...))
		return err
	})
	// A From mismatch is reported before the guard.
	requireFails(t, s, store.ErrConflict, func() error {
		_, err := s.SetStatus(bg, offline("ann", away, store.Assigned))
		return err
	})

	// Offers are not held; Waiting is not forbidden here.
	_, err := s.SetStatus(bg, offline("ann", ready, store.Queued, store.Offered, store.Waiting, store.Closed))
	require.NoError(t, err)
	_, err = s.SetStatus(bg, store.StatusChange{Operator: "ann", To: ready, At: at(3)})
	require.NoError(t, err)

	// Once the conversation waits on the customer, Waiting blocks and
	// Assigned does not.
	apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(4)})
	requireFails(t, s, store.ErrHoldsConversations, func() error {
		_, err := s.SetStatus(bg, offline("ann", ready, store.Waiting))
		return err
	})
	_, err = s.SetStatus(bg, offline("ann", ready, store.Assigned))
	require.NoError(t, err)

	// Another operator's conversations do not count.
	apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Waiting}, To: store.Closed, At: at(5)})
	got, err := s.SetStatus(bg, offline("ann", away, allStates...))
	require.NoError(t, err)
	require.Equal(t, away, got.Status)
	requireFails(t, s, store.ErrHoldsConversations, func() error {
		_, err := s.SetStatus(bg, offline("bob", ready, store.Assigned))
		return err
	})
}

func testDeleteOperator(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0)
	createOp(t, s, "bob", ready, 0)
	require.NoError(t, s.DeleteOperator(bg, "ann"))
	_, err := s.Operator(bg, "ann")
	require.ErrorIs(t, err, store.ErrNotFound)
	ops, err := s.Operators(bg)
	require.NoError(t, err)
	require.Len(t, ops, 1)
	require.Equal(t, "bob", ops[0].ID)

	requireFails(t, s, store.ErrNotFound, func() error { return s.DeleteOperator(bg, "ann") })
	requireFails(t, s, store.ErrInvalid, func() error { return s.DeleteOperator(bg, "") })

	// The id can be used again, by a new row.
	again := createOp(t, s, "ann", away, 1)
	require.Equal(t, int64(1), again.Version)
	require.Equal(t, away, again.Status)
}

func testDeleteOperatorRefused(t *testing.T, s store.Store) {
	for _, id := range []string{"ann", "bob", "cid", "dan"} {
		createOp(t, s, id, ready, 0, "sales")
	}
	createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(1)), store.Require{})
	createConv(t, s, assignedConv("c2", "sales", "cu2", "bob", at(1)), store.Require{})
	apply(t, s, store.Change{Conversation: "c2", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "bob", At: at(2)})
	offered := queuedConv("c3", "sales", "cu3", at(1))
	offered.State, offered.OfferedTo = store.Offered, []string{"dan", "cid"}
	createConv(t, s, offered, store.Require{})

	for _, id := range []string{"ann", "bob", "cid", "dan"} {
		requireFails(t, s, store.ErrHoldsConversations, func() error { return s.DeleteOperator(bg, id) }, id)
	}

	// Released conversations no longer hold anyone back.
	apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Closed, At: at(3)})
	apply(t, s, store.Change{Conversation: "c2", From: []store.State{store.Waiting}, To: store.Queued, At: at(3)})
	apply(t, s, store.Change{Conversation: "c3", From: []store.State{store.Offered}, To: store.Offered, Offers: []string{"dan"}, At: at(3)})
	require.NoError(t, s.DeleteOperator(bg, "ann"))
	require.NoError(t, s.DeleteOperator(bg, "bob"))
	require.NoError(t, s.DeleteOperator(bg, "cid"))
	requireFails(t, s, store.ErrHoldsConversations, func() error { return s.DeleteOperator(bg, "dan") })
	apply(t, s, store.Change{Conversation: "c3", From: []store.State{store.Offered}, To: store.Queued, At: at(4)})
	require.NoError(t, s.DeleteOperator(bg, "dan"))

	ops, err := s.Operators(bg)
	require.NoError(t, err)
	require.Empty(t, ops)
	// The conversations keep naming their last operator.
	require.Equal(t, "ann", getConv(t, s, "c1").LastOperator)
	require.Equal(t, "bob", getConv(t, s, "c2").LastOperator)
}
