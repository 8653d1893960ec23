package routing

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// eventJSON is an Event as it encodes: snake_case keys, empty fields left
// out, kinds by name, durations in whole milliseconds under keys ending
// in _ms. Online is a pointer so that a GroupAvailability event writes it
// even when it is false.
type eventJSON struct {
	Seq          uint64            `json:"seq,omitempty"`
	Kind         EventKind         `json:"kind"`
	At           time.Time         `json:"at,omitzero"`
	By           *actorJSON        `json:"by,omitempty"`
	Conversation string            `json:"conversation,omitempty"`
	Group        string            `json:"group,omitempty"`
	Operator     string            `json:"operator,omitempty"`
	From         string            `json:"from,omitempty"`
	To           string            `json:"to,omitempty"`
	Groups       []string          `json:"groups,omitempty"`
	Operators    []string          `json:"operators,omitempty"`
	Policy       string            `json:"policy,omitempty"`
	Skipped      []policy.Skip     `json:"skipped,omitempty"`
	Position     int               `json:"position,omitempty"`
	Reason       string            `json:"reason,omitempty"`
	Online       *bool             `json:"online,omitempty"`
	WaitMS       int64             `json:"wait_ms,omitempty"`
	Skills       []string          `json:"skills,omitempty"`
	Rules        []store.RuleMatch `json:"rules,omitempty"`
}

// actorJSON is an Actor as an event's "by" carries it.
type actorJSON struct {
	Kind  ActorKind `json:"kind"`
	ID    string    `json:"id,omitempty"`
	Cause Cause     `json:"cause,omitempty"`
}

// maxMS is the most milliseconds a time.Duration holds, either way.
const maxMS = math.MaxInt64 / int64(time.Millisecond)

// MarshalJSON encodes the event for a web console or a log:
//
//	{"seq":12,"kind":"assigned","at":"2026-12-03T10:00:00.123456789Z",
//	 "by":{"kind":"operator","id":"ann"},"conversation":"c1","group":"support",
//	 "operator":"ann","policy":"least-loaded","skipped":[{"operator":"bob","reason":"at cap"}],
//	 "rules":[{"rule":"vip","changes":["priority 10"]}]}
//
// Keys are snake_case and fields that are empty (zero, "", no elements)
// are left out, but for "kind", always written, and "online", written
// for every GroupAvailability event (false too) and for no other. At is
// in RFC 3339 with nanoseconds (time.RFC3339Nano), with its zone's
// offset; the zone's name and the monotonic clock reading are not kept.
// Wait is written as whole milliseconds, "wait_ms". By is
// {"kind":"system","cause":"accept-timeout"}: the actor's kind by name,
// its id and cause when not empty. An undefined event or actor kind (an
// actor other than the zero Actor) is an error matching ErrInvalid.
func (e Event) MarshalJSON() ([]byte, error) {
	j := eventJSON{
		Seq: e.Seq, Kind: e.Kind, At: e.At, Conversation: e.Conversation, Group: e.Group, Operator: e.Operator,
		From: e.From, To: e.To, Groups: e.Groups, Operators: e.Operators, Policy: e.Policy, Skipped: e.Skipped, Position: e.Position,
		Reason: e.Reason, WaitMS: e.Wait.Milliseconds(), Skills: e.Skills, Rules: e.Rules,
	}
	if e.By != (Actor{}) {
		j.By = &actorJSON{Kind: e.By.Kind, ID: e.By.ID, Cause: e.By.Cause}
	}
	if e.Kind == GroupAvailability {
		j.Online = &e.Online
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON writes, replacing every field of
// e, so that an event the Router emitted decodes equal to itself (with At
// at the same instant and offset, and Wait to the millisecond; empty lists
// decode as nil). "online" is read for a GroupAvailability event only.
// Unknown keys are ignored, so that a reader is not broken by fields added
// later. A missing, unknown or undefined event kind, or actor kind in
// "by", and a "wait_ms" beyond what a time.Duration holds, are errors
// matching ErrInvalid; malformed JSON is the json package's error. On an
// error e is unchanged; JSON null leaves it unchanged too, as the json
// package does for values without methods.
func (e *Event) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var j eventJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if j.Kind == 0 {
		return fmt.Errorf("%w: event without a kind", ErrInvalid)
	}
	if j.WaitMS > maxMS || j.WaitMS < -maxMS {
		return fmt.Errorf("%w: event wait_ms %d is out of range", ErrInvalid, j.WaitMS)
	}
	ev := Event{
		Seq: j.Seq, Kind: j.Kind, At: j.At, Conversation: j.Conversation, Group: j.Group, Operator: j.Operator,
		From: j.From, To: j.To, Groups: nilIfEmpty(j.Groups), Operators: nilIfEmpty(j.Operators), Policy: j.Policy, Skipped: nilIfEmpty(j.Skipped),
		Position: j.Position, Reason: j.Reason, Wait: time.Duration(j.WaitMS) * time.Millisecond,
		Skills: nilIfEmpty(j.Skills), Rules: nilIfEmpty(j.Rules),
	}
	if j.By != nil {
		ev.By = Actor{Kind: j.By.Kind, ID: j.By.ID, Cause: j.By.Cause}
		if ev.By != (Actor{}) && ev.By.Kind == 0 {
			return fmt.Errorf("%w: event actor without a kind", ErrInvalid)
		}
	}
	if j.Kind == GroupAvailability && j.Online != nil {
		ev.Online = *j.Online
	}
	*e = ev
	return nil
}

// nilIfEmpty returns l, or nil if l is empty: MarshalJSON leaves empty
// lists out, so a list decoded empty is the nil one that was written.
func nilIfEmpty[T any](l []T) []T {
	if len(l) == 0 {
		return nil
	}
	return l
}
