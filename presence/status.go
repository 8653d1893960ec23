package presence

import "time"

// Inactivity names an automatic switch after no activity (P6): an
// operator in the status who shows no activity for After is moved to
// Target. The router keeps the deadline; this package only validates it.
type Inactivity struct {
	// After is how long without activity before the switch. Must be
	// positive.
	After time.Duration
	// Target is the status to switch to. Must be defined and differ from
	// the status the rule belongs to.
	Target string
}

// Status is one operator status: its name, what an operator in it may
// receive, and the automatic moves out of it. The presets and statuses an
// admin defines (P11) use this same type.
type Status struct {
	// Name identifies the status. Required, unique within a Definition.
	Name string
	// Capabilities says what an operator in this status may receive
	// (P1). Zero means nothing new.
	Capabilities Capability
	// OnLastClose, when set, is the status the operator moves to when their
	// last conversation closes (P5: Pause becomes Away). Must be
	// defined.
	OnLastClose string
	// Inactivity, when set, switches the operator to another status after
	// a period without activity (P6).
	Inactivity *Inactivity
	// Present marks a status without capabilities in which the operator is
	// still at work, such as Pyrus's grey toggle: they take nothing new,
	// but a conversation waiting on its customer comes back to them when
	// the customer writes (L3). Statuses with capabilities are always
	// on shift.
	Present bool
}

// OnShift reports whether an operator in s counts as on shift: true when s
// grants at least one capability or is marked Present. Other statuses
// (Away, Offline, Inactive) count as off shift, although the operator keeps
// the conversations they hold (P3).
func (s Status) OnShift() bool { return s.Capabilities != 0 || s.Present }

// clone returns a copy of s that shares no pointer with it.
func (s Status) clone() Status {
	if s.Inactivity != nil {
		in := *s.Inactivity
		s.Inactivity = &in
	}
	return s
}
