package routing_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// jsonAt is an instant with nanoseconds, in UTC.
var jsonAt = time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC)

// Each shape of event encodes to its golden JSON, and decodes back.
func TestEventJSONGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   routing.Event
		want string
	}{{
		name: "assigned with skips and rules",
		ev: routing.Event{
			Seq: 12, Kind: routing.Assigned, At: jsonAt, By: routing.ByCustomer("cu1"), Conversation: "c1",
			Group: "support", Operator: "ann", Policy: "least-loaded",
			Skipped: []policy.Skip{{Operator: "bob", Reason: policy.ReasonAtCap}, {Operator: "cy", Reason: "missing skill de:3"}},
			Rules:   []store.RuleMatch{{Rule: "vip", Changes: []string{"priority 10"}}, {Rule: "quiet"}},
		},
		want: `{"seq":12,"kind":"assigned","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"customer","id":"cu1"},` +
			`"conversation":"c1","group":"support","operator":"ann","policy":"least-loaded",` +
			`"skipped":[{"operator":"bob","reason":"at cap"},{"operator":"cy","reason":"missing skill de:3"}],` +
			`"rules":[{"rule":"vip","changes":["priority 10"]},{"rule":"quiet"}]}`,
	}, {
		name: "group offline, in a zone of its own",
		ev: routing.Event{Seq: 13, Kind: routing.GroupAvailability, At: jsonAt.In(time.FixedZone("", 3600)),
			By: routing.ByOperator("ann"), Group: "support"},
		want: `{"seq":13,"kind":"group-availability","at":"2026-12-03T11:00:00.123456789+01:00",` +
			`"by":{"kind":"operator","id":"ann"},"group":"support","online":false}`,
	}, {
		name: "group online",
		ev:   routing.Event{Seq: 14, Kind: routing.GroupAvailability, At: jsonAt, By: routing.ByAdmin("sup"), Group: "support", Online: true},
		want: `{"seq":14,"kind":"group-availability","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"admin","id":"sup"},"group":"support","online":true}`,
	}, {
		name: "wait threshold with its wait",
		ev: routing.Event{Seq: 15, Kind: routing.WaitThreshold, At: jsonAt, By: routing.BySystem(routing.CauseWaitLevel),
			Conversation: "c2", Group: "support", Operator: "ann", Reason: "yellow", Wait: 2*time.Minute + 1500*time.Millisecond},
		want: `{"seq":15,"kind":"wait-threshold","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"system","cause":"wait-level"},` +
			`"conversation":"c2","group":"support","operator":"ann","reason":"yellow","wait_ms":121500}`,
	}, {
		name: "missed, by the system",
		ev: routing.Event{Seq: 16, Kind: routing.Missed, At: jsonAt, By: routing.BySystem(routing.CauseAcceptTimeout),
			Conversation: "c1", Group: "support", Operators: []string{"ann", "bob"}},
		want: `{"seq":16,"kind":"missed","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"system","cause":"accept-timeout"},` +
			`"conversation":"c1","group":"support","operators":["ann","bob"]}`,
	}, {
		name: "queued at a position, skills relaxed, a transfer, a status change",
		ev: routing.Event{Kind: routing.Queued, Conversation: "c3", Group: "sales", Position: 2, Reason: "no eligible operator",
			From: "support", To: "sales", Skills: []string{"de"}},
		want: `{"kind":"queued","conversation":"c3","group":"sales","from":"support","to":"sales","position":2,` +
			`"reason":"no eligible operator","skills":["de"]}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.ev)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
			var back routing.Event
			require.NoError(t, json.Unmarshal(got, &back))
			requireSameEvent(t, tc.ev, back)
		})
	}
}

// requireSameEvent fails unless got is want: the same fields, At the same
// instant with the same offset (JSON keeps no zone names, and an offset
// equal to the local zone's decodes as time.Local).
func requireSameEvent(t require.TestingT, want, got routing.Event) {
	require.True(t, want.At.Equal(got.At), "at: want %v, got %v", want.At, got.At)
	_, wantOffset := want.At.Zone()
	_, gotOffset := got.At.Zone()
	require.Equal(t, wantOffset, gotOffset, "at's offset")
	want.At, got.At = time.Time{}, time.Time{}
	require.Equal(t, want, got)
}

// drawEvent draws an event of the shape the Router emits: times with
// nanoseconds in UTC or a fixed zone, waits in whole milliseconds, lists
// nil or not empty, Online only on a GroupAvailability event.
func drawEvent(t *rapid.T) routing.Event {
	str := func(label string) string {
		return rapid.OneOf(rapid.Just(""), rapid.String()).Draw(t, label)
	}
	strs := func(label string) []string {
		return rapid.OneOf(rapid.Just([]string(nil)), rapid.SliceOfN(rapid.String(), 1, 4)).Draw(t, label)
	}
	ev := routing.Event{
		Seq:          rapid.Uint64().Draw(t, "seq"),
		Kind:         rapid.SampledFrom(routing.AllKinds()).Draw(t, "kind"),
		Conversation: str("conversation"), Group: str("group"), Operator: str("operator"),
		From: str("from"), To: str("to"), Groups: strs("groups"), Operators: strs("operators"), Policy: str("policy"),
		Position: rapid.Int().Draw(t, "position"), Reason: str("reason"),
		Wait:   time.Duration(rapid.Int64Range(-1e12, 1e12).Draw(t, "waitMS")) * time.Millisecond,
		Skills: strs("skills"),
	}
	if rapid.Bool().Draw(t, "hasAt") {
		zone := rapid.SampledFrom([]*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800), time.FixedZone("", -7*3600)}).Draw(t, "zone")
		ev.At = time.Unix(rapid.Int64Range(0, 1e10).Draw(t, "sec"), rapid.Int64Range(0, 999_999_999).Draw(t, "nsec")).In(zone)
	}
	switch rapid.IntRange(0, 4).Draw(t, "by") {
	case 1:
		ev.By = routing.ByOperator(str("byID"))
	case 2:
		ev.By = routing.ByAdmin(str("byID"))
	case 3:
		ev.By = routing.ByCustomer(str("byID"))
	case 4:
		ev.By = routing.BySystem(routing.Cause(str("cause")))
	}
	for range rapid.IntRange(0, 3).Draw(t, "skips") {
		ev.Skipped = append(ev.Skipped, policy.Skip{Operator: str("skipped"), Reason: policy.Reason(str("why"))})
	}
	for range rapid.IntRange(0, 3).Draw(t, "rules") {
		ev.Rules = append(ev.Rules, store.RuleMatch{Rule: str("rule"), Changes: strs("changes")})
	}
	if ev.Kind == routing.GroupAvailability {
		ev.Online = rapid.Bool().Draw(t, "online")
	}
	return ev
}

// Every event the Router could emit decodes from its JSON equal to itself.
func TestEventJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ev := drawEvent(t)
		raw, err := json.Marshal(ev)
		require.NoError(t, err)
		var back routing.Event
		require.NoError(t, json.Unmarshal(raw, &back), "%s", raw)
		requireSameEvent(t, ev, back)
	})
}

// Each field of Event, set alone, travels through JSON. A field added to
// Event fails this test until MarshalJSON and UnmarshalJSON carry it.
func TestEventJSONCarriesEveryField(t *testing.T) {
	typ := reflect.TypeFor[routing.Event]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		ev := routing.Event{Kind: routing.Closed}
		if f.Name == "Online" {
			ev.Kind = routing.GroupAvailability
		}
		var val any
		switch f.Type {
		case reflect.TypeFor[routing.EventKind]():
			val = routing.Redistributed
		case reflect.TypeFor[string]():
			val = "x\"<y>"
		case reflect.TypeFor[int](), reflect.TypeFor[uint64]():
			val = reflect.ValueOf(7).Convert(f.Type).Interface()
		case reflect.TypeFor[bool]():
			val = true
		case reflect.TypeFor[time.Time]():
			val = jsonAt
		case reflect.TypeFor[time.Duration]():
			val = 3 * time.Second
		case reflect.TypeFor[routing.Actor]():
			val = routing.ByAdmin("sup")
		case reflect.TypeFor[[]string]():
			val = []string{"a", "b"}
		case reflect.TypeFor[[]policy.Skip]():
			val = []policy.Skip{{Operator: "bob", Reason: policy.ReasonAtCap}}
		case reflect.TypeFor[[]store.RuleMatch]():
			val = []store.RuleMatch{{Rule: "vip", Changes: []string{"priority 10"}}}
		default:
			t.Fatalf("Event.%s is a %s: teach this test (and the JSON form) about it", f.Name, f.Type)
		}
		reflect.ValueOf(&ev).Elem().Field(i).Set(reflect.ValueOf(val))
		raw, err := json.Marshal(ev)
		require.NoError(t, err, f.Name)
		var back routing.Event
		require.NoError(t, json.Unmarshal(raw, &back), f.Name)
		require.Equal(t, ev, back, "Event.%s: %s", f.Name, raw)
	}
}

// Decoding replaces every field, ignores keys it does not know, keeps
// "online" for a GroupAvailability event only, decodes empty lists as nil
// and null as nothing.
func TestEventJSONDecodeReplacesTheEvent(t *testing.T) {
	ev := routing.Event{Seq: 3, Kind: routing.Assigned, At: jsonAt, By: routing.ByOperator("ann"), Operator: "ann",
		Operators: []string{"bob"}, Online: true, Wait: time.Second, Skills: []string{"de"}}
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"closed","conversation":"c9","online":true,"later":{"x":[1]}}`), &ev))
	require.Equal(t, routing.Event{Kind: routing.Closed, Conversation: "c9"}, ev)

	require.NoError(t, json.Unmarshal([]byte(`{"kind":"group-availability","group":"g"}`), &ev))
	require.Equal(t, routing.Event{Kind: routing.GroupAvailability, Group: "g"}, ev, "online absent is offline")

	require.NoError(t, json.Unmarshal([]byte(`{"kind":"offered","operators":[],"skipped":[],"skills":[],"rules":[{"rule":"r","changes":[]}]}`), &ev))
	require.Equal(t, routing.Event{Kind: routing.Offered, Rules: []store.RuleMatch{{Rule: "r"}}}, ev, "empty lists decode as nil")

	require.NoError(t, json.Unmarshal([]byte(`null`), &ev))
	require.Equal(t, routing.Event{Kind: routing.Offered, Rules: []store.RuleMatch{{Rule: "r"}}}, ev, "null changes nothing")
}

