package routing

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// decodeSeeds are journal bodies and near misses: what the fast decoder
// reads, and what it must leave to UnmarshalJSON.
var decodeSeeds = []string{
	`{"seq":12,"kind":"assigned","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"operator","id":"ann"},"conversation":"c1",` +
		`"group":"support","operator":"ann","from":"a","to":"b","operators":["a","b"],"policy":"least-loaded",` +
		`"skipped":[{"operator":"bob","reason":"at cap"}],"position":2,"reason":"r","online":true,"wait_ms":1500,` +
		`"skills":["de:3"],"rules":[{"rule":"vip","changes":["priority 10"]},{"rule":"quiet"}]}`,
	`{"kind":"group-availability","online":false,"at":"2026-12-03T11:00:00+01:00"}`,
	` { "kind" : "wait-threshold" , "wait_ms" : -5 , "by" : { "kind" : "system" , "cause" : "wait-level" } } `,
	`{"kind":"queued","by":{},"at":null,"operators":[],"rules":[{"rule":""}]}`,
	`{"kind":"queued","groups":[],"rules":[{"rule":"a","changes":[]}],"skipped":[{}]}`,
	`{"kind":"lunch"}`, `{}`, `null`, `{"KIND":"closed","Seq":1}`, `{"kind":"closed","kind":"queued"}`,
	`{"kind":"closed","by":{"kind":"admin","id":"a","id":"b"}}`, `{"kind":"closed","by":{"id":"a"}}`,
	`{"kind":"closed","conversation":"c\u00e9"}`, `{"kind":"closed","conversation":"cé"}`, "{\"kind\":\"closed\",\"group\":\"\xff\"}",
	`{"kind":"closed","seq":01}`, `{"kind":"closed","seq":-1}`, `{"kind":"closed","seq":18446744073709551615}`,
	`{"kind":"closed","position":9223372036854775807}`, `{"kind":"closed","position":-9223372036854775808}`,
	`{"kind":"closed","position":9223372036854775808}`, `{"kind":"closed","wait_ms":1.5}`, `{"kind":"closed","wait_ms":1e3}`,
	`{"kind":"closed","wait_ms":9223372036854}`, `{"kind":"closed","wait_ms":9223372036855}`, `{"kind":"closed"}x`,
	`{"kind":"closed",}`, `{"kind":"closed","online":tru}`, `{"kind":"closed","extra":1}`, `{"kind":"lagged"}`,
	`{"kind":"closed","rules":[{"changes":["x"],"rule":"r"}]}`, `{"kind":"closed","by":{"kind":"robot"}}`,
	`{"kind":"closed","seq":-0}`, `{"kind":"closed","position":-0}`, `{"kind":"closed","reason":"a \u0026 b"}`,
}

// FuzzEventDecode: whatever the fast decoder accepts, UnmarshalJSON
// decodes to the same event, without an error.
func FuzzEventDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeEvent(data)
		var slow Event
		err := slow.UnmarshalJSON(data)
		if !ok {
			return
		}
		require.NoError(t, err, "%q", data)
		require.True(t, reflect.DeepEqual(slow, fast), "%q:\nfast %#v\nslow %#v", data, fast, slow)
	})
}

// TestEventDecodeReadsWhatTheRouterWrites: every shape of event the
// Router journals takes the fast path, its strings free of the characters
// MarshalJSON escapes, and decodes to itself; one with them decodes
// through UnmarshalJSON.
func TestEventDecodeReadsWhatTheRouterWrites(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC)
	for _, ev := range []Event{
		{Seq: 1, Kind: Queued, At: at, By: ByCustomer("cu"), Conversation: "c1", Group: "support", Position: 3, Reason: "all busy",
			Rules: []store.RuleMatch{{Rule: "vip", Changes: []string{"priority 10", "skills de"}}, {Rule: "quiet"}}},
		{Seq: 2, Kind: Assigned, At: at, By: BySystem(CauseTakeover), Conversation: "c1", Group: "support", Operator: "ann",
			From: "bob", Policy: "least-loaded", Wait: 1500 * time.Millisecond,
			Skipped: []policy.Skip{{Operator: "bob", Reason: policy.ReasonAtCap}, {Operator: "cy", Reason: "missing skill de:3"}}},
		{Seq: 3, Kind: StatusChanged, At: at.In(time.FixedZone("", -5*3600)), By: ByOperator("ann"), Operator: "ann", From: "ready", To: "pause", Groups: []string{"a", "b"}},
		{Seq: 4, Kind: GroupAvailability, At: at, By: ByAdmin("sup"), Group: "support"},
		{Seq: 5, Kind: GroupAvailability, At: at, By: ByAdmin("sup"), Group: "support", Online: true},
		{Seq: 6, Kind: Offered, At: at, Conversation: "c2", Group: "sales", Operators: []string{"ann", "bob"}, Policy: "broadcast"},
		{Seq: 7, Kind: SkillsRelaxed, At: at, Conversation: "c2", Group: "sales", Skills: []string{"de"}},
		{Seq: 8, Kind: Replied, At: at, By: ByOperator("ann"), Conversation: "c2", Operator: "ann", Wait: 3 * time.Minute},
		{Seq: 9, Kind: Closed, At: at, By: ByOperator("ann"), Conversation: "c2", Operator: "ann", Reason: "done — merci"},
	} {
		body, err := json.Marshal(ev)
		require.NoError(t, err)
		got, ok := decodeEvent(body)
		require.True(t, ok, "%s", body)
		var want Event
		require.NoError(t, want.UnmarshalJSON(body))
		require.True(t, reflect.DeepEqual(want, got), "%s:\nfast %#v\nslow %#v", body, got, want)
		require.Equal(t, ev.Seq, got.Seq)
	}
	body, err := json.Marshal(Event{Seq: 10, Kind: Closed, Reason: "A & B <ltd>"})
	require.NoError(t, err)
	_, ok := decodeEvent(body)
	require.False(t, ok, "%s is escaped", body)
	got, err := decodeEntry(store.Entry{Seq: 10, Body: body})
	require.NoError(t, err)
	require.Equal(t, "A & B <ltd>", got.Reason)
}
