package core

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// The direct tests of View build the rows a store would return by hand:
// a book keeps them, and answers a plan's write as a store would (the
// row's version one higher, the operators' loads and versions in step, a
// new Seq on creation), checking the decision's Require as the store's
// atomic check does. There is no store, no clock and no goroutine: the
// time is t0 and what the tests add to it.

// t0 is a Monday, 09:00 UTC.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at returns t0 plus d, in Unix nanoseconds, for the calls that take the
// Router's own clock.
func at(d time.Duration) int64 { return t0.Add(d).UnixNano() }

// newView returns a view of the standard presence model with the given
// groups, their hours as they are at t0.
func newView(t *testing.T, groups ...GroupConfig) *View {
	t.Helper()
	v := NewView(presence.Standard(), nil)
	for _, g := range groups {
		require.NoError(t, v.AddGroup(g, t0))
	}
	return v
}

// groupOf returns the configuration of a group with policy p.
func groupOf(id string, p policy.Policy) GroupConfig { return GroupConfig{ID: id, Policy: p} }

// capped returns least-loaded routing with a default cap.
func capped(def int) policy.Policy {
	return policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: def})
}

// operatorRow returns operator id as a store holds it after creation and a
// status change: version 2, in status, serving groups.
func operatorRow(id, status string, groups ...string) store.Operator {
	return store.Operator{ID: id, Groups: groups, Status: status, StatusSince: t0.Add(-time.Hour), Version: 2}
}

// loaded returns o with load n, last assigned at last (zero: never),
// as the store reports it after n assignments.
func loaded(o store.Operator, n int, last time.Time) store.Operator {
	o.Load, o.LastAssigned = n, last
	o.Version += int64(n)
	return o
}

// queuedRow returns a queued conversation of group as the store holds it:
// Seq seq, entered the queue (and created) 100-seq seconds before t0,
// version 1.
func queuedRow(id, group string, seq uint64) store.Conversation {
	enq := t0.Add(-time.Duration(100-seq) * time.Second)
	return store.Conversation{ID: id, Group: group, State: store.Queued, CreatedAt: enq, EnqueuedAt: enq, Seq: seq, Version: 1}
}

// offeredRow is queuedRow offered to ops.
func offeredRow(id, group string, seq uint64, ops ...string) store.Conversation {
	c := queuedRow(id, group, seq)
	c.State, c.OfferedTo, c.Version = store.Offered, ops, 2
	return c
}

// assignedRow is queuedRow assigned to op.
func assignedRow(id, group string, seq uint64, op string) store.Conversation {
	c := queuedRow(id, group, seq)
	c.State, c.Assignee, c.LastOperator, c.AssignedAt, c.Version = store.Assigned, op, op, t0.Add(-time.Minute), 2
	return c
}

// newRow returns a new conversation of group arriving at t0 plus d, as
// the Router builds it before PlanNew.
func newRow(id, group string, d time.Duration) store.Conversation {
	return store.Conversation{ID: id, Group: group, State: store.Queued, CreatedAt: t0.Add(d)}
}

// book holds the rows a store would hold.
type book struct {
	t     *testing.T
	ops   map[string]store.Operator
	convs map[string]store.Conversation
	seq   uint64
}

// newBook returns a book of the given rows, and loads them into v at t0,
// as a Router does at its start.
func newBook(t *testing.T, v *View, ops []store.Operator, convs []store.Conversation) *book {
	t.Helper()
	b := &book{t: t, ops: map[string]store.Operator{}, convs: map[string]store.Conversation{}}
	for _, o := range ops {
		b.ops[o.ID] = o.Clone()
	}
	for _, c := range convs {
		b.convs[c.ID] = c.Clone()
		b.seq = max(b.seq, c.Seq)
	}
	v.Load(ops, convs, t0)
	return b
}

// gain adds a conversation to operator id's load at time when.
func (b *book) gain(id string, when time.Time) store.Load {
	o := b.ops[id]
	o.Load++
	o.LastAssigned = when
	o.Version++
	b.ops[id] = o
	return store.LoadOf(o)
}

// release takes a conversation from operator id's load.
func (b *book) release(id string) store.Load {
	o := b.ops[id]
	o.Load--
	o.Version++
	b.ops[id] = o
	return store.LoadOf(o)
}

// check is the store's atomic check of req on row, a conversation about
// to be in its new state (addsLoad: its assignee gains one).
func (b *book) check(row store.Conversation, req store.Require, addsLoad bool) error {
	if row.Assignee != "" {
		if err := req.CheckAssignee(b.ops[row.Assignee], addsLoad); err != nil {
			return err
		}
	}
	for _, id := range row.OfferedTo {
		if err := req.CheckOffer(b.ops[id]); err != nil {
			return err
		}
	}
	return nil
}

// create stores new conversation row as CreateConversation does.
func (b *book) create(row store.Conversation, req store.Require) (store.Result, error) {
	if err := store.ValidateNew(row, req); err != nil {
		return store.Result{}, err
	}
	if _, ok := b.convs[row.ID]; ok {
		return store.Result{}, store.ErrAlreadyExists
	}
	if err := b.check(row, req, row.State == store.Assigned); err != nil {
		return store.Result{}, err
	}
	row = row.Clone()
	b.seq++
	row.Seq, row.Version = b.seq, 1
	if row.EnqueuedAt.IsZero() {
		row.EnqueuedAt = row.CreatedAt
	}
	res := store.Result{Conversation: row}
	if row.State == store.Assigned {
		row.AssignedAt, row.LastOperator = row.CreatedAt, row.Assignee
		res.Conversation = row
		res.Gained = b.gain(row.Assignee, row.CreatedAt)
	}
	b.convs[row.ID] = row
	return res, nil
}

