package routing

import (
	"encoding/json"
	"time"
)

// The JSON forms of a Snapshot, for a supervisor's console: snake_case
// keys, durations in whole milliseconds under keys ending in _ms, instants
// in RFC 3339 with nanoseconds (time.RFC3339Nano). Counts and flags are
// always written, zero too (a console shows them); lists are written as
// arrays, [] when empty; an id, status or oldest conversation that is
// empty, and a zero time, are left out.

type (
	snapshotJSON struct {
		At        time.Time          `json:"at,omitzero"`
		Operators []OperatorSnapshot `json:"operators"`
		Groups    []GroupSnapshot    `json:"groups"`
	}
	operatorSnapshotJSON struct {
		ID            string    `json:"id,omitempty"`
		Status        string    `json:"status,omitempty"`
		StatusSince   time.Time `json:"status_since,omitzero"`
		InStatusMS    int64     `json:"in_status_ms"`
		Load          int       `json:"load"`
		Cap           int       `json:"cap"`
		OwnCap        int       `json:"own_cap"`
		Groups        []string  `json:"groups"`
		Conversations []string  `json:"conversations"`
		Offers        int       `json:"offers"`
	}
	groupSnapshotJSON struct {
		ID             string `json:"id,omitempty"`
		Policy         string `json:"policy,omitempty"`
		Online         bool   `json:"online"`
		Accepting      int    `json:"accepting"`
		AutoAvailable  int    `json:"auto_available"`
		OfferAvailable int    `json:"offer_available"`
		Queued         int    `json:"queued"`
		Oldest         string `json:"oldest,omitempty"`
		OldestWaitMS   *int64 `json:"oldest_wait_ms,omitempty"`
	}
)

// MarshalJSON encodes the snapshot as
// {"at":"2026-12-03T10:00:00Z","operators":[...],"groups":[...]}, the
// operators and groups as their own MarshalJSON writes them.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	return json.Marshal(snapshotJSON{At: s.At, Operators: orEmpty(s.Operators), Groups: orEmpty(s.Groups)})
}

// MarshalJSON encodes the operator as
//
//	{"id":"ann","status":"online","status_since":"2026-12-03T09:00:00Z","in_status_ms":3600000,
//	 "load":1,"cap":3,"own_cap":0,"groups":["support"],"conversations":["c1"],"offers":0}
func (o OperatorSnapshot) MarshalJSON() ([]byte, error) {
	return json.Marshal(operatorSnapshotJSON{
		ID: o.ID, Status: o.Status, StatusSince: o.StatusSince, InStatusMS: o.InStatus.Milliseconds(), Load: o.Load,
		Cap: o.Cap, OwnCap: o.OwnCap, Groups: orEmpty(o.Groups), Conversations: orEmpty(o.Conversations), Offers: o.Offers,
	})
}

// MarshalJSON encodes the group as
//
//	{"id":"support","policy":"least-loaded","online":true,"accepting":2,"auto_available":1,
//	 "offer_available":1,"queued":3,"oldest":"c7","oldest_wait_ms":95000}
//
// with "oldest" and "oldest_wait_ms" only when the queue has an oldest
// conversation.
func (g GroupSnapshot) MarshalJSON() ([]byte, error) {
	j := groupSnapshotJSON{
		ID: g.ID, Policy: g.Policy, Online: g.Online, Accepting: g.Accepting, AutoAvailable: g.AutoAvailable,
		OfferAvailable: g.OfferAvailable, Queued: g.Queued, Oldest: g.Oldest,
	}
	if g.Oldest != "" {
		ms := g.OldestWait.Milliseconds()
		j.OldestWaitMS = &ms
	}
	return json.Marshal(j)
}

// orEmpty returns l, or an empty list for nil, which encodes as [] rather
// than null.
func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
