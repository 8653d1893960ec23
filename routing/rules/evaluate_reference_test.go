package rules_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing/rules"
)

// The reference evaluator: the semantics of the package documentation,
// spelt out as directly as possible from the rules' Go values, with no
// care for speed. It recompiles regexps, loads zones and parses time
// windows on every use, and folds case by trying every run of runes with
// strings.EqualFold. FuzzEvaluate uses it too.

// refEvaluate runs rs on in for trigger.
func refEvaluate(rs []rules.Rule, trigger rules.Trigger, in rules.Input) rules.Result {
	res := rules.Result{Group: in.Group, Priority: in.Priority, Skills: in.Skills, Tags: in.Tags, Attributes: in.Attributes}
	v := refView{in: in, group: in.Group, tags: in.Tags, attrs: in.Attributes}
	var added []policy.Skill
	tagsAdded, attrsSet := false, false
	for _, r := range rs {
		if !r.Enabled || !refRunsOn(r, trigger) {
			continue
		}
		if r.When != nil && !refHolds(*r.When, v) {
			continue
		}
		a := r.Then
		if a.Group != "" {
			v.group = a.Group
		}
		if a.Priority != nil {
			res.Priority = *a.Priority
		}
		for _, s := range a.Skills {
			sk, err := policy.ParseSkill(s)
			if err != nil {
				panic(err)
			}
			added = append(added, sk)
		}
		if a.Prefer != nil {
			p := *a.Prefer
			res.Prefer = &p
		}
		if len(a.Tags) > 0 {
			if !tagsAdded {
				var tags []string
				for _, t := range in.Tags {
					if !slices.Contains(tags, t) {
						tags = append(tags, t)
					}
				}
				v.tags = tags
				tagsAdded = true
			}
			for _, t := range a.Tags {
				if !slices.Contains(v.tags, t) {
					v.tags = append(v.tags, t)
				}
			}
		}
		if len(a.Attributes) > 0 {
			if !attrsSet {
				v.attrs = map[string]string{}
				maps.Copy(v.attrs, in.Attributes)
				attrsSet = true
			}
			maps.Copy(v.attrs, a.Attributes)
		}
		if a.OffHours {
			res.OffHours = true
		}
		res.Matched = append(res.Matched, rules.Match{Rule: r.Name, Changes: refChanges(a)})
		if r.Stop {
			break
		}
	}
	res.Group, res.Tags, res.Attributes = v.group, v.tags, v.attrs
	if added != nil {
		res.Skills = refMergeSkills(in.Skills, added)
	}
	return res
}

// refView is the conversation as the rules see it.
type refView struct {
	in    rules.Input
	group string
	tags  []string
	attrs map[string]string
}

// refRunsOn reports whether r runs on trigger.
func refRunsOn(r rules.Rule, trigger rules.Trigger) bool {
	if len(r.On) == 0 {
		return trigger == rules.OnEnqueue || trigger == rules.OnReopen
	}
	return slices.Contains(r.On, trigger)
}

// refMergeSkills merges the input's skills and the added ones by name,
// highest level winning, in order of first appearance.
func refMergeSkills(in []string, added []policy.Skill) []string {
	all := make([]policy.Skill, 0, len(in)+len(added))
	for _, s := range in {
		all = append(all, policy.Skill{Name: policy.SkillName(s), Level: policy.SkillLevel(s)})
	}
	all = append(all, added...)
	var names []string
	level := map[string]int{}
	for _, s := range all {
		if _, ok := level[s.Name]; !ok {
			names = append(names, s.Name)
		}
		level[s.Name] = max(level[s.Name], s.Level)
	}
	out := []string{}
	for _, n := range names {
		out = append(out, policy.Skill{Name: n, Level: level[n]}.String())
	}
	return out
}

