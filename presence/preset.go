package presence

// Status names used by the presets.
const (
	// StatusReady: "Ready to talk" (seed 001): receives everything.
	StatusReady = "ready"
	// StatusCanHelp: "Can help" (seed 001): queue offers, manual take and
	// transfers; no auto-assignment, and an admin cannot assign.
	StatusCanHelp = "can-help"
	// StatusPause: "Pause" (seed 001): only own conversations and
	// transfers from colleagues; becomes StatusAway when the last
	// conversation closes.
	StatusPause = "pause"
	// StatusAway: "Away" (seed 001): nothing new; transfers are refused.
	StatusAway = "away"
	// StatusOffline: off shift (seed 001): nothing new.
	StatusOffline = "offline"
	// StatusActive: "Active" (seed 002): receives everything.
	StatusActive = "active"
	// StatusInactive: "Inactive" (seed 002): nothing new; set on log out.
	StatusInactive = "inactive"
	// StatusGreen: the toggle's green position (seed 000): accepting new
	// chats.
	StatusGreen = "green"
	// StatusGrey: the toggle's grey position (seed 000): nothing new; the
	// operator keeps their own chats and is still on shift.
	StatusGrey = "grey"
)

// Standard returns the statuses of seed 001 (Cleversite), SPEC P2:
//
//	ready     All: auto-assignment, queue and manual take, transfers, admin assignment
//	can-help  QueueTake|Transfers: no auto-assignment; an admin cannot assign
//	pause     Transfers only; becomes away when the last conversation closes (SPEC P5)
//	away      nothing new
//	offline   nothing new
//
// A new operator starts offline; log in sets ready, log out or disconnect
// sets pause (SPEC P7), and ending the shift sets offline. Any status may
// move to any other. Each call returns a new Model.
func Standard() *Model {
	return MustNew(Definition{
		Statuses: []Status{
			{Name: StatusReady, Capabilities: All},
			{Name: StatusCanHelp, Capabilities: QueueTake | Transfers},
			{Name: StatusPause, Capabilities: Transfers, OnLastClose: StatusAway},
			{Name: StatusAway},
			{Name: StatusOffline},
		},
		Initial:  StatusOffline,
		LogIn:    StatusReady,
		LogOut:   StatusPause,
		OffShift: StatusOffline,
	})
}

// ActiveInactive returns the two statuses of seed 002 (BPMSoft), SPEC P2:
// active (All) and inactive (nothing new). A new operator starts inactive;
// log in does not change the status, log out sets inactive (SPEC P7), and
// so does ending the shift. Each call returns a new Model.
func ActiveInactive() *Model {
	return MustNew(Definition{
		Statuses: []Status{
			{Name: StatusActive, Capabilities: All},
			{Name: StatusInactive},
		},
		Initial:  StatusInactive,
		LogOut:   StatusInactive,
		OffShift: StatusInactive,
	})
}

// Toggle returns the green/grey switch of seed 000 (Pyrus), SPEC P2: green
// (All: accepting new chats) and grey (nothing new, but still at work: the
// operator keeps their own chats and customers who write again come back to
// them), plus offline for an operator who has pressed "exit" and left the
// shift. A new operator starts offline, log in sets green, and ending the
// shift sets offline; log out does not change the status. Each call returns
// a new Model.
func Toggle() *Model {
	return MustNew(Definition{
		Statuses: []Status{
			{Name: StatusGreen, Capabilities: All},
			{Name: StatusGrey, Present: true},
			{Name: StatusOffline},
		},
		Initial:  StatusOffline,
		LogIn:    StatusGreen,
		OffShift: StatusOffline,
	})
}
