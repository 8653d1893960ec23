package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// TestWireCarriesEveryField: each field of an operator and of a
// conversation, set alone, travels through a notification and is decoded
// as the store reads it back. A field added to store.Operator or
// store.Conversation fails this test until the wire format carries it.
func TestWireCarriesEveryField(t *testing.T) {
	s := &Store{origin: newOrigin()}
	carried := func(ops []store.Operator, convs []store.Conversation) store.Rows {
		out := s.payloads(ops, convs, noticeFlags{})
		require.Len(t, out, 1)
		p, err := decodePayload(out[0])
		require.NoError(t, err)
		return p.notice().Carried
	}
	forEachField(t, reflect.TypeFor[store.Operator](), func(name string, set func(v reflect.Value)) {
		o := store.Operator{ID: "ann", Version: 1}
		set(reflect.ValueOf(&o).Elem())
		require.Equal(t, []store.Operator{storedOperator(o)}, carried([]store.Operator{o}, nil).Operators, name)
	})
	forEachField(t, reflect.TypeFor[store.Conversation](), func(name string, set func(v reflect.Value)) {
		c := store.Conversation{ID: "c1", Version: 1}
		set(reflect.ValueOf(&c).Elem())
		require.Equal(t, []store.Conversation{storedConversation(c)}, carried(nil, []store.Conversation{c}).Conversations, name)
	})
}

// forEachField calls check for each field of the struct type typ with a
// function that sets that field, alone, to a value that is not its zero.
func forEachField(t *testing.T, typ reflect.Type, check func(name string, set func(v reflect.Value))) {
	at := time.Date(2026, 11, 21, 9, 30, 0, 123456789, time.FixedZone("X", 3600))
	for i := range typ.NumField() {
		f := typ.Field(i)
		var val any
		switch f.Type {
		case reflect.TypeFor[string]():
			val = "x\"<y>"
		case reflect.TypeFor[int](), reflect.TypeFor[int64](), reflect.TypeFor[uint64](), reflect.TypeFor[store.State]():
			val = reflect.ValueOf(7).Convert(f.Type).Interface()
		case reflect.TypeFor[bool]():
			val = true
		case reflect.TypeFor[[]string]():
			val = []string{"a", "b"}
		case reflect.TypeFor[map[string]string]():
			val = map[string]string{"k": "v"}
		case reflect.TypeFor[time.Time]():
			val = at
		case reflect.TypeFor[[]store.Deadline]():
			val = []store.Deadline{{Kind: store.DeadlineKind(1), Due: at, Level: 2}}
		case reflect.TypeFor[[]store.RuleMatch]():
			val = []store.RuleMatch{{Rule: "r\"1", Changes: []string{"priority=3", "<off>"}}, {Rule: "r2"}}
		default:
			t.Fatalf("%s.%s is a %s: teach this test (and the wire format) about it", typ.Name(), f.Name, f.Type)
		}
		check(typ.Name()+"."+f.Name, func(v reflect.Value) { v.Field(i).Set(reflect.ValueOf(val)) })
	}
}

// TestWireStateIsItsNumber: a conversation's state travels as its number
// under "st", as it did before store.State had a text form, so Stores of
// either version read each other's notifications; encoding/json reads it
// too (see FuzzDecodePayload).
func TestWireStateIsItsNumber(t *testing.T) {
	s := &Store{origin: "o1"}
	c := store.Conversation{ID: "c1", Group: "g", State: store.Assigned, Assignee: "ann", Version: 1}
	out := s.payloads(nil, []store.Conversation{c}, noticeFlags{})
	require.Equal(t, []string{`{"s":"o1","c":["c1"],"cr":[{"i":"c1","g":"g","st":3,"a":"ann","v":1}]}`}, out)

	old := `{"s":"o1","c":["c1"],"cr":[{"i":"c1","g":"g","st":4,"a":"ann","v":2}]}`
	p, err := decodePayload(old)
	require.NoError(t, err)
	var viaJSON payload
	require.NoError(t, json.Unmarshal([]byte(old), &viaJSON))
	require.Equal(t, viaJSON, p)
	require.Equal(t, store.Waiting, p.notice().Carried.Conversations[0].State)
}
