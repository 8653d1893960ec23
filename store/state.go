package store

import "fmt"

// State is where a conversation is in its lifecycle (L1).
type State uint8

// Conversation states. A conversation is in exactly one of them.
const (
	// Queued: waiting in its group's queue for an operator.
	Queued State = iota + 1
	// Offered: waiting in the queue and offered to one or more operators,
	// the first of whom to take it gets it (broadcast, R1).
	Offered
	// Assigned: in work with one operator; counts toward their load.
	Assigned
	// Waiting: the operator is waiting for the customer (L3); the
	// conversation keeps its assignee but leaves their load.
	Waiting
	// Closed: finished. Closed is final; a customer writing again opens a
	// new, linked conversation (L5).
	Closed
)

var stateNames = [...]string{Queued: "queued", Offered: "offered", Assigned: "assigned", Waiting: "waiting", Closed: "closed"}

// String returns the lower-case name of the state.
func (s State) String() string {
	if s.Valid() {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool { return s >= Queued && s <= Closed }

// InQueue reports whether a conversation in this state waits in its group's
// queue (queued or offered).
func (s State) InQueue() bool { return s == Queued || s == Offered }

// Held reports whether a conversation in this state has an assignee
// (assigned or waiting on the customer).
func (s State) Held() bool { return s == Assigned || s == Waiting }

// CountsAsLoad reports whether a conversation in this state counts toward
// its assignee's load. Only Assigned does.
func (s State) CountsAsLoad() bool { return s == Assigned }

// ParseState returns the state named by s (as produced by State.String).
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if n != "" && n == s {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown conversation state %q", ErrInvalid, s)
}

// MarshalText returns the state's name; a state that is not one of the
// defined ones is an error matching ErrInvalid.
func (s State) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("%w: undefined conversation state %d", ErrInvalid, uint8(s))
	}
	return []byte(stateNames[s]), nil
}

// UnmarshalText sets s to the state text names (see ParseState); an
// unknown name is an error matching ErrInvalid and leaves s unchanged.
func (s *State) UnmarshalText(text []byte) error {
	st, err := ParseState(string(text))
	if err != nil {
		return err
	}
	*s = st
	return nil
}
