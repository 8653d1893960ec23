package routing

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/switchboard-go/switchboard/store"
)

// EventFilter selects the events a subscription receives (S5); the zero
// filter selects every event. Its conditions combine with AND.
type EventFilter struct {
	// Kinds lists the kinds wanted; empty: every kind.
	Kinds []EventKind
	// Operator keeps only the events that concern this operator: what a
	// console of theirs shows. Those are the events of their
	// conversations (assigned to them, transferred to or from them,
	// returned or redistributed from them, closed while they held it,
	// waiting, replied, written to by the customer, the wait thresholds of
	// the ones they hold, missed by them), the offers made to them, their
	// withdrawal and the customer writing into them, and their own status
	// changes: every event that names them as its Operator, in
	// its Operators, or as its From where From is an operator (Returned,
	// Redistributed, Transferred between operators).
	Operator string
	// Group keeps only the events of this group: those whose Group it
	// is, a transfer into or out of it (From or To of a transfer between
	// groups), and the status changes of its members (see Event.Groups).
	Group string
	// Conversation keeps only the events of this conversation, those whose
	// Conversation it is: what its customer's chat window shows. Unlike an
	// operator or a group, it need not exist yet (a subscriber may ask
	// before it enqueues the conversation, so as to miss none of its
	// events).
	Conversation string
}

// mask returns the set of kinds f selects (bit k for kind k), or an error
// matching ErrInvalid for a kind a filter may not ask for or an id longer
// than store.MaxIDLength. It does not check that the ids are known.
func (f EventFilter) mask() (uint64, error) {
	for _, k := range f.Kinds {
		if k == 0 || k >= kindCount {
			return 0, fmt.Errorf("%w: event filter: kind %v is not one a subscription can ask for", ErrInvalid, k)
		}
	}
	if f.Operator != "" {
		if err := store.CheckID("event filter: operator id", f.Operator); err != nil {
			return 0, err
		}
	}
	if f.Group != "" {
		if err := store.CheckID("event filter: group id", f.Group); err != nil {
			return 0, err
		}
	}
	if f.Conversation != "" {
		if err := store.CheckID("event filter: conversation id", f.Conversation); err != nil {
			return 0, err
		}
	}
	return kindMask(f.Kinds), nil
}

// kindMask returns the set of the given kinds, every kind when none is
// given; kinds out of range are left out.
func kindMask(kinds []EventKind) uint64 {
	if len(kinds) == 0 {
		return everyKind
	}
	var m uint64
	for _, k := range kinds {
		if k > 0 && k < kindCount {
			m |= 1 << k
		}
	}
	return m
}

// eachKind calls fn with every kind in mask m.
func eachKind(m uint64, fn func(EventKind)) {
	for m != 0 {
		k := bits.TrailingZeros64(m)
		fn(EventKind(k))
		m &^= 1 << k
	}
}

// operatorsNamed returns the operators e concerns: its Operator, its From
// where its kind makes From an operator (for StatusChanged it is a
// status, for a transfer between groups a group), and its Operators.
func (e *Event) operatorsNamed() (operator, from string, operators []string) {
	switch e.Kind {
	case Returned, Redistributed:
		from = e.From
	case Transferred:
		if e.To == "" {
			from = e.From
		}
	}
	return e.Operator, from, e.Operators
}

// groupsNamed returns the groups e concerns: its Group, both sides of a
// transfer between groups, and the groups of the operator whose status
// changed.
func (e *Event) groupsNamed() (group, from, to string, groups []string) {
	switch e.Kind {
	case Transferred:
		if e.To != "" {
			from, to = e.From, e.To
		}
	case StatusChanged:
		groups = e.Groups
	}
	return e.Group, from, to, groups
}

// inGroup reports whether e concerns group g (see groupsNamed).
func (e *Event) inGroup(g string) bool {
	group, from, to, groups := e.groupsNamed()
	return group == g || from == g || to == g || slices.Contains(groups, g)
}

// namesOperator reports whether e concerns operator o (see
// operatorsNamed).
func (e *Event) namesOperator(o string) bool {
	op, from, ops := e.operatorsNamed()
	return op == o || from == o || slices.Contains(ops, o)
}

// Selects reports whether f selects e, as a subscription with filter f
// would (its Seq aside). A host that shows the union of several filters
// (an operator's own events and those of their groups' queues, say)
// subscribes to the events of none and keeps those one of its filters
// selects. Lagged, and a kind out of range, are selected by no filter.
func (f EventFilter) Selects(e Event) bool {
	return e.Kind > 0 && e.Kind < kindCount && kindMask(f.Kinds)&(1<<e.Kind) != 0 &&
		(f.Conversation == "" || e.Conversation == f.Conversation) &&
		(f.Operator == "" || e.namesOperator(f.Operator)) &&
		(f.Group == "" || e.inGroup(f.Group))
}
