package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// The operators of the transition tests: ann and bob are ready, cid is
// away.
var (
	ann = store.Operator{ID: "ann", Status: "ready", Groups: []string{"g"}, Load: 1, Version: 3}
	bob = store.Operator{ID: "bob", Status: "ready", Groups: []string{"g"}, Load: 0, Version: 5}
	cid = store.Operator{ID: "cid", Status: "away", Groups: []string{"g"}, Load: 2, Version: 7}
)

// rowsOf looks up the given operators' rows.
func rowsOf(ops ...store.Operator) store.OperatorRows {
	m := make(map[string]store.Operator, len(ops))
	for _, op := range ops {
		m[op.ID] = op
	}
	return func(id string) (store.Operator, bool) {
		op, ok := m[id]
		return op, ok
	}
}

// moved returns op's row with the given load, version and LastAssigned.
func moved(op store.Operator, load int, version int64, last time.Time) store.Operator {
	op.Load, op.Version, op.LastAssigned = load, version, last
	return op
}

// conv returns a conversation of customer "cu" in state st, held by
// assignee (or offered to offers), at version 4 and Seq 7.
func conv(st store.State, assignee string, offers ...string) store.Conversation {
	return store.Conversation{
		ID: "c", Group: "g", CustomerID: "cu", Skills: []string{"en"}, State: st, Assignee: assignee, OfferedTo: offers,
		CreatedAt: testTime, EnqueuedAt: testTime, Seq: 7, Version: 4,
		Deadlines: []store.Deadline{{Kind: store.AcceptTimeout, Due: testTime.Add(time.Minute)}, {Kind: store.AutoClose, Due: testTime.Add(time.Hour)}},
	}
}

// seqCounter hands out Seq 42 (or err) and counts the calls.
type seqCounter struct {
	calls int
	err   error
}

func (s *seqCounter) next() (uint64, error) {
	s.calls++
	return 42, s.err
}

func TestChangeOperators(t *testing.T) {
	at := testTime
	for name, tc := range map[string]struct {
		cur  store.Conversation
		ch   store.Change
		want []string
	}{
		"assign from the queue": {conv(store.Queued, ""), store.Change{To: store.Assigned, NewAssignee: "ann"}, []string{"ann"}},
		"offer":                 {conv(store.Queued, ""), store.Change{To: store.Offered, Offers: []string{"bob", "ann"}}, []string{"bob", "ann"}},
		"transfer":              {conv(store.Assigned, "ann"), store.Change{To: store.Assigned, NewAssignee: "bob"}, []string{"bob", "ann"}},
		"keep":                  {conv(store.Assigned, "ann"), store.Change{To: store.Assigned, NewAssignee: "ann"}, []string{"ann"}},
		"to waiting":            {conv(store.Assigned, "ann"), store.Change{To: store.Waiting, NewAssignee: "ann"}, []string{"ann", "ann"}},
		"back from waiting":     {conv(store.Waiting, "ann"), store.Change{To: store.Assigned, NewAssignee: "ann"}, []string{"ann"}},
		"close queued":          {conv(store.Queued, ""), store.Change{To: store.Closed}, []string{}},
		"close waiting":         {conv(store.Waiting, "ann"), store.Change{To: store.Closed}, []string{}},
		"close assigned":        {conv(store.Assigned, "ann"), store.Change{To: store.Closed}, []string{"ann"}},
		"offer back":            {conv(store.Assigned, "ann"), store.Change{To: store.Offered, Offers: []string{"bob", "cid"}, Requeue: true}, []string{"bob", "cid", "ann"}},
	} {
		t.Run(name, func(t *testing.T) {
			tc.ch.At = at
			require.Equal(t, tc.want, tc.ch.Operators(tc.cur))
		})
	}
}

func TestConversationOperators(t *testing.T) {
	require.Equal(t, []string{}, conv(store.Queued, "").Operators())
	require.Equal(t, []string{"bob", "ann"}, conv(store.Offered, "", "bob", "ann").Operators())
	require.Equal(t, []string{"ann"}, conv(store.Assigned, "ann").Operators())
}

