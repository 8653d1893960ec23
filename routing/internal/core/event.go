package core

import (
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// Kind says what an event reports. The values are the Router's EventKind
// values, which document them.
type Kind uint16

// Event kinds, in the order (and with the values) of routing.EventKind.
const (
	Queued Kind = iota + 1
	Offered
	OfferWithdrawn
	Assigned
	AllBusy
	Returned
	Transferred
	Waiting
	Closed
	StatusChanged
	GroupAvailability
	Redistributed
	WaitThreshold
	Missed
	OffHours
	Replied
	SkillsRelaxed
	CustomerWrote

	// KindCount is one more than the highest kind.
	KindCount = iota + 1
)

// Event is what the core reports of a change it absorbed, before the
// Router stamps it with its time and actor and numbers it: the fields
// are routing.Event's, but Enqueued, the conversation's EnqueuedAt on an
// Assigned event, from which the Router measures the event's Wait, and
// Key, the journal key (store.Entry.Key) of an event every Router on a
// store reports alike (see AvailabilityKey).
type Event struct {
	Kind                Kind
	Conversation, Group string
	Operator, From, To  string
	Operators           []string
	Groups              []string
	Policy              string
	Skipped             []policy.Skip
	Position            int
	Reason              string
	Online              bool
	Wait                time.Duration
	Skills              []string
	Rules               []store.RuleMatch
	Enqueued            time.Time
	Key                 string
}

// Events collects the events of one piece of work. Wanted is the set of
// kinds someone listens to (bit k for kind k): no event of another kind
// is built.
type Events struct {
	Wanted uint64
	List   []Event
}

// Wants reports whether events of kind k are wanted.
func (ev *Events) Wants(k Kind) bool { return ev.Wanted&(1<<k) != 0 }

// Push appends e.
func (ev *Events) Push(e Event) { ev.List = append(ev.List, e) }

// routedEvents reports where a routed conversation went: assigned, offered
// or kept in the queue, with the offers withdrawn and the one "all busy"
// notice. The view has absorbed res. An offer is reported to the
// operators it is new to, and to all of them after a miss (d.Missed),
// which took the earlier offers back.
func (v *View) routedEvents(ev *Events, res store.Result, d Decision) {
	c := &res.Conversation
	switch c.State {
	case store.Assigned:
		if ev.Wants(Assigned) {
			ev.Push(Event{Kind: Assigned, Conversation: c.ID, Group: c.Group, Operator: c.Assignee, From: HeldBefore(res),
				Policy: d.Policy, Skipped: d.Skipped, Rules: c.Rules, Enqueued: c.EnqueuedAt})
		}
	case store.Offered:
		if ev.Wants(Offered) {
			ops := c.OfferedTo
			if res.Before.State == store.Offered && len(d.Missed) == 0 {
				ops = v.minus(c.OfferedTo, res.Before.OfferedTo)
			}
			if len(ops) > 0 {
				ev.Push(Event{Kind: Offered, Conversation: c.ID, Group: c.Group, Operators: ops, Policy: d.Policy, Skipped: d.Skipped, Rules: c.Rules})
			}
		}
	case store.Queued:
		if ev.Wants(Queued) || ev.Wants(AllBusy) {
			pos := v.Position(c)
			if ev.Wants(Queued) {
				ev.Push(Event{Kind: Queued, Conversation: c.ID, Group: c.Group, Position: pos, Policy: d.Policy, Skipped: d.Skipped, Reason: string(d.Reason), Rules: c.Rules})
			}
			if c.AllBusyNotified && !res.Before.AllBusyNotified && ev.Wants(AllBusy) {
				ev.Push(Event{Kind: AllBusy, Conversation: c.ID, Group: c.Group, Position: pos})
			}
		}
	}
	v.WithdrawnEvents(ev, res)
}

// WithdrawnEvents reports the offers res withdrew.
func (v *View) WithdrawnEvents(ev *Events, res store.Result) {
	if res.Before.State != store.Offered || !ev.Wants(OfferWithdrawn) {
		return
	}
	gone := v.minus(res.Before.OfferedTo, res.Conversation.OfferedTo)
	if i := slices.Index(gone, res.Conversation.Assignee); i >= 0 {
		gone = slices.Delete(slices.Clone(gone), i, i+1)
	}
	if len(gone) > 0 {
		ev.Push(Event{Kind: OfferWithdrawn, Conversation: res.Conversation.ID, Group: res.Before.Group, Operators: gone})
	}
}

// Position returns c's 1-based place in its queue, or 0.
func (v *View) Position(c *store.Conversation) int {
	if g := v.groups[c.Group]; g != nil {
		if p, ok := g.queue.Position(c.ID); ok {
			return p
		}
	}
	return 0
}

// minus returns the ids in a that are not in b, in a's order, without
// allocating a set.
func (v *View) minus(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	v.markGen++
	for _, id := range b {
		if op := v.ops[id]; op != nil {
			op.mark = v.markGen
		}
	}
	var out []string
	for _, id := range a {
		if op := v.ops[id]; op == nil || op.mark != v.markGen {
			if op == nil && slices.Contains(b, id) {
				continue
			}
			out = append(out, id)
		}
	}
	return out
}

// HeldBefore returns, for a result that gives its conversation to an
// operator, who held it before (its LastOperator, when an operator ever
// held it and it was someone else): "" for a first assignment.
func HeldBefore(res store.Result) string {
	b := &res.Before
	if b.AssignedAt.IsZero() || b.LastOperator == res.Conversation.Assignee {
		return ""
	}
	return b.LastOperator
}
