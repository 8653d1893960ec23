package sqlstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// samplePayloads returns payloads as Stores send them: an assignment (the
// operator and the conversation), a deleted operator, rows with every
// kind of field set, strings that need escaping included, and a new rule
// set, alone and with a row.
func samplePayloads() []string {
	s := &Store{origin: "0123456789abcdef"}
	at := time.Date(2026, 11, 21, 9, 30, 0, 123456789, time.UTC)
	ann := store.Operator{ID: "ann", Groups: []string{"sales", "support"}, Cap: 3, Status: "ready",
		StatusSince: at, Load: 1, LastAssigned: at, Version: 7}
	conv := store.Conversation{ID: "c-1042", Group: "sales", Channel: "chat", CustomerID: "cust-9", State: store.Assigned,
		Assignee: "ann", CreatedAt: at, EnqueuedAt: at, AssignedAt: at, Seq: 1042, Version: 2}
	odd := store.Conversation{ID: "quote\" back\\slash <tag> é 😀 \u2028", Group: "g\tx",
		Skills: []string{"fr", "de"}, Attributes: map[string]string{"plan": "gold", "": "empty key"},
		Priority: -3, OfferedTo: []string{"bob"}, LastOperator: "cy", LinkedTo: "c-1",
		ClosedAt: time.Unix(0, 0), CloseReason: "done", AllBusyNotified: true, MissedBy: []string{"dee"},
		Deadlines: []store.Deadline{{Kind: 2, Due: at, Level: 1}, {Kind: 1, Due: time.Unix(0, -5)}},
		Preferred: "ann\u00e9", OffHours: true, Tags: []string{"vip", "b\"ad"},
		Rules: []store.RuleMatch{{Rule: "vip \"first\"", Changes: []string{"priority=5", "tag+=vip"}}, {Rule: "quiet"}}, Version: 3}
	bob := store.Operator{ID: "bob", Skills: []string{"fr"}, Status: "away",
		Deadlines: []store.Deadline{{Kind: 1, Due: at}}, Version: 1}
	var out []string
	out = append(out, s.payloads([]store.Operator{ann}, []store.Conversation{conv}, noticeFlags{})...)
	out = append(out, s.payloads([]store.Operator{{ID: "gone"}, bob}, []store.Conversation{odd}, noticeFlags{})...)
	out = append(out, s.payloads(nil, nil, noticeFlags{ruleSet: true})...)
	out = append(out, s.payloads(nil, []store.Conversation{conv}, noticeFlags{ruleSet: true})...)
	out = append(out, s.payloads(nil, nil, noticeFlags{groups: true})...)
	out = append(out, s.payloads([]store.Operator{bob}, nil, noticeFlags{ruleSet: true, groups: true})...)
	return out
}

// TestDecodePayloadAsEncodingJSON: the payloads Stores send decode as
// encoding/json decodes them.
func TestDecodePayloadAsEncodingJSON(t *testing.T) {
	for _, raw := range samplePayloads() {
		got, err := decodePayload(raw)
		require.NoError(t, err, raw)
		var want payload
		require.NoError(t, json.Unmarshal([]byte(raw), &want))
		require.Equal(t, want, got, raw)
	}
}

// TestDecodePayloadReadsJSON: what encoding/json also accepts, written
// otherwise than payloadBuilder writes it (white space, escapes, nulls,
// empty lists), decodes alike.
func TestDecodePayloadReadsJSON(t *testing.T) {
	for _, raw := range []string{
		` { "s" : "o1" , "o" : [ "a" , "b" ] } `,
		`{"s":"\u006f\/1","c":["\ud83d\ude00","\ud800x","\udc00\u0041","\"\\\b\f\n\r\t"]}`,
		`{"s":"o1","o":null,"c":[],"or":[null,{"i":"a","ss":null,"la":-9223372036854775808,"d":[]}]}`,
		`{"s":"o1","cr":[{"i":"c","at":{},"st":255,"q":18446744073709551615,"ab":false,"d":null,"a":null}]}`,
		`{"s":"o1","cr":[{"i":"c","at":{"k":"1","k":"2","":"e"}}]}`,
		`{"s":"o1","rs":false,"cr":[{"i":"c","tg":[],"pf":null,"oh":false,"ru":[{"rule":"r","changes":null},{"changes":["x"]}]}]}`,
		`{"rs":null,"s":"o1","c":["c"],"cr":[{"i":"c","ru":null,"tg":null}]}`,
		`null`,
		`{}`,
	} {
		got, err := decodePayload(raw)
		require.NoError(t, err, raw)
		var want payload
		require.NoError(t, json.Unmarshal([]byte(raw), &want), raw)
		require.Equal(t, want, got, raw)
	}
}