func TestTransitionRefuses(t *testing.T) {
	at := testTime.Add(time.Minute)
	queued, assigned := conv(store.Queued, ""), conv(store.Assigned, "ann")
	closed := conv(store.Closed, "")
	for name, tc := range map[string]struct {
		cur  store.Conversation
		ch   store.Change
		want error
		msg  string
	}{
		"closed": {closed, store.Change{From: []store.State{store.Closed}, To: store.Closed}, store.ErrWrongState, "is closed"},
		"wrong state": {queued, store.Change{From: []store.State{store.Assigned}, To: store.Closed},
			store.ErrWrongState, "is queued, want [assigned]"},
		"taken": {assigned, store.Change{From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "bob"},
			store.ErrAlreadyTaken, `assigned by "ann"`},
		"not the assignee": {assigned, store.Change{From: []store.State{store.Assigned}, Assignee: "bob", To: store.Closed},
			store.ErrNotAssignee, `held by "ann", not "bob"`},
		"version": {assigned, store.Change{From: []store.State{store.Assigned}, Version: 3, To: store.Closed},
			store.ErrConflict, "at version 4, want 3"},
		"state before the assignee": {queued, store.Change{From: []store.State{store.Offered}, To: store.Assigned, NewAssignee: "zed"},
			store.ErrWrongState, "is queued"},
		"no assignee row": {queued, store.Change{From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "zed"},
			store.ErrNotFound, `switchboard: not found: operator "zed"`},
		"assignee's status": {queued, store.Change{From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "cid",
			Require: store.Require{AssigneeStatuses: []string{"ready"}}}, store.ErrNotAllowed, `operator "cid" is "away"`},
		"assignee at cap": {queued, store.Change{From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann",
			Require: store.Require{AssigneeCap: 1}}, store.ErrOverCapacity, `operator "ann" has 1 of 1`},
		"back from waiting at cap": {conv(store.Waiting, "ann"), store.Change{From: []store.State{store.Waiting}, To: store.Assigned, NewAssignee: "ann",
			Require: store.Require{AssigneeCap: 1}}, store.ErrOverCapacity, `operator "ann" has 1 of 1`},
		"no offer row": {queued, store.Change{From: []store.State{store.Queued}, To: store.Offered, Offers: []string{"bob", "zed"}},
			store.ErrNotFound, `operator "zed"`},
		"offers in order, status first": {queued, store.Change{From: []store.State{store.Queued}, To: store.Offered, Offers: []string{"cid", "zed"},
			Require: store.Require{OfferStatuses: []string{"ready"}}}, store.ErrNotAllowed, `operator "cid" is "away" and cannot be offered`},
		"offers in order, row first": {queued, store.Change{From: []store.State{store.Queued}, To: store.Offered, Offers: []string{"zed", "cid"},
			Require: store.Require{OfferStatuses: []string{"ready"}}}, store.ErrNotFound, `operator "zed"`},
		"state before the offers": {closed, store.Change{From: []store.State{store.Queued}, To: store.Offered, Offers: []string{"zed"}, Requeue: true},
			store.ErrWrongState, "is closed"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.ch.Conversation, tc.ch.At = "c", at
			require.NoError(t, tc.ch.Validate())
			var seq seqCounter
			got, err := tc.ch.Transition(tc.cur, rowsOf(ann, bob, cid), seq.next)
			require.ErrorIs(t, err, tc.want)
			require.Contains(t, err.Error(), tc.msg)
			require.Zero(t, got)
			require.Zero(t, seq.calls, "no Seq taken for a refused change")
		})
	}
}

func TestTransitionReturnsSeqError(t *testing.T) {
	errSeq := errors.New("next seq: connection lost")
	seq := seqCounter{err: errSeq}
	ch := store.Change{Conversation: "c", From: []store.State{store.Assigned}, To: store.Queued, Requeue: true, At: testTime}
	got, err := ch.Transition(conv(store.Assigned, "ann"), rowsOf(ann), seq.next)
	require.Equal(t, errSeq, err, "as it is")
	require.Zero(t, got)
	require.Equal(t, 1, seq.calls)
}

