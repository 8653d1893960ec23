package rules

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"
	"unicode/utf8"
)

// condBuilder builds one condition.
type condBuilder struct {
	b     *builder
	path  string
	depth int
	c     Condition
	leaf  bool // a leaf's key was given
	kids  []cond
	not   *cond
	kind  fieldKind
	key   string
	loc   *time.Location
}

// condition starts the condition at path, at depth (1 for a rule's when).
func (b *builder) condition(path string, depth int) (*condBuilder, error) {
	if depth > MaxDepth {
		return nil, fault(path, fmt.Sprintf("conditions nested more than %d deep", MaxDepth))
	}
	return &condBuilder{b: b, path: path, depth: depth}, nil
}

func (cb *condBuilder) allStart() { cb.c.All = []Condition{} }

func (cb *condBuilder) addAll(c Condition, k *cond) {
	cb.c.All = append(cb.c.All, c)
	cb.kids = append(cb.kids, *k)
}

func (cb *condBuilder) allEnd(n int) error {
	if n == 0 {
		return fault(keyPath(cb.path, "all"), "empty: list at least one condition")
	}
	return nil
}

func (cb *condBuilder) anyStart() { cb.c.Any = []Condition{} }

func (cb *condBuilder) addAny(c Condition, k *cond) {
	cb.c.Any = append(cb.c.Any, c)
	cb.kids = append(cb.kids, *k)
}

func (cb *condBuilder) anyEnd(n int) error {
	if n == 0 {
		return fault(keyPath(cb.path, "any"), "empty: list at least one condition")
	}
	return nil
}

func (cb *condBuilder) setNot(c Condition, k *cond) {
	cb.c.Not = &c
	cb.not = k
}

func (cb *condBuilder) field(s string) error {
	p := keyPath(cb.path, "field")
	cb.leaf = true
	if s == "" {
		return fault(p, "empty")
	}
	kind, key, ok := parseField(s)
	if !ok {
		return fault(p, fmt.Sprintf("unknown field %q", s))
	}
	switch {
	case kind == fAttr && key == "":
		return fault(p, fmt.Sprintf("%q names no attribute: write %s and the key, as in \"attr.plan\"", s, FieldAttrPrefix))
	case len(key) > MaxNameLength:
		return fault(p, fmt.Sprintf("%.40q...: the attribute key is %d bytes long, more than %d", s, len(key), MaxNameLength))
	case !utf8.ValidString(s):
		return fault(p, fmt.Sprintf("%q is not valid UTF-8", s))
	}
	cb.c.Field, cb.kind, cb.key = s, kind, key
	return nil
}

func (cb *condBuilder) op(op Op) error {
	p := keyPath(cb.path, "op")
	cb.leaf = true
	switch {
	case op == "":
		return fault(p, "empty")
	case !op.known():
		return fault(p, fmt.Sprintf("unknown operator %q", op))
	}
	cb.c.Op = op
	return nil
}

func (cb *condBuilder) value(s string) error {
	p := keyPath(cb.path, "value")
	cb.leaf = true
	if s == "" {
		return fault(p, `empty: a field that is missing reads as "", test for one with op exists`)
	}
	if err := checkText(p, s, MaxValueLength); err != nil {
		return err
	}
	cb.c.Value = s
	return nil
}

func (cb *condBuilder) valuesStart() {
	cb.leaf = true
	cb.c.Values = []string{}
}

// addValue takes the j-th value of values.
func (cb *condBuilder) addValue(j int, v string) error {
	p := indexPath(keyPath(cb.path, "values"), j)
	if j >= MaxValues {
		return fault(p, fmt.Sprintf("more than %d values", MaxValues))
	}
	if err := checkText(p, v, MaxValueLength); err != nil {
		return err
	}
	for i, u := range cb.c.Values {
		if u == v {
			return fault(p, fmt.Sprintf("%q given twice (values[%d])", v, i))
		}
	}
	cb.c.Values = append(cb.c.Values, v)
	return nil
}