// apply applies ch as Apply does.
func (b *book) apply(ch store.Change) (store.Result, error) {
	if err := ch.Validate(); err != nil {
		return store.Result{}, err
	}
	cur, ok := b.convs[ch.Conversation]
	if !ok {
		return store.Result{}, store.ErrNotFound
	}
	if err := ch.CheckFrom(cur); err != nil {
		return store.Result{}, err
	}
	next := ch.Next(cur, b.seq+1)
	if ch.Requeue {
		b.seq++
	}
	if err := b.check(next, ch.Require, ch.AddsLoad(cur)); err != nil {
		return store.Result{}, err
	}
	res := store.Result{Before: cur.Clone(), Conversation: next}
	if ch.RemovesLoad(cur) {
		res.Released = b.release(cur.Assignee)
	}
	if ch.AddsLoad(cur) {
		res.Gained = b.gain(next.Assignee, ch.At)
	}
	b.convs[next.ID] = next.Clone()
	return res, nil
}

// setStatus moves operator id to status at when, as SetStatus does.
func (b *book) setStatus(id, status string, when time.Time) store.Operator {
	o := b.ops[id]
	o.Status, o.StatusSince = status, when
	o.Version++
	b.ops[id] = o
	return o.Clone()
}

// setGroups gives operator id the groups, as UpdateOperator does.
func (b *book) setGroups(id string, groups ...string) store.Operator {
	o := b.ops[id]
	o.Groups = groups
	o.Version++
	b.ops[id] = o
	return o.Clone()
}

// write makes p's write, as the Router does.
func (b *book) write(p *Plan) (Outcome, error) {
	var out Outcome
	var err error
	switch p.Write {
	case CreateConversation:
		out.Result, err = b.create(p.Row, p.Require)
	case ApplyChange:
		out.Result, err = b.apply(p.Change)
	default:
		err = fmt.Errorf("the book makes no %d write", p.Write)
	}
	return out, err
}

// commit makes p's write, which must be taken, and absorbs it into v at
// now; it returns the store's answer.
func (b *book) commit(v *View, p *Plan, now time.Time) Outcome {
	b.t.Helper()
	out, err := b.write(p)
	require.NoError(b.t, err)
	v.Absorb(p, &out, true, now.UnixNano())
	return out
}

// absorbStatus stores and absorbs a status change of operator id, as
// the Router's SetStatus step does.
func (b *book) absorbStatus(v *View, id, status string, when time.Time) store.Operator {
	row := b.setStatus(id, status, when)
	p := Plan{Write: SetStatus, Status: store.StatusChange{Operator: id, To: status, At: when}}
	v.Absorb(&p, &Outcome{Operator: row}, true, when.UnixNano())
	return row
}

// route stores decision d about c, as the Router's pump does, and returns
// the plan and the events Report gives with wanted.
func (b *book) route(v *View, c store.Conversation, d Decision, now time.Time, wanted uint64) (Plan, []Event) {
	b.t.Helper()
	p := PlanRoute(c, d, now)
	out := b.commit(v, &p, now)
	ev := Events{Wanted: wanted}
	require.Empty(b.t, v.Report(&p, &out, &ev))
	return p, ev.List
}

// drain routes group's queue at now until nothing more changes, as the
// Router's pump does, and returns each routing as "conversation>operator"
// (or "conversation>[offerees]", or "conversation>queued").
func (b *book) drain(v *View, group string, now time.Time) []string {
	b.t.Helper()
	p := NewPump(group)
	var routed []string
	for range 1000 {
		c, d, ok, err := v.NextRoute(&p, now)
		require.NoError(b.t, err)
		if !ok {
			return routed
		}
		b.route(v, c, d, now, 0)
		switch d.Action {
		case policy.Assign:
			routed = append(routed, c.ID+">"+d.Operator)
		case policy.Offer:
			routed = append(routed, fmt.Sprintf("%s>%v", c.ID, d.Operators))
			p.Done(c.ID)
		default:
			routed = append(routed, c.ID+">queued")
			p.Done(c.ID)
		}
	}
	b.t.Fatal("the pump does not end")
	return nil
}

// wanted returns the Events.Wanted set of the given kinds.
func wanted(kinds ...Kind) uint64 {
	var w uint64
	for _, k := range kinds {
		w |= 1 << k
	}
	return w
}

// all is every kind.
var all = wanted(Queued, Offered, OfferWithdrawn, Assigned, AllBusy, Returned, Transferred, Waiting, Closed,
	StatusChanged, GroupAvailability, Redistributed, WaitThreshold, Missed, OffHours, Replied)

// groupInfo returns the snapshot of group id.
func groupInfo(t *testing.T, v *View, id string) GroupInfo {
	t.Helper()
	_, groups := v.Snapshot()
	i := slices.IndexFunc(groups, func(g GroupInfo) bool { return g.ID == id })
	require.GreaterOrEqual(t, i, 0, "group %q", id)
	return groups[i]
}

// operatorInfo returns the snapshot of operator id.
func operatorInfo(t *testing.T, v *View, id string) OperatorInfo {
	t.Helper()
	ops, _ := v.Snapshot()
	i := slices.IndexFunc(ops, func(o OperatorInfo) bool { return o.ID == id })
	require.GreaterOrEqual(t, i, 0, "operator %q", id)
	return ops[i]
}

// planNew plans new conversation row on its first attempt.
func planNew(t *testing.T, v *View, row store.Conversation) Plan {
	t.Helper()
	p, err := v.PlanNew(&row, true, false, false)
	require.NoError(t, err)
	return p
}