func TestTransition(t *testing.T) {
	at := testTime.Add(time.Minute)
	for name, tc := range map[string]struct {
		cur            store.Conversation
		ch             store.Change
		rows           store.OperatorRows
		loser, gainer  store.Operator
		previous       string
		wantState      store.State
		wantSeq        uint64
		wantAssignedAt time.Time
	}{
		"assign from the queue": {
			cur: conv(store.Queued, ""), ch: store.Change{To: store.Assigned, NewAssignee: "ann", Require: store.Require{AssigneeCap: 2}},
			gainer: moved(ann, 2, 4, at), previous: "ann", wantSeq: 7, wantAssignedAt: at,
		},
		"take an offer": {
			cur: conv(store.Offered, "", "ann", "bob"), ch: store.Change{To: store.Assigned, NewAssignee: "bob"},
			gainer: moved(bob, 1, 6, at), previous: "bob", wantSeq: 7, wantAssignedAt: at,
		},
		"transfer": {
			cur: conv(store.Assigned, "ann"), ch: store.Change{To: store.Assigned, NewAssignee: "bob"},
			loser: moved(ann, 0, 4, zeroTime), gainer: moved(bob, 1, 6, at), previous: "bob", wantSeq: 7, wantAssignedAt: at,
		},
		"keep, over cap": {
			cur: conv(store.Assigned, "ann"), ch: store.Change{To: store.Assigned, NewAssignee: "ann", MarkAllBusy: true, Require: store.Require{AssigneeCap: 1}},
			previous: "ann", wantSeq: 7,
		},
		"to waiting, over cap": {
			cur: conv(store.Assigned, "ann"), ch: store.Change{To: store.Waiting, NewAssignee: "ann", Require: store.Require{AssigneeCap: 1}},
			loser: moved(ann, 0, 4, zeroTime), previous: "ann", wantSeq: 7,
		},
		"back from waiting": {
			cur: conv(store.Waiting, "ann"), ch: store.Change{To: store.Assigned, NewAssignee: "ann", Require: store.Require{AssigneeCap: 2}},
			gainer: moved(ann, 2, 4, at), previous: "ann", wantSeq: 7,
		},
		"close assigned": {
			cur: conv(store.Assigned, "ann"), ch: store.Change{To: store.Closed, CloseReason: "done"},
			loser: moved(ann, 0, 4, zeroTime), wantSeq: 7,
		},
		"close waiting": {
			cur: conv(store.Waiting, "ann"), ch: store.Change{To: store.Closed}, wantSeq: 7,
		},
		"close, the assignee has no row": {
			cur: conv(store.Assigned, "ghost"), ch: store.Change{To: store.Closed}, wantSeq: 7,
		},
		"requeue": {
			cur: conv(store.Assigned, "ann"), ch: store.Change{To: store.Queued, Requeue: true},
			loser: moved(ann, 0, 4, zeroTime), wantSeq: 42,
		},
		"offer back, requeued": {
			cur: conv(store.Assigned, "ann"), ch: store.Change{To: store.Offered, Offers: []string{"bob", "cid"}, Requeue: true,
				Require: store.Require{OfferStatuses: []string{"ready", "away"}}},
			loser: moved(ann, 0, 4, zeroTime), wantSeq: 42,
		},
		"release, keeping the place": {
			cur: conv(store.Assigned, "ann"), ch: store.Change{To: store.Queued, Group: "h"},
			loser: moved(ann, 0, 4, zeroTime), wantSeq: 7,
		},
		"no customer": {
			cur: func() store.Conversation { c := conv(store.Queued, ""); c.CustomerID = ""; return c }(),
			ch:  store.Change{To: store.Assigned, NewAssignee: "ann"}, gainer: moved(ann, 2, 4, at), wantSeq: 7, wantAssignedAt: at,
		},
	} {
		t.Run(name, func(t *testing.T) {
			tc.ch.Conversation, tc.ch.At, tc.ch.From = "c", at, []store.State{tc.cur.State}
			require.NoError(t, tc.ch.Validate())
			before := tc.cur.Clone()
			var seq seqCounter
			got, err := tc.ch.Transition(tc.cur, rowsOf(ann, bob, cid), seq.next)
			require.NoError(t, err)

			require.Equal(t, tc.loser, got.Loser, "loser")
			require.Equal(t, tc.gainer, got.Gainer, "gainer")
			require.Equal(t, tc.previous, got.Previous, "previous operator")
			require.Equal(t, store.Result{
				Before:       before,
				Conversation: tc.ch.Next(before, 42),
				Released:     store.LoadOf(tc.loser),
				Gained:       store.LoadOf(tc.gainer),
			}, got.Result)
			next := got.Result.Conversation
			require.Equal(t, tc.wantSeq, next.Seq)
			require.Equal(t, tc.ch.To, next.State)
			require.Equal(t, int64(5), next.Version)
			if !tc.wantAssignedAt.IsZero() {
				require.Equal(t, tc.wantAssignedAt, next.AssignedAt)
			}
			if tc.ch.Requeue {
				require.Equal(t, 1, seq.calls, "one Seq for a requeue")
				require.Equal(t, at, next.EnqueuedAt)
			} else {
				require.Zero(t, seq.calls, "no Seq without a requeue")
				require.Equal(t, before.EnqueuedAt, next.EnqueuedAt)
			}
			require.Equal(t, before, tc.cur, "the current row is left as it was")
		})
	}
}