// refChanges spells out a rule's actions.
func refChanges(a rules.Actions) []string {
	var ch []string
	if a.Group != "" {
		ch = append(ch, "group="+a.Group)
	}
	if a.Priority != nil {
		ch = append(ch, fmt.Sprintf("priority=%d", *a.Priority))
	}
	for _, s := range a.Skills {
		sk, _ := policy.ParseSkill(s)
		ch = append(ch, "skills+="+sk.String())
	}
	if p := a.Prefer; p != nil {
		who := p.Operator
		if p.Previous {
			who = "previous"
		}
		c := "prefer=" + who
		if p.Wait != 0 {
			c += fmt.Sprintf(" wait=%v", p.Wait)
		}
		ch = append(ch, c)
	}
	for _, t := range a.Tags {
		ch = append(ch, "tags+="+t)
	}
	keys := slices.Sorted(maps.Keys(a.Attributes))
	for _, k := range keys {
		ch = append(ch, "attributes."+k+"="+a.Attributes[k])
	}
	if a.OffHours {
		ch = append(ch, "off-hours")
	}
	return ch
}

// refHolds reports whether c holds in v.
func refHolds(c rules.Condition, v refView) bool {
	switch {
	case c.All != nil:
		for _, k := range c.All {
			if !refHolds(k, v) {
				return false
			}
		}
		return true
	case c.Any != nil:
		for _, k := range c.Any {
			if refHolds(k, v) {
				return true
			}
		}
		return false
	case c.Not != nil:
		return !refHolds(*c.Not, v)
	}
	switch c.Field {
	case rules.FieldTime:
		loc, err := time.LoadLocation(c.Zone)
		if err != nil {
			panic(err)
		}
		t := v.in.Now.In(loc)
		var h1, m1, h2, m2 int
		if _, err := fmt.Sscanf(c.Value, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
			panic(err)
		}
		from, to, now := h1*60+m1, h2*60+m2, t.Hour()*60+t.Minute()
		if from < to {
			return from <= now && now < to
		}
		return now >= from || now < to
	case rules.FieldWeekday:
		loc, err := time.LoadLocation(c.Zone)
		if err != nil {
			panic(err)
		}
		day := strings.ToLower(v.in.Now.In(loc).Weekday().String()[:3])
		switch c.Op {
		case rules.OpEquals:
			return day == c.Value
		case rules.OpNotEquals:
			return day != c.Value
		}
		return slices.Contains(c.Values, day)
	case rules.FieldTag:
		if c.Op == rules.OpNotEquals {
			eq := c
			eq.Op = rules.OpEquals
			return !slices.ContainsFunc(v.tags, func(t string) bool { return refText(eq, t) })
		}
		return slices.ContainsFunc(v.tags, func(t string) bool { return refText(c, t) })
	}
	var s string
	switch c.Field {
	case rules.FieldChannel:
		s = v.in.Channel
	case rules.FieldGroup:
		s = v.group
	case rules.FieldCustomer:
		s = v.in.CustomerID
	default:
		s = v.attrs[strings.TrimPrefix(c.Field, rules.FieldAttrPrefix)]
	}
	return refText(c, s)
}

// refText applies a leaf's text operator to s.
func refText(c rules.Condition, s string) bool {
	eq := func(a, b string) bool { return a == b }
	if c.IgnoreCase {
		eq = strings.EqualFold
	}
	// runs reports whether some run of s's runes starting at one of the
	// offsets equals the value.
	runs := func(offsets func(n, m int) []int) bool {
		rs, n := []rune(s), len([]rune(c.Value))
		for _, i := range offsets(len(rs), n) {
			if i >= 0 && i+n <= len(rs) && eq(string(rs[i:i+n]), c.Value) {
				return true
			}
		}
		return false
	}
	switch c.Op {
	case rules.OpEquals:
		return eq(s, c.Value)
	case rules.OpNotEquals:
		return !eq(s, c.Value)
	case rules.OpContains:
		if !c.IgnoreCase {
			return strings.Contains(s, c.Value)
		}
		return runs(func(n, m int) []int {
			var all []int
			for i := 0; i <= n-m; i++ {
				all = append(all, i)
			}
			return all
		})
	case rules.OpStartsWith:
		if !c.IgnoreCase {
			return strings.HasPrefix(s, c.Value)
		}
		return runs(func(int, int) []int { return []int{0} })
	case rules.OpEndsWith:
		if !c.IgnoreCase {
			return strings.HasSuffix(s, c.Value)
		}
		return runs(func(n, m int) []int { return []int{n - m} })
	case rules.OpIn:
		return slices.ContainsFunc(c.Values, func(v string) bool { return eq(s, v) })
	case rules.OpMatches:
		expr := c.Value
		if c.IgnoreCase {
			expr = "(?i)" + expr
		}
		return regexp.MustCompile(expr).MatchString(s)
	case rules.OpExists:
		return s != ""
	}
	panic("unknown operator " + c.Op)
}

