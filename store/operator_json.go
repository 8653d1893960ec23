package store

import (
	"encoding/json"
	"time"
)

// operatorJSON is an Operator as consoles read it: snake_case keys, empty
// fields left out, instants in RFC 3339 (time.RFC3339Nano), none of the
// store's bookkeeping (Version, Deadlines).
type operatorJSON struct {
	ID           string    `json:"id,omitempty"`
	Groups       []string  `json:"groups,omitempty"`
	Cap          int       `json:"cap,omitempty"`
	Skills       []string  `json:"skills,omitempty"`
	Status       string    `json:"status,omitempty"`
	StatusSince  time.Time `json:"status_since,omitzero"`
	Load         int       `json:"load,omitempty"`
	LastAssigned time.Time `json:"last_assigned,omitzero"`
}

// MarshalJSON encodes the row for a console:
//
//	{"id":"ann","groups":["support"],"cap":3,"skills":["de:3"],"status":"online",
//	 "status_since":"2026-12-03T10:00:00Z","load":1,"last_assigned":"2026-12-03T10:05:00Z"}
//
// Empty fields and zero times are left out; instants are in RFC 3339 with
// nanoseconds, in their own zone's offset. What only the store needs
// (Version, Deadlines) is not written.
func (o Operator) MarshalJSON() ([]byte, error) {
	return json.Marshal(operatorJSON{
		ID: o.ID, Groups: o.Groups, Cap: o.Cap, Skills: o.Skills, Status: o.Status, StatusSince: o.StatusSince,
		Load: o.Load, LastAssigned: o.LastAssigned,
	})
}

// UnmarshalJSON decodes what MarshalJSON writes, replacing every field of
// o: those it does not write are left zero, and empty lists nil. Unknown keys are ignored;
// malformed JSON is the json package's error and leaves o unchanged, as
// JSON null does.
func (o *Operator) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var j operatorJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*o = Operator{
		ID: j.ID, Groups: nilIfEmpty(j.Groups), Cap: j.Cap, Skills: nilIfEmpty(j.Skills), Status: j.Status, StatusSince: j.StatusSince,
		Load: j.Load, LastAssigned: j.LastAssigned,
	}
	return nil
}