// Bad input is refused, and leaves the event as it was: unknown or
// missing kinds with ErrInvalid (quoting a bad name), malformed JSON with
// the json package's error.
func TestEventJSONRefusesBadInput(t *testing.T) {
	before := routing.Event{Seq: 1, Kind: routing.Queued, Conversation: "c1"}
	for _, tc := range []struct {
		raw, contains string
		invalid       bool
	}{
		{`{"kind":"lunch"}`, `"lunch"`, true},
		{`{"kind":""}`, `""`, true},
		{`{"conversation":"c1"}`, "without a kind", true},
		{`{"kind":null}`, "without a kind", true},
		{`{"kind":"queued","by":{"kind":"robot"}}`, `"robot"`, true},
		{`{"kind":"queued","by":{"id":"ann"}}`, "actor without a kind", true},
		{`{"kind":"queued","wait_ms":9223372036855}`, "out of range", true},
		{`{"kind":"queued","wait_ms":-9223372036855}`, "out of range", true},
		{`{"kind":4}`, "", false},
		{`{"kind":"queued","position":1.5}`, "", false},
		{`{"kind":"queued","at":"yesterday"}`, "", false},
		{`{"kind":"queued"`, "", false},
		{`[]`, "", false},
	} {
		ev := before
		err := json.Unmarshal([]byte(tc.raw), &ev)
		require.Error(t, err, tc.raw)
		require.Equal(t, tc.invalid, errorIsInvalid(err), "%s: %v", tc.raw, err)
		require.ErrorContains(t, err, tc.contains, tc.raw)
		require.Equal(t, before, ev, tc.raw)
	}
	var syntax *json.SyntaxError
	require.ErrorAs(t, json.Unmarshal([]byte(`{"kind":`), &routing.Event{}), &syntax)
}

