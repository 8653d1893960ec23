package store

import (
	"fmt"
	"slices"
	"time"
)

// DeadlineKind names what a deadline is for.
type DeadlineKind uint8

// Deadline kinds. A row holds at most one deadline of each kind.
const (
	// AcceptTimeout: an offer or automatic assignment not accepted by then
	// is taken back (L2). Kept only while the conversation is Assigned
	// or Offered.
	AcceptTimeout DeadlineKind = iota + 1
	// AutoClose: a conversation whose customer has not replied by then is
	// closed (L4).
	AutoClose
	// WaitLevel: the customer's wait crosses the threshold numbered Level
	// (L10).
	WaitLevel
	// WaitingExpiry: a conversation left waiting on its customer until
	// then is closed. Kept only while the conversation is Waiting.
	WaitingExpiry
	// Inactivity: an operator with no activity by then is switched to
	// another status (P6).
	Inactivity
	// SkillRelax: the conversation's required skills are relaxed at Due.
	// Kept only while the conversation is Queued or Offered.
	SkillRelax
	// PreferExpiry: the wait for the conversation's preferred operator
	// ends at Due. Kept only while the conversation is Queued or Offered.
	PreferExpiry
)

// lastDeadlineKind is the highest defined kind.
const lastDeadlineKind = PreferExpiry

var deadlineNames = [...]string{AcceptTimeout: "accept-timeout", AutoClose: "auto-close", WaitLevel: "wait-level", WaitingExpiry: "waiting-expiry",
	Inactivity: "inactivity", SkillRelax: "skill-relax", PreferExpiry: "prefer-expiry"}

// String returns the kind's name.
func (k DeadlineKind) String() string {
	if k.Valid() {
		return deadlineNames[k]
	}
	return fmt.Sprintf("deadline(%d)", uint8(k))
}

// Valid reports whether k is a defined kind.
func (k DeadlineKind) Valid() bool { return k >= AcceptTimeout && k <= lastDeadlineKind }

// Deadline is a moment at which something must happen to the row that holds
// it, unless the row has moved on by then. Deadlines are stored with their
// row, so a restarted router finds them again.
type Deadline struct {
	// Kind says what happens at Due.
	Kind DeadlineKind
	// Due is when.
	Due time.Time
	// Level numbers the wait threshold of a WaitLevel deadline; zero for
	// the other kinds.
	Level int
}

// validDeadlines checks a row's deadlines: defined kinds, a due time, at
// most one of each kind, a level only for WaitLevel. owner and id name the
// row in errors.
func validDeadlines(owner, id string, ds []Deadline) error {
	for i, d := range ds {
		switch {
		case !d.Kind.Valid():
			return fmt.Errorf("%w: %s %q: deadline %d: kind %v", ErrInvalid, owner, id, i, d.Kind)
		case d.Due.IsZero():
			return fmt.Errorf("%w: %s %q: deadline %d (%v): due time is zero", ErrInvalid, owner, id, i, d.Kind)
		case d.Level < 0 || (d.Level != 0 && d.Kind != WaitLevel):
			return fmt.Errorf("%w: %s %q: deadline %d (%v): level %d", ErrInvalid, owner, id, i, d.Kind, d.Level)
		case slices.ContainsFunc(ds[:i], func(e Deadline) bool { return e.Kind == d.Kind }):
			return fmt.Errorf("%w: %s %q: deadline %d: a second %v deadline", ErrInvalid, owner, id, i, d.Kind)
		}
	}
	return nil
}

// DeadlineOf returns the row's deadline of kind k, if it has one.
func DeadlineOf(ds []Deadline, k DeadlineKind) (Deadline, bool) {
	i := slices.IndexFunc(ds, func(d Deadline) bool { return d.Kind == k })
	if i < 0 {
		return Deadline{}, false
	}
	return ds[i], true
}

// Holds reports whether a conversation in state s keeps a deadline of kind
// k: a closed conversation keeps none, an AcceptTimeout lives only while it
// is Assigned or Offered, a WaitingExpiry only while it is Waiting, a
// SkillRelax and a PreferExpiry (which concern a conversation waiting for
// an operator) only while it is Queued or Offered. Stores drop the others
// when a change moves the conversation.
func (k DeadlineKind) Holds(s State) bool {
	switch {
	case s == Closed:
		return false
	case k == AcceptTimeout:
		return s == Assigned || s == Offered
	case k == WaitingExpiry:
		return s == Waiting
	case k == SkillRelax, k == PreferExpiry:
		return s.InQueue()
	}
	return true
}

// DeadlinesFor returns ds without the deadlines a conversation in state s
// does not keep (see Holds); ds itself when it keeps them all.
func DeadlinesFor(ds []Deadline, s State) []Deadline {
	if !slices.ContainsFunc(ds, func(d Deadline) bool { return !d.Kind.Holds(s) }) {
		return ds
	}
	return slices.DeleteFunc(slices.Clone(ds), func(d Deadline) bool { return !d.Kind.Holds(s) })
}
