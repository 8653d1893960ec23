package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/store"
)

// decision is a policy decision checked against the view, with what the
// store must check atomically when applying it.
type decision struct {
	policy.Decision
	policyName string
	require    store.Require
	// epoch is Router.offerEpoch when the decision was taken.
	epoch uint64
	// accept is the group's AcceptTimeout when the decision was taken.
	accept time.Duration
	// missed lists operators to add to the conversation's MissedBy.
	missed []string
	// reserved is the operator reserved for the decision (see reserve).
	reserved *opState
}

// keep returns a decision to keep a conversation queued.
func keep(reason policy.Reason) decision {
	return decision{Decision: policy.Decision{Action: policy.Keep, Reason: reason}}
}

// decide asks g's policy what to do with conversation c. With sticky, the
// policy is wrapped with previous-operator preference. The decision is
// checked against the view: a policy naming an operator it was not offered
// gets its decision replaced by Keep. Caller holds r.mu.
func (r *Router) decide(g *groupState, c *store.Conversation, sticky bool, now time.Time) decision {
	if g.closed {
		d := keep(ReasonOffHours)
		d.policyName = g.cfg.Policy.Name()
		return d
	}
	if len(c.MissedBy) > 0 {
		// Those who let it time out are passed over while anyone else is
		// eligible (L2).
		d := r.decideAmong(g, c, sticky, now, c.MissedBy)
		if d.Action != policy.Keep {
			return d
		}
	}
	return r.decideAmong(g, c, sticky, now, nil)
}

// decideAmong is decide with the operators in exclude hidden from the
// policy. Caller holds r.mu.
func (r *Router) decideAmong(g *groupState, c *store.Conversation, sticky bool, now time.Time, exclude []string) decision {
	p := g.cfg.Policy
	if sticky && c.LastOperator != "" {
		p = policy.PreviousOperator(p)
	}
	in := policy.Input{
		Conversation: policy.Conversation{
			ID: c.ID, Group: c.Group, Channel: c.Channel, CustomerID: c.CustomerID, Priority: c.Priority,
			Skills: c.Skills, Attributes: c.Attributes, PreviousOperator: c.LastOperator,
		},
		Auto:  &g.autoView,
		Offer: &g.offerView,
		Now:   now,
	}
	if exclude != nil {
		in.Auto = excluding{Candidates: in.Auto, out: exclude}
		in.Offer = excluding{Candidates: in.Offer, out: exclude}
	}
	d := decision{Decision: p.Decide(in), policyName: p.Name(), epoch: r.offerEpoch, accept: g.cfg.AcceptTimeout}
	switch d.Action {
	case policy.Keep:
		if d.Reason == "" {
			d.Reason = policy.ReasonNoCandidates
		}
		return d
	case policy.Assign:
		op := g.members[d.Operator]
		if op == nil || !op.inAuto {
			break
		}
		d.require = store.Require{AssigneeStatuses: r.autoStatuses, AssigneeCap: capOf(g, op)}
		return d
	case policy.Offer:
		if len(d.Operators) == 0 {
			break
		}
		r.markGen++
		ok := true
		for _, id := range d.Operators {
			op := g.members[id]
			if op == nil || !op.inOffer || op.mark == r.markGen {
				ok = false
				break
			}
			op.mark = r.markGen
		}
		if !ok {
			break
		}
		d.require = store.Require{OfferStatuses: r.offerStatuses}
		return d
	}
	kept := keep(policy.ReasonInvalidOutcome)
	kept.Skipped, kept.policyName = d.Skipped, d.policyName
	return kept
}

// capOf returns op's cap under g's policy; zero means no cap.
func capOf(g *groupState, op *opState) int {
	if g.limiter == nil {
		return 0
	}
	return g.limiter.Limit(op.candidate())
}

// shape sets c's state, assignee and offers as d decides.
func (d decision) shape(c *store.Conversation) {
	c.Assignee, c.OfferedTo = "", nil
	switch d.Action {
	case policy.Assign:
		c.State, c.Assignee = store.Assigned, d.Operator
	case policy.Offer:
		c.State, c.OfferedTo = store.Offered, d.Operators
	default:
		c.State = store.Queued
	}
}

