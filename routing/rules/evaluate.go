package rules

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/policy"
)

// Input is a conversation as rules see it.
type Input struct {
	// Channel is the channel the conversation came through ("telegram").
	Channel string
	// Group is the group the conversation is queued for.
	Group string
	// CustomerID identifies the customer.
	CustomerID string
	// Priority is the conversation's priority.
	Priority int
	// Skills are the skills the conversation requires already: skill
	// strings, as policy reads them (policy.SkillName, policy.SkillLevel).
	Skills []string
	// Tags are the conversation's tags.
	Tags []string
	// Attributes are facts about the conversation, by key. Hosts put the
	// page's address, the site, the customer's company and language under
	// AttrURL, AttrSite, AttrCompany and AttrLanguage; a missing key reads
	// as "".
	Attributes map[string]string
	// Now is the time of the event the rules run on; FieldTime and
	// FieldWeekday read it.
	Now time.Time
}

// Result is the conversation after the actions of the rules that matched,
// and which rules they were.
type Result struct {
	// Group is the last group a matching rule set, or Input.Group.
	Group string
	// Priority is the last priority a matching rule set, or
	// Input.Priority.
	Priority int
	// Skills is Input.Skills itself when no matching rule adds skills.
	// Otherwise it is a new slice, Input.Skills then the added skills,
	// with one entry per skill name, at the highest level asked for, in
	// the order the names first appear, each as its canonical string
	// (policy.Skill.String: "de", "de:3").
	Skills []string
	// Tags is Input.Tags itself when no matching rule adds tags.
	// Otherwise it is a new slice, Input.Tags then the added tags, each
	// once, in the order they first appear.
	Tags []string
	// Attributes is Input.Attributes itself when no matching rule sets
	// attributes, and a new map, Input.Attributes with the attributes
	// set, otherwise. Input.Attributes is never changed.
	Attributes map[string]string
	// Prefer is the Prefer of the last matching rule that has one, or
	// nil.
	Prefer *Prefer
	// OffHours is true when a matching rule said so.
	OffHours bool
	// Matched lists the rules that matched, in evaluation order; nil when
	// none did.
	Matched []Match
}

// Match records one rule that matched and what it changed.
type Match struct {
	// Rule is the rule's name.
	Rule string
	// Changes are the rule's actions as text, in the order they apply:
	// "group=sales", "priority=10", "skills+=de:3", "prefer=anna",
	// "prefer=previous", "prefer=anna wait=2m0s", "tags+=vip",
	// "attributes.plan=gold", "off-hours". Worked out once when the set
	// is made and shared by every Result: read only.
	Changes []string
}

// Evaluate runs the set's rules on the conversation in and returns the
// result (see the package documentation for the semantics). It does not
// change in's slices or map; it allocates only the Result's own slices and
// map, when a rule matches. On the nil Set, nothing matches: the Result
// echoes in.
func (s *Set) Evaluate(trigger Trigger, in Input) Result {
	res := Result{Group: in.Group, Priority: in.Priority, Skills: in.Skills, Tags: in.Tags, Attributes: in.Attributes}
	bit := trigger.bit()
	if s == nil || bit == 0 {
		return res
	}
	st := state{channel: in.Channel, customer: in.CustomerID, now: in.Now, group: in.Group, tags: in.Tags, attrs: in.Attributes}
	var (
		prefer                       *Prefer
		ownSkills, ownTags, ownAttrs bool
	)
	for i := range s.comp {
		r := &s.comp[i]
		if !r.enabled || r.on&bit == 0 || r.when != nil && !r.when.holds(&st) {
			continue
		}
		a := &r.act
		if a.group != "" {
			st.group = a.group
		}
		if a.hasPriority {
			res.Priority = a.priority
		}
		if len(a.skills) > 0 {
			if !ownSkills {
				res.Skills = mergeSkills(in.Skills, len(a.skills))
				ownSkills = true
			}
			for _, sk := range a.skills {
				res.Skills = addSkill(res.Skills, sk.name, sk.level, sk.canon)
			}
		}
		if a.prefer != nil {
			prefer = a.prefer
		}
		if len(a.tags) > 0 {
			if !ownTags {
				st.tags = addTags(make([]string, 0, len(in.Tags)+len(a.tags)), in.Tags)
				ownTags = true
			}
			st.tags = addTags(st.tags, a.tags)
		}
		if len(a.attrs) > 0 {
			if !ownAttrs {
				m := make(map[string]string, len(in.Attributes)+len(a.attrs))
				maps.Copy(m, in.Attributes)
				st.attrs = m
				ownAttrs = true
			}
			for _, at := range a.attrs {
				st.attrs[at.key] = at.value
			}
			st.cached = 0
		}
		if a.offHours {
			res.OffHours = true
		}
		if res.Matched == nil {
			res.Matched = make([]Match, 0, min(len(s.comp)-i, 4))
		}
		res.Matched = append(res.Matched, Match{Rule: r.name, Changes: a.changes})
		if r.stop {
			break
		}
	}
	res.Group, res.Tags, res.Attributes = st.group, st.tags, st.attrs
	if prefer != nil {
		p := *prefer
		res.Prefer = &p
	}
	return res
}

// mergeSkills returns the input's skills merged by name, in a new slice
// with room for extra more.
func mergeSkills(in []string, extra int) []string {
	out := make([]string, 0, len(in)+extra)
	for _, s := range in {
		name, level := policy.SkillName(s), policy.SkillLevel(s)
		out = addSkill(out, name, level, canonicalSkill(s, name, level))
	}
	return out
}

// canonicalSkill returns the canonical string of the skill s, of the name
// and level given, without allocating when s is canonical already.
func canonicalSkill(s, name string, level int) string {
	if level <= policy.MinSkillLevel {
		return name
	}
	if len(s) > len(name)+1 && s[len(name)+1:] == strconv.Itoa(level) {
		return s
	}
	return policy.Skill{Name: name, Level: level}.String()
}

// addSkill adds the skill of the name, level and canonical string canon
// to skills, merged with one of the same name at a lower level.
func addSkill(skills []string, name string, level int, canon string) []string {
	for i, s := range skills {
		if policy.SkillName(s) == name {
			if level > policy.SkillLevel(s) {
				skills[i] = canon
			}
			return skills
		}
	}
	return append(skills, canon)
}

// addTags appends to tags those of add it lacks.
func addTags(tags, add []string) []string {
	for _, t := range add {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}
