package rules

import (
	"regexp"
	"strings"
	"time"
)

// condKind is the form of a compiled condition.
type condKind uint8

const (
	cLeaf condKind = iota
	cAll
	cAny
	cNot
)

// testKind is the text test of a compiled leaf; OpNotEquals is tEquals
// negated.
type testKind uint8

const (
	tEquals testKind = iota
	tContains
	tPrefix
	tSuffix
	tIn
	tMatches
	tExists
)

// smallIn is the longest case-sensitive "in" list searched in order; a
// longer one is a map.
const smallIn = 8

// cond is a compiled condition. Everything a leaf needs is worked out at
// compile time, so evaluating one allocates nothing.
type cond struct {
	kind condKind
	kids []cond // all, any; not has one

	field  fieldKind
	key    string // the attribute's key
	slot   int    // the key's slot in state.vals, or -1
	test   testKind
	negate bool
	fold   bool
	ascii  bool // fold byte by byte (asciiFoldable)
	value  string
	runes  []rune      // value, for folding prefix and suffix
	search foldSearch  // value, for folding contains
	asciis asciiSearch // value, for folding contains byte by byte
	values []string
	set    map[string]struct{} // values, for a long case-sensitive list
	re     *regexp.Regexp
	loc    *time.Location
	window window
	days   days
}

// state is the conversation as the rules see it while they run: the input
// as changed by the rules that matched so far.
type state struct {
	channel  string
	customer string
	now      time.Time
	group    string
	tags     []string
	attrs    map[string]string

	// vals caches the attributes of the first attrSlots keys the set's
	// conditions name, read once: bit i of cached says vals[i] is read.
	// Setting attributes clears cached.
	cached uint16
	vals   [attrSlots]string

	// The time of day and weekday of now in zone loc, once read.
	loc    *time.Location
	minute int
	day    time.Weekday
}

// clock returns the minute of the day and the weekday of the
// conversation's time in loc.
func (st *state) clock(loc *time.Location) (int, time.Weekday) {
	if st.loc != loc {
		t := st.now.In(loc)
		h, m, _ := t.Clock()
		st.loc, st.minute, st.day = loc, h*60+m, t.Weekday()
	}
	return st.minute, st.day
}

// attrSlots is how many attribute keys state caches.
const attrSlots = 16

// text returns the text of the field of c, which is not tag, time or
// weekday.
func (st *state) text(c *cond) string {
	switch c.field {
	case fChannel:
		return st.channel
	case fGroup:
		return st.group
	case fCustomer:
		return st.customer
	}
	if c.slot < 0 {
		return st.attrs[c.key]
	}
	if bit := uint16(1) << c.slot; st.cached&bit == 0 {
		st.vals[c.slot] = st.attrs[c.key]
		st.cached |= bit
	}
	return st.vals[c.slot]
}

// holds reports whether the condition holds in st.
func (c *cond) holds(st *state) bool {
	switch c.kind {
	case cAll:
		for i := range c.kids {
			if !c.kids[i].holds(st) {
				return false
			}
		}
		return true
	case cAny:
		for i := range c.kids {
			if c.kids[i].holds(st) {
				return true
			}
		}
		return false
	case cNot:
		return !c.kids[0].holds(st)
	}
	switch c.field {
	case fTime:
		m, _ := st.clock(c.loc)
		return c.window.holds(m)
	case fWeekday:
		_, d := st.clock(c.loc)
		return c.days.has(d)
	case fTag:
		for _, t := range st.tags {
			if c.match(t) {
				return !c.negate
			}
		}
		return c.negate
	}
	return c.match(st.text(c)) != c.negate
}

// match applies a leaf's text test to s.
func (c *cond) match(s string) bool {
	switch c.test {
	case tEquals:
		if c.fold {
			return strings.EqualFold(s, c.value)
		}
		return s == c.value
	case tContains:
		switch {
		case !c.fold:
			return strings.Contains(s, c.value)
		case c.ascii:
			return c.asciis.in(s)
		}
		return c.search.in(s)
	case tPrefix:
		switch {
		case !c.fold:
			return strings.HasPrefix(s, c.value)
		case c.ascii:
			return asciiFoldPrefix(s, c.value)
		}
		return foldPrefix(s, c.runes)
	case tSuffix:
		switch {
		case !c.fold:
			return strings.HasSuffix(s, c.value)
		case c.ascii:
			return asciiFoldSuffix(s, c.value)
		}
		return foldSuffix(s, c.runes)
	case tIn:
		if c.set != nil {
			_, ok := c.set[s]
			return ok
		}
		for _, v := range c.values {
			if s == v || c.fold && strings.EqualFold(s, v) {
				return true
			}
		}
		return false
	case tMatches:
		return c.re.MatchString(s)
	}
	return s != "" // tExists
}
