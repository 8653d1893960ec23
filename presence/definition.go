package presence

import (
	"fmt"
	"slices"
)

// Transition is one allowed status change, from the status named From to
// the status named To.
type Transition struct{ From, To string }

// Definition is the data an admin or a preset gives; New validates it.
type Definition struct {
	// Statuses lists the statuses, in the order a UI should show them.
	// Required.
	Statuses []Status
	// Transitions lists the allowed status changes. Empty means any status
	// may move to any other. Staying in the same status is always allowed.
	Transitions []Transition
	// Initial is the status of a newly added operator. Defaults to the
	// first status that is not OnShift.
	Initial string
	// LogIn is the status set on log in (P7). Empty means log in does
	// not change the status.
	LogIn string
	// LogOut is the status set on log out or disconnect (P7). Empty
	// means the status is unchanged.
	LogOut string
	// OffShift is the status set when the operator ends their shift or an
	// admin forces them off shift (P4). Defaults to Initial.
	OffShift string
	// Guards forbid some status changes while the operator holds
	// conversations in given states (P8).
	Guards []Guard
}

// clone returns a deep copy of d that shares no slice or pointer with it.
func (d Definition) clone() Definition {
	if d.Statuses != nil {
		st := make([]Status, len(d.Statuses))
		for i, s := range d.Statuses {
			st[i] = s.clone()
		}
		d.Statuses = st
	}
	d.Transitions = slices.Clone(d.Transitions)
	if d.Guards != nil {
		gs := make([]Guard, len(d.Guards))
		for i, g := range d.Guards {
			gs[i] = g.clone()
		}
		d.Guards = gs
	}
	return d
}

// withDefaults fills Initial and OffShift when they are empty. Initial stays
// empty when every status is on shift; validate reports that.
func (d *Definition) withDefaults() {
	if d.Initial == "" {
		for _, s := range d.Statuses {
			if !s.OnShift() {
				d.Initial = s.Name
				break
			}
		}
	}
	if d.OffShift == "" {
		d.OffShift = d.Initial
	}
}

// validate checks d, with defaults already filled, and returns an error
// wrapping ErrInvalidDefinition that names the first bad field. On success
// it returns the index of each status by name.
func (d *Definition) validate() (map[string]int, error) {
	if len(d.Statuses) == 0 {
		return nil, invalid("Statuses is empty")
	}
	index := make(map[string]int, len(d.Statuses))
	for i, s := range d.Statuses {
		if s.Name == "" {
			return nil, invalid("status %d: Name is empty", i)
		}
		if j, dup := index[s.Name]; dup {
			return nil, invalid("status %d (%q): Name duplicates status %d", i, s.Name, j)
		}
		index[s.Name] = i
		if unknown := s.Capabilities &^ All; unknown != 0 {
			return nil, invalid("status %d (%q): Capabilities has unknown bits %#x", i, s.Name, uint8(unknown))
		}
	}
	// ref checks that field, naming a status, names a defined one.
	ref := func(field, name string) error {
		if name == "" {
			return fmt.Errorf("%s is empty", field)
		}
		if _, ok := index[name]; !ok {
			return fmt.Errorf("%s %q is not defined", field, name)
		}
		return nil
	}
	for i, s := range d.Statuses {
		if s.OnLastClose != "" {
			if err := ref("OnLastClose", s.OnLastClose); err != nil {
				return nil, invalid("status %d (%q): %v", i, s.Name, err)
			}
		}
		if in := s.Inactivity; in != nil {
			if in.After <= 0 {
				return nil, invalid("status %d (%q): Inactivity.After %v is not positive", i, s.Name, in.After)
			}
			if err := ref("Inactivity.Target", in.Target); err != nil {
				return nil, invalid("status %d (%q): %v", i, s.Name, err)
			}
			if in.Target == s.Name {
				return nil, invalid("status %d (%q): Inactivity.Target is the status itself", i, s.Name)
			}
		}
	}
	for i, t := range d.Transitions {
		if err := ref("From", t.From); err != nil {
			return nil, invalid("transition %d: %v", i, err)
		}
		if err := ref("To", t.To); err != nil {
			return nil, invalid("transition %d: %v", i, err)
		}
	}
	if d.Initial == "" {
		return nil, invalid("Initial is empty and every status is on shift; name the status of a new operator")
	}
	for _, f := range []struct{ field, name string }{
		{"Initial", d.Initial},
		{"LogIn", d.LogIn},
		{"LogOut", d.LogOut},
		{"OffShift", d.OffShift},
	} {
		if f.name == "" {
			continue
		}
		if err := ref(f.field, f.name); err != nil {
			return nil, invalid("%v", err)
		}
	}
	for i, g := range d.Guards {
		if len(g.To) == 0 {
			return nil, invalid("guard %d: To is empty", i)
		}
		for j, to := range g.To {
			if err := ref(fmt.Sprintf("To[%d]", j), to); err != nil {
				return nil, invalid("guard %d: %v", i, err)
			}
		}
		if len(g.Holding) == 0 {
			return nil, invalid("guard %d: Holding is empty", i)
		}
		for j, st := range g.Holding {
			if !st.Valid() {
				return nil, invalid("guard %d: Holding[%d] %v is not a valid conversation state", i, j, st)
			}
		}
	}
	return index, nil
}

// invalid returns an error wrapping ErrInvalidDefinition with the formatted
// message.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidDefinition, fmt.Sprintf(format, args...))
}
