package core

import (
	"maps"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// Conversation returns the view's row of open conversation id.
func (v *View) Conversation(id string) (store.Conversation, bool) {
	if cs := v.convs[id]; cs != nil {
		return cs.row, true
	}
	return store.Conversation{}, false
}

// ConversationIDs returns the ids of the open conversations the view
// holds, in no particular order.
func (v *View) ConversationIDs() []string {
	return slices.AppendSeq(make([]string, 0, len(v.convs)), maps.Keys(v.convs))
}

// decideNew decides where new conversation row goes: assigned, offered or
// kept in the queue. On the first attempt (first) the group's first wait
// level is armed in row. After too many refusals (spent) it is kept
// queued; while others wait it joins the queue behind them (invariant 5);
// otherwise the policy decides, with previous-operator preference when
// sticky. An assignment reserves its operator. allBusy reports whether
// the group's operators on shift are all at cap (R5). It fails with
// ErrNotFound for an unknown group.
func (v *View) decideNew(row *store.Conversation, first, spent, sticky bool) (d Decision, allBusy bool, err error) {
	g, err := v.group(row.Group)
	if err != nil {
		return d, false, err
	}
	if first {
		if w, ok := v.FirstWaitLevel(row.Group, row.CreatedAt); ok {
			row.Deadlines = With(row.Deadlines, w)
		}
		if r, ok := g.relaxDeadline(row.Skills, row.CreatedAt); ok {
			row.Deadlines = With(row.Deadlines, r)
		}
	}
	switch {
	case spent:
		d = Keep(ReasonViewChanging)
	case g.queued > 0 && g.canServe():
		// Others wait already: join the queue and let the pump serve it in
		// order (invariant 5), rather than overtake them.
		d = Keep(ReasonBehindQueue)
		d.Policy = g.cfg.Policy.Name()
	default:
		d = v.decide(g, row, sticky, row.CreatedAt)
	}
	v.reserve(&d)
	return d, g.allBusy(), nil
}

// NewRow returns row, a new conversation, as d places it: its state,
// assignee, offers and deadlines, and whether the "all busy" notice is
// sent with it.
func (d Decision) NewRow(row store.Conversation, allBusy bool) store.Conversation {
	shaped := row
	d.Shape(&shaped)
	shaped.Deadlines = d.Deadlines(row.Deadlines, row.CreatedAt)
	shaped.AllBusyNotified = d.Action == policy.Keep && allBusy
	return shaped
}

// DecideMissed decides where conversation c goes when its assignee, or
// everyone it was offered to, did not accept it in time (L2): it is routed
// again, to someone else unless nobody else is eligible. It returns the
// operators who missed it; ok is false when c is neither assigned nor
// offered, or its group is unknown (then only its accept timeout is to be
// dropped).
func (v *View) DecideMissed(c store.Conversation, now time.Time) (d Decision, missed []string, ok bool) {
	switch c.State {
	case store.Assigned:
		missed = []string{c.Assignee}
	case store.Offered:
		missed = slices.Clone(c.OfferedTo)
	default:
		return d, nil, false
	}
	g := v.groups[c.Group]
	if g == nil {
		return d, nil, false
	}
	next := c
	next.MissedBy = append(slices.Clone(c.MissedBy), missed...)
	d = v.decide(g, &next, c.LinkedTo != "", now)
	d.Missed = missed
	v.reserve(&d)
	return d, missed, true
}

// NextRedistribution returns the next conversation assigned to operator
// operatorID, in Seq order, that is not done, with where it goes now (P4);
// ok is false when none is left. A conversation the policy would give to
// them again (they are eligible again after a concurrent status change)
// stays with them and is marked done. An assignment reserves its operator.
// It fails with ErrNotFound for an unknown operator.
func (v *View) NextRedistribution(operatorID string, done map[string]bool, now time.Time) (c store.Conversation, d Decision, ok bool, err error) {
	op, err := v.operator(operatorID)
	if err != nil {
		return c, d, false, err
	}
	for {
		var target *conv
		for id := range op.held {
			cs := v.convs[id]
			if cs != nil && !done[id] && cs.row.State == store.Assigned && (target == nil || cs.row.Seq < target.row.Seq) {
				target = cs
			}
		}
		if target == nil {
			return c, d, false, nil
		}
		c = target.row
		d = Keep(policy.ReasonNoCandidates)
		if g := v.groups[c.Group]; g != nil {
			d = v.decide(g, &c, false, now)
		}
		if d.Action == policy.Assign && d.Operator == operatorID {
			done[c.ID] = true
			continue
		}
		v.reserve(&d)
		return c, d, true, nil
	}
}
