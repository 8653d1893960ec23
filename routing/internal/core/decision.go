package core

import (
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// Reasons the core gives for keeping a conversation queued, beside the
// policies' own. The Router's exported reasons of the same names must
// equal them.
const (
	ReasonOffHours     policy.Reason = "outside business hours"
	ReasonBehindQueue  policy.Reason = "conversations are waiting ahead of it"
	ReasonViewChanging policy.Reason = "routing view kept changing"
)

// Decision is a policy decision checked against the view, with what the
// store must check atomically when applying it.
type Decision struct {
	policy.Decision
	// Policy names the policy that decided.
	Policy string
	// Require is what the store must check when it applies the decision.
	Require store.Require
	// Missed lists operators to add to the conversation's MissedBy.
	Missed []string
	// epoch is View.offerEpoch when the decision was taken.
	epoch uint64
	// accept is the group's AcceptTimeout when the decision was taken.
	accept time.Duration
	// keepAccept keeps the conversation's accept timeout as it is: the
	// offers the decision keeps were made when it was set (see
	// WithdrawalsOf).
	keepAccept bool
	// reserved is the operator reserved for the decision (see reserve).
	reserved *operator
}

// Keep returns a decision to keep a conversation queued.
func Keep(reason policy.Reason) Decision {
	return Decision{Decision: policy.Decision{Action: policy.Keep, Reason: reason}}
}

// decide asks g's policy what to do with conversation c. With sticky, the
// policy is wrapped with previous-operator preference. The decision is
// checked against the view: a policy naming an operator it was not offered
// gets its decision replaced by Keep.
func (v *View) decide(g *group, c *store.Conversation, sticky bool, now time.Time) Decision {
	if g.closed || c.OffHours {
		// Outside the group's hours, or marked off-hours by a rule (D1):
		// nothing is routed automatically.
		d := Keep(ReasonOffHours)
		d.Policy = g.cfg.Policy.Name()
		return d
	}
	var notPreferred policy.Skip
	if c.Preferred != "" {
		d, skip, ok := v.decidePreferred(g, c)
		if ok {
			return d
		}
		notPreferred = skip
	}
	d := v.decideByPolicy(g, c, sticky, now)
	if notPreferred.Operator != "" {
		d.Skipped = append([]policy.Skip{notPreferred}, d.Skipped...)
	}
	return d
}

// decideByPolicy asks g's policy what to do with c (see decide).
func (v *View) decideByPolicy(g *group, c *store.Conversation, sticky bool, now time.Time) Decision {
	if len(c.MissedBy) > 0 {
		// Those who let it time out are passed over while anyone else is
		// eligible (L2).
		d := v.decideAmong(g, c, sticky, now, c.MissedBy)
		if d.Action != policy.Keep {
			return d
		}
	}
	return v.decideAmong(g, c, sticky, now, nil)
}

// decideAmong is decide with the operators in exclude hidden from the
// policy.
func (v *View) decideAmong(g *group, c *store.Conversation, sticky bool, now time.Time, exclude []string) Decision {
	p := g.cfg.Policy
	if sticky && c.LastOperator != "" {
		p = policy.PreviousOperator(p)
	}
	in := policy.Input{
		Conversation: policy.Conversation{
			ID: c.ID, Group: c.Group, Channel: c.Channel, CustomerID: c.CustomerID, Priority: c.Priority,
			Skills: c.Skills, Attributes: c.Attributes, PreviousOperator: c.LastOperator,
		},
		Now: now,
	}
	in.Auto, in.Offer = g.views(c.Skills)
	if exclude != nil {
		in.Auto = excluding{Candidates: in.Auto, out: exclude}
		in.Offer = excluding{Candidates: in.Offer, out: exclude}
	}
	d := Decision{Decision: p.Decide(in), Policy: p.Name(), epoch: v.offerEpoch, accept: g.cfg.AcceptTimeout}
	switch d.Action {
	case policy.Keep:
		if d.Reason == "" {
			d.Reason = policy.ReasonNoCandidates
		}
		return d
	case policy.Assign:
		op := g.members[d.Operator]
		if op == nil || !op.inAuto || !policy.Satisfies(op.row.Skills, c.Skills) {
			break
		}
		d.Require = store.Require{AssigneeStatuses: v.autoStatuses, AssigneeCap: capOf(g, op)}
		return d
	case policy.Offer:
		if len(d.Operators) == 0 {
			break
		}
		v.markGen++
		ok := true
		for _, id := range d.Operators {
			op := g.members[id]
			if op == nil || !op.inOffer || op.mark == v.markGen || !policy.Satisfies(op.row.Skills, c.Skills) {
				ok = false
				break
			}
			op.mark = v.markGen
		}
		if !ok {
			break
		}
		d.Require = store.Require{OfferStatuses: v.offerStatuses}
		return d
	}
	kept := Keep(policy.ReasonInvalidOutcome)
	kept.Skipped, kept.Policy = d.Skipped, d.Policy
	return kept
}

// capOf returns op's cap under g's policy; zero means no cap.
func capOf(g *group, op *operator) int {
	if g.limiter == nil {
		return 0
	}
	return g.limiter.Limit(op.candidate())
}

// Shape sets c's state, assignee and offers as d decides.
func (d Decision) Shape(c *store.Conversation) {
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

// Change returns the store change that applies d to c, conditional on c
// being unchanged since it was read.
func (d Decision) Change(c store.Conversation, now time.Time) store.Change {
	ch := store.Change{Conversation: c.ID, From: []store.State{c.State}, Version: c.Version, At: now, Require: d.Require}
	var to store.Conversation
	d.Shape(&to)
	ch.To, ch.NewAssignee, ch.Offers = to.State, to.Assignee, to.OfferedTo
	if ds := d.Deadlines(c.Deadlines, now); !SameDeadlines(ds, c.Deadlines) {
		ch.SetDeadlines, ch.Deadlines = true, ds
	}
	ch.AddMissed = d.Missed
	return ch
}

// Deadlines returns ds as they must be once d is applied at now: an
// automatic assignment or an offer must be accepted within the group's
// AcceptTimeout, if it has one (L2), counted from the offer, so that
// offers kept when others are withdrawn keep their deadline; a
// conversation kept in the queue awaits no acceptance.
func (d Decision) Deadlines(ds []store.Deadline, now time.Time) []store.Deadline {
	_, had := store.DeadlineOf(ds, store.AcceptTimeout)
	if d.keepAccept && d.Action != policy.Keep {
		return ds
	}
	if d.Action != policy.Keep && d.accept > 0 {
		return With(ds, store.Deadline{Kind: store.AcceptTimeout, Due: now.Add(d.accept)})
	}
	if had {
		return Without(ds, store.AcceptTimeout)
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

// Named returns the operators a decision names.
func (d Decision) Named() []string {
	switch d.Action {
	case policy.Assign:
		return []string{d.Operator}
	case policy.Offer:
		return d.Operators
	}
	return nil
}