// change returns the store change that applies d to c, conditional on c
// being unchanged since it was read.
func (d decision) change(c store.Conversation, now time.Time) store.Change {
	ch := store.Change{Conversation: c.ID, From: []store.State{c.State}, Version: c.Version, At: now, Require: d.require}
	var to store.Conversation
	d.shape(&to)
	ch.To, ch.NewAssignee, ch.Offers = to.State, to.Assignee, to.OfferedTo
	if ds := d.deadlines(c.Deadlines, now); !sameDeadlines(ds, c.Deadlines) {
		ch.SetDeadlines, ch.Deadlines = true, ds
	}
	ch.AddMissed = d.missed
	return ch
}

// deadlines returns ds as they must be once d is applied at now: an
// automatic assignment or an offer must be accepted within the group's
// AcceptTimeout, if it has one (L2); a conversation kept in the queue
// awaits no acceptance.
func (d decision) deadlines(ds []store.Deadline, now time.Time) []store.Deadline {
	_, had := store.DeadlineOf(ds, store.AcceptTimeout)
	if d.Action != policy.Keep && d.accept > 0 {
		return with(ds, store.Deadline{Kind: store.AcceptTimeout, Due: now.Add(d.accept)})
	}
	if had {
		return without(ds, store.AcceptTimeout)
	}
	return ds
}

// excluding hides some operators from a policy's view of the candidates.
// Its counts may include them: a policy that trusts them only walks in vain.
type excluding struct {
	policy.Candidates
	out []string
}

func (v excluding) Ascend(fn func(policy.Candidate) bool) {
	v.Candidates.Ascend(func(c policy.Candidate) bool {
		return slices.Contains(v.out, c.ID) || fn(c)
	})
}

func (v excluding) Get(id string) (policy.Candidate, bool) {
	if slices.Contains(v.out, id) {
		return policy.Candidate{}, false
	}
	return v.Candidates.Get(id)
}

// routedEvents reports where a routed conversation went: assigned, offered
// or kept in the queue, with the offers withdrawn and the one "all busy"
// notice. Caller holds r.mu and has absorbed res.
func (r *Router) routedEvents(ev *events, res store.Result, d decision) {
	c := &res.Conversation
	switch c.State {
	case store.Assigned:
		if ev.wants(Assigned) {
			ev.push(Event{Kind: Assigned, Conversation: c.ID, Group: c.Group, Operator: c.Assignee, Policy: d.policyName, Skipped: d.Skipped})
		}
	case store.Offered:
		if ev.wants(Offered) {
			ops := c.OfferedTo
			if res.Before.State == store.Offered {
				ops = r.minus(c.OfferedTo, res.Before.OfferedTo)
			}
			if len(ops) > 0 {
				ev.push(Event{Kind: Offered, Conversation: c.ID, Group: c.Group, Operators: ops, Policy: d.policyName, Skipped: d.Skipped})
			}
		}
	case store.Queued:
		if ev.wants(Queued) || ev.wants(AllBusy) {
			pos := r.position(c)
			if ev.wants(Queued) {
				ev.push(Event{Kind: Queued, Conversation: c.ID, Group: c.Group, Position: pos, Policy: d.policyName, Skipped: d.Skipped, Reason: string(d.Reason)})
			}
			if c.AllBusyNotified && !res.Before.AllBusyNotified && ev.wants(AllBusy) {
				ev.push(Event{Kind: AllBusy, Conversation: c.ID, Group: c.Group, Position: pos})
			}
		}
	}
	r.withdrawnEvents(ev, res)
}

// withdrawnEvents reports the offers res withdrew. Caller holds r.mu.
func (r *Router) withdrawnEvents(ev *events, res store.Result) {
	if res.Before.State != store.Offered || !ev.wants(OfferWithdrawn) {
		return
	}
	gone := r.minus(res.Before.OfferedTo, res.Conversation.OfferedTo)
	if i := slices.Index(gone, res.Conversation.Assignee); i >= 0 {
		gone = slices.Delete(slices.Clone(gone), i, i+1)
	}
	if len(gone) > 0 {
		ev.push(Event{Kind: OfferWithdrawn, Conversation: res.Conversation.ID, Group: res.Before.Group, Operators: gone})
	}
}

// position returns c's 1-based place in its queue, or 0. Caller holds r.mu.
func (r *Router) position(c *store.Conversation) int {
	if g := r.groups[c.Group]; g != nil {
		if p, ok := g.queue.Position(c.ID); ok {
			return p
		}
	}
	return 0
}

