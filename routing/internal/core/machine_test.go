package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
	"github.com/switchboard-go/switchboard/store/storetest"
)

// TestCoreWithMemoryStoreMatchesTheModel drives a core.View and a memory
// store together, single-threaded, the way the Router's one path does
// (routing/step.go): the core plans one store call, the call is made, the
// answer is absorbed and reported, and a stale refusal re-reads the rows
// the plan names and, if the plan says so, is decided again (at most 16
// times). The actions add operators, change statuses, enqueue new
// conversations, route queues, take, close and release conversations,
// withdraw stale offers, end shifts (redistributing what the operator
// held, P4), fire accept timeouts (L2), resynchronise the view, and let
// another router write rows behind the view's back. Every store call is
// recorded.
//
// After every action it checks that the view holds the store's rows (every
// operator with the store's status, groups and load, every open
// conversation with the store's state, assignee, offers and group, no
// closed one), except the rows another router changed that the view has
// not read again since; that the view's derived indexes (held sets, queue
// lengths, availability counts) agree with its own rows; and invariants
// I1, I3 and I4 on the store, and that every offer in a group with an
// accept timeout awaits one (L2). Every write a decision makes is checked as
// the store takes it: an automatic assignment carries the operator's cap
// and stays within it (I2), goes to a status that allows it (I3), offers
// go to eligible operators below their cap (I3, R3), and the queue is
// served in order (I5); after a queue is routed nothing waits that an
// eligible operator could take (R7); a conversation taken back after its
// accept timeout goes to someone who has not missed it, unless nobody else
// is eligible (L2). A stale refusal of a decision the
// core took on rows it held as the store does is a failure: refusals must
// come from the other router's writes, and the decision taken after the
// refresh must be stored. Bad input fails with a typed error and changes
// nothing (I8). At the end of each run the recorded history must be
// linearizable (storetest.CheckLinearizable).
func TestCoreWithMemoryStoreMatchesTheModel(t *testing.T) {
	stats := &machineStats{}
	rapid.Check(t, func(t *rapid.T) {
		m := newCoreMachine(t, stats)
		t.Repeat(m.actions())
		m.checkHistory()
	})
	if stats.runs >= 50 && !t.Failed() {
		// The point of the other router's writes: they make decisions stale,
		// the store refuses them, and the decision taken after the refresh
		// is stored.
		require.Positive(t, stats.staleRefusals, "no decision was refused as stale in %d runs", stats.runs)
		require.Positive(t, stats.acceptedAfterRefusal, "no decision was stored after a stale refusal in %d runs", stats.runs)
	}
}

// machineAttempts is the Router's bound on the stale refusals of one step
// (routing/retry.go maxAttempts).
const machineAttempts = 16

// The recorders' client numbers: the view's router, and the other one.
const (
	machineViewClient  = 1
	machineOtherClient = 2
)

var (
	machineOperators = []string{"o1", "o2", "o3", "o4"}
	machineGroups    = []string{"ga", "gb"}
	machineStatuses  = []string{presence.StatusReady, presence.StatusCanHelp, presence.StatusPause, presence.StatusAway, presence.StatusOffline}
	machineOpen      = []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}
	machineHeld      = []store.State{store.Assigned, store.Waiting}
	machineAccepted  = []store.DeadlineKind{store.AcceptTimeout}
	machineStart     = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

// machineMaxConvs bounds the conversations of one run.
const machineMaxConvs = 8

// machinePolicy is a policy a group may have, and whether it offers
// (broadcast) rather than assigns.
type machinePolicy struct {
	p      policy.Policy
	offers bool
}

func machinePolicies() []machinePolicy {
	return []machinePolicy{
		{p: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})},
		{p: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1, ManualOverCap: true})},
		{p: policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1}), offers: true},
		{p: policy.Capped(policy.Broadcast(2), policy.CapOptions{Default: 2, ManualOverCap: true}), offers: true},
	}
}

// machineStats counts, over every run, what the retry rule did.
type machineStats struct {
	runs                 int
	staleRefusals        int
	acceptedAfterRefusal int
}

// machineDirty names the rows another router changed since the view last
// read them: conversations, operators' whole rows (status, groups, cap)
// and operators' loads. Only these may differ between the view and the
// store.
type machineDirty struct {
	convs, full, load map[string]bool
}

func newMachineDirty() machineDirty {
	return machineDirty{convs: map[string]bool{}, full: map[string]bool{}, load: map[string]bool{}}
}

// operator reports whether any part of operator id's row is dirty.
func (d machineDirty) operator(id string) bool { return d.full[id] || d.load[id] }

// coreMachine is the state of one run.
type coreMachine struct {
	t     *rapid.T
	ctx   context.Context
	stats *machineStats
	model *presence.Model
	// st is the view's store, other another router's: both record into
	// history.
	st, other store.Store
	history   []storetest.Op
	v         *core.View
	// now is the machine's clock, advanced by hand.
	now      time.Time
	policies map[string]machinePolicy
	accept   map[string]time.Duration
	// autoStatuses and offerStatuses name the statuses with each
	// capability.
	autoStatuses, offerStatuses []string
	// created lists the conversations stored; nextConv numbers the next.
	created  []string
	nextConv int
	dirty    machineDirty
	// depth counts the pumps under way (a pump's follow-ups pump again).
	depth int
}

func newCoreMachine(t *rapid.T, stats *machineStats) *coreMachine {
	stats.runs++
	m := &coreMachine{
		t: t, ctx: context.Background(), stats: stats, model: presence.Standard(),
		now: machineStart, policies: map[string]machinePolicy{}, accept: map[string]time.Duration{},
		dirty: newMachineDirty(),
	}
	mem := memory.New()
	sink := func(op storetest.Op) { m.history = append(m.history, op) }
	m.st = storetest.NewRecorder(mem, machineViewClient, sink)
	m.other = storetest.NewRecorder(mem, machineOtherClient, sink)
	m.autoStatuses, m.offerStatuses = m.model.With(presence.AutoAssign), m.model.With(presence.QueueTake)
	m.v = core.NewView(m.model, nil)
	ps := machinePolicies()
	for _, g := range machineGroups {
		m.policies[g] = ps[rapid.IntRange(0, len(ps)-1).Draw(t, "policy-"+g)]
		m.accept[g] = time.Duration(rapid.IntRange(1, 3).Draw(t, "accept-"+g)) * time.Minute
		require.NoError(t, m.v.AddGroup(core.GroupConfig{ID: g, Policy: m.policies[g].p, AcceptTimeout: m.accept[g]}, m.now))
	}
	// A few operators and conversations to start with, so that short runs
	// route something.
	for range rapid.IntRange(2, 4).Draw(t, "operators") {
		m.addOperator(t)
	}
	for range rapid.IntRange(0, 4).Draw(t, "conversations") {
		m.actNewConversation(t)
	}
	return m
}

func (m *coreMachine) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"addOperator":     m.addOperator,
		"setStatus":       m.actSetStatus,
		"newConversation": m.actNewConversation,
		"pump":            m.actPump,
		"take":            m.actTake,
		"close":           m.actClose,
		"release":         m.actRelease,
		"withdraw":        m.actWithdraw,
		"endShift":        m.actEndShift,
		"acceptTimeout":   m.actAcceptTimeout,
		"resync":          m.actResync,
		"badInput":        m.actBadInput,
		"otherRouter":     m.actOtherRouter,
		"":                m.check,
	}
}

// tick advances the clock by a second and returns it.
func (m *coreMachine) tick() time.Time {
	m.now = m.now.Add(time.Second)
	return m.now
}

