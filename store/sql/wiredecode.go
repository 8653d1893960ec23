package sqlstore

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/store"
)

// Every Store decodes the notifications of every other Store, so decoding
// is paid once per Router for each change in the cluster. decodePayload
// reads the JSON that payloadBuilder writes without reflection, taking
// strings that need no unescaping as they are, which makes it about three
// times cheaper than encoding/json (see BenchmarkDecodePayload). It reads
// a strict subset of what encoding/json accepts into a payload: keys must
// be the fields' own keys, each at most once per object, and the text
// valid UTF-8; a payload outside that subset is an error, which a watch
// answers with a resync (see watch.note). FuzzDecodePayload checks that
// whatever it accepts, encoding/json decodes to the same payload.

// errWire reports a payload that decodePayload does not read.
var errWire = errors.New("sqlstore: malformed notification payload")

// decodePayload decodes a notification's payload.
func decodePayload(raw string) (payload, error) {
	var p payload
	if !utf8.ValidString(raw) {
		return p, fmt.Errorf("%w: not UTF-8", errWire)
	}
	r := wireReader{s: raw}
	r.fields(func(key string) {
		switch key {
		case "s":
			p.Origin = r.str()
		case "o":
			p.Operators = r.strs()
		case "c":
			p.Conversations = r.strs()
		case "or":
			p.OperatorRows = list(&r, r.operator)
		case "g":
			p.Gone = r.strs()
		case "cr":
			p.ConversationRows = list(&r, r.conversation)
		case "rs":
			p.RuleSet = r.boolean()
		case "gr":
			p.Groups = r.boolean()
		default:
			r.unknown(key)
		}
	})
	r.space()
	if r.err == nil && r.i < len(r.s) {
		r.fail("text after the payload")
	}
	if r.err != nil {
		return payload{}, r.err
	}
	return p, nil
}

// operator decodes a wireOperator.
func (r *wireReader) operator(o *wireOperator) {
	r.fields(func(key string) {
		switch key {
		case "i":
			o.ID = r.str()
		case "g":
			o.Groups = r.strs()
		case "k":
			o.Cap = int(r.integer(math.MinInt, math.MaxInt))
		case "sk":
			o.Skills = r.strs()
		case "s":
			o.Status = r.str()
		case "ss":
			o.StatusSince = r.nanos()
		case "l":
			o.Load = int(r.integer(math.MinInt, math.MaxInt))
		case "la":
			o.LastAssigned = r.nanos()
		case "d":
			o.Deadlines = r.deadlines()
		case "v":
			o.Version = r.integer(math.MinInt64, math.MaxInt64)
		default:
			r.unknown(key)
		}
	})
}

// conversation decodes a wireConversation.
func (r *wireReader) conversation(c *wireConversation) {
	r.fields(func(key string) {
		switch key {
		case "i":
			c.ID = r.str()
		case "g":
			c.Group = r.str()
		case "ch":
			c.Channel = r.str()
		case "cu":
			c.CustomerID = r.str()
		case "p":
			c.Priority = int(r.integer(math.MinInt, math.MaxInt))
		case "sk":
			c.Skills = r.strs()
		case "at":
			c.Attributes = r.strMap()
		case "st":
			c.State = uint8(r.integer(0, math.MaxUint8))
		case "a":
			c.Assignee = r.str()
		case "of":
			c.OfferedTo = r.strs()
		case "lo":
			c.LastOperator = r.str()
		case "lt":
			c.LinkedTo = r.str()
		case "ca":
			c.CreatedAt = r.nanos()
		case "ea":
			c.EnqueuedAt = r.nanos()
		case "q":
			c.Seq = r.unsigned()
		case "aa":
			c.AssignedAt = r.nanos()
		case "xa":
			c.ClosedAt = r.nanos()
		case "xr":
			c.CloseReason = r.str()
		case "ab":
			c.AllBusyNotified = r.boolean()
		case "d":
			c.Deadlines = r.deadlines()
		case "mb":
			c.MissedBy = r.strs()
		case "tg":
			c.Tags = r.strs()
		case "pf":
			c.Preferred = r.str()
		case "oh":
			c.OffHours = r.boolean()
		case "ru":
			c.Rules = r.rules()
		case "v":
			c.Version = r.integer(math.MinInt64, math.MaxInt64)
		default:
			r.unknown(key)
		}
	})
}

