package core

import (
	"cmp"
	"slices"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// WithdrawalsOf returns, in Seq order, the offered conversations of the
// operator's groups (and the extra ones: groups they left) that are offered
// to them although they may no longer be offered them (R3), each with the
// decision that withdraws every offer of it that went stale: the offers
// still eligible are kept, and a conversation left with none is kept in
// the queue. The offers kept keep their accept timeout (L2). Every stale offer goes, not only this operator's: another
// operator's withdrawal may be under way, and the store refuses to keep an
// offer to anyone no longer eligible.
func (v *View) WithdrawalsOf(operatorID string, extra []string) ([]store.Conversation, []Decision) {
	targets := v.staleOffers(operatorID, extra)
	ds := make([]Decision, len(targets))
	for i, c := range targets {
		ds[i] = Keep("offers withdrawn")
		if rest := v.eligibleOfferees(c); len(rest) > 0 {
			ds[i] = Decision{Decision: policy.Decision{Action: policy.Offer, Operators: rest}, Require: store.Require{OfferStatuses: v.offerStatuses}, keepAccept: true}
		}
	}
	return targets, ds
}

// staleOffers returns, in Seq order, the offered conversations of the
// operator's groups (and the extra ones) that are offered to them although
// they may no longer be offered them. Offers are not indexed per operator
// (one may name thousands), so only the groups where the operator is not
// eligible are scanned, and, while the operator's skills changed since a
// scan last found none, those where an offered conversation requires
// skills (which they may have lost): a scan that finds nothing stale ends
// that.
func (v *View) staleOffers(operatorID string, extra []string) []store.Conversation {
	op := v.ops[operatorID]
	groups := extra
	if op != nil {
		groups = append(slices.Clip(op.row.Groups), extra...)
	}
	var out []store.Conversation
	for _, gid := range groups {
		g := v.groups[gid]
		if g == nil || len(g.offered) == 0 || (op != nil && (!op.reskilled || g.offeredSkilled == 0) && v.mayBeOffered(op, gid)) {
			continue
		}
		for cid := range g.offered {
			if c := &v.convs[cid].row; slices.Contains(c.OfferedTo, operatorID) && (op == nil || !v.mayHoldOffer(op, c)) {
				out = append(out, *c)
			}
		}
	}
	if op != nil && len(out) == 0 {
		op.reskilled = false
	}
	// A group listed twice (joined and left) yields its conversations twice.
	slices.SortFunc(out, func(a, b store.Conversation) int { return cmp.Compare(a.Seq, b.Seq) })
	return slices.CompactFunc(out, func(a, b store.Conversation) bool { return a.ID == b.ID })
}

// eligibleOfferees returns the operators offered c who may still be
// offered it.
func (v *View) eligibleOfferees(c store.Conversation) []string {
	var rest []string
	for _, id := range c.OfferedTo {
		if op := v.ops[id]; op != nil && v.mayHoldOffer(op, &c) {
			rest = append(rest, id)
		}
	}
	return rest
}

// mayBeOffered reports whether op may hold an offer of a conversation of
// group gid.
func (v *View) mayBeOffered(op *operator, gid string) bool {
	g := v.groups[gid]
	return op.inOffer && g != nil && op.row.InGroup(gid) && policy.BelowCap(g.limiter, op.candidate())
}

// mayHoldOffer reports whether op may hold an offer of c: they may be
// offered its group's conversations and hold the skills it requires.
func (v *View) mayHoldOffer(op *operator, c *store.Conversation) bool {
	return v.mayBeOffered(op, c.Group) && policy.Satisfies(op.row.Skills, c.Skills)
}

// staleOfferees returns the operators c is offered to who may no longer be
// offered it: one lost eligibility (status, group, cap) after decision d was
// taken and before its result reached the view, so that the withdrawal that
// followed their change could not see this offer yet. Without such a loss
// since d (View.offerEpoch unchanged) it returns nil at once.
func (v *View) staleOfferees(c store.Conversation, d Decision) []string {
	if c.State != store.Offered || d.epoch == v.offerEpoch {
		return nil
	}
	var stale []string
	for _, id := range c.OfferedTo {
		if op := v.ops[id]; op == nil || !v.mayHoldOffer(op, &c) {
			stale = append(stale, id)
		}
	}
	return stale
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