// at is the time for Absorb, Refresh and Resync.
func (m *coreMachine) at() int64 { return m.now.UnixNano() }

// The executor: routing/step.go's step, retry rule and refresh.

// machinePlan decides a step's next write, as routing's planFunc does.
type machinePlan func(now time.Time, read *store.Conversation, refused int) (core.Plan, error)

// machineStepped is what a step did.
type machineStepped struct {
	plan    core.Plan
	out     core.Outcome
	stale   []string
	done    bool
	refused int
}

// step takes one step: plan, store call, Absorb and Report; a stale
// refusal refreshes the rows the plan names and, if p.Retry, decides
// again, at most machineAttempts times.
func (m *coreMachine) step(plan machinePlan) (machineStepped, error) {
	var read *store.Conversation
	refused := 0
	for {
		now := m.tick()
		p, err := plan(now, read, refused)
		st := machineStepped{plan: p, refused: refused}
		switch {
		case err != nil:
			return st, err
		case p.Write == core.NoWrite:
			st.done = true
			return st, nil
		case p.Write == core.ReadConversation:
			c, err := m.st.Conversation(m.ctx, p.Conversation)
			if err != nil {
				return st, err
			}
			read = &c
			continue
		}
		current := m.restsOnCurrentRows(&p)
		out, err := m.write(&p)
		if err == nil {
			m.v.Absorb(&p, &out, true, m.at())
			ev := core.Events{Wanted: ^uint64(0)}
			st.out, st.stale = out, m.v.Report(&p, &out, &ev)
			m.took(&p, out, ev.List, refused)
			return st, nil
		}
		m.v.Absorb(&p, &out, false, m.at())
		if !machineRetryable(err) {
			return st, err
		}
		m.wasRefused(&p, current, err)
		m.refresh(p.RefreshConversation, p.Refresh())
		if !p.Retry {
			return st, err
		}
		if refused >= machineAttempts {
			return st, fmt.Errorf("kept changing: %w", err)
		}
		refused++
		read = nil
	}
}

// write makes plan p's store call.
func (m *coreMachine) write(p *core.Plan) (out core.Outcome, err error) {
	switch p.Write {
	case core.ApplyChange:
		out.Result, err = m.st.Apply(m.ctx, p.Change)
	case core.CreateConversation:
		out.Result, err = m.st.CreateConversation(m.ctx, p.Row, p.Require)
	case core.SetStatus:
		out.Operator, err = m.st.SetStatus(m.ctx, p.Status)
	case core.CreateOperator:
		out.Operator, err = m.st.CreateOperator(m.ctx, p.Operator)
	default:
		m.t.Fatalf("a plan with a store call this machine does not make: %d", p.Write)
	}
	return out, err
}

// machineRetryable is routing/retry.go's retryable.
func machineRetryable(err error) bool {
	return errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrAlreadyTaken) ||
		errors.Is(err, store.ErrOverCapacity) || errors.Is(err, store.ErrNotAllowed) ||
		errors.Is(err, store.ErrWrongState) || errors.Is(err, store.ErrNotFound) ||
		errors.Is(err, store.ErrNotAssignee)
}

// refresh is routing/dispatch.go's refresh: the rows named are read again
// and put in place of the view's; they are the store's from then on.
func (m *coreMachine) refresh(convID string, opIDs []string) {
	start := m.v.Gen()
	var conv *store.Conversation
	convGone := false
	if convID != "" {
		c, err := m.st.Conversation(m.ctx, convID)
		if errors.Is(err, store.ErrNotFound) {
			convGone = true
		} else {
			require.NoError(m.t, err)
			conv = &c
		}
	}
	ops := make([]store.Operator, 0, len(opIDs))
	gone := []string{}
	for _, id := range opIDs {
		o, err := m.st.Operator(m.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			gone = append(gone, id)
			continue
		}
		require.NoError(m.t, err)
		ops = append(ops, o)
	}
	m.v.Refresh(start, conv, convID, convGone, ops, gone, m.at())
	if convID != "" {
		delete(m.dirty.convs, convID)
		m.checkConversationAgrees(convID)
	}
	for _, id := range opIDs {
		delete(m.dirty.full, id)
		delete(m.dirty.load, id)
		m.checkOperatorAgrees(id)
	}
}

// restsOnCurrentRows reports whether plan p was decided on the view's
// current row of its conversation (a batch of withdrawals decides on rows
// scanned earlier, which the batch's own steps may have moved on).
func (m *coreMachine) restsOnCurrentRows(p *core.Plan) bool {
	switch {
	case p.Write == core.ApplyChange && p.Change.Version != 0:
		c, ok := m.v.Conversation(p.Change.Conversation)
		return ok && c.Version == p.Change.Version
	case p.Write == core.SetStatus:
		o, err := m.v.Operator(p.Status.Operator)
		return err == nil && o.Status == p.Status.From
	}
	return true
}

// wasRefused checks a stale refusal: a decision the core took on rows it
// held as the store does must be stored, so a row the plan names must be
// one another router changed behind the view's back. The answers of
// commands the caller built (take, close, release) are checked by their
// actions.
func (m *coreMachine) wasRefused(p *core.Plan, current bool, err error) {
	if !p.Routed && p.Write != core.SetStatus {
		return
	}
	if !current {
		return
	}
	dirty := p.RefreshConversation != "" && m.dirty.convs[p.RefreshConversation]
	for _, id := range p.Refresh() {
		dirty = dirty || m.dirty.operator(id)
	}
	require.True(m.t, dirty, "the store refused a plan decided on rows the view held as the store does (conversation %q, operators %v): %v",
		p.RefreshConversation, p.Refresh(), err)
	m.stats.staleRefusals++
}

// took follows a write the store took: the rows it returned are the
// view's now, and a decision's write is checked against the invariants.
func (m *coreMachine) took(p *core.Plan, out core.Outcome, events []core.Event, refused int) {
	if refused > 0 {
		m.stats.acceptedAfterRefusal++
	}

	switch p.Write {
	case core.ApplyChange, core.CreateConversation:
		res := out.Result
		delete(m.dirty.convs, res.Conversation.ID)
		for _, l := range res.Loads() {
			delete(m.dirty.load, l.Operator)
		}
		if p.Write == core.CreateConversation {
			m.created = append(m.created, res.Conversation.ID)
		}
	default:
		delete(m.dirty.full, out.Operator.ID)
		delete(m.dirty.load, out.Operator.ID)
	}
	if p.Routed {
		m.checkRouted(p, out.Result, events)
	}
}