func (cb *condBuilder) valuesEnd(n int) error {
	if n == 0 {
		return fault(keyPath(cb.path, "values"), "empty: list at least one value")
	}
	return nil
}

func (cb *condBuilder) ignoreCase(v bool) {
	if v {
		cb.leaf = true
	}
	cb.c.IgnoreCase = v
}

func (cb *condBuilder) zone(s string) error {
	p := keyPath(cb.path, "zone")
	cb.leaf = true
	if err := checkText(p, s, MaxNameLength); err != nil {
		return err
	}
	if s == "Local" {
		return fault(p, `"Local" is this machine's zone: name an IANA zone such as "Europe/Berlin"`)
	}
	loc, err := cb.b.zone(s)
	if err != nil {
		return &Error{Path: p, Msg: fmt.Sprintf("unknown zone %q", s), Err: err}
	}
	cb.c.Zone = s
	cb.loc = loc
	return nil
}

// finish checks the condition as a whole and compiles it.
func (cb *condBuilder) finish() (Condition, *cond, error) {
	var forms []string
	if cb.c.All != nil {
		forms = append(forms, "all")
	}
	if cb.c.Any != nil {
		forms = append(forms, "any")
	}
	if cb.c.Not != nil {
		forms = append(forms, "not")
	}
	if cb.leaf {
		forms = append(forms, "field")
	}
	switch {
	case len(forms) == 0:
		return Condition{}, nil, fault(cb.path, "empty condition: give field and op, or all, any or not")
	case len(forms) > 1:
		return Condition{}, nil, fault(cb.path, fmt.Sprintf("has both %s and %s: a condition is one test (field and op), all, any or not", forms[0], forms[1]))
	}
	switch forms[0] {
	case "all":
		return cb.c, &cond{kind: cAll, kids: cb.kids}, nil
	case "any":
		return cb.c, &cond{kind: cAny, kids: cb.kids}, nil
	case "not":
		return cb.c, &cond{kind: cNot, kids: []cond{*cb.not}}, nil
	}
	k, err := cb.leafFinish()
	if err != nil {
		return Condition{}, nil, err
	}
	return cb.c, k, nil
}

