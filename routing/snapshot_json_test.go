package routing_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// A snapshot encodes with snake_case keys, durations in milliseconds and
// instants in RFC 3339; counts are written even when zero, lists as [].
func TestSnapshotJSONGolden(t *testing.T) {
	since := jsonAt.Add(-time.Hour)
	s := routing.Snapshot{
		At: jsonAt,
		Operators: []routing.OperatorSnapshot{
			{ID: "ann", Status: "ready", StatusSince: since, InStatus: time.Hour + 1500*time.Microsecond, Load: 1, Cap: 3,
				Groups: []string{"support"}, Conversations: []string{"c1"}, Offers: 2},
			{ID: "bob", Status: "away", StatusSince: since, InStatus: time.Hour, OwnCap: 2},
		},
		Groups: []routing.GroupSnapshot{
			{ID: "support", Policy: "least-loaded", Online: true, Accepting: 1, AutoAvailable: 1, OfferAvailable: 1,
				Queued: 3, Oldest: "c7", OldestWait: 95 * time.Second},
			{ID: "sales", Policy: "broadcast"},
		},
	}
	got, err := json.Marshal(s)
	require.NoError(t, err)
	require.Equal(t, `{"at":"2026-12-03T10:00:00.123456789Z","operators":[`+
		`{"id":"ann","status":"ready","status_since":"2026-12-03T09:00:00.123456789Z","in_status_ms":3600001,`+
		`"load":1,"cap":3,"own_cap":0,"groups":["support"],"conversations":["c1"],"offers":2},`+
		`{"id":"bob","status":"away","status_since":"2026-12-03T09:00:00.123456789Z","in_status_ms":3600000,`+
		`"load":0,"cap":0,"own_cap":2,"groups":[],"conversations":[],"offers":0}],"groups":[`+
		`{"id":"support","policy":"least-loaded","online":true,"accepting":1,"auto_available":1,"offer_available":1,`+
		`"queued":3,"oldest":"c7","oldest_wait_ms":95000},`+
		`{"id":"sales","policy":"broadcast","online":false,"accepting":0,"auto_available":0,"offer_available":0,"queued":0}]}`,
		string(got))

	got, err = json.Marshal(routing.Snapshot{})
	require.NoError(t, err)
	require.Equal(t, `{"operators":[],"groups":[]}`, string(got))
}

// A Router's own snapshot encodes, its time in status and the queue's
// oldest wait in milliseconds by its clock.
func TestSnapshotJSONOfARouter(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support"}, {ID: "sales"}}})
	s.addOp("ann", presence.StatusReady, 0, "support")
	s.enqueue("c1", "sales")
	s.clk.Add(90 * time.Second)

	raw, err := json.Marshal(s.r.Snapshot())
	require.NoError(t, err)
	var got struct {
		At        time.Time `json:"at"`
		Operators []struct {
			ID         string `json:"id"`
			InStatusMS int64  `json:"in_status_ms"`
		} `json:"operators"`
		Groups []struct {
			ID           string `json:"id"`
			Oldest       string `json:"oldest"`
			OldestWaitMS *int64 `json:"oldest_wait_ms"`
		} `json:"groups"`
	}
	require.NoError(t, json.Unmarshal(raw, &got), "%s", raw)
	require.True(t, got.At.Equal(scStart.Add(90*time.Second)), "%s", raw)
	require.Len(t, got.Operators, 1)
	require.Equal(t, int64(90000), got.Operators[0].InStatusMS)
	require.Len(t, got.Groups, 2)
	for _, g := range got.Groups {
		if g.ID == "sales" {
			require.Equal(t, "c1", g.Oldest)
			require.Equal(t, int64(90000), *g.OldestWaitMS)
		} else {
			require.Nil(t, g.OldestWaitMS, "no oldest, no wait: %s", raw)
		}
	}
}
