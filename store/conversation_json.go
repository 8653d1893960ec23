package store

import (
	"encoding/json"
	"time"
)

// conversationJSON is a Conversation as consoles read it: snake_case
// keys, empty fields left out, the state by name, instants in RFC 3339
// (time.RFC3339Nano), none of the store's bookkeeping (Seq, Version,
// Deadlines, AllBusyNotified).
type conversationJSON struct {
	ID           string            `json:"id,omitempty"`
	Group        string            `json:"group,omitempty"`
	Channel      string            `json:"channel,omitempty"`
	CustomerID   string            `json:"customer,omitempty"`
	Priority     int               `json:"priority,omitempty"`
	Skills       []string          `json:"skills,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Tags         []string          `json:"tags,omitempty"`
	Preferred    string            `json:"preferred,omitempty"`
	OffHours     bool              `json:"off_hours,omitempty"`
	Rules        []RuleMatch       `json:"rules,omitempty"`
	State        State             `json:"state,omitempty"`
	Assignee     string            `json:"assignee,omitempty"`
	OfferedTo    []string          `json:"offered_to,omitempty"`
	LastOperator string            `json:"last_operator,omitempty"`
	LinkedTo     string            `json:"linked_to,omitempty"`
	CreatedAt    time.Time         `json:"created_at,omitzero"`
	EnqueuedAt   time.Time         `json:"enqueued_at,omitzero"`
	AssignedAt   time.Time         `json:"assigned_at,omitzero"`
	ClosedAt     time.Time         `json:"closed_at,omitzero"`
	CloseReason  string            `json:"close_reason,omitempty"`
	MissedBy     []string          `json:"missed_by,omitempty"`
}

// MarshalJSON encodes the row for a console:
//
//	{"id":"c1","group":"support","channel":"web","customer":"cu1","priority":2,
//	 "skills":["de:3"],"attributes":{"site":"shop"},"tags":["vip"],"preferred":"ann",
//	 "off_hours":true,"rules":[{"rule":"vip","changes":["priority 10"]}],
//	 "state":"assigned","assignee":"ann","offered_to":["bob"],"last_operator":"ann",
//	 "linked_to":"c0","created_at":"2026-12-03T10:00:00.123456789Z","enqueued_at":"...",
//	 "assigned_at":"...","closed_at":"...","close_reason":"done","missed_by":["bob"]}
//
// Empty fields and zero times are left out; instants are in RFC 3339 with
// nanoseconds, in their own zone's offset. What only the store needs
// (Seq, Version, Deadlines, AllBusyNotified) is not written. A state that
// is not one of the defined ones is an error matching ErrInvalid.
func (c Conversation) MarshalJSON() ([]byte, error) {
	return json.Marshal(conversationJSON{
		ID: c.ID, Group: c.Group, Channel: c.Channel, CustomerID: c.CustomerID, Priority: c.Priority,
		Skills: c.Skills, Attributes: c.Attributes, Tags: c.Tags, Preferred: c.Preferred, OffHours: c.OffHours,
		Rules: c.Rules, State: c.State, Assignee: c.Assignee, OfferedTo: c.OfferedTo, LastOperator: c.LastOperator,
		LinkedTo: c.LinkedTo, CreatedAt: c.CreatedAt, EnqueuedAt: c.EnqueuedAt, AssignedAt: c.AssignedAt,
		ClosedAt: c.ClosedAt, CloseReason: c.CloseReason, MissedBy: c.MissedBy,
	})
}

// UnmarshalJSON decodes what MarshalJSON writes, replacing every field of
// c: those it does not write are left zero, and empty lists and maps
// (which it does not write either) are nil. Unknown keys are ignored; an
// unknown state name is an error matching ErrInvalid, malformed JSON the
// json package's error, and either leaves c unchanged, as JSON null
// does.
func (c *Conversation) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var j conversationJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if len(j.Attributes) == 0 {
		j.Attributes = nil
	}
	*c = Conversation{
		ID: j.ID, Group: j.Group, Channel: j.Channel, CustomerID: j.CustomerID, Priority: j.Priority,
		Skills: nilIfEmpty(j.Skills), Attributes: j.Attributes, Tags: nilIfEmpty(j.Tags), Preferred: j.Preferred,
		OffHours: j.OffHours, Rules: nilIfEmpty(j.Rules), State: j.State, Assignee: j.Assignee,
		OfferedTo: nilIfEmpty(j.OfferedTo), LastOperator: j.LastOperator, LinkedTo: j.LinkedTo, CreatedAt: j.CreatedAt,
		EnqueuedAt: j.EnqueuedAt, AssignedAt: j.AssignedAt, ClosedAt: j.ClosedAt, CloseReason: j.CloseReason,
		MissedBy: nilIfEmpty(j.MissedBy),
	}
	return nil
}

// nilIfEmpty returns l, or nil if l is empty: the JSON forms leave empty
// lists out, so a list decoded empty is the nil one that was written.
func nilIfEmpty[T any](l []T) []T {
	if len(l) == 0 {
		return nil
	}
	return l
}