// Generators of valid rule sets and of inputs, over small alphabets so that
// rules match often.

// pieces are the bits texts are made of: cases that fold (Kelvin sign,
// sharp s, long s), multi-byte runes, and the words of the examples.
var pieces = []string{"a", "b", "A", "ab", "Ab", "/shop", "/SHOP", "k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ", "é", "É", "de", "DE", "de-AT", "telegram", "Telegram", "sales", "\uFFFD"}

// genText draws a text of up to n pieces; it may be empty.
func genText(n int) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		k := rapid.IntRange(0, n).Draw(t, "pieces")
		var b strings.Builder
		for range k {
			b.WriteString(rapid.SampledFrom(pieces).Draw(t, "piece"))
		}
		return b.String()
	})
}

// genValue draws a condition's value: not empty.
var genValue = rapid.Custom(func(t *rapid.T) string {
	return genText(2).Filter(func(s string) bool { return s != "" }).Draw(t, "value")
})

// genValues draws an "in" list: 1 to 5 distinct values.
var genValues = rapid.SliceOfNDistinct(genValue, 1, 5, rapid.ID[string])

var (
	textFields = []string{rules.FieldChannel, rules.FieldGroup, rules.FieldCustomer, rules.FieldURL, rules.FieldSite, rules.FieldCompany, rules.FieldLanguage, "attr.vip", "attr.plan", rules.FieldTag}
	textOps    = []rules.Op{rules.OpEquals, rules.OpNotEquals, rules.OpContains, rules.OpStartsWith, rules.OpEndsWith, rules.OpIn, rules.OpMatches, rules.OpExists}
	regexps    = []string{"^a", "b$", "a.b", "shop", "^$", "k", "[a-c]+", "ß|é", "^/shop/?", "(?i)sales", "^.{3,}$", "\\p{Lu}"}
	zones      = []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe"}
	days       = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	groups     = []string{"sales", "support", "billing"}
	attrKeys   = []string{"vip", "plan", "url", "company", "language"}
)

// genLeaf draws a valid leaf condition.
var genLeaf = rapid.Custom(func(t *rapid.T) rules.Condition {
	switch rapid.IntRange(0, 9).Draw(t, "form") {
	case 0: // time
		from := rapid.IntRange(0, 24*60-1).Draw(t, "from")
		to := rapid.IntRange(0, 24*60-1).Filter(func(m int) bool { return m != from }).Draw(t, "to")
		return rules.Condition{Field: rules.FieldTime, Op: rules.OpBetween, Zone: rapid.SampledFrom(zones).Draw(t, "zone"),
			Value: fmt.Sprintf("%02d:%02d-%02d:%02d", from/60, from%60, to/60, to%60)}
	case 1: // weekday
		c := rules.Condition{Field: rules.FieldWeekday, Zone: rapid.SampledFrom(zones).Draw(t, "zone")}
		c.Op = rapid.SampledFrom([]rules.Op{rules.OpEquals, rules.OpNotEquals, rules.OpIn}).Draw(t, "op")
		if c.Op == rules.OpIn {
			c.Values = rapid.SliceOfNDistinct(rapid.SampledFrom(days), 1, 4, rapid.ID[string]).Draw(t, "days")
		} else {
			c.Value = rapid.SampledFrom(days).Draw(t, "day")
		}
		return c
	}
	c := rules.Condition{Field: rapid.SampledFrom(textFields).Draw(t, "field"), Op: rapid.SampledFrom(textOps).Draw(t, "op")}
	switch c.Op {
	case rules.OpIn:
		c.Values = genValues.Draw(t, "values")
	case rules.OpMatches:
		c.Value = rapid.SampledFrom(regexps).Draw(t, "regexp")
	case rules.OpExists:
	default:
		c.Value = genValue.Draw(t, "value")
	}
	c.IgnoreCase = c.Op != rules.OpExists && rapid.Bool().Draw(t, "ignore case")
	return c
})

