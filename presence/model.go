package presence

import (
	"fmt"
	"slices"

	"github.com/switchboard-go/switchboard/store"
)

// Model is a validated set of statuses. It is immutable after New and safe
// for concurrent use; every method that returns a slice or struct returns a
// copy, except With (see there).
type Model struct {
	def   Definition     // deep copy of the caller's definition, defaults filled
	index map[string]int // status name -> index in def.Statuses
	// with[c] lists the names of the statuses having every bit of c.
	with [All + 1][]string
	// allowed holds the allowed transitions; nil when unrestricted.
	allowed map[Transition]struct{}
	// forbidden maps a target status to the states that block moving to it.
	forbidden map[string][]store.State
}

// New validates d and returns the model it defines. It fills the defaults
// (Initial, OffShift) and keeps a deep copy of d, so later changes by the
// caller do not affect the model. An invalid definition returns an error
// wrapping ErrInvalidDefinition (and so store.ErrInvalid) that names the
// first bad field.
func New(d Definition) (*Model, error) {
	d = d.clone()
	d.withDefaults()
	index, err := d.validate()
	if err != nil {
		return nil, err
	}
	m := &Model{def: d, index: index}
	for c := range m.with {
		for _, s := range d.Statuses {
			if s.Capabilities.Has(Capability(c)) {
				m.with[c] = append(m.with[c], s.Name)
			}
		}
		m.with[c] = slices.Clip(m.with[c])
	}
	if len(d.Transitions) > 0 {
		m.allowed = make(map[Transition]struct{}, len(d.Transitions))
		for _, t := range d.Transitions {
			m.allowed[t] = struct{}{}
		}
	}
	for _, g := range d.Guards {
		for _, to := range g.To {
			if m.forbidden == nil {
				m.forbidden = make(map[string][]store.State)
			}
			m.forbidden[to] = append(m.forbidden[to], g.Holding...)
		}
	}
	for to, states := range m.forbidden {
		slices.Sort(states)
		m.forbidden[to] = slices.Clip(slices.Compact(states))
	}
	return m, nil
}

// MustNew is like New but panics if d is invalid. It is meant for presets,
// package-level variables and examples, where d is a constant.
func MustNew(d Definition) *Model {
	m, err := New(d)
	if err != nil {
		panic(err)
	}
	return m
}

// Definition returns a deep copy of the definition the model was built
// from, with defaults filled. Passing it to New builds an equal model.
func (m *Model) Definition() Definition { return m.def.clone() }

// Status returns the status named name and whether it is defined.
func (m *Model) Status(name string) (Status, bool) {
	i, ok := m.index[name]
	if !ok {
		return Status{}, false
	}
	return m.def.Statuses[i].clone(), true
}

// Statuses returns a copy of every status, in definition order.
func (m *Model) Statuses() []Status { return m.Definition().Statuses }

// Has reports whether the status named status has every bit of c. It is
// false for an unknown status.
func (m *Model) Has(status string, c Capability) bool {
	i, ok := m.index[status]
	return ok && m.def.Statuses[i].Capabilities.Has(c)
}

// With returns the names of the statuses having every bit of c, in
// definition order; nil when there are none (always for c with bits outside
// All). With(0) lists every status. The slices are computed once by New and
// the same slice is returned on every call for a given c, so With does not
// allocate: callers must not modify it.
func (m *Model) With(c Capability) []string {
	if c > All {
		return nil
	}
	return m.with[c]
}

// Initial returns the status of a newly added operator.
func (m *Model) Initial() string { return m.def.Initial }

// LogIn returns the status set on log in (P7), or "" when log in does
// not change the status.
func (m *Model) LogIn() string { return m.def.LogIn }

// LogOut returns the status set on log out or disconnect (P7), or ""
// when the status is unchanged.
func (m *Model) LogOut() string { return m.def.LogOut }

// OffShift returns the status set when an operator ends their shift or is
// forced off shift (P4).
func (m *Model) OffShift() string { return m.def.OffShift }

// Check reports whether moving from the status from to the status to is
// allowed. It returns an error wrapping ErrUnknownStatus when either name is
// not defined, and one wrapping ErrTransitionNotAllowed when the definition
// restricts transitions and does not list this one. Staying in the same
// (defined) status is always allowed. Guards are not checked here: they
// depend on the operator's conversations (see Forbidden).
func (m *Model) Check(from, to string) error {
	if _, ok := m.index[from]; !ok {
		return fmt.Errorf("%w %q", ErrUnknownStatus, from)
	}
	if _, ok := m.index[to]; !ok {
		return fmt.Errorf("%w %q", ErrUnknownStatus, to)
	}
	if from == to || m.allowed == nil {
		return nil
	}
	if _, ok := m.allowed[Transition{From: from, To: to}]; !ok {
		return fmt.Errorf("%w: from %q to %q", ErrTransitionNotAllowed, from, to)
	}
	return nil
}

// Forbidden returns the conversation states that block a move to the status
// to (P8): the union of the Holding states of every guard whose To
// lists it, without duplicates, in ascending order of state value. It
// returns nil when no guard applies, including for an unknown status. The
// caller owns the returned slice.
func (m *Model) Forbidden(to string) []store.State {
	return slices.Clone(m.forbidden[to])
}