// TestDecodePayloadRefuses: text outside the subset decodePayload reads is
// an error (which a watch answers with a resync), never a partial payload.
func TestDecodePayloadRefuses(t *testing.T) {
	for _, raw := range []string{
		``,
		`[]`,
		`{"s":"o1"`,
		`{"s":"o1"} x`,
		`{"s":"o1","s":"o2"}`,
		`{"S":"o1"}`,
		`{"s":"o1","x":1}`,
		`{"s":"o1","or":[{"i":"a","i":"b"}]}`,
		`{"s":"o1","cr":[{"i":"a","nope":true}]}`,
		`{"s":"o1","cr":[{"i":"a","d":[{"kind":1,"when":2}]}]}`,
		`{"s":"o1","cr":[{"i":"a","ru":[{"rule":"r","why":"x"}]}]}`,
		`{"s":"o1","cr":[{"i":"a","ru":[{"rule":"r","rule":"s"}]}]}`,
		`{"s":"o1","cr":[{"i":"a","ru":["r"]}]}`,
		`{"s":"o1","cr":[{"i":"a","oh":"yes"}]}`,
		`{"s":"o1","cr":[{"i":"a","tg":"vip"}]}`,
		`{"s":"o1","rs":1}`,
		`{"s":"o1","rs":true,"rs":true}`,
		"{\"s\":\"o\xff\"}",
		"{\"s\":\"o\n\"}",
		`{"s":"o\x"}`,
		`{"s":"o\u12"}`,
		`{"s":"o\u12g4"}`,
		`{"s":5}`,
		`{"s":"o1","o":"a"}`,
		`{"s":"o1","or":[{"v":1.5}]}`,
		`{"s":"o1","or":[{"v":1e3}]}`,
		`{"s":"o1","or":[{"v":01}]}`,
		`{"s":"o1","or":[{"v":-}]}`,
		`{"s":"o1","or":[{"v":9223372036854775808}]}`,
		`{"s":"o1","cr":[{"st":256}]}`,
		`{"s":"o1","cr":[{"st":-1}]}`,
		`{"s":"o1","cr":[{"q":-0}]}`,
		`{"s":"o1","cr":[{"ab":1}]}`,
		`{"s":"o1","cr":[{"ab":tru}]}`,
		`{"s":"o1","o":["a" "b"]}`,
		`{"s":"o1" "o":[]}`,
	} {
		_, err := decodePayload(raw)
		require.ErrorIs(t, err, errWire, raw)
	}
}

// FuzzDecodePayload: decodePayload never panics, and whatever it accepts
// encoding/json decodes to the same payload.
func FuzzDecodePayload(f *testing.F) {
	for _, raw := range samplePayloads() {
		f.Add(raw)
	}
	f.Add(`{"s":"o1","c":["\ud83d\ude00","\ud800\u0041"]}`)
	f.Add(`{"s":"o1","cr":[{"i":"c","at":{"k":"v"},"st":3,"q":7,"ab":true,"d":[{"kind":1,"due":-5,"level":2}]}]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := decodePayload(raw)
		if err != nil {
			require.ErrorIs(t, err, errWire)
			require.Equal(t, payload{}, got)
			return
		}
		var want payload
		require.NoError(t, json.Unmarshal([]byte(raw), &want), "decodePayload accepted %q", raw)
		require.Equal(t, want, got, raw)
	})
}

// BenchmarkDecodePayload compares decodePayload with encoding/json (the
// baseline, measured in the same run) on the payload of one assignment:
// the operator's row and the conversation's.
func BenchmarkDecodePayload(b *testing.B) {
	raw := samplePayloads()[0]
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p payload
			if err := json.Unmarshal([]byte(raw), &p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decodePayload", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodePayload(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
