package routing

import (
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
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
	var ops []core.OperatorInfo
	var groups []core.GroupInfo
	r.inLock(func() { ops, groups = r.v.Snapshot() })
	s := Snapshot{At: now}
	for _, o := range ops {
		s.Operators = append(s.Operators, operatorSnapshot(o, now))
	}
	for _, g := range groups {
		gs := GroupSnapshot{
			ID: g.ID, Policy: g.Policy, Online: g.Online, Accepting: g.Accepting,
			AutoAvailable: g.AutoAvailable, OfferAvailable: g.OfferAvailable, Queued: g.Queued, Oldest: g.Oldest,
		}
		if g.Oldest != "" {
			gs.OldestWait = now.Sub(g.OldestArrival)
		}
		s.Groups = append(s.Groups, gs)
	}
	return s
}

// operatorSnapshot describes o at now.
func operatorSnapshot(o core.OperatorInfo, now time.Time) OperatorSnapshot {
	return OperatorSnapshot{
		ID: o.ID, Status: o.Status, StatusSince: o.StatusSince, InStatus: now.Sub(o.StatusSince),
		Load: o.Load, Cap: o.Cap, OwnCap: o.OwnCap, Groups: o.Groups, Conversations: o.Conversations, Offers: o.Offers,
	}
}
