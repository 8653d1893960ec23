package core

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// OperatorInfo is what the view knows of one operator, for the Router's
// Snapshot (whose OperatorSnapshot documents the fields).
type OperatorInfo struct {
	ID, Status    string
	StatusSince   time.Time
	Load          int
	Cap, OwnCap   int
	Groups        []string
	Conversations []string
	Offers        int
}

// GroupInfo is what the view knows of one group, for the Router's
// Snapshot (whose GroupSnapshot documents the fields).
type GroupInfo struct {
	ID, Policy                    string
	Online                        bool
	Accepting                     int
	AutoAvailable, OfferAvailable int
	Queued                        int
	Oldest                        string
	OldestArrival                 time.Time
}

// Snapshot returns every operator and every group, by id (S1).
func (v *View) Snapshot() ([]OperatorInfo, []GroupInfo) {
	var ops []OperatorInfo
	for _, id := range slices.Sorted(maps.Keys(v.ops)) {
		ops = append(ops, v.operatorInfo(v.ops[id]))
	}
	var groups []GroupInfo
	for _, id := range slices.Sorted(maps.Keys(v.groups)) {
		g := v.groups[id]
		gi := GroupInfo{
			ID: id, Policy: g.cfg.Policy.Name(), Online: g.isOnline(), Accepting: g.accepting,
			AutoAvailable: g.auto.avail, OfferAvailable: g.offer.avail, Queued: g.queue.Len(),
		}
		if it, ok := g.queue.Oldest(); ok {
			gi.Oldest, gi.OldestArrival = it.ID, it.Arrival
		}
		groups = append(groups, gi)
	}
	return ops, groups
}

// effectiveCap returns the cap that applies to op, or zero when none of
// their groups' policies caps operators.
func (v *View) effectiveCap(op *operator) int {
	for _, gid := range op.row.Groups {
		if g := v.groups[gid]; g != nil && g.limiter != nil {
			return op.cap
		}
	}
	return 0
}

// offersTo counts the conversations offered to op.
func (v *View) offersTo(op *operator) int {
	n := 0
	for _, gid := range op.row.Groups {
		if g := v.groups[gid]; g != nil {
			for cid := range g.offered {
				if slices.Contains(v.convs[cid].row.OfferedTo, op.row.ID) {
					n++
				}
			}
		}
	}
	return n
}

// OperatorFilter selects operators for View.Operators; zero fields match
// everything.
type OperatorFilter struct {
	Group, Status string
	// Shift, when not zero, is 1 for the operators on shift (in a status
	// other than the presence model's off-shift one) and -1 for those off
	// shift.
	Shift int
}

// Operators returns, by id, what the view knows of the operators that
// pass f, walking only the group's members when f names a group. It fails
// with ErrNotFound for a group the view does not hold.
func (v *View) Operators(f OperatorFilter) ([]OperatorInfo, error) {
	ops := v.ops
	if f.Group != "" {
		g := v.groups[f.Group]
		if g == nil {
			return nil, fmt.Errorf("%w: group %q", store.ErrNotFound, f.Group)
		}
		ops = g.members
	}
	off := v.model.OffShift()
	var out []OperatorInfo
	for _, id := range slices.Sorted(maps.Keys(ops)) {
		op := ops[id]
		st := op.row.Status
		if f.Status != "" && st != f.Status || f.Shift > 0 && st == off || f.Shift < 0 && st != off {
			continue
		}
		out = append(out, v.operatorInfo(op))
	}
	return out, nil
}

// operatorInfo returns what the view knows of op.
func (v *View) operatorInfo(op *operator) OperatorInfo {
	return OperatorInfo{
		ID: op.row.ID, Status: op.row.Status, StatusSince: op.row.StatusSince,
		Load: op.row.Load, Cap: v.effectiveCap(op), OwnCap: op.row.Cap, Groups: slices.Clone(op.row.Groups),
		Conversations: slices.Sorted(maps.Keys(op.held)), Offers: v.offersTo(op),
	}
}

// OffersTo returns copies of the conversations offered to operator id, in
// Seq order. It fails as View.Operator does.
func (v *View) OffersTo(id string) ([]store.Conversation, error) {
	op, err := v.operator(id)
	if err != nil {
		return nil, err
	}
	var out []store.Conversation
	for _, gid := range op.row.Groups {
		if g := v.groups[gid]; g != nil {
			for cid := range g.offered {
				if c := &v.convs[cid].row; slices.Contains(c.OfferedTo, id) {
					out = append(out, c.Clone())
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b store.Conversation) int {
		return cmp.Or(cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
