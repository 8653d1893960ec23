package core

import (
	"slices"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// Reasons of decisions about a conversation with a preferred operator (a
// rule's "prefer", D1).
const (
	// ReasonWaitingForPreferred: the preferred operator cannot take the
	// conversation now, and it waits for them until its PreferExpiry
	// deadline.
	ReasonWaitingForPreferred policy.Reason = "waiting for the preferred operator"
	// ReasonNotPreferred: the preferred operator could not take it, and
	// the group's policy decided.
	ReasonNotPreferred policy.Reason = "preferred operator not eligible"
)

// PreferredPolicy names the decisions that give a conversation to its
// preferred operator.
const PreferredPolicy = "preferred"

// decidePreferred decides about c, which has a preferred operator, before
// g's policy: assigned to them if they may be given it automatically,
// else offered to them if they may be offered it (in either case holding
// its skills, below their cap, and not among those who let it time out);
// kept for them while its PreferExpiry deadline is pending. ok is false
// when the group's policy is to decide: the skip it returns then records
// why the preferred operator was passed over.
func (v *View) decidePreferred(g *group, c *store.Conversation) (d Decision, skip policy.Skip, ok bool) {
	op := g.members[c.Preferred]
	able := op != nil && policy.Satisfies(op.row.Skills, c.Skills) && !slices.Contains(c.MissedBy, op.row.ID) &&
		policy.BelowCap(g.limiter, op.candidate())
	switch {
	case able && op.inAuto:
		d = Decision{Decision: policy.Decision{Action: policy.Assign, Operator: op.row.ID}, Policy: PreferredPolicy,
			Require: store.Require{AssigneeStatuses: v.autoStatuses, AssigneeCap: capOf(g, op)}}
	case able && op.inOffer:
		d = Decision{Decision: policy.Decision{Action: policy.Offer, Operators: []string{op.row.ID}}, Policy: PreferredPolicy,
			Require: store.Require{OfferStatuses: v.offerStatuses}}
	default:
		if _, waiting := store.DeadlineOf(c.Deadlines, store.PreferExpiry); waiting {
			d = Keep(ReasonWaitingForPreferred)
			d.Policy = PreferredPolicy
			return d, policy.Skip{}, true
		}
		return d, policy.Skip{Operator: c.Preferred, Reason: ReasonNotPreferred}, false
	}
	d.epoch, d.accept = v.offerEpoch, g.cfg.AcceptTimeout
	return d, policy.Skip{}, true
}
