package routing

import (
	"maps"
	"slices"
	"time"
)

// Snapshot is a supervisor's live view (S1), taken at one instant.
type Snapshot struct {
	// At is when it was taken.
	At time.Time
	// Operators lists every operator, by id.
	Operators []OperatorSnapshot
	// Groups lists every group, by id.
	Groups []GroupSnapshot
}

// OperatorSnapshot is one operator in a Snapshot.
type OperatorSnapshot struct {
	// ID identifies the operator.
	ID string
	// Status is their status.
	Status string
	// StatusSince is when they entered Status.
	StatusSince time.Time
	// InStatus is how long they have been in Status.
	InStatus time.Duration
	// Load is the number of conversations in work.
	Load int
	// Cap is the cap that applies to them, whichever group's conversation
	// they are given: their own when set, else the lowest default of their
	// groups' policies; zero means no cap. OwnCap is their own setting
	// (zero: not set).
	Cap, OwnCap int
	// Groups lists the groups they serve.
	Groups []string
	// Conversations lists the conversations they hold (assigned or
	// waiting), sorted.
	Conversations []string
	// Offers counts the conversations offered to them.
	Offers int
}

// GroupSnapshot is one group in a Snapshot.
type GroupSnapshot struct {
	// ID identifies the group; Policy names its policy.
	ID, Policy string
	// Online reports whether any member accepts new conversations.
	Online bool
	// Accepting counts the members who accept new conversations.
	Accepting int
	// AutoAvailable counts the members whose status allows automatic
	// assignment and who are below their cap; OfferAvailable those whose
	// status allows offers and manual take and who are below their cap.
	AutoAvailable, OfferAvailable int
	// Queued is the queue's length (queued and offered conversations).
	Queued int
	// Oldest is the conversation that has waited longest.
	Oldest string
	// OldestWait is how long Oldest has waited.
	OldestWait time.Duration
}

// Snapshot returns the live view of operators and queues.
func (r *Router) Snapshot() Snapshot {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Snapshot{At: now}
	for _, id := range slices.Sorted(maps.Keys(r.ops)) {
		op := r.ops[id]
		s.Operators = append(s.Operators, OperatorSnapshot{
			ID: id, Status: op.row.Status, StatusSince: op.row.StatusSince, InStatus: now.Sub(op.row.StatusSince),
			Load: op.row.Load, Cap: r.effectiveCap(op), OwnCap: op.row.Cap, Groups: slices.Clone(op.row.Groups),
			Conversations: slices.Sorted(maps.Keys(op.held)), Offers: r.offersTo(op),
		})
	}
	for _, id := range slices.Sorted(maps.Keys(r.groups)) {
		g := r.groups[id]
		gs := GroupSnapshot{
			ID: id, Policy: g.cfg.Policy.Name(), Online: g.isOnline(), Accepting: g.accepting,
			AutoAvailable: g.auto.avail, OfferAvailable: g.offer.avail, Queued: g.queue.Len(),
		}
		if it, ok := g.queue.Oldest(); ok {
			gs.Oldest, gs.OldestWait = it.ID, now.Sub(it.Arrival)
		}
		s.Groups = append(s.Groups, gs)
	}
	return s
}

// effectiveCap returns the cap that applies to op, or zero when none of
// their groups' policies caps operators. Caller holds r.mu.
func (r *Router) effectiveCap(op *opState) int {
	for _, gid := range op.row.Groups {
		if g := r.groups[gid]; g != nil && g.limiter != nil {
			return op.cap
		}
	}
	return 0
}

// offersTo counts the conversations offered to op. Caller holds r.mu.
func (r *Router) offersTo(op *opState) int {
	n := 0
	for _, gid := range op.row.Groups {
		if g := r.groups[gid]; g != nil {
			for cid := range g.offered {
				if slices.Contains(r.convs[cid].row.OfferedTo, op.row.ID) {
					n++
				}
			}
		}
	}
	return n
}
