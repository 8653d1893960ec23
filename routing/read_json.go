package routing

import (
	"encoding/json"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// The JSON forms of the read API's answers, for a console, in the style
// of the Snapshot's (see snapshot_json.go): snake_case keys, durations in
// whole milliseconds under keys ending in _ms, instants in RFC 3339, the
// conversations as store.Conversation's MarshalJSON writes them. Each
// decodes back (a Go console's client), durations at millisecond
// precision.

type (
	enqueuedJSON struct {
		Conversation store.Conversation `json:"conversation"`
		Position     int                `json:"position"`
	}
	pageJSON struct {
		Conversations []store.Conversation `json:"conversations"`
		Next          string               `json:"next,omitempty"`
	}
	queueEntryJSON struct {
		Conversation    store.Conversation `json:"conversation"`
		Position        int                `json:"position"`
		WaitedMS        int64              `json:"waited_ms"`
		EstimatedWaitMS *int64             `json:"estimated_wait_ms,omitempty"`
	}
	queueViewJSON struct {
		At      time.Time    `json:"at,omitzero"`
		Group   string       `json:"group"`
		Length  int          `json:"length"`
		Entries []QueueEntry `json:"entries"`
	}
)

// MarshalJSON encodes the result as {"conversation":{...},"position":2}
// (the embedded conversation's own MarshalJSON would leave Position out).
func (e Enqueued) MarshalJSON() ([]byte, error) {
	return json.Marshal(enqueuedJSON{e.Conversation, e.Position})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (e *Enqueued) UnmarshalJSON(data []byte) error {
	var j enqueuedJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*e = Enqueued{j.Conversation, j.Position}
	return nil
}

// MarshalJSON encodes the page as {"conversations":[...],"next":"42"},
// next left out on the last page.
func (p ConversationPage) MarshalJSON() ([]byte, error) {
	return json.Marshal(pageJSON{orEmpty(p.Conversations), p.Next})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (p *ConversationPage) UnmarshalJSON(data []byte) error {
	var j pageJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*p = ConversationPage{nilIfEmpty(j.Conversations), j.Next}
	return nil
}

// MarshalJSON encodes the entry as
// {"conversation":{...},"position":1,"waited_ms":90000,"estimated_wait_ms":45000},
// estimated_wait_ms left out when there is no estimate.
func (e QueueEntry) MarshalJSON() ([]byte, error) {
	j := queueEntryJSON{Conversation: e.Conversation, Position: e.Position, WaitedMS: e.Waited.Milliseconds()}
	if e.Estimated {
		ms := e.EstimatedWait.Milliseconds()
		j.EstimatedWaitMS = &ms
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (e *QueueEntry) UnmarshalJSON(data []byte) error {
	var j queueEntryJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*e = QueueEntry{Conversation: j.Conversation, Position: j.Position, Waited: time.Duration(j.WaitedMS) * time.Millisecond}
	if j.EstimatedWaitMS != nil {
		e.EstimatedWait, e.Estimated = time.Duration(*j.EstimatedWaitMS)*time.Millisecond, true
	}
	return nil
}

// MarshalJSON encodes the queue as
// {"at":"2026-12-03T10:00:00Z","group":"support","length":7,"entries":[...]}.
func (q QueueView) MarshalJSON() ([]byte, error) {
	return json.Marshal(queueViewJSON{q.At, q.Group, q.Length, orEmpty(q.Entries)})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (q *QueueView) UnmarshalJSON(data []byte) error {
	var j queueViewJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*q = QueueView{j.At, j.Group, j.Length, nilIfEmpty(j.Entries)}
	return nil
}
