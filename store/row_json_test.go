package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// rowTime is an instant with nanoseconds in a zone of its own.
var rowTime = time.Date(2026, 12, 3, 11, 0, 0, 123456789, time.FixedZone("", 3600))

// fullConversation has every field set, the store's bookkeeping included.
func fullConversation() store.Conversation {
	return store.Conversation{
		ID: "c1", Group: "support", Channel: "web", CustomerID: "cu1", Priority: 2, Skills: []string{"de:3"},
		Attributes: map[string]string{"site": "shop"}, Tags: []string{"vip"}, Preferred: "ann", OffHours: true,
		Rules: []store.RuleMatch{{Rule: "vip", Changes: []string{"priority 10"}}, {Rule: "quiet"}},
		State: store.Assigned, Assignee: "ann", OfferedTo: []string{"bob"}, LastOperator: "ann", LinkedTo: "c0",
		CreatedAt: rowTime, EnqueuedAt: rowTime.Add(time.Second), Seq: 42, AssignedAt: rowTime.Add(2 * time.Second),
		ClosedAt: rowTime.UTC().Add(3 * time.Second), CloseReason: "done", AllBusyNotified: true,
		Deadlines: []store.Deadline{{Kind: store.AutoClose, Due: rowTime}}, MissedBy: []string{"bob"}, Version: 9,
	}
}

// A conversation encodes for consoles with snake_case keys and its state
// by name, without Seq, Version, Deadlines and AllBusyNotified.
func TestConversationJSONLeavesOutTheStoresFields(t *testing.T) {
	got, err := json.Marshal(fullConversation())
	require.NoError(t, err)
	require.Equal(t, `{"id":"c1","group":"support","channel":"web","customer":"cu1","priority":2,"skills":["de:3"],`+
		`"attributes":{"site":"shop"},"tags":["vip"],"preferred":"ann","off_hours":true,`+
		`"rules":[{"rule":"vip","changes":["priority 10"]},{"rule":"quiet"}],"state":"assigned","assignee":"ann",`+
		`"offered_to":["bob"],"last_operator":"ann","linked_to":"c0","created_at":"2026-12-03T11:00:00.123456789+01:00",`+
		`"enqueued_at":"2026-12-03T11:00:01.123456789+01:00","assigned_at":"2026-12-03T11:00:02.123456789+01:00",`+
		`"closed_at":"2026-12-03T10:00:03.123456789Z","close_reason":"done","missed_by":["bob"]}`, string(got))
}

// A conversation decodes back to what it encoded, the fields it does not
// encode zero; an empty row encodes as {}.
func TestConversationJSONRoundTrip(t *testing.T) {
	c := fullConversation()
	raw, err := json.Marshal(c)
	require.NoError(t, err)
	back := store.Conversation{Seq: 1, Version: 2, AllBusyNotified: true, Deadlines: c.Deadlines}
	require.NoError(t, json.Unmarshal(raw, &back))
	c.Seq, c.Version, c.AllBusyNotified, c.Deadlines = 0, 0, false, nil
	require.Equal(t, c, back)

	raw, err = json.Marshal(store.Conversation{})
	require.NoError(t, err)
	require.JSONEq(t, `{}`, string(raw))
	require.NoError(t, json.Unmarshal(raw, &back))
	require.Equal(t, store.Conversation{}, back)
}

// A bad state is refused both ways with ErrInvalid, and a refused decode
// changes nothing.
func TestConversationJSONRefusesBadStates(t *testing.T) {
	_, err := json.Marshal(store.Conversation{ID: "c1", State: store.State(9)})
	require.ErrorIs(t, err, store.ErrInvalid)

	c := fullConversation()
	err = json.Unmarshal([]byte(`{"id":"c2","state":"lunch"}`), &c)
	require.ErrorIs(t, err, store.ErrInvalid)
	require.ErrorContains(t, err, `"lunch"`)
	require.Equal(t, fullConversation(), c)

	err = json.Unmarshal([]byte(`{"id":"c2","state":3}`), &c)
	require.Error(t, err, "a state's number is not its JSON form")
	require.Equal(t, fullConversation(), c)
	require.NoError(t, json.Unmarshal([]byte(`{"id":"c2","state":"closed","future_key":[1]}`), &c), "unknown keys are ignored")
	require.Equal(t, store.Conversation{ID: "c2", State: store.Closed}, c)
	require.NoError(t, json.Unmarshal([]byte(`{"id":"c3","skills":[],"attributes":{},"tags":[],"rules":[{"rule":"r","changes":[]}],`+
		`"offered_to":[],"missed_by":[]}`), &c))
	require.Equal(t, store.Conversation{ID: "c3", Rules: []store.RuleMatch{{Rule: "r"}}}, c, "empty lists and maps decode as nil")
	require.NoError(t, json.Unmarshal([]byte(`{"id":"c2","state":"closed"}`), &c))
	require.NoError(t, json.Unmarshal([]byte(`null`), &c))
	require.Equal(t, store.Conversation{ID: "c2", State: store.Closed}, c, "null changes nothing")
}

// An operator encodes for consoles with snake_case keys, without Version
// and Deadlines, and decodes back.
func TestOperatorJSONLeavesOutTheStoresFields(t *testing.T) {
	o := store.Operator{
		ID: "ann", Groups: []string{"support", "sales"}, Cap: 3, Skills: []string{"de:3"}, Status: "online",
		StatusSince: rowTime, Load: 1, LastAssigned: rowTime.UTC(),
		Deadlines: []store.Deadline{{Kind: store.Inactivity, Due: rowTime}}, Version: 7,
	}
	got, err := json.Marshal(o)
	require.NoError(t, err)
	require.Equal(t, `{"id":"ann","groups":["support","sales"],"cap":3,"skills":["de:3"],"status":"online",`+
		`"status_since":"2026-12-03T11:00:00.123456789+01:00","load":1,"last_assigned":"2026-12-03T10:00:00.123456789Z"}`, string(got))

	back := store.Operator{Version: 3, Deadlines: o.Deadlines}
	require.NoError(t, json.Unmarshal(got, &back))
	o.Version, o.Deadlines = 0, nil
	require.Equal(t, o, back)

	got, err = json.Marshal(store.Operator{ID: "bob", Status: "away"})
	require.NoError(t, err)
	require.Equal(t, `{"id":"bob","status":"away"}`, string(got), "zero counts and times are left out")
	require.NoError(t, json.Unmarshal([]byte(`{"id":"bob","groups":[],"skills":[]}`), &back))
	require.Equal(t, store.Operator{ID: "bob"}, back, "empty lists decode as nil")
	back = o
	require.Error(t, json.Unmarshal([]byte(`{"id":"bob","cap":"3"}`), &back))
	require.Equal(t, o, back, "a refused decode changes nothing")
}

// A rule match encodes as {"rule":...,"changes":[...]}, without changes
// when there are none.
func TestRuleMatchJSONLeavesOutNoChanges(t *testing.T) {
	got, err := json.Marshal([]store.RuleMatch{{Rule: "vip", Changes: []string{"priority 10"}}, {Rule: "quiet"}})
	require.NoError(t, err)
	require.Equal(t, `[{"rule":"vip","changes":["priority 10"]},{"rule":"quiet"}]`, string(got))
}
