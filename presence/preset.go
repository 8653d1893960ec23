package presence

// Status names used by the presets.
const (
	// StatusReady: "Ready to talk" (Cleversite): receives everything.
	StatusReady = "ready"
	// StatusCanHelp: "Can help" (Cleversite): queue offers, manual take and
	// transfers; no auto-assignment, and an admin cannot assign.
	StatusCanHelp = "can-help"
	// StatusPause: "Pause" (Cleversite): only own conversations and
	// transfers from colleagues; becomes StatusAway when the last
	// conversation closes.
	StatusPause = "pause"
	// StatusAway: "Away" (Cleversite): nothing new; transfers are refused.
	StatusAway = "away"
	// StatusOffline: off shift (Cleversite): nothing new.
	StatusOffline = "offline"
	// StatusActive: "Active" (BPMSoft): receives everything.
	StatusActive = "active"
	// StatusInactive: "Inactive" (BPMSoft): nothing new; set on log out.
	StatusInactive = "inactive"
	// StatusGreen: the toggle's green position (Pyrus): accepting new
	// chats.
	StatusGreen = "green"
	// StatusGrey: the toggle's grey position (Pyrus): nothing new; the
	// operator keeps their own chats and is still on shift.
	StatusGrey = "grey"
)

// Standard returns the statuses of the Cleversite model, P2:
//
//	ready     All: auto-assignment, queue and manual take, transfers, admin assignment
//	can-help  QueueTake|Transfers: no auto-assignment; an admin cannot assign
//	pause     Transfers only; becomes away when the last conversation closes (P5)
//	away      nothing new
//	offline   nothing new
//
// A new operator starts offline; log in sets ready, log out or disconnect
// sets pause (P7), and ending the shift sets offline. Any status may
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

// ActiveInactive returns the two statuses of the BPMSoft model, P2:
// active (All) and inactive (nothing new). A new operator starts inactive;
// log in does not change the status, log out sets inactive (P7), and
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

// Toggle returns the green/grey switch of the Pyrus model, P2: green
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
