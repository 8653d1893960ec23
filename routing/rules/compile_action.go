package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// compiledActions are a rule's actions ready to apply.
type compiledActions struct {
	group       string
	hasPriority bool
	priority    int
	skills      []skill
	prefer      *Prefer
	tags        []string
	attrs       []attribute // by key
	offHours    bool
	changes     []string // Match.Changes, shared by every Result
}

// skill is a skill an action adds.
type skill struct {
	name  string
	level int
	canon string // policy.Skill.String
}

// attribute is an attribute an action sets.
type attribute struct{ key, value string }

// actionsBuilder builds a rule's actions.
type actionsBuilder struct {
	b    *builder
	path string
	a    Actions
	k    compiledActions
}

func (b *builder) actions(path string) *actionsBuilder { return &actionsBuilder{b: b, path: path} }

func (ab *actionsBuilder) group(s string) error {
	p := keyPath(ab.path, "group")
	if err := checkText(p, s, store.MaxIDLength); err != nil {
		return err
	}
	if ab.b.cat != nil && !ab.b.cat.HasGroup(s) {
		return &Error{Path: p, Msg: fmt.Sprintf("unknown group %q", s), Err: ErrUnknownGroup}
	}
	ab.a.Group, ab.k.group = s, s
	return nil
}

func (ab *actionsBuilder) priority(n int) error {
	if n < MinPriority || n > MaxPriority {
		return priorityRange(keyPath(ab.path, "priority"), strconv.Itoa(n))
	}
	ab.a.Priority = &n
	ab.k.hasPriority, ab.k.priority = true, n
	return nil
}

// priorityRange returns the error of a priority out of range, spelt text.
func priorityRange(p, text string) error {
	return fault(p, fmt.Sprintf("%s is out of range: a priority is from %d to %d", text, MinPriority, MaxPriority))
}

func (ab *actionsBuilder) skillsStart() { ab.a.Skills = []string{} }

// addSkill takes the j-th skill of skills.
func (ab *actionsBuilder) addSkill(j int, s string) error {
	p := indexPath(keyPath(ab.path, "skills"), j)
	if j >= MaxValues {
		return fault(p, fmt.Sprintf("more than %d skills", MaxValues))
	}
	sk, err := policy.ParseSkill(s)
	if err != nil {
		return &Error{Path: p, Msg: strings.TrimPrefix(err.Error(), "policy: "), Err: err}
	}
	if ab.b.cat != nil && !ab.b.cat.HasSkill(sk.Name) {
		return &Error{Path: p, Msg: fmt.Sprintf("unknown skill %q", sk.Name), Err: ErrUnknownSkill}
	}
	for i, o := range ab.k.skills {
		if o.name == sk.Name {
			return fault(p, fmt.Sprintf("skill %q given twice (skills[%d])", sk.Name, i))
		}
	}
	ab.a.Skills = append(ab.a.Skills, s)
	ab.k.skills = append(ab.k.skills, skill{name: sk.Name, level: sk.Level, canon: sk.String()})
	return nil
}

func (ab *actionsBuilder) skillsEnd(n int) error {
	if n == 0 {
		return fault(keyPath(ab.path, "skills"), "empty: list at least one skill")
	}
	return nil
}

func (ab *actionsBuilder) setPrefer(p Prefer) {
	ab.a.Prefer = &p
	q := p
	ab.k.prefer = &q
}

func (ab *actionsBuilder) tagsStart() { ab.a.Tags = []string{} }

// addTag takes the j-th tag of tags.
func (ab *actionsBuilder) addTag(j int, t string) error {
	p := indexPath(keyPath(ab.path, "tags"), j)
	if j >= MaxValues {
		return fault(p, fmt.Sprintf("more than %d tags", MaxValues))
	}
	if err := checkText(p, t, MaxNameLength); err != nil {
		return err
	}
	if i := slices.Index(ab.a.Tags, t); i >= 0 {
		return fault(p, fmt.Sprintf("%q given twice (tags[%d])", t, i))
	}
	ab.a.Tags = append(ab.a.Tags, t)
	ab.k.tags = ab.a.Tags
	return nil
}