// minus returns the ids in a that are not in b, in a's order, without
// allocating a set. Caller holds r.mu.
func (r *Router) minus(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	r.markGen++
	for _, id := range b {
		if op := r.ops[id]; op != nil {
			op.mark = r.markGen
		}
	}
	var out []string
	for _, id := range a {
		if op := r.ops[id]; op == nil || op.mark != r.markGen {
			if op == nil && slices.Contains(b, id) {
				continue
			}
			out = append(out, id)
		}
	}
	return out
}

// refresh re-reads conversation convID (if not empty) and the given
// operators from the store into the view, after the store refused a
// decision as stale. The rows read replace the view's, and a conversation
// or operator the store does not have leaves the view, unless the view's
// row changed during the read (see resync.go): a refusal may come from a
// row the store lost. A failed read is logged and left to the next
// attempt.
func (r *Router) refresh(ctx context.Context, convID string, opIDs ...string) {
	r.mu.Lock()
	start := r.gen
	r.mu.Unlock()
	var conv *store.Conversation
	convGone := false
	if convID != "" {
		c, err := r.store.Conversation(ctx, convID)
		switch {
		case err == nil:
			conv = &c
		case errors.Is(err, store.ErrNotFound):
			convGone = true
		default:
			r.log.Warn("routing: re-reading a conversation after a refusal failed", "conversation", convID, "err", err)
		}
	}
	ops := make([]store.Operator, 0, len(opIDs))
	gone := []string{}
	for _, id := range opIDs {
		o, err := r.store.Operator(ctx, id)
		switch {
		case err == nil:
			ops = append(ops, o)
		case errors.Is(err, store.ErrNotFound):
			gone = append(gone, id)
		default:
			r.log.Warn("routing: re-reading an operator after a refusal failed", "operator", id, "err", err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range ops {
		r.replaceOperator(o, start)
	}
	for _, id := range gone {
		if op := r.ops[id]; op != nil && op.changed <= start {
			r.forgetOperator(id)
		}
	}
	if conv != nil {
		r.replaceConversation(*conv, start)
	}
	if cs := r.convs[convID]; convGone && cs != nil && cs.changed <= start {
		r.forgetConversation(cs)
	}
}

// operators returns the operators a decision names.
func (d decision) operators() []string {
	switch d.Action {
	case policy.Assign:
		return []string{d.Operator}
	case policy.Offer:
		return d.Operators
	}
	return nil
}

// maxKeptPerPump bounds how many queued conversations one pump walks past
// when the policy keeps them although operators are available (they need a
// skill nobody free has, say): they do not block those behind them, but a
// pump does not decide again about an unbounded queue.
const maxKeptPerPump = 256

// pump routes group's queue in serving order (R7, invariant 5): each
// conversation the policy can place is assigned or offered; one it keeps
// does not block those behind it while operators are available. Offered
// conversations are decided again only when an operator may have become
// eligible for offers since (a member came on shift, joined, dropped below
// cap, or the policy changed): their offers are then brought up to date, or
// withdrawn when the policy would now keep them. Offers are not reshuffled
// as loads move otherwise. It runs whenever a slot frees or an operator
// becomes eligible, so a waiting conversation never waits for a poll.
func (r *Router) pump(ctx context.Context, by Actor, group string) error {
	done := map[string]bool{}
	var tries attempts
	reoffer, first := false, true
	for {
		now := r.clock.Now()
		r.mu.Lock()
		g, err := r.group(group)
		if err != nil {
			r.mu.Unlock()
			return err
		}
		if first {
			// Offers are decided again only when someone may have become
			// eligible for them since they were made.
			reoffer, g.offersDirty, first = g.offersDirty, false, false
		}
		var target store.Conversation
		var d decision
		found, kept := false, 0
		g.queue.Ascend(func(it queue.Item) bool {
			if done[it.ID] {
				return true
			}
			if !g.canServe() {
				return false
			}
			cs := r.convs[it.ID]
			if cs.row.State == store.Offered && !reoffer {
				done[it.ID] = true
				return true
			}
			dd := r.decide(g, &cs.row, cs.row.LinkedTo != "", now)
			unchanged := dd.Action == policy.Keep
			if cs.row.State == store.Offered {
				unchanged = dd.Action == policy.Offer && sameSet(dd.Operators, cs.row.OfferedTo)
			}
			if !unchanged {
				target, d, found = cs.row, dd, true
				r.reserve(&d)
				return false
			}
			done[it.ID] = true
			if cs.row.State == store.Queued {
				kept++
			}
			return kept < maxKeptPerPump
		})
		r.mu.Unlock()
		if !found {
			return nil
		}
		if err := r.commitRoute(ctx, by, target, d, now, nil); err != nil {
			if tries.again(retryable(err)) {
				continue
			}
			return tries.fail(err, fmt.Sprintf("group %q's queue", group))
		}
		if d.Action == policy.Assign {
			if err := r.afterGaining(ctx, by, d.Operator); err != nil {
				return err
			}
		} else {
			done[target.ID] = true
		}
	}
}

// pumpAll pumps every group, in id order.
func (r *Router) pumpAll(ctx context.Context, by Actor) error {
	for _, g := range r.Groups() {
		if err := r.pump(ctx, by, g); err != nil {
			return err
		}
	}
	return nil
}

// pumpGroups pumps the given groups in order, skipping repeats.
func (r *Router) pumpGroups(ctx context.Context, by Actor, groups []string) error {
	slices.Sort(groups)
	for i, g := range groups {
		if i > 0 && groups[i-1] == g {
			continue
		}
		if err := r.pump(ctx, by, g); err != nil {
			return err
		}
	}
	return nil
}

// commitRoute applies decision d to conversation c as it was read, under
// the conversation's lock, and emits the events. before, if not nil, runs
// on the events first (for a command that reports its own event ahead of
// the routing ones). On a stale-view refusal it refreshes the view and
// returns the store's error. Offers that went stale while the decision was
// being stored are withdrawn once the lock is released.
func (r *Router) commitRoute(ctx context.Context, by Actor, c store.Conversation, d decision, now time.Time, before func(*events, store.Result)) error {
	stale, err := r.commitRouteLocked(ctx, by, c, d, now, before)
	if err != nil {
		return err
	}
	return r.withdrawFrom(ctx, by, stale)
}

func (r *Router) commitRouteLocked(ctx context.Context, by Actor, c store.Conversation, d decision, now time.Time, before func(*events, store.Result)) ([]string, error) {
	unlock, err := r.lockConv(ctx, c.ID)
	if err != nil {
		r.releaseLocked(&d)
		return nil, err
	}
	defer unlock()
	res, err := r.store.Apply(ctx, d.change(c, now))
	if err != nil {
		r.releaseLocked(&d)
		if retryable(err) {
			r.refresh(ctx, c.ID, d.operators()...)
		}
		return nil, err
	}
	ev := r.newEvents(now, by)
	r.mu.Lock()
	r.release(&d, &res)
	if before != nil {
		before(&ev, res)
	}
	r.routedEvents(&ev, res, d)
	stale := r.staleOfferees(res.Conversation, d)
	r.mu.Unlock()
	ev.emit()
	return stale, nil
}

// staleOfferees returns the operators c is offered to who may no longer be
// offered it: one lost eligibility (status, group, cap) after decision d was
// taken and before its result reached the view, so that the withdrawal that
// followed their change could not see this offer yet. Without such a loss
// since d (Router.offerEpoch unchanged) it returns nil at once. Caller
// holds r.mu.
func (r *Router) staleOfferees(c store.Conversation, d decision) []string {
	if c.State != store.Offered || d.epoch == r.offerEpoch {
		return nil
	}
	var stale []string
	for _, id := range c.OfferedTo {
		if op := r.ops[id]; op == nil || !r.mayBeOffered(op, c.Group) {
			stale = append(stale, id)
		}
	}
	return stale
}

// withdrawFrom withdraws the stale offers of each operator in ops.
func (r *Router) withdrawFrom(ctx context.Context, by Actor, ops []string) error {
	for _, id := range ops {
		if err := r.withdrawStale(ctx, by, id); err != nil {
			return err
		}
	}
	return nil
}

// sameSet reports whether a and b hold the same ids (each without
// repeats).
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) < 16 {
		for _, x := range a {
			if !slices.Contains(b, x) {
				return false
			}
		}
		return true
	}
	set := make(map[string]struct{}, len(b))
	for _, x := range b {
		set[x] = struct{}{}
	}
	for _, x := range a {
		if _, ok := set[x]; !ok {
			return false
		}
	}
	return true
}