// rules decodes a list of ruleMatchJSON.
func (r *wireReader) rules() []ruleMatchJSON {
	return list(r, func(m *ruleMatchJSON) {
		r.fields(func(key string) {
			switch key {
			case "rule":
				m.Rule = r.str()
			case "changes":
				m.Changes = r.strs()
			default:
				r.unknown(key)
			}
		})
	})
}

// deadlines decodes a list of deadlineJSON.
func (r *wireReader) deadlines() []deadlineJSON {
	return list(r, func(d *deadlineJSON) {
		r.fields(func(key string) {
			switch key {
			case "kind":
				d.Kind = store.DeadlineKind(r.integer(0, math.MaxUint8))
			case "due":
				d.Due = r.integer(math.MinInt64, math.MaxInt64)
			case "level":
				d.Level = int(r.integer(math.MinInt, math.MaxInt))
			default:
				r.unknown(key)
			}
		})
	})
}

// list reads an array (null as nil, [] as empty, as encoding/json
// decodes them), elem reading each element.
func list[T any](r *wireReader, elem func(*T)) []T {
	if r.null() {
		return nil
	}
	out := []T{}
	r.array(func() {
		var zero T
		out = append(out, zero)
		elem(&out[len(out)-1])
	})
	return out
}

// wireReader reads JSON values from s, from byte i on. The first error
// stops it: every later read returns a zero value.
type wireReader struct {
	s   string
	i   int
	err error
}

// fail records an error at the current position, unless one is recorded.
func (r *wireReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d", errWire, what, r.i)
	}
}

// space skips white space.
func (r *wireReader) space() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end, or
// after an error).
func (r *wireReader) peek() byte {
	r.space()
	if r.err != nil || r.i >= len(r.s) {
		return 0
	}
	return r.s[r.i]
}

// take consumes byte c, which must come next.
func (r *wireReader) take(c byte) {
	if r.peek() != c {
		r.fail("expected " + strconv.QuoteRune(rune(c)))
		return
	}
	r.i++
}

// null consumes a null if one comes next, and reports whether it did.
func (r *wireReader) null() bool {
	if r.peek() == 'n' && strings.HasPrefix(r.s[r.i:], "null") {
		r.i += len("null")
		return true
	}
	return false
}

// fields reads an object of a struct's fields (or null), calling field
// for each key with the reader positioned at its value, which field must
// read. A key seen twice is an error.
func (r *wireReader) fields(field func(key string)) {
	r.members(true, field)
}

// members reads an object (or null) as fields does; a key seen twice is an
// error if unique, else the value read last is kept, as encoding/json keeps
// it in a map.
func (r *wireReader) members(unique bool, field func(key string)) {
	if r.null() {
		return
	}
	r.take('{')
	if r.peek() == '}' {
		r.i++
		return
	}
	var buf [32]string
	seen := buf[:0]
	for r.err == nil {
		key, _ := r.text()
		if unique {
			if slices.Contains(seen, key) {
				r.fail("key " + strconv.Quote(key) + " repeated")
			}
			seen = append(seen, key)
		}
		r.take(':')
		if r.err != nil {
			return
		}
		field(key)
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return
		default:
			r.fail("expected ',' or '}'")
		}
	}
}

// array reads an array (or null), calling elem to read each element.
func (r *wireReader) array(elem func()) {
	if r.null() {
		return
	}
	r.take('[')
	if r.peek() == ']' {
		r.i++
		return
	}
	for r.err == nil {
		elem()
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return
		default:
			r.fail("expected ',' or ']'")
		}
	}
}

// unknown fails on a key that is not a field's.
func (r *wireReader) unknown(key string) {
	r.fail("unknown key " + strconv.Quote(key))
}

// strs reads a list of strings.
func (r *wireReader) strs() []string {
	return list(r, func(v *string) { *v = r.str() })
}

// strMap reads an object of strings (null as nil).
func (r *wireReader) strMap() map[string]string {
	if r.null() {
		return nil
	}
	out := map[string]string{}
	r.members(false, func(key string) { out[key] = r.str() })
	return out
}

// str reads a string (null as ""), copied out of the payload so that the
// rows decoded do not keep the payload alive.
func (r *wireReader) str() string {
	t, inPayload := r.text()
	if inPayload {
		return strings.Clone(t)
	}
	return t
}