func (ab *actionsBuilder) tagsEnd(n int) error {
	if n == 0 {
		return fault(keyPath(ab.path, "tags"), "empty: list at least one tag")
	}
	return nil
}

func (ab *actionsBuilder) attributesStart() { ab.a.Attributes = map[string]string{} }

// attribute takes one entry of attributes.
func (ab *actionsBuilder) attribute(key, value string) error {
	p := entryPath(keyPath(ab.path, "attributes"), key)
	if len(ab.a.Attributes) >= MaxValues {
		return fault(p, fmt.Sprintf("more than %d attributes", MaxValues))
	}
	if key == "" {
		return fault(p, "empty key")
	}
	if err := checkText(p, key, MaxNameLength); err != nil {
		return fault(p, "key "+err.(*Error).Msg)
	}
	if value != "" {
		if err := checkText(p, value, MaxValueLength); err != nil {
			return err
		}
	}
	ab.a.Attributes[key] = value
	return nil
}

func (ab *actionsBuilder) attributesEnd(n int) error {
	if n == 0 {
		return fault(keyPath(ab.path, "attributes"), "empty: set at least one attribute")
	}
	return nil
}

func (ab *actionsBuilder) offHours(v bool) {
	ab.a.OffHours, ab.k.offHours = v, v
}

// finish checks that some action is set, and works out the rule's
// Changes.
func (ab *actionsBuilder) finish() (Actions, compiledActions, error) {
	a, k := ab.a, ab.k
	if a.Group == "" && a.Priority == nil && a.Skills == nil && a.Prefer == nil && a.Tags == nil && a.Attributes == nil && !a.OffHours {
		return Actions{}, compiledActions{}, fault(ab.path, "no action")
	}
	for _, key := range sortedKeys(a.Attributes) {
		k.attrs = append(k.attrs, attribute{key: key, value: a.Attributes[key]})
	}
	var ch []string
	if k.group != "" {
		ch = append(ch, "group="+k.group)
	}
	if k.hasPriority {
		ch = append(ch, "priority="+strconv.Itoa(k.priority))
	}
	for _, s := range k.skills {
		ch = append(ch, "skills+="+s.canon)
	}
	if p := k.prefer; p != nil {
		c := "prefer=" + p.Operator
		if p.Previous {
			c = "prefer=previous"
		}
		if p.Wait > 0 {
			c += " wait=" + p.Wait.String()
		}
		ch = append(ch, c)
	}
	for _, t := range k.tags {
		ch = append(ch, "tags+="+t)
	}
	for _, at := range k.attrs {
		ch = append(ch, "attributes."+at.key+"="+at.value)
	}
	if k.offHours {
		ch = append(ch, "off-hours")
	}
	k.changes = slices.Clip(ch)
	return a, k, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// preferBuilder builds a Prefer.
type preferBuilder struct {
	path string
	p    Prefer
}

func newPrefer(path string) *preferBuilder { return &preferBuilder{path: path} }

func (pb *preferBuilder) operator(s string) error {
	if err := checkText(keyPath(pb.path, "operator"), s, store.MaxIDLength); err != nil {
		return err
	}
	pb.p.Operator = s
	return nil
}

func (pb *preferBuilder) previous(v bool) { pb.p.Previous = v }

func (pb *preferBuilder) wait(d time.Duration) error {
	p := keyPath(pb.path, "wait")
	switch {
	case d < 0:
		return fault(p, fmt.Sprintf("%s is negative", d))
	case d > MaxWait:
		return fault(p, fmt.Sprintf("%s is longer than %s", d, MaxWait))
	}
	pb.p.Wait = d
	return nil
}

func (pb *preferBuilder) finish() (Prefer, error) {
	switch {
	case pb.p.Operator != "" && pb.p.Previous:
		return Prefer{}, fault(pb.path, "names both an operator and previous: give one")
	case pb.p.Operator == "" && !pb.p.Previous:
		return Prefer{}, fault(pb.path, "names no operator: give operator, or previous: true")
	}
	return pb.p, nil
}
