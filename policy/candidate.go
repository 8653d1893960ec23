package policy

import (
	"slices"
	"time"
)

// Conversation is what a policy knows of the conversation it routes.
type Conversation struct {
	// ID identifies the conversation.
	ID string
	// Group is the group whose operators may receive it.
	Group string
	// Channel names where it came from.
	Channel string
	// CustomerID identifies the customer.
	CustomerID string
	// Priority is its queue priority (higher first).
	Priority int
	// Skills lists what an operator needs to be given it.
	Skills []string
	// Attributes carries the host's free-form data. Policies must not
	// modify it.
	Attributes map[string]string
	// PreviousOperator is the operator who last served this customer, or
	// empty.
	PreviousOperator string
}

// Candidate is one operator a policy may choose.
type Candidate struct {
	// ID identifies the operator.
	ID string
	// Status is the operator's presence status.
	Status string
	// Load is the number of conversations the operator has in work.
	Load int
	// Pending is the number of conversations the router is assigning to
	// the operator: decided, and not yet stored. Candidate order counts
	// them with Load, so that arrivals decided together are spread over
	// operators rather than all given to the one who was least loaded
	// before them; caps count Load alone, since a pending assignment may
	// still be refused.
	Pending int
	// Cap is the operator's own cap; zero means "not set" (the group's
	// default applies, see Capped).
	Cap int
	// LastAssigned is when the operator was last given a conversation.
	LastAssigned time.Time
	// Skills lists what the operator can handle. Policies must not modify
	// it.
	Skills []string
}

// HasSkills reports whether the candidate holds every skill in required,
// each at the level it asks for or above (see Satisfies).
func (c Candidate) HasSkills(required []string) bool { return Satisfies(c.Skills, required) }

// Before reports whether c comes before d in candidate order: lower load
// (Load plus Pending) first, then earlier last assignment (the operator who
// has waited longest), then lower id.
func (c Candidate) Before(d Candidate) bool {
	if cl, dl := c.Load+c.Pending, d.Load+d.Pending; cl != dl {
		return cl < dl
	}
	if !c.LastAssigned.Equal(d.LastAssigned) {
		return c.LastAssigned.Before(d.LastAssigned)
	}
	return c.ID < d.ID
}

// Candidates is a read-only view of the operators of one group who may
// receive a conversation in some way. Views are only valid during the
// Decide call they are passed to.
type Candidates interface {
	// Len returns the number of candidates.
	Len() int
	// Available returns the number of candidates below the cap that the
	// group's Limiter gives them (all of them when there is none).
	Available() int
	// Ascend calls fn for each candidate in candidate order (see
	// Candidate.Before) until fn returns false.
	Ascend(fn func(Candidate) bool)
	// Get returns the candidate with the given id, if it is in the view.
	Get(id string) (Candidate, bool)
}

// List is a Candidates held in a sorted slice: for tests, simulations and
// hosts that build candidate sets themselves. The router uses an index of
// its own.
type List struct {
	items     []Candidate
	available int
}

var _ Candidates = (*List)(nil)

// NewList returns a List of the given candidates in candidate order. The
// limiter, which may be nil, decides which of them count as available.
func NewList(limiter Limiter, cands ...Candidate) *List {
	items := slices.Clone(cands)
	slices.SortFunc(items, func(a, b Candidate) int {
		switch {
		case a.Before(b):
			return -1
		case b.Before(a):
			return 1
		}
		return 0
	})
	l := &List{items: items}
	for _, c := range items {
		if BelowCap(limiter, c) {
			l.available++
		}
	}
	return l
}

// Len returns the number of candidates.
func (l *List) Len() int { return len(l.items) }

// Available returns the number of candidates below their cap.
func (l *List) Available() int { return l.available }

// Ascend calls fn for each candidate in order until fn returns false.
func (l *List) Ascend(fn func(Candidate) bool) {
	for _, c := range l.items {
		if !fn(c) {
			return
		}
	}
}

// Get returns the candidate with the given id.
func (l *List) Get(id string) (Candidate, bool) {
	for _, c := range l.items {
		if c.ID == id {
			return c, true
		}
	}
	return Candidate{}, false
}