func TestTransitionLeavesTheOperatorsRows(t *testing.T) {
	ops := map[string]store.Operator{"ann": ann, "bob": bob}
	rows := func(id string) (store.Operator, bool) { op, ok := ops[id]; return op, ok }
	ch := store.Change{Conversation: "c", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "bob", At: testTime}
	got, err := ch.Transition(conv(store.Assigned, "ann"), rows, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]store.Operator{"ann": ann, "bob": bob}, ops)
	require.Equal(t, []store.Load{store.LoadOf(got.Loser), store.LoadOf(got.Gainer)}, got.Result.Loads())
}

func TestNewConversation(t *testing.T) {
	created := testTime
	for name, tc := range map[string]struct {
		c        store.Conversation
		req      store.Require
		gainer   store.Operator
		previous string
		want     func(*store.Conversation)
	}{
		"queued": {
			c: func() store.Conversation {
				c := conv(store.Queued, "")
				c.EnqueuedAt, c.LastOperator, c.OfferedTo = zeroTime, "bob", []string{}
				return c
			}(),
			want: func(c *store.Conversation) {
				c.EnqueuedAt, c.OfferedTo = created, nil
				c.Deadlines = c.Deadlines[1:] // no AcceptTimeout while queued
			},
		},
		"queued earlier": {
			c: func() store.Conversation {
				c := conv(store.Queued, "")
				c.EnqueuedAt = created.Add(-time.Hour)
				return c
			}(),
			want: func(c *store.Conversation) { c.Deadlines = c.Deadlines[1:] },
		},
		"offered": {
			c:    conv(store.Offered, "", "bob", "cid"),
			req:  store.Require{OfferStatuses: []string{"ready", "away"}},
			want: func(*store.Conversation) {},
		},
		"assigned": {
			c: conv(store.Assigned, "ann"), req: store.Require{AssigneeCap: 2, AssigneeStatuses: []string{"ready"}},
			gainer: moved(ann, 2, 4, created), previous: "ann",
			want: func(c *store.Conversation) { c.AssignedAt, c.LastOperator = created, "ann" },
		},
		"assigned, no customer": {
			c:      func() store.Conversation { c := conv(store.Assigned, "bob"); c.CustomerID = ""; return c }(),
			gainer: moved(bob, 1, 6, created),
			want:   func(c *store.Conversation) { c.AssignedAt, c.LastOperator = created, "bob" },
		},
	} {
		t.Run(name, func(t *testing.T) {
			tc.c.Version, tc.c.Seq = 0, 0
			require.NoError(t, store.ValidateNew(tc.c, tc.req))
			given := tc.c.Clone()
			got, err := store.NewConversation(tc.c, tc.req, rowsOf(ann, bob, cid), 9)
			require.NoError(t, err)

			want := tc.c.Clone()
			want.Seq, want.Version = 9, 1
			tc.want(&want)
			require.Equal(t, store.Result{Conversation: want, Gained: store.LoadOf(tc.gainer)}, got.Result)
			require.Zero(t, got.Loser)
			require.Equal(t, tc.gainer, got.Gainer)
			require.Equal(t, tc.previous, got.Previous)

			got.Result.Conversation.Skills[0] = "de"
			require.Equal(t, given, tc.c, "the given row is left as it was and shares nothing with the new one")
		})
	}
}

func TestNewConversationRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		c    store.Conversation
		req  store.Require
		want error
		msg  string
	}{
		"no assignee row":   {conv(store.Assigned, "zed"), store.Require{}, store.ErrNotFound, `switchboard: not found: operator "zed"`},
		"assignee's status": {conv(store.Assigned, "cid"), store.Require{AssigneeStatuses: []string{"ready"}}, store.ErrNotAllowed, `operator "cid" is "away"`},
		"assignee at cap":   {conv(store.Assigned, "ann"), store.Require{AssigneeCap: 1}, store.ErrOverCapacity, `operator "ann" has 1 of 1`},
		"no offer row":      {conv(store.Offered, "", "bob", "zed"), store.Require{}, store.ErrNotFound, `operator "zed"`},
		"offers in order, status first": {conv(store.Offered, "", "cid", "zed"), store.Require{OfferStatuses: []string{"ready"}},
			store.ErrNotAllowed, `operator "cid" is "away" and cannot be offered`},
		"offers in order, row first": {conv(store.Offered, "", "zed", "cid"), store.Require{OfferStatuses: []string{"ready"}},
			store.ErrNotFound, `operator "zed"`},
	} {
		t.Run(name, func(t *testing.T) {
			tc.c.Version, tc.c.Seq = 0, 0
			require.NoError(t, store.ValidateNew(tc.c, tc.req))
			got, err := store.NewConversation(tc.c, tc.req, rowsOf(ann, bob, cid), 9)
			require.ErrorIs(t, err, tc.want)
			require.Contains(t, err.Error(), tc.msg)
			require.Zero(t, got)
		})
	}
}