// genCondition draws a valid condition at most depth deep.
func genCondition(depth int) *rapid.Generator[rules.Condition] {
	return rapid.Custom(func(t *rapid.T) rules.Condition {
		if depth <= 1 || rapid.IntRange(0, 2).Draw(t, "composite") > 0 {
			return genLeaf.Draw(t, "leaf")
		}
		kids := rapid.SliceOfN(genCondition(depth-1), 1, 3)
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			return rules.Condition{All: kids.Draw(t, "all")}
		case 1:
			return rules.Condition{Any: kids.Draw(t, "any")}
		}
		n := genCondition(depth-1).Draw(t, "not")
		return rules.Condition{Not: &n}
	})
}

// genSkill draws a skill string of the test catalog.
var genSkill = rapid.Custom(func(t *rapid.T) string {
	name := rapid.SampledFrom(testCatalog.skills).Draw(t, "skill")
	switch l := rapid.IntRange(0, 5).Draw(t, "level"); l {
	case 0:
		return name
	default:
		return fmt.Sprintf("%s:%d", name, l)
	}
})

// genActions draws valid actions: at least one.
var genActions = rapid.Custom(func(t *rapid.T) rules.Actions {
	for {
		var a rules.Actions
		if rapid.IntRange(0, 2).Draw(t, "group?") == 0 {
			a.Group = rapid.SampledFrom(groups).Draw(t, "group")
		}
		if rapid.IntRange(0, 2).Draw(t, "priority?") == 0 {
			p := rapid.SampledFrom([]int{rules.MinPriority, -5, 0, 1, 10, rules.MaxPriority}).Draw(t, "priority")
			a.Priority = &p
		}
		if rapid.IntRange(0, 3).Draw(t, "skills?") == 0 {
			a.Skills = rapid.SliceOfNDistinct(genSkill, 1, 3, policy.SkillName).Draw(t, "skills")
		}
		if rapid.IntRange(0, 3).Draw(t, "prefer?") == 0 {
			p := rules.Prefer{Wait: rapid.SampledFrom([]time.Duration{0, 30 * time.Second, 2 * time.Minute, rules.MaxWait}).Draw(t, "wait")}
			if rapid.Bool().Draw(t, "previous") {
				p.Previous = true
			} else {
				p.Operator = rapid.SampledFrom([]string{"anna", "boris"}).Draw(t, "operator")
			}
			a.Prefer = &p
		}
		if rapid.IntRange(0, 2).Draw(t, "tags?") == 0 {
			a.Tags = rapid.SliceOfNDistinct(genValue, 1, 3, rapid.ID[string]).Draw(t, "tags")
		}
		if rapid.IntRange(0, 3).Draw(t, "attributes?") == 0 {
			a.Attributes = rapid.MapOfN(rapid.SampledFrom(attrKeys), genText(2), 1, 3).Draw(t, "attributes")
		}
		a.OffHours = rapid.IntRange(0, 5).Draw(t, "off hours?") == 0
		if a.Group != "" || a.Priority != nil || a.Skills != nil || a.Prefer != nil || a.Tags != nil || a.Attributes != nil || a.OffHours {
			return a
		}
	}
})

// genOn draws a rule's triggers, in any order, or none.
var genOn = rapid.SliceOfDistinct(rapid.SampledFrom([]rules.Trigger{rules.OnEnqueue, rules.OnReopen, rules.OnTransfer}), rapid.ID[rules.Trigger])