// checkRouted checks the write of a routing decision as the store took
// it, and the events Report gave of it.
func (m *coreMachine) checkRouted(p *core.Plan, res store.Result, events []core.Event) {
	t, d, c := m.t, p.Decision, res.Conversation
	req := p.Require
	if p.Write == core.ApplyChange {
		req = p.Change.Require
	}
	switch d.Action {
	case policy.Assign:
		require.Equal(t, store.Assigned, c.State, "%s: assigned as decided", c.ID)
		require.Equal(t, d.Operator, c.Assignee, "%s: assigned as decided", c.ID)
		o := m.storeOperator(c.Assignee)
		require.True(t, o.InGroup(c.Group), "%s assigned to %s outside group %s", c.ID, o.ID, c.Group)
		// I3: the status allows automatic assignment, and the store checked it.
		require.True(t, m.model.Has(o.Status, presence.AutoAssign), "%s assigned automatically to %s in %s", c.ID, o.ID, o.Status)
		require.Equal(t, m.autoStatuses, req.AssigneeStatuses, "%s: the statuses the store checks", c.ID)
		// I2: the store checked the operator's cap, and an assignment that
		// added to their load kept within it (one that leaves a
		// conversation with them adds nothing).
		limit := m.capOf(c.Group, o)
		require.Equal(t, limit, req.AssigneeCap, "%s: the cap the store checks for %s", c.ID, o.ID)
		if limit > 0 && res.Gained.Operator == o.ID {
			require.LessOrEqual(t, o.Load, limit, "%s assigned automatically to %s above cap", c.ID, o.ID)
		}
		require.True(t, hasEvent(events, core.Assigned, c.ID, func(e core.Event) bool { return e.Operator == c.Assignee }), "%s: no Assigned event", c.ID)
	case policy.Offer:
		require.Equal(t, store.Offered, c.State, "%s: offered as decided", c.ID)
		require.ElementsMatch(t, d.Operators, c.OfferedTo, "%s: offered as decided", c.ID)
		require.Equal(t, m.offerStatuses, req.OfferStatuses, "%s: the statuses the store checks", c.ID)
		for _, id := range c.OfferedTo {
			o := m.storeOperator(id)
			require.True(t, o.InGroup(c.Group), "%s offered to %s outside group %s", c.ID, id, c.Group)
			require.True(t, m.model.Has(o.Status, presence.QueueTake), "%s offered to %s in %s", c.ID, id, o.Status)
			if limit := m.capOf(c.Group, o); limit > 0 && !m.dirty.load[id] {
				// R3: offers go to operators below their cap.
				require.Less(t, o.Load, limit, "%s offered to %s at cap", c.ID, id)
			}
		}
		if res.Before.State != store.Offered {
			require.True(t, hasEvent(events, core.Offered, c.ID, func(e core.Event) bool { return sameIDs(e.Operators, c.OfferedTo) }), "%s: no Offered event", c.ID)
		}
	default:
		require.Equal(t, store.Queued, c.State, "%s: kept in the queue as decided", c.ID)
		require.True(t, hasEvent(events, core.Queued, c.ID, nil), "%s: no Queued event", c.ID)
	}
	// I5: a conversation leaves the queue for an operator only when none
	// waits ahead of it; a new one joins the queue behind those waiting.
	if c.State == store.Queued || !(p.New || res.Before.State == store.Queued) {
		return
	}
	for _, x := range m.storeConversations() {
		if x.ID == c.ID || x.Group != c.Group || x.State != store.Queued || m.dirty.convs[x.ID] {
			continue
		}
		require.False(t, p.New, "new conversation %s routed at once while %s waits in %s", c.ID, x.ID, c.Group)
		require.False(t, queue.Less(queueItem(x), queueItem(c)), "%s served before %s, which waits ahead of it in %s", c.ID, x.ID, c.Group)
	}
}

func queueItem(c store.Conversation) queue.Item {
	return queue.Item{ID: c.ID, Priority: c.Priority, Arrival: c.EnqueuedAt, Seq: c.Seq}
}

// hasEvent reports whether events has one of kind k about conversation id
// that passes ok (if not nil).
func hasEvent(events []core.Event, k core.Kind, id string, ok func(core.Event) bool) bool {
	return slices.ContainsFunc(events, func(e core.Event) bool {
		return e.Kind == k && e.Conversation == id && (ok == nil || ok(e))
	})
}