// errorIsInvalid reports whether err matches ErrInvalid.
func errorIsInvalid(err error) bool { return errors.Is(err, routing.ErrInvalid) }

// An event the Router could not have emitted does not encode: its kind or
// its actor's kind is undefined.
func TestEventJSONRefusesUndefinedKinds(t *testing.T) {
	for _, ev := range []routing.Event{{}, {Kind: routing.EventKind(999)}, {Kind: routing.Queued, By: routing.Actor{ID: "ann"}},
		{Kind: routing.Queued, By: routing.Actor{Kind: 9, ID: "ann"}}} {
		_, err := json.Marshal(ev)
		require.ErrorIs(t, err, routing.ErrInvalid, "%+v", ev)
	}
}

// FuzzEventUnmarshalJSON: decoding arbitrary bytes never panics, and what
// decodes encodes, and decodes again to the same event.
func FuzzEventUnmarshalJSON(f *testing.F) {
	for _, s := range []string{
		`{"seq":12,"kind":"assigned","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"operator","id":"ann"},"conversation":"c1",` +
			`"group":"support","operator":"ann","from":"a","to":"b","operators":["a","b"],"policy":"least-loaded",` +
			`"skipped":[{"operator":"bob","reason":"at cap"}],"position":2,"reason":"r","online":true,"wait_ms":1500,` +
			`"skills":["de:3"],"rules":[{"rule":"vip","changes":["priority 10"]}]}`,
		`{"kind":"group-availability","online":false,"at":"2026-12-03T11:00:00+01:00"}`,
		`{"kind":"wait-threshold","wait_ms":-5,"by":{"kind":"system","cause":"wait-level"}}`,
		`{"kind":"queued","by":{},"at":null,"operators":[],"rules":[{"rule":""}]}`,
		`{"kind":"lunch"}`, `{}`, `null`, `{"KIND":"closed","Seq":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev routing.Event
		if err := json.Unmarshal(data, &ev); err != nil || ev.Kind == 0 {
			return // refused, or JSON null, which leaves the event zero
		}
		raw, err := json.Marshal(ev)
		require.NoError(t, err, "%q decoded to %+v", data, ev)
		var again routing.Event
		require.NoError(t, json.Unmarshal(raw, &again), "%s", raw)
		requireSameEvent(t, ev, again)
	})
}