// genRules draws a valid rule set of up to n rules.
func genRules(n int) *rapid.Generator[[]rules.Rule] {
	return rapid.Custom(func(t *rapid.T) []rules.Rule {
		k := rapid.IntRange(0, n).Draw(t, "rules")
		rs := make([]rules.Rule, k)
		for i := range rs {
			r := rules.Rule{
				Name:    fmt.Sprintf("rule %d", i),
				Enabled: rapid.IntRange(0, 5).Draw(t, "disabled?") > 0,
				On:      genOn.Draw(t, "on"),
				Then:    genActions.Draw(t, "then"),
				Stop:    rapid.IntRange(0, 7).Draw(t, "stop?") == 0,
			}
			if rapid.IntRange(0, 5).Draw(t, "always?") > 0 {
				c := genCondition(4).Draw(t, "when")
				r.When = &c
			}
			rs[i] = r
		}
		return rs
	})
}

// genInput draws a conversation.
var genInput = rapid.Custom(func(t *rapid.T) rules.Input {
	in := rules.Input{
		Channel:    rapid.SampledFrom([]string{"", "telegram", "Telegram", "web"}).Draw(t, "channel"),
		Group:      rapid.SampledFrom([]string{"", "sales", "support"}).Draw(t, "group"),
		CustomerID: genText(2).Draw(t, "customer"),
		Priority:   rapid.IntRange(-2, 2).Draw(t, "priority"),
		Skills:     rapid.SliceOfN(rapid.SampledFrom([]string{"de", "de:3", "en:2", "fr", "de:5", "x:y", "en:1"}), 0, 3).Draw(t, "skills"),
		Tags:       rapid.SliceOfN(genText(2), 0, 3).Draw(t, "tags"),
		// From 2020 to 2030, any second.
		Now: time.Unix(rapid.Int64Range(1577836800, 1893456000).Draw(t, "now"), 0),
	}
	if rapid.IntRange(0, 4).Draw(t, "attributes?") > 0 {
		in.Attributes = rapid.MapOfN(rapid.SampledFrom(attrKeys), genText(3), 0, 4).Draw(t, "attributes")
	}
	if len(in.Skills) == 0 && rapid.Bool().Draw(t, "nil skills") {
		in.Skills = nil
	}
	return in
})

// genTrigger draws a trigger, now and then one that is none.
var genTrigger = rapid.SampledFrom([]rules.Trigger{rules.OnEnqueue, rules.OnEnqueue, rules.OnReopen, rules.OnTransfer, "bogus"})

// copyInput returns a deep copy of in.
func copyInput(in rules.Input) rules.Input {
	c := in
	c.Skills = slices.Clone(in.Skills)
	c.Tags = slices.Clone(in.Tags)
	c.Attributes = maps.Clone(in.Attributes)
	return c
}

// D1: a Set evaluates as the reference evaluator does, on random valid rule
// sets and conversations, and leaves the input as it was.
func TestD1_EvaluateAgreesWithReference(t *testing.T) {
	var evaluated, matched, withMatch, runs int
	rapid.Check(t, func(t *rapid.T) {
		rs := genRules(8).Draw(t, "rules")
		set, err := rules.New(rs, testCatalog)
		require.NoError(t, err)
		for range rapid.IntRange(1, 3).Draw(t, "inputs") {
			in := genInput.Draw(t, "input")
			trigger := genTrigger.Draw(t, "trigger")
			before := copyInput(in)
			got := set.Evaluate(trigger, in)
			require.Equal(t, before, in, "Evaluate changed its input")
			want := refEvaluate(rs, trigger, copyInput(in))
			require.Equal(t, want, got)
			runs++
			evaluated += len(rs)
			matched += len(got.Matched)
			if len(got.Matched) > 0 {
				withMatch++
			}
		}
	})
	t.Logf("%d evaluations of %d rules: %d matched, %d evaluations with a match", runs, evaluated, matched, withMatch)
	require.Greater(t, matched, 0, "no rule ever matched")
	require.Greater(t, evaluated-matched, 0, "every rule matched")
	require.Greater(t, withMatch*5, runs, "fewer than a fifth of evaluations matched a rule")
	require.Greater(t, runs-withMatch, 0, "every evaluation matched a rule")
}
