package routing_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// The read API's answers encode to the JSON a console reads: the
// position beside the conversation, waits in milliseconds, no estimate
// when there is none.
func TestReadAnswersEncodeToJSON(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c := store.Conversation{ID: "c1", Group: "support", State: store.Queued, CreatedAt: at, EnqueuedAt: at, Seq: 7, Version: 3}
	const conv = `{"id":"c1","group":"support","state":"queued","created_at":"2026-12-03T10:00:00Z","enqueued_at":"2026-12-03T10:00:00Z"}`
	for _, tc := range []struct {
		v    any
		want string
	}{
		{routing.Enqueued{Conversation: c, Position: 2}, `{"conversation":` + conv + `,"position":2}`},
		{routing.ConversationPage{Conversations: []store.Conversation{c}, Next: "7"}, `{"conversations":[` + conv + `],"next":"7"}`},
		{routing.ConversationPage{}, `{"conversations":[]}`},
		{routing.QueueView{At: at, Group: "support", Length: 2, Entries: []routing.QueueEntry{
			{Conversation: c, Position: 1, Waited: 90 * time.Second, EstimatedWait: 45 * time.Second, Estimated: true},
			{Conversation: c, Position: 2, Waited: time.Second},
		}}, `{"at":"2026-12-03T10:00:00Z","group":"support","length":2,"entries":[` +
			`{"conversation":` + conv + `,"position":1,"waited_ms":90000,"estimated_wait_ms":45000},` +
			`{"conversation":` + conv + `,"position":2,"waited_ms":1000}]}`},
	} {
		b, err := json.Marshal(tc.v)
		require.NoError(t, err)
		require.JSONEq(t, tc.want, string(b))
	}
}

// What a read answer encodes decodes back to it: a Go console's client
// reads the same values (the conversations' internal fields, which JSON
// leaves out, aside).
func TestReadAnswersDecodeFromTheirJSON(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c := store.Conversation{ID: "c1", Group: "support", State: store.Queued, CreatedAt: at, EnqueuedAt: at}
	roundTrip := func(v, into any) {
		t.Helper()
		b, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, into))
	}
	var e routing.Enqueued
	roundTrip(routing.Enqueued{Conversation: c, Position: 2}, &e)
	require.Equal(t, routing.Enqueued{Conversation: c, Position: 2}, e)

	var p routing.ConversationPage
	page := routing.ConversationPage{Conversations: []store.Conversation{c}, Next: "7"}
	roundTrip(page, &p)
	require.Equal(t, page, p)

	var q routing.QueueView
	view := routing.QueueView{At: at, Group: "support", Length: 3, Entries: []routing.QueueEntry{
		{Conversation: c, Position: 1, Waited: 90 * time.Second, EstimatedWait: 45 * time.Second, Estimated: true},
		{Conversation: c, Position: 2, Waited: time.Second},
	}}
	roundTrip(view, &q)
	require.Equal(t, view, q)
}
