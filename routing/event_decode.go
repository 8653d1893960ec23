package routing

import (
	"slices"
	"time"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// A fast decoder of the events the Router writes into the journal. A
// replay decodes every entry it sends, and the json package, which
// validates the whole text before it fills a struct by reflection, took
// three quarters of a replay's time. decodeEvent reads the common form,
// as MarshalJSON writes it, in one pass; for anything else (an escape in
// a string, as MarshalJSON writes for the characters <, >, & and for
// control characters; a key it does not know or sees twice, null, a
// number with a fraction, an invalid kind or range) it says so, and the
// caller falls back to Event.UnmarshalJSON, which decides, errors
// included. What it
// accepts it decodes exactly as UnmarshalJSON does (FuzzEventDecode
// checks it).

// eventKey numbers the keys of an event's JSON, to refuse one seen twice
// (the json package merges a repeated "by" object).
type eventKey uint32

const (
	keySeq eventKey = 1 << iota
	keyKind
	keyAt
	keyBy
	keyConversation
	keyGroup
	keyOperator
	keyFrom
	keyTo
	keyGroups
	keyOperators
	keyPolicy
	keySkipped
	keyPosition
	keyReason
	keyOnline
	keyWaitMS
	keySkills
	keyRules
)

// eventDecoder reads one JSON text from its position p on; ok turns false
// at the first thing it does not read, and stays so.
type eventDecoder struct {
	b  []byte
	p  int
	ok bool
}

// decodeEvent decodes data as Event.UnmarshalJSON would, and reports
// false when it leaves data to it.
func decodeEvent(data []byte) (Event, bool) {
	d := eventDecoder{b: data, ok: true}
	var ev Event
	var seen eventKey
	var online, hasOnline bool
	var waitMS int64
	d.expect('{')
	for first := true; d.ok; first = false {
		if d.peek() == '}' && first {
			break
		}
		key := d.str()
		d.expect(':')
		k := eventKeyOf(key)
		if k == 0 || seen&k != 0 {
			return Event{}, false
		}
		seen |= k
		switch k {
		case keySeq:
			if d.peek() == '-' {
				return Event{}, false // the json package refuses even -0 for a uint64
			}
			ev.Seq = uint64(d.integer())
		case keyKind:
			kind, err := parseKind[EventKind](kindNames[:], d.str(), "event kind")
			if err != nil {
				return Event{}, false
			}
			ev.Kind = kind
		case keyAt:
			ev.At = d.instant()
		case keyBy:
			ev.By = d.actor()
		case keyConversation:
			ev.Conversation = d.str()
		case keyGroup:
			ev.Group = d.str()
		case keyOperator:
			ev.Operator = d.str()
		case keyFrom:
			ev.From = d.str()
		case keyTo:
			ev.To = d.str()
		case keyGroups:
			ev.Groups = d.strs()
		case keyOperators:
			ev.Operators = d.strs()
		case keyPolicy:
			ev.Policy = d.str()
		case keySkipped:
			ev.Skipped = d.skips()
		case keyPosition:
			n := d.integer()
			if int64(int(n)) != n {
				return Event{}, false // beyond an int of this platform
			}
			ev.Position = int(n)
		case keyReason:
			ev.Reason = d.str()
		case keyOnline:
			online, hasOnline = d.boolean(), true
		case keyWaitMS:
			waitMS = d.integer()
		case keySkills:
			ev.Skills = d.strs()
		case keyRules:
			ev.Rules = d.rules()
		}
		if d.peek() != ',' {
			break
		}
		d.p++
	}
	d.expect('}')
	d.space()
	if !d.ok || d.p != len(d.b) || ev.Kind == 0 || waitMS > maxMS || waitMS < -maxMS {
		return Event{}, false
	}
	ev.Wait = time.Duration(waitMS) * time.Millisecond
	if ev.Kind == GroupAvailability && hasOnline {
		ev.Online = online
	}
	return ev, true
}

// eventKeyOf returns the key named name, or 0 for a name MarshalJSON does
// not write.
func eventKeyOf(name string) eventKey {
	switch name {
	case "seq":
		return keySeq
	case "kind":
		return keyKind
	case "at":
		return keyAt
	case "by":
		return keyBy
	case "conversation":
		return keyConversation
	case "group":
		return keyGroup
	case "operator":
		return keyOperator
	case "from":
		return keyFrom
	case "to":
		return keyTo
	case "groups":
		return keyGroups
	case "operators":
		return keyOperators
	case "policy":
		return keyPolicy
	case "skipped":
		return keySkipped
	case "position":
		return keyPosition
	case "reason":
		return keyReason
	case "online":
		return keyOnline
	case "wait_ms":
		return keyWaitMS
	case "skills":
		return keySkills
	case "rules":
		return keyRules
	}
	return 0
}

// space skips JSON white space.
func (d *eventDecoder) space() {
	for d.p < len(d.b) {
		switch d.b[d.p] {
		case ' ', '\t', '\n', '\r':
			d.p++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (d *eventDecoder) peek() byte {
	d.space()
	if d.p < len(d.b) {
		return d.b[d.p]
	}
	return 0
}

// expect reads the byte c, after white space.
func (d *eventDecoder) expect(c byte) {
	if d.ok && d.peek() == c {
		d.p++
		return
	}
	d.ok = false
}

// rawStr reads a string without escapes and returns its bytes, quotes
// included.
func (d *eventDecoder) rawStr() []byte {
	if !d.ok || d.peek() != '"' {
		d.ok = false
		return nil
	}
	start := d.p
	ascii := true
	for d.p++; d.p < len(d.b); d.p++ {
		c := d.b[d.p]
		switch {
		case c == '"':
			d.p++
			s := d.b[start:d.p]
			if !ascii && !utf8.Valid(s) {
				d.ok = false // the json package replaces invalid UTF-8
				return nil
			}
			return s
		case c == '\\' || c < 0x20:
			d.ok = false
			return nil
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.ok = false
	return nil
}

// str reads a string without escapes.
func (d *eventDecoder) str() string {
	s := d.rawStr()
	if len(s) < 2 {
		return ""
	}
	return string(s[1 : len(s)-1])
}

// strs reads an array of strings; an empty one is nil, as UnmarshalJSON
// makes it.
func (d *eventDecoder) strs() []string {
	var out []string
	d.array(func() { out = append(out, d.str()) })
	return out
}

// array reads an array, each element with elem.
func (d *eventDecoder) array(elem func()) {
	d.expect('[')
	if d.ok && d.peek() == ']' {
		d.p++
		return
	}
	for d.ok {
		elem()
		if d.peek() != ',' {
			break
		}
		d.p++
	}
	d.expect(']')
}

// object reads an object whose values are strings, each with field,
// which reports whether it knows the key; a key repeated or unknown stops
// the decoder.
func (d *eventDecoder) object(field func(key, value string) bool) {
	d.expect('{')
	if d.ok && d.peek() == '}' {
		d.p++
		return
	}
	var seen [3]string // the objects read have at most three keys
	for n := 0; d.ok; n++ {
		key := d.str()
		d.expect(':')
		if !d.ok || n == len(seen) || slices.Contains(seen[:n], key) {
			d.ok = false
			return
		}
		seen[n] = key
		if d.peek() == '[' {
			d.ok = false // only rules' "changes", read by rules
			return
		}
		if !field(key, d.str()) {
			d.ok = false
			return
		}
		if d.peek() != ',' {
			break
		}
		d.p++
	}
	d.expect('}')
}

// integer reads an integer without fraction or exponent that an int64
// holds.
func (d *eventDecoder) integer() int64 {
	if !d.ok {
		return 0
	}
	d.space()
	neg := d.p < len(d.b) && d.b[d.p] == '-'
	if neg {
		d.p++
	}
	start := d.p
	var n uint64
	for ; d.p < len(d.b) && d.b[d.p] >= '0' && d.b[d.p] <= '9'; d.p++ {
		if n > (1<<63)/10 {
			d.ok = false
			return 0
		}
		n = n*10 + uint64(d.b[d.p]-'0')
	}
	digits := d.p - start
	switch {
	case digits == 0, digits > 1 && d.b[start] == '0', n > 1<<63, n == 1<<63 && !neg:
		d.ok = false
		return 0
	case d.p < len(d.b) && (d.b[d.p] == '.' || d.b[d.p] == 'e' || d.b[d.p] == 'E'):
		d.ok = false // the json package refuses a fraction for an integer
		return 0
	}
	if neg {
		return -int64(n)
	}
	return int64(n)
}

// boolean reads true or false.
func (d *eventDecoder) boolean() bool {
	if !d.ok {
		return false
	}
	d.space()
	rest := d.b[d.p:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.p += 4
		return true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.p += 5
		return false
	}
	d.ok = false
	return false
}

// instant reads a time as time.Time's UnmarshalJSON does.
func (d *eventDecoder) instant() time.Time {
	s := d.rawStr()
	var t time.Time
	if d.ok && t.UnmarshalJSON(s) != nil {
		d.ok = false
	}
	return t
}

// actor reads an event's "by".
func (d *eventDecoder) actor() Actor {
	var a Actor
	var kind string
	hasKind := false
	d.object(func(key, value string) bool {
		switch key {
		case "kind":
			kind, hasKind = value, true
		case "id":
			a.ID = value
		case "cause":
			a.Cause = Cause(value)
		default:
			return false
		}
		return true
	})
	if hasKind {
		k, err := parseKind[ActorKind](actorKindNames[:], kind, "actor kind")
		if err != nil {
			d.ok = false
		}
		a.Kind = k
	}
	if a != (Actor{}) && a.Kind == 0 {
		d.ok = false // an error of UnmarshalJSON's
	}
	return a
}

// skips reads an event's "skipped".
func (d *eventDecoder) skips() []policy.Skip {
	var out []policy.Skip
	d.array(func() {
		var s policy.Skip
		d.object(func(key, value string) bool {
			switch key {
			case "operator":
				s.Operator = value
			case "reason":
				s.Reason = policy.Reason(value)
			default:
				return false
			}
			return true
		})
		out = append(out, s)
	})
	return out
}

// rules reads an event's "rules": objects with a "rule" and, last, its
// "changes", as store.RuleMatch encodes.
func (d *eventDecoder) rules() []store.RuleMatch {
	var out []store.RuleMatch
	d.array(func() {
		var m store.RuleMatch
		d.expect('{')
		if d.str() != "rule" {
			d.ok = false
		}
		d.expect(':')
		m.Rule = d.str()
		if d.peek() == ',' {
			d.p++
			if d.str() != "changes" {
				d.ok = false
			}
			d.expect(':')
			m.Changes = d.strs() // none decode as nil, as RuleMatch's UnmarshalJSON makes them
		}
		d.expect('}')
		out = append(out, m)
	})
	return out
}