// text reads a string (null as ""). One without escapes is a part of the
// payload, and inPayload says so.
func (r *wireReader) text() (s string, inPayload bool) {
	if r.null() {
		return "", false
	}
	r.take('"')
	if r.err != nil {
		return "", false
	}
	start := r.i
	for r.i < len(r.s) {
		switch c := r.s[r.i]; {
		case c == '"':
			r.i++
			return r.s[start : r.i-1], true
		case c == '\\':
			return r.escaped(start), false
		case c < ' ':
			r.fail("control character in a string")
			return "", false
		default:
			r.i++
		}
	}
	r.fail("unterminated string")
	return "", false
}

// escaped reads the rest of a string that begins at start and has an
// escape at r.i.
func (r *wireReader) escaped(start int) string {
	var b strings.Builder
	b.WriteString(r.s[start:r.i])
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == '"':
			r.i++
			return b.String()
		case c < ' ':
			r.fail("control character in a string")
			return ""
		case c != '\\':
			b.WriteByte(c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.s) {
			break
		}
		e := r.s[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			b.WriteRune(r.utf16Escape())
		default:
			r.fail("bad escape")
			return ""
		}
	}
	r.fail("unterminated string")
	return ""
}

// utf16Escape reads the four hex digits of a \u escape (and a second
// escape if they are the first half of a surrogate pair). A lone or
// mismatched surrogate is U+FFFD, as encoding/json decodes it.
func (r *wireReader) utf16Escape() rune {
	c := r.hex4()
	if r.err != nil || !utf16.IsSurrogate(c) {
		return c
	}
	if strings.HasPrefix(r.s[r.i:], `\u`) {
		save := r.i
		r.i += 2
		if d := utf16.DecodeRune(c, r.hex4()); d != utf8.RuneError {
			return d
		}
		r.i = save // not the second half: decoded on its own
	}
	return utf8.RuneError
}

// hex4 reads four hex digits.
func (r *wireReader) hex4() rune {
	if r.i+4 > len(r.s) {
		r.fail("short \\u escape")
		return 0
	}
	var v rune
	for _, c := range []byte(r.s[r.i : r.i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			r.fail("bad \\u escape")
			return 0
		}
		v = v<<4 | rune(c)
	}
	r.i += 4
	return v
}

// number returns the text of a JSON integer: an optional minus, then 0 or
// digits not starting with 0. Fractions and exponents are errors, as they
// are for encoding/json decoding into an integer.
func (r *wireReader) number() string {
	r.space()
	start := r.i
	if r.i < len(r.s) && r.s[r.i] == '-' {
		r.i++
	}
	digits := r.i
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		r.i++
	}
	switch {
	case r.i == digits:
		r.fail("expected a number")
	case r.s[digits] == '0' && r.i-digits > 1:
		r.fail("number with a leading zero")
	case r.i < len(r.s) && (r.s[r.i] == '.' || r.s[r.i] == 'e' || r.s[r.i] == 'E'):
		r.fail("expected an integer")
	}
	return r.s[start:r.i]
}

// integer reads an integer in [lo, hi] (null as 0).
func (r *wireReader) integer(lo, hi int64) int64 {
	if r.null() {
		return 0
	}
	text := r.number()
	if r.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil || v < lo || v > hi {
		r.fail("integer out of range")
		return 0
	}
	return v
}

// unsigned reads an unsigned integer (null as 0).
func (r *wireReader) unsigned() uint64 {
	if r.null() {
		return 0
	}
	text := r.number()
	if r.err != nil {
		return 0
	}
	v, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		r.fail("unsigned integer out of range")
		return 0
	}
	return v
}

// nanos reads a time in Unix nanoseconds (null as the zero time, nil).
func (r *wireReader) nanos() *int64 {
	if r.null() {
		return nil
	}
	v := r.integer(math.MinInt64, math.MaxInt64)
	return &v
}

// boolean reads true or false (null as false).
func (r *wireReader) boolean() bool {
	switch {
	case r.null():
		return false
	case r.peek() == 't' && strings.HasPrefix(r.s[r.i:], "true"):
		r.i += len("true")
		return true
	case r.peek() == 'f' && strings.HasPrefix(r.s[r.i:], "false"):
		r.i += len("false")
		return false
	}
	r.fail("expected true or false")
	return false
}
