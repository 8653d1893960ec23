package core

import (
	"maps"
	"slices"
	"time"
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
		op := v.ops[id]
		ops = append(ops, OperatorInfo{
			ID: id, Status: op.row.Status, StatusSince: op.row.StatusSince,
			Load: op.row.Load, Cap: v.effectiveCap(op), OwnCap: op.row.Cap, Groups: slices.Clone(op.row.Groups),
			Conversations: slices.Sorted(maps.Keys(op.held)), Offers: v.offersTo(op),
		})
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