// leafFinish checks and compiles a leaf condition.
func (cb *condBuilder) leafFinish() (*cond, error) {
	c := &cb.c
	fp, opp := keyPath(cb.path, "field"), keyPath(cb.path, "op")
	vp, vsp := keyPath(cb.path, "value"), keyPath(cb.path, "values")
	switch {
	case c.Field == "":
		return nil, fault(fp, "missing")
	case c.Op == "":
		return nil, fault(opp, "missing")
	case cb.kind == fTime && c.Op != OpBetween:
		return nil, fault(opp, fmt.Sprintf("field %q takes only operator %q, not %q", FieldTime, OpBetween, c.Op))
	case cb.kind == fWeekday && c.Op != OpEquals && c.Op != OpNotEquals && c.Op != OpIn:
		return nil, fault(opp, fmt.Sprintf("field %q takes only operators equals, not_equals and in, not %q", FieldWeekday, c.Op))
	case cb.kind != fTime && c.Op == OpBetween:
		return nil, fault(opp, fmt.Sprintf("operator %q applies only to field %q", OpBetween, FieldTime))
	}
	k := &cond{kind: cLeaf, field: cb.kind, key: cb.key, slot: -1, fold: c.IgnoreCase, value: c.Value}
	if cb.kind == fAttr {
		k.slot = cb.b.slot(cb.key)
	}

	// value
	switch {
	case c.Op == OpIn && c.Value != "":
		return nil, fault(vp, `operator "in" takes values, not value`)
	case c.Op == OpExists && c.Value != "":
		return nil, fault(vp, `operator "exists" takes no value`)
	case c.Op != OpIn && c.Op != OpExists && c.Value == "":
		return nil, fault(vp, "missing")
	}
	switch c.Op {
	case OpEquals, OpNotEquals:
		k.test, k.negate = tEquals, c.Op == OpNotEquals
		if cb.kind == fWeekday {
			d, ok := parseWeekday(c.Value)
			if !ok {
				return nil, fault(vp, fmt.Sprintf("%q is not a weekday (mon, tue, wed, thu, fri, sat or sun)", c.Value))
			}
			k.days = 1 << d
			if k.negate {
				k.days = allDays &^ k.days
			}
		}
	case OpContains:
		k.test = tContains
	case OpStartsWith:
		k.test = tPrefix
	case OpEndsWith:
		k.test = tSuffix
	case OpIn:
		k.test = tIn
	case OpExists:
		k.test = tExists
	case OpMatches:
		k.test = tMatches
		re, err := compileRegexp(vp, c.Value, c.IgnoreCase)
		if err != nil {
			return nil, err
		}
		k.re = re
	case OpBetween:
		w, ok := parseWindow(c.Value)
		switch {
		case !ok:
			return nil, fault(vp, fmt.Sprintf("bad time window %q: write HH:MM-HH:MM, from 00:00 to 23:59", c.Value))
		case w.from == w.to:
			return nil, fault(vp, fmt.Sprintf("bad time window %q: it starts where it ends", c.Value))
		}
		k.window = w
	}
	if c.IgnoreCase && (k.test == tContains || k.test == tPrefix || k.test == tSuffix) {
		k.ascii = asciiFoldable(c.Value)
		switch {
		case k.test == tContains && k.ascii:
			k.asciis = newASCIISearch(c.Value)
		case k.test == tContains:
			k.search = newFoldSearch(c.Value)
		case !k.ascii:
			k.runes = []rune(c.Value)
		}
	}

	// values
	switch {
	case c.Op == OpIn && c.Values == nil:
		return nil, fault(vsp, "missing")
	case c.Op != OpIn && c.Values != nil:
		return nil, fault(vsp, `only operator "in" takes values`)
	}
	if c.Op == OpIn {
		k.values = c.Values
		if cb.kind == fWeekday {
			for j, v := range c.Values {
				d, ok := parseWeekday(v)
				if !ok {
					return nil, fault(indexPath(vsp, j), fmt.Sprintf("%q is not a weekday (mon, tue, wed, thu, fri, sat or sun)", v))
				}
				k.days |= 1 << d
			}
		} else if !c.IgnoreCase && len(c.Values) > smallIn {
			k.set = make(map[string]struct{}, len(c.Values))
			for _, v := range c.Values {
				k.set[v] = struct{}{}
			}
		}
	}

	// ignore_case
	if c.IgnoreCase {
		icp := keyPath(cb.path, "ignore_case")
		switch {
		case c.Op == OpExists:
			return nil, fault(icp, `operator "exists" compares no text`)
		case cb.kind.clocked():
			return nil, fault(icp, fmt.Sprintf("field %q compares no text", c.Field))
		}
	}

	// zone
	zp := keyPath(cb.path, "zone")
	switch {
	case cb.kind.clocked() && c.Zone == "":
		return nil, fault(zp, fmt.Sprintf(`missing: field %q is read in a zone, such as "Europe/Berlin"`, c.Field))
	case !cb.kind.clocked() && c.Zone != "":
		return nil, fault(zp, "only fields time and weekday take a zone")
	}
	k.loc = cb.loc
	return k, nil
}

// compileRegexp compiles the regexp of a matches condition at p.
func compileRegexp(p, expr string, fold bool) (*regexp.Regexp, error) {
	if len(expr) > MaxRegexpLength {
		return nil, fault(p, fmt.Sprintf("regexp of %d bytes, more than %d", len(expr), MaxRegexpLength))
	}
	re, err := regexp.Compile(expr)
	if err == nil && fold {
		// The expression is valid alone, so the flag changes how it
		// compares, not how it parses.
		re, err = regexp.Compile("(?i)" + expr)
	}
	if err != nil {
		msg := err.Error()
		var se *syntax.Error
		if errors.As(err, &se) {
			msg = string(se.Code)
		}
		return nil, &Error{Path: p, Msg: fmt.Sprintf("bad regexp %q: %s", expr, strings.TrimPrefix(msg, "error parsing regexp: ")), Err: err}
	}
	return re, nil
}
