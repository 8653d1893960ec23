package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Decode and New check a rule set through the same builders: a builder
// for the set, and one for each rule, condition, actions and prefer. A
// builder's setters take one value each, check what can be checked of it
// alone and keep it; its finish checks what depends on several values,
// in the order of the schema's keys, and compiles. Decode calls the
// setters in the order of the document's keys, New in the order of the
// schema's, so a set gives the same first error either way when its JSON
// lists keys in the schema's order (as MarshalJSON does).

// builder builds a Set.
type builder struct {
	cat   Catalog
	names map[string]int // rule name -> index
	zones map[string]*time.Location
	slots map[string]int // attribute key -> slot in state.vals
	rules []Rule
	comp  []compiledRule
}

// compiledRule is a rule ready to evaluate.
type compiledRule struct {
	name    string
	enabled bool
	on      uint8 // trigger mask
	when    *cond // nil: always
	stop    bool
	act     compiledActions
}

func newBuilder(cat Catalog) *builder {
	return &builder{cat: cat, names: map[string]int{}, zones: map[string]*time.Location{}, slots: map[string]int{}}
}

// slot returns the slot of the attribute key in state.vals, or -1 when
// the slots are taken.
func (b *builder) slot(key string) int {
	if i, ok := b.slots[key]; ok {
		return i
	}
	if len(b.slots) == attrSlots {
		return -1
	}
	b.slots[key] = len(b.slots)
	return b.slots[key]
}

// set returns the Set built.
func (b *builder) set() *Set {
	s := &Set{rules: b.rules, comp: b.comp}
	groups := map[string]bool{}
	skills := map[string]bool{}
	for i := range b.comp {
		a := &b.comp[i].act
		if a.group != "" && !groups[a.group] {
			groups[a.group] = true
			s.groups = append(s.groups, a.group)
		}
		for _, sk := range a.skills {
			if !skills[sk.name] {
				skills[sk.name] = true
				s.skills = append(s.skills, sk.name)
			}
		}
	}
	slices.Sort(s.groups)
	slices.Sort(s.skills)
	return s
}

// ruleBuilder builds one rule.
type ruleBuilder struct {
	b       *builder
	index   int
	path    string
	r       Rule
	on      uint8
	when    *cond
	act     compiledActions
	hasName bool
	hasThen bool
}

// rule starts rule i, which is enabled until said otherwise.
func (b *builder) rule(i int) *ruleBuilder {
	return &ruleBuilder{b: b, index: i, path: indexPath("rules", i), r: Rule{Enabled: true}}
}

func (rb *ruleBuilder) name(s string) error {
	p := keyPath(rb.path, "name")
	rb.hasName = true
	if err := checkText(p, s, MaxNameLength); err != nil {
		return err
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return fault(p, fmt.Sprintf("%q has a control character", s))
	}
	if j, ok := rb.b.names[s]; ok {
		return fault(p, fmt.Sprintf("%q used twice (%s)", s, indexPath("rules", j)))
	}
	rb.b.names[s] = rb.index
	rb.r.Name = s
	return nil
}

func (rb *ruleBuilder) enabled(v bool) { rb.r.Enabled = v }

// trigger takes the j-th trigger of on.
func (rb *ruleBuilder) trigger(j int, t Trigger) error {
	p := indexPath(keyPath(rb.path, "on"), j)
	bit := t.bit()
	switch {
	case bit == 0:
		return fault(p, fmt.Sprintf("unknown trigger %q (enqueue, reopen or transfer)", t))
	case rb.on&bit != 0:
		return fault(p, fmt.Sprintf("%q given twice", t))
	}
	rb.on |= bit
	return nil
}

// triggersEnd ends a JSON list of n triggers.
func (rb *ruleBuilder) triggersEnd(n int) error {
	if n == 0 {
		return fault(keyPath(rb.path, "on"), "empty: omit on for the default, enqueue and reopen")
	}
	return nil
}

func (rb *ruleBuilder) setWhen(c Condition, k *cond) {
	rb.r.When = &c
	rb.when = k
}

func (rb *ruleBuilder) setThen(a Actions, k compiledActions) {
	rb.hasThen = true
	rb.r.Then = a
	rb.act = k
}

func (rb *ruleBuilder) stop(v bool) { rb.r.Stop = v }

// finish checks that the rule has a name and actions, and adds it to the
// set.
func (rb *ruleBuilder) finish() error {
	switch {
	case !rb.hasName:
		return fault(keyPath(rb.path, "name"), "missing")
	case !rb.hasThen:
		return fault(keyPath(rb.path, "then"), "missing")
	}
	if rb.on == 0 {
		rb.on = defaultOn
	}
	rb.r.On = onList(rb.on)
	rb.b.rules = append(rb.b.rules, rb.r)
	rb.b.comp = append(rb.b.comp, compiledRule{
		name:    rb.r.Name,
		enabled: rb.r.Enabled,
		on:      rb.on,
		when:    rb.when,
		stop:    rb.r.Stop,
		act:     rb.act,
	})
	return nil
}

// checkText returns the error of a text value at p that is empty, longer
// than max bytes or not UTF-8, or nil.
func checkText(p, s string, max int) error {
	switch {
	case s == "":
		return fault(p, "empty")
	case len(s) > max:
		return fault(p, fmt.Sprintf("%.32q... is %d bytes long, more than %d", s, len(s), max))
	case !utf8.ValidString(s):
		return fault(p, fmt.Sprintf("%q is not valid UTF-8", s))
	}
	return nil
}