// sameIDs reports whether a and b hold the same ids.
func sameIDs(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// capOf is the model of the cap the store must check when operator o is
// given a conversation of group automatically: none without a limiter,
// else the operator's one cap (operatorCap).
func (m *coreMachine) capOf(group string, o store.Operator) int {
	if policy.LimiterOf(m.policies[group].p) == nil {
		return 0
	}
	return m.operatorCap(o)
}

// operatorCap is the model of an operator's cap: their own, else the
// lowest positive default of their groups' policies; zero for none.
func (m *coreMachine) operatorCap(o store.Operator) int {
	if o.Cap > 0 {
		return o.Cap
	}
	lowest := 0
	for _, g := range o.Groups {
		if l := policy.LimiterOf(m.policies[g].p); l != nil {
			if c := l.Limit(policy.Candidate{ID: o.ID}); c > 0 && (lowest == 0 || c < lowest) {
				lowest = c
			}
		}
	}
	return lowest
}

// effectiveCap is the cap the view reports of operator o (S1): their cap
// when a policy of one of their groups caps operators, else zero.
func (m *coreMachine) effectiveCap(o store.Operator) int {
	for _, g := range o.Groups {
		if policy.LimiterOf(m.policies[g].p) != nil {
			return m.operatorCap(o)
		}
	}
	return 0
}

// belowCap reports whether operator o is below their cap in group.
func (m *coreMachine) belowCap(group string, o store.Operator) bool {
	return policy.BelowCap(policy.LimiterOf(m.policies[group].p), policy.Candidate{ID: o.ID, Load: o.Load, Cap: m.operatorCap(o)})
}

// The commands, as the Router carries them out (routing/operator.go,
// routing/conversation.go, routing/dispatch.go, routing/accept.go).

// addOperator adds an operator, as AddOperator does, and routes their
// groups' queues.
func (m *coreMachine) addOperator(t *rapid.T) {
	// Usually someone new; now and then a taken id.
	var free []string
	for _, id := range machineOperators {
		if _, ok := m.findOperator(id); !ok {
			free = append(free, id)
		}
	}
	id := rapid.SampledFrom(machineOperators).Draw(t, "operator")
	if len(free) > 0 && rapid.IntRange(0, 4).Draw(t, "taken") > 0 {
		id = rapid.SampledFrom(free).Draw(t, "free")
	}
	var groups []string
	for _, g := range machineGroups {
		if rapid.IntRange(0, 3).Draw(t, "in-"+g) > 0 {
			groups = append(groups, g)
		}
	}
	row := store.Operator{
		ID: id, Groups: groups, Cap: rapid.IntRange(0, 2).Draw(t, "cap"),
		Status: rapid.SampledFrom(machineStatuses).Draw(t, "status"), StatusSince: m.now,
	}
	_, exists := m.findOperator(id)
	st, err := m.step(func(time.Time, *store.Conversation, int) (core.Plan, error) {
		if err := m.v.CheckGroups(row.Groups); err != nil {
			return core.Plan{}, err
		}
		return core.Plan{Write: core.CreateOperator, Operator: row}, nil
	})
	if exists {
		require.ErrorIs(t, err, store.ErrAlreadyExists)
		return
	}
	require.NoError(t, err)
	require.NoError(t, m.pumpGroups(slices.Clone(st.out.Operator.Groups)))
}

// setStatus is routing/operator.go's setStatus: with from set, the
// operator must still be in from and a stale refusal is not retried.
func (m *coreMachine) setStatus(id, from, to string, forbid []store.State) error {
	refreshed := false
	for {
		same := false
		st, err := m.step(func(now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
			op, err := m.v.Operator(id)
			if err != nil {
				return core.Plan{}, err
			}
			cur := op.Status
			switch err := m.model.Check(cur, to); {
			case err != nil:
				return core.Plan{}, err
			case from != "" && from != cur:
				return core.Plan{}, fmt.Errorf("%w: operator %q is %q, not %q", store.ErrConflict, id, cur, from)
			case cur == to:
				same = true
				return core.Plan{}, nil
			}
			return core.Plan{
				Write: core.SetStatus, Retry: from == "", RefreshOperators: []string{id},
				Status: store.StatusChange{Operator: id, From: cur, To: to, Forbid: forbid, At: now},
			}, nil
		})
		switch {
		case err != nil:
			return err
		case same && (refreshed || st.refused > 0):
			return nil
		case same:
			m.refresh("", []string{id})
			refreshed = true
			continue
		}
		gained := m.v.Accepting(id)
		if err := m.withdrawStale(id); err != nil {
			return err
		}
		if gained {
			return m.pumpGroups(slices.Clone(st.out.Operator.Groups))
		}
		return nil
	}
}

// withdrawStale is routing/operator.go's withdrawStale: the offers made
// to an operator who may no longer hold them are withdrawn (R3), one a
// step, and the queues touched are routed again.
func (m *coreMachine) withdrawStale(id string) error {
	var touched []string
	var batch []store.Conversation
	var decisions []core.Decision
	next := 0
	for i := 0; ; i++ {
		require.Less(m.t, i, 64, "the withdrawal of %s's offers does not end", id)
		st, err := m.step(func(now time.Time, _ *store.Conversation, refused int) (core.Plan, error) {
			if refused > 0 || next == len(batch) {
				batch, decisions = m.v.WithdrawalsOf(id, nil)
				next = 0
			}
			if len(batch) == 0 {
				return core.Plan{}, nil
			}
			next++
			return core.PlanRoute(batch[next-1], decisions[next-1], now), nil
		})
		if err != nil {
			return err
		}
		if st.done {
			return m.pumpGroups(touched)
		}
		if err := m.withdrawFrom(st.stale); err != nil {
			return err
		}
		touched = append(touched, st.out.Result.Before.Group)
	}
}

// withdrawFrom withdraws the stale offers of each operator in ops.
func (m *coreMachine) withdrawFrom(ops []string) error {
	for _, id := range ops {
		if err := m.withdrawStale(id); err != nil {
			return err
		}
	}
	return nil
}

// afterGaining follows an operator gaining a conversation.
func (m *coreMachine) afterGaining(id string) error {
	if id == "" {
		return nil
	}
	return m.withdrawStale(id)
}

// pump is routing/dispatch.go's pump: group's queue is routed in serving
// order, one conversation a step.
func (m *coreMachine) pump(group string) error {
	m.depth++
	defer func() { m.depth-- }()
	require.Less(m.t, m.depth, 32, "pumps keep starting pumps")
	p := core.NewPump(group)
	for i := 0; ; i++ {
		require.Less(m.t, i, 64, "the routing of %s's queue does not end", group)
		st, err := m.step(func(now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
			c, d, ok, err := m.v.NextRoute(&p, now)
			if err != nil || !ok {
				return core.Plan{}, err
			}
			return core.PlanRoute(c, d, now), nil
		})
		if err != nil || st.done {
			return err
		}
		if err := m.withdrawFrom(st.stale); err != nil {
			return err
		}
		if d := st.plan.Decision; d.Action == policy.Assign {
			if err := m.afterGaining(d.Operator); err != nil {
				return err
			}
		} else {
			p.Done(st.plan.Conversation)
		}
	}
}

// pumpGroups pumps the given groups in order, skipping repeats.
func (m *coreMachine) pumpGroups(groups []string) error {
	slices.Sort(groups)
	for _, g := range slices.Compact(groups) {
		if err := m.pump(g); err != nil {
			return err
		}
	}
	return nil
}

// create is routing/conversation.go's create: a new conversation is
// stored where the core decides, and what follows is routed.
func (m *coreMachine) create(row store.Conversation) error {
	first := true
	st, err := m.step(func(_ time.Time, _ *store.Conversation, refused int) (core.Plan, error) {
		p, err := m.v.PlanNew(&row, first, refused >= machineAttempts, false)
		first = false
		return p, err
	})
	if err != nil {
		return err
	}
	c := st.out.Result.Conversation
	if err := m.withdrawFrom(st.stale); err != nil {
		return err
	}
	if c.State == store.Queued {
		if m.v.HasAvailable(c.Group) {
			return m.pump(c.Group)
		}
		return nil
	}
	return m.afterGaining(c.Assignee)
}

// mutate is routing/conversation.go's mutate: the change build returns
// for conversation id, on the view's row (or the store's, for one the
// view does not hold), applied in one step.
func (m *coreMachine) mutate(id string, build func(store.Conversation) (store.Change, error)) (store.Result, error) {
	st, err := m.step(func(now time.Time, read *store.Conversation, _ int) (core.Plan, error) {
		c, ok := m.v.Conversation(id)
		if !ok {
			if read == nil {
				return core.Plan{Write: core.ReadConversation, Conversation: id}, nil
			}
			c = *read
		}
		ch, err := build(c)
		if err != nil {
			return core.Plan{}, err
		}
		ch.Conversation, ch.At = id, now
		return core.PlanApply(ch), nil
	})
	return st.out.Result, err
}

// afterLeaving is routing/conversation.go's afterLeaving: the freed slot
// goes to the queues, and a last close may switch the status (P5).
func (m *coreMachine) afterLeaving(before store.Conversation, extra ...string) error {
	groups, status, next := m.v.AfterLeaving(before, extra)
	if next != "" {
		err := m.setStatus(before.Assignee, status, next, machineHeld)
		switch {
		case err == nil, errors.Is(err, store.ErrConflict):
		case errors.Is(err, store.ErrHoldsConversations):
			// The view saw them hold nothing: what they hold came behind
			// its back.
			held := m.heldBy(before.Assignee)
			require.NotEmpty(m.t, held)
			for _, c := range held {
				require.True(m.t, m.dirty.convs[c.ID], "%s holds %s, which the view knew, yet the core switched their status on a last close", before.Assignee, c.ID)
			}
		default:
			return err
		}
	}
	return m.pumpGroups(groups)
}

// redistribute is routing/operator.go's redistribute (P4).
func (m *coreMachine) redistribute(id string) error {
	var kept []string
	done := map[string]bool{}
	for i := 0; ; i++ {
		require.Less(m.t, i, 64, "the redistribution of %s's conversations does not end", id)
		st, err := m.step(func(now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
			c, d, ok, err := m.v.NextRedistribution(id, done, now)
			if err != nil || !ok {
				return core.Plan{}, err
			}
			return core.PlanRoute(c, d, now), nil
		})
		if err != nil {
			return err
		}
		if st.done {
			return m.pumpGroups(kept)
		}
		if err := m.withdrawFrom(st.stale); err != nil {
			return err
		}
		c, d := st.out.Result.Before, st.plan.Decision
		done[c.ID] = true
		switch d.Action {
		case policy.Assign:
			if err := m.afterGaining(d.Operator); err != nil {
				return err
			}
		case policy.Keep:
			kept = append(kept, c.Group)
		}
	}
}

// fireAccept is routing/accept.go's fireAccept (L2): c, as the view holds
// it, was not accepted in time and is routed again.
func (m *coreMachine) fireAccept(c store.Conversation) error {
	var missedBy []string
	st, err := m.step(func(now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
		d, missed, ok := m.v.DecideMissed(c, now)
		if !ok {
			return core.Plan{}, nil
		}
		missedBy = append(slices.Clone(c.MissedBy), missed...)
		p := core.PlanRoute(c, d, now)
		p.Retry = false
		return p, nil
	})
	switch {
	case err != nil:
		return err
	case !st.done:
		m.checkMissed(st.out.Result.Conversation, st.plan.Decision, missedBy)
	}
	switch {
	case st.done:
		_, err := m.mutate(c.ID, func(store.Conversation) (store.Change, error) {
			return store.Change{
				From: []store.State{c.State}, Version: c.Version, To: c.State, NewAssignee: c.Assignee, Offers: c.OfferedTo,
				SetDeadlines: true, Deadlines: core.Without(c.Deadlines, store.AcceptTimeout),
			}, nil
		})
		return err
	}
	if err := m.withdrawFrom(st.stale); err != nil {
		return err
	}
	return m.afterLeaving(st.out.Result.Before)
}

// checkMissed: a conversation taken back after an accept timeout goes to
// someone who has not missed it, unless nobody else is eligible (L2).
func (m *coreMachine) checkMissed(c store.Conversation, d core.Decision, missedBy []string) {
	if !slices.ContainsFunc(d.Named(), func(id string) bool { return slices.Contains(missedBy, id) }) {
		return
	}
	mp := m.policies[c.Group]
	for _, o := range m.storeOperators() {
		if !o.InGroup(c.Group) || slices.Contains(missedBy, o.ID) || m.dirty.operator(o.ID) {
			continue
		}
		eligible := m.model.Has(o.Status, presence.AutoAssign)
		if mp.offers {
			eligible = m.model.Has(o.Status, presence.QueueTake)
		}
		require.False(m.t, eligible && m.belowCap(c.Group, o), "%s given back to %v, who missed it, while %s could be given it", c.ID, d.Named(), o.ID)
	}
}

// processDue is routing/deadline.go's loop over the due deadlines, with
// the clock moved to the earliest.
func (m *coreMachine) processDue() error {
	due, ok := m.v.NextDue()
	if !ok {
		return nil
	}
	if at := time.Unix(0, due).UTC(); at.After(m.now) {
		m.now = at
	}
	tries := 0
	for i := 0; ; i++ {
		require.Less(m.t, i, 64, "deadlines keep coming due")
		it, c, _, ok := m.v.Due(m.now.UnixNano())
		if !ok {
			return nil
		}
		require.False(m.t, it.Operator, "an operator's deadline, and none was set")
		require.Equal(m.t, store.AcceptTimeout, it.Kind, "%s: a deadline of a kind no group sets", it.ID)
		err := m.fireAccept(c)
		switch {
		case err == nil:
		case machineRetryable(err) && tries < machineAttempts:
			tries++
		default:
			return err
		}
	}
}

// resync is routing/resync.go's resync: the view is made the store's.
func (m *coreMachine) resync() {
	start, held := m.v.Gen(), m.v.ConversationIDs()
	slices.Sort(held)
	ops, err := m.st.Operators(m.ctx)
	require.NoError(m.t, err)
	convs, err := m.st.Conversations(m.ctx, store.Filter{States: machineOpen})
	require.NoError(m.t, err)
	var gone []string
	for _, id := range held {
		if !slices.ContainsFunc(convs, func(c store.Conversation) bool { return c.ID == id }) {
			gone = append(gone, id)
		}
	}
	for _, id := range gone {
		c, err := m.st.Conversation(m.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		require.NoError(m.t, err)
		convs = append(convs, c)
	}
	m.v.Resync(start, ops, convs, gone, m.at())
	m.dirty = newMachineDirty()
}

// The actions.

func (m *coreMachine) actSetStatus(t *rapid.T) {
	id := rapid.SampledFrom(append(machineOperators, "o9")).Draw(t, "operator")
	to := rapid.SampledFrom(machineStatuses).Draw(t, "status")
	err := m.setStatus(id, "", to, m.model.Forbidden(to))
	if _, ok := m.findOperator(id); !ok {
		require.ErrorIs(t, err, store.ErrNotFound)
		return
	}
	require.NoError(t, err)
	if !m.model.Has(to, presence.QueueTake) {
		// R3: nothing is left offered to them.
		for _, c := range m.storeConversations() {
			require.False(t, c.State == store.Offered && slices.Contains(c.OfferedTo, id), "%s still offered to %s, now %s", c.ID, id, to)
		}
	}
}

func (m *coreMachine) actNewConversation(t *rapid.T) {
	group := rapid.SampledFrom(machineGroups).Draw(t, "group")
	if rapid.IntRange(0, 9).Draw(t, "unknownGroup") == 0 {
		group = "nope"
	}
	id := fmt.Sprintf("c%d", m.nextConv+1)
	duplicate := m.nextConv >= machineMaxConvs
	if duplicate {
		id = rapid.SampledFrom(m.created).Draw(t, "duplicate")
	}
	now := m.tick()
	row := store.Conversation{
		ID: id, Group: group, Priority: rapid.IntRange(0, 2).Draw(t, "priority"),
		State: store.Queued, CreatedAt: now,
	}
	err := m.create(row)
	switch {
	case group == "nope":
		require.ErrorIs(t, err, store.ErrNotFound)
	case duplicate:
		require.ErrorIs(t, err, store.ErrAlreadyExists)
	default:
		require.NoError(t, err)
		m.nextConv++
	}
}

func (m *coreMachine) actPump(t *rapid.T) {
	group := rapid.SampledFrom(append(machineGroups, "nope")).Draw(t, "group")
	err := m.pump(group)
	if group == "nope" {
		require.ErrorIs(t, err, store.ErrNotFound)
		return
	}
	require.NoError(t, err)
	m.checkServed(group)
}

func (m *coreMachine) actTake(t *rapid.T) {
	op, conv := m.drawOperator(t), m.drawConversation(t)
	want := m.predictTake(op, conv)
	_, err := m.mutate(conv, func(c store.Conversation) (store.Change, error) {
		req, err := m.v.TakeRequire(c, op)
		if err != nil {
			return store.Change{}, err
		}
		return store.Change{From: []store.State{store.Queued, store.Offered}, To: store.Assigned, NewAssignee: op, Require: req, DropDeadlines: machineAccepted}, nil
	})
	if want != nil {
		require.ErrorIs(t, err, want, "take of %s by %s", conv, op)
		return
	}
	require.NoError(t, err, "take of %s by %s", conv, op)
	require.NoError(t, m.afterGaining(op))
}

func (m *coreMachine) actClose(t *rapid.T) {
	conv, by := m.drawConversation(t), m.drawActor(t)
	want := m.predictHolderOnly(by, conv, machineOpen)
	res, err := m.mutate(conv, func(store.Conversation) (store.Change, error) {
		return store.Change{From: machineOpen, Assignee: by, To: store.Closed, CloseReason: "done"}, nil
	})
	if want != nil {
		require.ErrorIs(t, err, want, "close of %s by %q", conv, by)
		return
	}
	require.NoError(t, err, "close of %s by %q", conv, by)
	require.NoError(t, m.afterLeaving(res.Before))
}

func (m *coreMachine) actRelease(t *rapid.T) {
	conv, by := m.drawConversation(t), m.drawActor(t)
	want := m.predictHolderOnly(by, conv, machineHeld)
	res, err := m.mutate(conv, func(store.Conversation) (store.Change, error) {
		return store.Change{From: machineHeld, Assignee: by, To: store.Queued, DropDeadlines: machineAccepted}, nil
	})
	if want != nil {
		require.ErrorIs(t, err, want, "release of %s by %q", conv, by)
		return
	}
	require.NoError(t, err, "release of %s by %q", conv, by)
	require.NoError(t, m.afterLeaving(res.Before, res.Conversation.Group))
}

func (m *coreMachine) actWithdraw(t *rapid.T) {
	require.NoError(t, m.withdrawStale(m.drawOperator(t)))
}

func (m *coreMachine) actEndShift(t *rapid.T) {
	id := rapid.SampledFrom(append(machineOperators, "o9")).Draw(t, "operator")
	// Usually the end of a shift (P4); sometimes the redistribution alone,
	// of an operator still on shift.
	var err error
	if rapid.IntRange(0, 3).Draw(t, "offShift") > 0 {
		err = m.setStatus(id, "", m.model.OffShift(), nil)
	}
	if err == nil {
		err = m.redistribute(id)
	}
	if _, ok := m.findOperator(id); !ok {
		require.ErrorIs(t, err, store.ErrNotFound)
		return
	}
	require.NoError(t, err)
}

func (m *coreMachine) actAcceptTimeout(t *rapid.T) {
	require.NoError(t, m.processDue())
}

func (m *coreMachine) actResync(t *rapid.T) {
	m.resync()
	require.NoError(t, m.pumpGroups(m.v.GroupIDs()))
	for _, g := range machineGroups {
		m.checkServed(g)
	}
}

// actBadInput: bad input fails with a typed error and changes nothing
// (I8), neither the view nor the store.
func (m *coreMachine) actBadInput(t *rapid.T) {
	gen, writes := m.v.Gen(), len(m.history)
	ops, groups := m.v.Snapshot()
	now := m.tick()
	switch rapid.IntRange(0, 5).Draw(t, "bad") {
	case 0:
		row := store.Conversation{ID: "cx", Group: "nope", State: store.Queued, CreatedAt: now}
		_, err := m.v.PlanNew(&row, true, false, false)
		require.ErrorIs(t, err, store.ErrNotFound)
	case 1:
		p := core.NewPump("nope")
		_, _, _, err := m.v.NextRoute(&p, now)
		require.ErrorIs(t, err, store.ErrNotFound)
	case 2:
		_, _, _, err := m.v.NextRedistribution("o9", map[string]bool{}, now)
		require.ErrorIs(t, err, store.ErrNotFound)
	case 3:
		_, err := m.v.Operator("")
		require.ErrorIs(t, err, store.ErrInvalid)
	case 4:
		id := m.drawOperator(t)
		err := m.setStatus(id, "", "lunch", nil)
		if _, ok := m.findOperator(id); ok {
			require.ErrorIs(t, err, presence.ErrUnknownStatus)
		} else {
			require.ErrorIs(t, err, store.ErrNotFound)
		}
	case 5:
		c, ok := m.v.Conversation(m.drawConversation(t))
		o, known := m.findOperator(m.drawOperator(t))
		if !ok || !known || o.InGroup(c.Group) {
			return
		}
		_, err := m.v.TakeRequire(c, o.ID)
		require.ErrorIs(t, err, store.ErrNotAllowed)
	}
	require.Equal(t, gen, m.v.Gen(), "bad input changed the view")
	require.Len(t, m.history, writes, "bad input wrote to the store")
	afterOps, afterGroups := m.v.Snapshot()
	require.Equal(t, ops, afterOps)
	require.Equal(t, groups, afterGroups)
}

// actOtherRouter: another router writes to the store, and the view is not
// told. The rows it changes are dirty until the view reads them again.
func (m *coreMachine) actOtherRouter(t *rapid.T) {
	for range rapid.IntRange(1, 3).Draw(t, "otherWrites") {
		m.otherRouterWrites(t)
	}
}

// otherRouterWrites makes one write of the other router.
func (m *coreMachine) otherRouterWrites(t *rapid.T) {
	ops, convs := m.storeOperators(), m.storeConversations()
	pick := func(cs []store.Conversation, label string) (store.Conversation, bool) {
		if len(cs) == 0 {
			return store.Conversation{}, false
		}
		return cs[rapid.IntRange(0, len(cs)-1).Draw(t, label)], true
	}
	in := func(states ...store.State) []store.Conversation {
		return slices.DeleteFunc(slices.Clone(convs), func(c store.Conversation) bool { return !slices.Contains(states, c.State) })
	}
	switch rapid.IntRange(0, 3).Draw(t, "otherWrite") {
	case 0:
		// A status change, with the withdrawal of the offers it makes
		// stale (as that router's SetStatus does).
		if len(ops) == 0 {
			return
		}
		o := ops[rapid.IntRange(0, len(ops)-1).Draw(t, "otherOperator")]
		to := rapid.SampledFrom(machineStatuses).Draw(t, "otherStatus")
		_, err := m.other.SetStatus(m.ctx, store.StatusChange{Operator: o.ID, To: to, At: m.tick()})
		require.NoError(t, err)
		m.dirty.full[o.ID] = true
		if m.model.Has(to, presence.QueueTake) {
			return
		}
		for _, c := range in(store.Offered) {
			if !slices.Contains(c.OfferedTo, o.ID) {
				continue
			}
			ch := store.Change{Conversation: c.ID, From: []store.State{store.Offered}, Version: c.Version, To: store.Queued, At: m.tick()}
			if rest := slices.DeleteFunc(slices.Clone(c.OfferedTo), func(id string) bool { return id == o.ID }); len(rest) > 0 {
				ch.To, ch.Offers, ch.Require = store.Offered, rest, store.Require{OfferStatuses: m.offerStatuses}
			}
			res, err := m.other.Apply(m.ctx, ch)
			require.NoError(t, err)
			m.touched(res)
		}
	case 1:
		// A take, by an operator of the conversation's group.
		c, ok := pick(in(store.Queued, store.Offered), "otherConversation")
		if !ok {
			return
		}
		var members []store.Operator
		for _, o := range ops {
			if o.InGroup(c.Group) {
				members = append(members, o)
			}
		}
		if len(members) == 0 {
			return
		}
		o := members[rapid.IntRange(0, len(members)-1).Draw(t, "otherTaker")]
		req := store.Require{AssigneeStatuses: m.offerStatuses}
		if l := policy.LimiterOf(m.policies[c.Group].p); l != nil && !l.ManualOverCap() {
			req.AssigneeCap = m.operatorCap(o)
		}
		res, err := m.other.Apply(m.ctx, store.Change{Conversation: c.ID, From: []store.State{store.Queued, store.Offered},
			To: store.Assigned, NewAssignee: o.ID, Require: req, DropDeadlines: machineAccepted, At: m.tick()})
		if err != nil {
			require.True(t, errors.Is(err, store.ErrNotAllowed) || errors.Is(err, store.ErrOverCapacity), "the other router's take: %v", err)
			return
		}
		m.touched(res)
	case 2:
		c, ok := pick(in(machineOpen...), "otherConversation")
		if !ok {
			return
		}
		res, err := m.other.Apply(m.ctx, store.Change{Conversation: c.ID, From: machineOpen, To: store.Closed, CloseReason: "elsewhere", At: m.tick()})
		require.NoError(t, err)
		m.touched(res)
	case 3:
		c, ok := pick(in(machineHeld...), "otherConversation")
		if !ok {
			return
		}
		res, err := m.other.Apply(m.ctx, store.Change{Conversation: c.ID, From: machineHeld, To: store.Queued, DropDeadlines: machineAccepted, At: m.tick()})
		require.NoError(t, err)
		m.touched(res)
	}
}

// touched marks the rows a write of the other router changed.
func (m *coreMachine) touched(res store.Result) {
	m.dirty.convs[res.Conversation.ID] = true
	for _, l := range res.Loads() {
		m.dirty.load[l.Operator] = true
	}
}

// Draws and predictions.

func (m *coreMachine) drawOperator(t *rapid.T) string {
	return rapid.SampledFrom(append(machineOperators, "o9")).Draw(t, "operator")
}

// drawConversation draws a conversation id, now and then an unknown one.
func (m *coreMachine) drawConversation(t *rapid.T) string {
	if len(m.created) == 0 || rapid.IntRange(0, 9).Draw(t, "unknownConversation") == 0 {
		return "c99"
	}
	return rapid.SampledFrom(m.created).Draw(t, "conversation")
}

// drawActor draws who acts on a conversation: "" for an admin, else an
// operator.
func (m *coreMachine) drawActor(t *rapid.T) string {
	if rapid.IntRange(0, 3).Draw(t, "admin") == 0 {
		return ""
	}
	return m.drawOperator(t)
}

// predictTake returns the error a take of conv by op must fail with (the
// core's checks, then the store's), or nil.
func (m *coreMachine) predictTake(op, conv string) error {
	c, ok := m.findConversation(conv)
	if !ok {
		return store.ErrNotFound
	}
	o, ok := m.findOperator(op)
	switch {
	case !ok:
		return store.ErrNotFound
	case !o.InGroup(c.Group):
		return store.ErrNotAllowed
	case c.State == store.Closed:
		return store.ErrWrongState
	case c.State.Held():
		return store.ErrAlreadyTaken
	case !m.model.Has(o.Status, presence.QueueTake):
		return store.ErrNotAllowed
	}
	if l := policy.LimiterOf(m.policies[c.Group].p); l != nil && !l.ManualOverCap() {
		if limit := m.operatorCap(o); limit > 0 && o.Load >= limit {
			return store.ErrOverCapacity
		}
	}
	return nil
}

// predictHolderOnly returns the error a change of conv from the states
// from, by holder ("" for an admin), must fail with, or nil.
func (m *coreMachine) predictHolderOnly(holder, conv string, from []store.State) error {
	c, ok := m.findConversation(conv)
	switch {
	case !ok:
		return store.ErrNotFound
	case c.State == store.Closed:
		return store.ErrWrongState
	case !slices.Contains(from, c.State) && c.State.Held():
		return store.ErrAlreadyTaken
	case !slices.Contains(from, c.State):
		return store.ErrWrongState
	case holder != "" && c.Assignee != holder:
		return store.ErrNotAssignee
	}
	return nil
}

// Reads of the store.

func (m *coreMachine) storeOperators() []store.Operator {
	ops, err := m.st.Operators(m.ctx)
	require.NoError(m.t, err)
	return ops
}

func (m *coreMachine) storeConversations() []store.Conversation {
	convs, err := m.st.Conversations(m.ctx, store.Filter{})
	require.NoError(m.t, err)
	return convs
}

func (m *coreMachine) storeOperator(id string) store.Operator {
	o, err := m.st.Operator(m.ctx, id)
	require.NoError(m.t, err)
	return o
}

func (m *coreMachine) findOperator(id string) (store.Operator, bool) {
	o, err := m.st.Operator(m.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Operator{}, false
	}
	require.NoError(m.t, err)
	return o, true
}

func (m *coreMachine) findConversation(id string) (store.Conversation, bool) {
	c, err := m.st.Conversation(m.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Conversation{}, false
	}
	require.NoError(m.t, err)
	return c, true
}

// heldBy returns the conversations operator id holds in the store.
func (m *coreMachine) heldBy(id string) []store.Conversation {
	convs, err := m.st.Conversations(m.ctx, store.Filter{Assignee: id, States: machineHeld})
	require.NoError(m.t, err)
	return convs
}

// The checks.

// check runs after every action.
func (m *coreMachine) check(*rapid.T) {
	ops, convs := m.storeOperators(), m.storeConversations()
	m.checkView(ops, convs)
	m.checkIndexes()
	m.checkInvariants(ops, convs)
}

// checkView: the view holds the store's rows, but for the dirty ones.
func (m *coreMachine) checkView(ops []store.Operator, convs []store.Conversation) {
	t := m.t
	viewOps, _ := m.v.Snapshot()
	var ids, viewIDs []string
	for _, o := range ops {
		ids = append(ids, o.ID)
	}
	for _, o := range viewOps {
		viewIDs = append(viewIDs, o.ID)
	}
	require.Equal(t, ids, viewIDs, "the view's operators")
	for _, o := range ops {
		m.checkOperatorAgrees(o.ID)
	}
	open := map[string]bool{}
	for _, c := range convs {
		open[c.ID] = c.State != store.Closed
		m.checkConversationAgrees(c.ID)
	}
	viewConvs := m.v.ConversationIDs()
	slices.Sort(viewConvs)
	for _, id := range viewConvs {
		require.True(t, open[id] || m.dirty.convs[id], "the view holds %s, which the store does not hold open", id)
	}
	for _, o := range ops {
		var want, got []string
		for _, c := range convs {
			if c.State.Held() && c.Assignee == o.ID && !m.dirty.convs[c.ID] {
				want = append(want, c.ID)
			}
		}
		for _, id := range m.v.Held(o.ID) {
			if !m.dirty.convs[id] {
				got = append(got, id)
			}
		}
		slices.Sort(want)
		require.Equal(t, want, got, "the conversations %s holds", o.ID)
	}
}

// checkOperatorAgrees: the view's row of operator id is the store's, but
// for its dirty parts.
func (m *coreMachine) checkOperatorAgrees(id string) {
	o, ok := m.findOperator(id)
	vo, err := m.v.Operator(id)
	if !ok {
		require.ErrorIs(m.t, err, store.ErrNotFound, "the view holds operator %s, whom the store does not", id)
		return
	}
	require.NoError(m.t, err, "the view lacks operator %s", id)
	if !m.dirty.full[id] {
		require.Equal(m.t, o.Status, vo.Status, "status of %s", id)
		require.Equal(m.t, o.Groups, vo.Groups, "groups of %s", id)
		require.Equal(m.t, o.Cap, vo.Cap, "cap of %s", id)
	}
	if !m.dirty.load[id] {
		require.Equal(m.t, o.Load, vo.Load, "load of %s", id)
	}
}

// checkConversationAgrees: the view holds conversation id as the store
// does when it is open, and not at all when it is closed, unless it is
// dirty.
func (m *coreMachine) checkConversationAgrees(id string) {
	if m.dirty.convs[id] {
		return
	}
	c, known := m.findConversation(id)
	vc, ok := m.v.Conversation(id)
	if !known || c.State == store.Closed {
		require.False(m.t, ok, "the view holds %s, which the store has %v", id, c.State)
		return
	}
	require.True(m.t, ok, "the view lacks open conversation %s", id)
	require.Equal(m.t, c.State, vc.State, "state of %s", id)
	require.Equal(m.t, c.Assignee, vc.Assignee, "assignee of %s", id)
	require.ElementsMatch(m.t, c.OfferedTo, vc.OfferedTo, "offers of %s", id)
	require.Equal(m.t, c.Group, vc.Group, "group of %s", id)
	require.Equal(m.t, c.Version, vc.Version, "version of %s", id)
	require.Equal(m.t, c.Seq, vc.Seq, "place in the queue of %s", id)
}

// checkIndexes: what the view derives from its rows (queues, offers,
// availability, caps; S1) agrees with the rows themselves.
func (m *coreMachine) checkIndexes() {
	t := m.t
	ops, groups := m.v.Snapshot()
	ids := m.v.ConversationIDs()
	slices.Sort(ids)
	var convs []store.Conversation
	for _, id := range ids {
		c, ok := m.v.Conversation(id)
		require.True(t, ok)
		convs = append(convs, c)
	}
	for _, info := range ops {
		row, err := m.v.Operator(info.ID)
		require.NoError(t, err)
		require.Equal(t, m.effectiveCap(row), info.Cap, "the view's cap of %s", info.ID)
		offers := 0
		for _, c := range convs {
			if c.State == store.Offered && row.InGroup(c.Group) && slices.Contains(c.OfferedTo, info.ID) {
				offers++
			}
		}
		require.Equal(t, offers, info.Offers, "the view's count of offers to %s", info.ID)
	}
	for _, g := range groups {
		queued := 0
		for _, c := range convs {
			if c.Group == g.ID && c.State.InQueue() {
				queued++
			}
		}
		require.Equal(t, queued, g.Queued, "the length of %s's queue", g.ID)
		accepting, auto, offer := 0, 0, 0
		for _, info := range ops {
			row, err := m.v.Operator(info.ID)
			require.NoError(t, err)
			if !row.InGroup(g.ID) {
				continue
			}
			canAuto, canOffer := m.model.Has(row.Status, presence.AutoAssign), m.model.Has(row.Status, presence.QueueTake)
			if canAuto || canOffer {
				accepting++
			}
			below := m.belowCap(g.ID, row)
			if canAuto && below {
				auto++
			}
			if canOffer && below {
				offer++
			}
		}
		require.Equal(t, accepting, g.Accepting, "operators accepting in %s", g.ID)
		require.Equal(t, auto, g.AutoAvailable, "operators available for automatic assignment in %s", g.ID)
		require.Equal(t, offer, g.OfferAvailable, "operators available for offers in %s", g.ID)
		require.Equal(t, accepting > 0, g.Online, "availability of %s (P10)", g.ID)
		require.Equal(t, auto+offer > 0, m.v.HasAvailable(g.ID), "HasAvailable(%s)", g.ID)
	}
}

// checkInvariants checks the store's rows: I1 (one state, one holder,
// loads that count the assigned conversations), I3 (offers only to
// operators of the group whose status allows them) and I4 (no
// conversation lost).
func (m *coreMachine) checkInvariants(ops []store.Operator, convs []store.Conversation) {
	t := m.t
	byID := map[string]store.Operator{}
	for _, o := range ops {
		byID[o.ID] = o
	}
	load := map[string]int{}
	stored := map[string]bool{}
	for _, c := range convs {
		stored[c.ID] = true
		require.NoError(t, c.Validate(), "conversation %s", c.ID)
		if c.State.Held() {
			_, ok := byID[c.Assignee]
			require.True(t, ok, "%s held by unknown %s", c.ID, c.Assignee)
		}
		if c.State == store.Assigned {
			load[c.Assignee]++
		}
		if c.State == store.Offered && m.accept[c.Group] > 0 {
			_, armed := store.DeadlineOf(c.Deadlines, store.AcceptTimeout)
			require.True(t, armed, "%s offered with no accept timeout (L2)", c.ID)
		}
		for _, id := range c.OfferedTo {
			o, ok := byID[id]
			require.True(t, ok, "%s offered to unknown %s", c.ID, id)
			require.True(t, o.InGroup(c.Group), "%s offered to %s outside %s", c.ID, id, c.Group)
			require.True(t, m.model.Has(o.Status, presence.QueueTake), "%s offered to %s in %s", c.ID, id, o.Status)
		}
	}
	for _, o := range ops {
		require.Equal(t, load[o.ID], o.Load, "load of %s", o.ID)
	}
	for _, id := range m.created {
		require.True(t, stored[id], "conversation %s lost", id)
	}
}

// checkServed: once group's queue is routed, nothing waits in it that an
// eligible operator below their cap could be given (R7), among the rows
// the view holds fresh.
func (m *coreMachine) checkServed(group string) {
	mp := m.policies[group]
	for _, c := range m.storeConversations() {
		if c.Group != group || c.State != store.Queued || m.dirty.convs[c.ID] {
			continue
		}
		for _, o := range m.storeOperators() {
			if !o.InGroup(group) || m.dirty.operator(o.ID) {
				continue
			}
			eligible := m.model.Has(o.Status, presence.AutoAssign)
			if mp.offers {
				eligible = m.model.Has(o.Status, presence.QueueTake)
			}
			require.False(m.t, eligible && m.belowCap(group, o), "%s waits in %s while %s (%s, load %d) could be given it", c.ID, group, o.ID, o.Status, o.Load)
		}
	}
}

// checkHistory: the store calls of the run, as recorded, are
// linearizable. They were made one at a time, so any other verdict means
// the store answered against its specification.
func (m *coreMachine) checkHistory() {
	res, err := storetest.CheckLinearizable(m.history, 10*time.Second)
	require.NoError(m.t, err)
	require.Equal(m.t, storetest.Linearizable, res.Verdict, res.String())
}

// TestL2_WithdrawingSomeOffersKeepsTheAcceptTimeout: when some of a
// conversation's offers are withdrawn (an offeree went away) and others
// stay, the offers left are still taken back if nobody accepts them in
// time (L2), at the time set when they were made.
func TestL2_WithdrawingSomeOffersKeepsTheAcceptTimeout(t *testing.T) {
	ctx, now := context.Background(), machineStart
	st := memory.New()
	v := core.NewView(presence.Standard(), nil)
	require.NoError(t, v.AddGroup(core.GroupConfig{ID: "ga", Policy: policy.Broadcast(0), AcceptTimeout: time.Minute}, now))
	for _, id := range []string{"o1", "o2"} {
		o, err := st.CreateOperator(ctx, store.Operator{ID: id, Groups: []string{"ga"}, Status: presence.StatusReady, StatusSince: now})
		require.NoError(t, err)
		v.AbsorbOperator(o, false)
	}
	row := store.Conversation{ID: "c1", Group: "ga", State: store.Queued, CreatedAt: now}
	p, err := v.PlanNew(&row, true, false, false)
	require.NoError(t, err)
	res, err := st.CreateConversation(ctx, p.Row, p.Require)
	require.NoError(t, err)
	v.Absorb(&p, &core.Outcome{Result: res}, true, now.UnixNano())
	require.ElementsMatch(t, []string{"o1", "o2"}, res.Conversation.OfferedTo)
	due, armed := store.DeadlineOf(res.Conversation.Deadlines, store.AcceptTimeout)
	require.True(t, armed, "the offer awaits acceptance")

	// o2 goes away: their offer is withdrawn, o1's stays.
	now = now.Add(10 * time.Second)
	away := core.Plan{Write: core.SetStatus, Status: store.StatusChange{Operator: "o2", From: presence.StatusReady, To: presence.StatusAway, At: now}}
	o2, err := st.SetStatus(ctx, away.Status)
	require.NoError(t, err)
	v.Absorb(&away, &core.Outcome{Operator: o2}, true, now.UnixNano())
	convs, decisions := v.WithdrawalsOf("o2", nil)
	require.Len(t, convs, 1)
	now = now.Add(time.Second)
	w := core.PlanRoute(convs[0], decisions[0], now)
	res, err = st.Apply(ctx, w.Change)
	require.NoError(t, err)
	require.Equal(t, []string{"o1"}, res.Conversation.OfferedTo)
	kept, armed := store.DeadlineOf(res.Conversation.Deadlines, store.AcceptTimeout)
	require.True(t, armed, "the offer left to o1 is no longer taken back if nobody accepts it (deadlines %v)", res.Conversation.Deadlines)
	require.True(t, kept.Due.Equal(due.Due), "the offer left keeps the deadline it was made with")
}
