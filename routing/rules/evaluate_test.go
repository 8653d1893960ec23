package rules_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing/rules"
)

// docExample is the rule set of the package documentation.
const docExample = `{
  "rules": [
    {"name": "shop pages go to sales", "enabled": true,
     "when": {"field": "url", "op": "contains", "value": "/shop"},
     "then": {"group": "sales"}},
    {"name": "red company is urgent",
     "when": {"field": "company", "op": "equals", "value": "red company", "ignore_case": true},
     "then": {"priority": 10, "tags": ["urgent"]}, "stop": true},
    {"name": "german telegram",
     "when": {"all": [{"field": "channel", "op": "equals", "value": "telegram"},
                      {"field": "language", "op": "in", "values": ["de", "de-AT", "de-CH"]}]},
     "then": {"skills": ["de:3"]}},
    {"name": "vip to manager", "on": ["enqueue", "reopen", "transfer"],
     "when": {"field": "attr.vip", "op": "exists"},
     "then": {"prefer": {"operator": "anna", "wait": "30s"}}},
    {"name": "night shift", "on": ["enqueue"],
     "when": {"all": [{"field": "time", "op": "between", "value": "22:00-06:00", "zone": "Europe/Berlin"},
                      {"not": {"field": "tag", "op": "equals", "value": "urgent"}}]},
     "then": {"group": "night", "attributes": {"shift": "night"}}},
    {"name": "weekend", "enabled": false,
     "when": {"field": "weekday", "op": "in", "values": ["sat", "sun"], "zone": "Europe/Berlin"},
     "then": {"off_hours": true}}
  ]
}`

// noon is a weekday at noon in Berlin, outside the night shift.
var noon = time.Date(2025, 3, 5, 11, 0, 0, 0, time.UTC) // Wednesday, 12:00 CET

// decodeExample decodes docExample.
func decodeExample(t *testing.T) *rules.Set {
	t.Helper()
	set, err := rules.Decode([]byte(docExample), testCatalog)
	require.NoError(t, err)
	return set
}

// matched returns the names of the rules that matched.
func matched(r rules.Result) []string {
	var names []string
	for _, m := range r.Matched {
		names = append(names, m.Rule)
	}
	return names
}

// D2: customers of a given company become urgent.
func TestD2_CompanyBecomesUrgent(t *testing.T) {
	set := decodeExample(t)
	r := set.Evaluate(rules.OnEnqueue, rules.Input{
		Channel:    "web",
		Group:      "support",
		Attributes: map[string]string{rules.AttrCompany: "Red Company"},
		Now:        noon,
	})
	require.Equal(t, 10, r.Priority)
	require.Equal(t, []string{"urgent"}, r.Tags)
	require.Equal(t, "support", r.Group)
	require.Equal(t, []rules.Match{{Rule: "red company is urgent", Changes: []string{"priority=10", "tags+=urgent"}}}, r.Matched)

	// Another company stays as it was.
	r = set.Evaluate(rules.OnEnqueue, rules.Input{Priority: 1, Attributes: map[string]string{rules.AttrCompany: "Blue company"}, Now: noon})
	require.Equal(t, 1, r.Priority)
	require.Empty(t, r.Matched)
}

// D2: web chats from pages whose URL contains a text go to a department.
func TestD2_URLContainsGoesToDepartment(t *testing.T) {
	set := decodeExample(t)
	r := set.Evaluate(rules.OnEnqueue, rules.Input{
		Channel:    "web",
		Group:      "support",
		Attributes: map[string]string{rules.AttrURL: "https://example.com/shop/cart?id=3"},
		Now:        noon,
	})
	require.Equal(t, "sales", r.Group)
	require.Equal(t, []string{"shop pages go to sales"}, matched(r))

	// The case matters without ignore_case.
	r = set.Evaluate(rules.OnEnqueue, rules.Input{Group: "support", Attributes: map[string]string{rules.AttrURL: "https://example.com/SHOP"}, Now: noon})
	require.Equal(t, "support", r.Group)
}

// D1: a German Telegram chat requires German at level 3; a VIP is offered
// to the manager first.
func TestD1_SkillsAndPrefer(t *testing.T) {
	set := decodeExample(t)
	r := set.Evaluate(rules.OnEnqueue, rules.Input{
		Channel:    "telegram",
		Skills:     []string{"en:2"},
		Attributes: map[string]string{rules.AttrLanguage: "de-AT", "vip": "yes"},
		Now:        noon,
	})
	require.Equal(t, []string{"en:2", "de:3"}, r.Skills)
	require.Equal(t, &rules.Prefer{Operator: "anna", Wait: 30 * time.Second}, r.Prefer)
	require.Equal(t, []rules.Match{
		{Rule: "german telegram", Changes: []string{"skills+=de:3"}},
		{Rule: "vip to manager", Changes: []string{"prefer=anna wait=30s"}},
	}, r.Matched)

	// Telegram in French: no skill.
	r = set.Evaluate(rules.OnEnqueue, rules.Input{Channel: "telegram", Attributes: map[string]string{rules.AttrLanguage: "fr"}, Now: noon})
	require.Nil(t, r.Skills)
	require.Nil(t, r.Prefer)
}

// D1: a rule with stop ends the evaluation when it matches.
func TestD1_StopEndsEvaluation(t *testing.T) {
	set := decodeExample(t)
	in := rules.Input{
		Channel:    "telegram",
		Attributes: map[string]string{rules.AttrCompany: "RED COMPANY", rules.AttrURL: "/shop", rules.AttrLanguage: "de", "vip": "1"},
		Now:        noon,
	}
	r := set.Evaluate(rules.OnEnqueue, in)
	require.Equal(t, []string{"shop pages go to sales", "red company is urgent"}, matched(r))
	require.Nil(t, r.Skills)
	require.Nil(t, r.Prefer)
}

// D1: a disabled rule is kept but never matches.
func TestD1_DisabledRuleNeverMatches(t *testing.T) {
	set := decodeExample(t)
	saturday := time.Date(2025, 3, 8, 11, 0, 0, 0, time.UTC)
	r := set.Evaluate(rules.OnEnqueue, rules.Input{Now: saturday})
	require.False(t, r.OffHours)
	require.Empty(t, r.Matched)
	require.False(t, set.Rules()[5].Enabled)

	// Enabled, the same rule queues the conversation off-hours.
	rs := set.Rules()
	rs[5].Enabled = true
	enabled, err := rules.New(rs, testCatalog)
	require.NoError(t, err)
	r = enabled.Evaluate(rules.OnEnqueue, rules.Input{Now: saturday})
	require.True(t, r.OffHours)
	require.Equal(t, []rules.Match{{Rule: "weekend", Changes: []string{"off-hours"}}}, r.Matched)
}

// D1: rules run on the triggers they list, by default on enqueue and
// reopen.
func TestD1_Triggers(t *testing.T) {
	set := decodeExample(t)
	in := rules.Input{Attributes: map[string]string{rules.AttrURL: "/shop", "vip": "1"}, Now: time.Date(2025, 3, 5, 23, 0, 0, 0, time.UTC)}
	require.Equal(t, []string{"shop pages go to sales", "vip to manager", "night shift"}, matched(set.Evaluate(rules.OnEnqueue, in)))
	require.Equal(t, []string{"shop pages go to sales", "vip to manager"}, matched(set.Evaluate(rules.OnReopen, in)))
	require.Equal(t, []string{"vip to manager"}, matched(set.Evaluate(rules.OnTransfer, in)))
	require.Empty(t, matched(set.Evaluate("close", in)))
}

// D1: a rule sees the conversation as the rules that matched before it
// changed it: the group, the tags and the attributes.
func TestD1_LaterRuleSeesEarlierChanges(t *testing.T) {
	set, err := rules.Decode([]byte(`{"rules":[
		{"name":"shop","when":{"field":"url","op":"starts_with","value":"/shop"},"then":{"group":"sales","tags":["buyer"],"attributes":{"plan":"gold"}}},
		{"name":"sales are urgent","when":{"field":"group","op":"equals","value":"sales"},"then":{"priority":5}},
		{"name":"buyers","when":{"field":"tag","op":"equals","value":"buyer"},"then":{"tags":["seen"]}},
		{"name":"gold","when":{"field":"attr.plan","op":"equals","value":"gold"},"then":{"group":"billing","attributes":{"plan":"platinum"}}},
		{"name":"still sales","when":{"field":"group","op":"equals","value":"sales"},"then":{"priority":99}},
		{"name":"platinum","when":{"field":"attr.plan","op":"equals","value":"platinum"},"then":{"off_hours":true}}
	]}`), testCatalog)
	require.NoError(t, err)
	in := rules.Input{Group: "support", Tags: []string{"new"}, Attributes: map[string]string{rules.AttrURL: "/shop/1", "plan": "free"}}
	r := set.Evaluate(rules.OnEnqueue, in)
	require.Equal(t, []string{"shop", "sales are urgent", "buyers", "gold", "platinum"}, matched(r))
	require.Equal(t, "billing", r.Group)
	require.Equal(t, 5, r.Priority)
	require.Equal(t, []string{"new", "buyer", "seen"}, r.Tags)
	require.Equal(t, map[string]string{rules.AttrURL: "/shop/1", "plan": "platinum"}, r.Attributes)
	require.True(t, r.OffHours)
	require.Equal(t, map[string]string{rules.AttrURL: "/shop/1", "plan": "free"}, in.Attributes)
	require.Equal(t, []string{"new"}, in.Tags)
}

// Skills merge by name, the highest level asked for winning, in the order
// the names first appear.
func TestD1_SkillsMergeKeepsHighestLevel(t *testing.T) {
	set, err := rules.New([]rules.Rule{
		{Name: "a", Enabled: true, Then: rules.Actions{Skills: []string{"de:4", "fr:1"}}},
		{Name: "b", Enabled: true, Then: rules.Actions{Skills: []string{"de:3", "en:5"}}},
	}, testCatalog)
	require.NoError(t, err)
	r := set.Evaluate(rules.OnEnqueue, rules.Input{Skills: []string{"en:2", "de:2", "en:3"}})
	require.Equal(t, []string{"en:5", "de:4", "fr"}, r.Skills)
	require.Equal(t, []rules.Match{
		{Rule: "a", Changes: []string{"skills+=de:4", "skills+=fr"}},
		{Rule: "b", Changes: []string{"skills+=de:3", "skills+=en:5"}},
	}, r.Matched)
}

// Evaluate changes none of the input's slices or maps, and hands back the
// input's own when no rule changes them.
func TestEvaluateLeavesTheInputAlone(t *testing.T) {
	set, err := rules.New([]rules.Rule{
		{Name: "tag", Enabled: true, When: &rules.Condition{Field: rules.FieldChannel, Op: rules.OpEquals, Value: "web"},
			Then: rules.Actions{Tags: []string{"web", "b"}, Skills: []string{"de:2"}, Attributes: map[string]string{"a": "2"}}},
		{Name: "group", Enabled: true, Then: rules.Actions{Group: "sales"}},
	}, testCatalog)
	require.NoError(t, err)
	skills := make([]string, 2, 8)
	copy(skills, []string{"de", "en"})
	tags := make([]string, 2, 8)
	copy(tags, []string{"a", "a"})
	in := rules.Input{Channel: "web", Skills: skills, Tags: tags, Attributes: map[string]string{"a": "1"}}
	before := copyInput(in)

	r := set.Evaluate(rules.OnEnqueue, in)
	require.Equal(t, before, in)
	require.Equal(t, []string{"de", "en"}, skills[:2])
	require.Equal(t, []string{"a", "a"}, tags[:2])
	require.Equal(t, []string{"de:2", "en"}, r.Skills)
	require.Equal(t, []string{"a", "web", "b"}, r.Tags)
	require.Equal(t, map[string]string{"a": "2"}, r.Attributes)

	// Nothing added: the input's own slices and map.
	in.Channel = "telegram"
	r = set.Evaluate(rules.OnEnqueue, in)
	require.Equal(t, "sales", r.Group)
	require.Equal(t, reflect.ValueOf(in.Attributes).Pointer(), reflect.ValueOf(r.Attributes).Pointer())
	require.Equal(t, &in.Tags[0], &r.Tags[0])
	require.Equal(t, &in.Skills[0], &r.Skills[0])
}

// The Result's Prefer is the Result's own: changing it changes no later
// Result.
func TestEvaluatePreferIsACopy(t *testing.T) {
	set := decodeExample(t)
	in := rules.Input{Attributes: map[string]string{"vip": "1"}, Now: noon}
	r := set.Evaluate(rules.OnEnqueue, in)
	r.Prefer.Operator = "mallory"
	require.Equal(t, "anna", set.Evaluate(rules.OnEnqueue, in).Prefer.Operator)
}

// The time of day is read in the condition's zone, across a change to
// summer time: the window wraps past midnight and excludes its end.
func TestD1_TimeBetweenWrapsMidnightInZone(t *testing.T) {
	set, err := rules.New([]rules.Rule{{
		Name: "night", Enabled: true,
		When: &rules.Condition{Field: rules.FieldTime, Op: rules.OpBetween, Value: "22:00-06:00", Zone: "Europe/Berlin"},
		Then: rules.Actions{Group: "night"},
	}}, testCatalog)
	require.NoError(t, err)
	// Berlin moves from CET (UTC+1) to CEST (UTC+2) at 02:00 on 30 March
	// 2025.
	for _, tc := range []struct {
		utc   string
		night bool
	}{
		{"2025-03-29T20:59:00Z", false}, // 21:59 CET
		{"2025-03-29T21:00:00Z", true},  // 22:00 CET
		{"2025-03-29T23:30:00Z", true},  // 00:30 CET, past midnight
		{"2025-03-30T00:59:00Z", true},  // 01:59 CET, just before the change
		{"2025-03-30T01:00:00Z", true},  // 03:00 CEST, just after it
		{"2025-03-30T03:59:00Z", true},  // 05:59 CEST
		{"2025-03-30T04:00:00Z", false}, // 06:00 CEST: the end is excluded
		{"2025-03-30T04:30:00Z", false}, // 06:30 CEST, though 04:30 in UTC is night
		{"2025-07-01T19:59:00Z", false}, // 21:59 CEST
		{"2025-07-01T20:00:00Z", true},  // 22:00 CEST
	} {
		now, err := time.Parse(time.RFC3339, tc.utc)
		require.NoError(t, err)
		r := set.Evaluate(rules.OnEnqueue, rules.Input{Group: "day", Now: now})
		require.Equal(t, tc.night, r.Group == "night", tc.utc)
	}
}

// The weekday is read in the condition's zone: near midnight it is not
// UTC's.
func TestD1_WeekdayInZoneDiffersFromUTC(t *testing.T) {
	weekend := func(zone string) *rules.Set {
		set, err := rules.New([]rules.Rule{{
			Name: "weekend", Enabled: true,
			When: &rules.Condition{Field: rules.FieldWeekday, Op: rules.OpIn, Values: []string{"sat", "sun"}, Zone: zone},
			Then: rules.Actions{OffHours: true},
		}}, testCatalog)
		require.NoError(t, err)
		return set
	}
	berlin, utc, newYork := weekend("Europe/Berlin"), weekend("UTC"), weekend("America/New_York")

	// Friday 23:30 UTC is Saturday 00:30 in Berlin and Friday 18:30 in New
	// York.
	fri := time.Date(2025, 3, 7, 23, 30, 0, 0, time.UTC)
	require.True(t, berlin.Evaluate(rules.OnEnqueue, rules.Input{Now: fri}).OffHours)
	require.False(t, utc.Evaluate(rules.OnEnqueue, rules.Input{Now: fri}).OffHours)
	require.False(t, newYork.Evaluate(rules.OnEnqueue, rules.Input{Now: fri}).OffHours)

	// Monday 02:00 UTC is still Sunday in New York.
	mon := time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)
	require.True(t, newYork.Evaluate(rules.OnEnqueue, rules.Input{Now: mon}).OffHours)
	require.False(t, berlin.Evaluate(rules.OnEnqueue, rules.Input{Now: mon}).OffHours)

	// The zone of Input.Now itself plays no part.
	require.True(t, berlin.Evaluate(rules.OnEnqueue, rules.Input{Now: fri.In(time.FixedZone("far west", -12*3600))}).OffHours)
}

// Missing fields read as "": not_equals holds on them, equals and
// contains do not; a tag leaf holds when some tag satisfies it, and
// not_equals when no tag equals the value.
func TestMissingFieldsAndTags(t *testing.T) {
	holds := func(c rules.Condition, in rules.Input) bool {
		t.Helper()
		set, err := rules.New([]rules.Rule{{Name: "r", Enabled: true, When: &c, Then: rules.Actions{OffHours: true}}}, testCatalog)
		require.NoError(t, err)
		return set.Evaluate(rules.OnEnqueue, in).OffHours
	}
	none := rules.Input{}
	require.True(t, holds(rules.Condition{Field: rules.FieldCompany, Op: rules.OpNotEquals, Value: "x"}, none))
	require.False(t, holds(rules.Condition{Field: rules.FieldCompany, Op: rules.OpEquals, Value: "x"}, none))
	require.False(t, holds(rules.Condition{Field: rules.FieldCompany, Op: rules.OpExists}, none))
	require.True(t, holds(rules.Condition{Not: &rules.Condition{Field: "attr.plan", Op: rules.OpExists}}, none))
	require.True(t, holds(rules.Condition{Field: "attr.plan", Op: rules.OpMatches, Value: "^$"}, none))

	require.False(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpExists}, none))
	require.True(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpNotEquals, Value: "vip"}, none))
	require.False(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpMatches, Value: "^$"}, none))

	tagged := rules.Input{Tags: []string{"new", "vip"}}
	require.True(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpExists}, tagged))
	require.True(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpEquals, Value: "vip"}, tagged))
	require.False(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpNotEquals, Value: "vip"}, tagged))
	require.True(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpNotEquals, Value: "old"}, tagged))
	require.True(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpIn, Values: []string{"x", "new"}}, tagged))
	require.True(t, holds(rules.Condition{Field: rules.FieldTag, Op: rules.OpStartsWith, Value: "VI", IgnoreCase: true}, tagged))
}

// ignore_case folds case rune by rune, as strings.EqualFold does.
func TestIgnoreCaseFoldsUnicode(t *testing.T) {
	holds := func(op rules.Op, value, company string) bool {
		t.Helper()
		c := rules.Condition{Field: rules.FieldCompany, Op: op, Value: value, IgnoreCase: true}
		if op == rules.OpIn {
			c.Value, c.Values = "", []string{"x", value}
		}
		set, err := rules.New([]rules.Rule{{Name: "r", Enabled: true, When: &c, Then: rules.Actions{OffHours: true}}}, testCatalog)
		require.NoError(t, err)
		return set.Evaluate(rules.OnEnqueue, rules.Input{Attributes: map[string]string{rules.AttrCompany: company}}).OffHours
	}
	require.True(t, holds(rules.OpEquals, "kelvin", "\u212aELVIN")) // the Kelvin sign folds to k
	require.True(t, holds(rules.OpContains, "ÉCOLE", "grande école"))
	require.True(t, holds(rules.OpStartsWith, "straße", "STRAẞE 5"))
	require.True(t, holds(rules.OpEndsWith, "k", "Bac\u212a"))
	require.True(t, holds(rules.OpEndsWith, "\u212a", "back"))
	require.True(t, holds(rules.OpIn, "ACME", "acme"))
	require.True(t, holds(rules.OpMatches, "^acme$", "ACME"))
	require.True(t, holds(rules.OpNotEquals, "acme", "acme inc"))
	require.False(t, holds(rules.OpContains, "ss", "straße")) // simple folding: ß is not ss
	require.False(t, holds(rules.OpEndsWith, "e", "café"))
	require.False(t, holds(rules.OpStartsWith, "abc", "ab"))
}

// The nil Set matches nothing and echoes the input.
func TestNilSetEchoesInput(t *testing.T) {
	var set *rules.Set
	in := rules.Input{Channel: "web", Group: "g", Priority: 3, Skills: []string{"de"}, Tags: []string{"t"}, Attributes: map[string]string{"a": "b"}, Now: noon}
	require.Equal(t, rules.Result{Group: "g", Priority: 3, Skills: []string{"de"}, Tags: []string{"t"}, Attributes: map[string]string{"a": "b"}}, set.Evaluate(rules.OnEnqueue, in))
	empty, err := rules.New(nil, nil)
	require.NoError(t, err)
	require.Zero(t, empty.Len())
	require.Equal(t, set.Evaluate(rules.OnEnqueue, in), empty.Evaluate(rules.OnEnqueue, in))
}

// Each action is spelt in the Match's Changes, in the order actions apply.
func TestMatchSpellsEveryAction(t *testing.T) {
	p := -3
	set, err := rules.New([]rules.Rule{
		{Name: "all", Enabled: true, Then: rules.Actions{
			Group: "sales", Priority: &p, Skills: []string{"de:1", "en:4"},
			Prefer: &rules.Prefer{Operator: "anna", Wait: 2 * time.Minute},
			Tags:   []string{"vip", "new"}, Attributes: map[string]string{"z": "1", "plan": "gold"}, OffHours: true,
		}},
		{Name: "previous", Enabled: true, Then: rules.Actions{Prefer: &rules.Prefer{Previous: true}}},
		{Name: "anna", Enabled: true, Then: rules.Actions{Prefer: &rules.Prefer{Operator: "anna"}}},
	}, testCatalog)
	require.NoError(t, err)
	r := set.Evaluate(rules.OnEnqueue, rules.Input{})
	require.Equal(t, []rules.Match{
		{Rule: "all", Changes: []string{"group=sales", "priority=-3", "skills+=de", "skills+=en:4", "prefer=anna wait=2m0s", "tags+=vip", "tags+=new", "attributes.plan=gold", "attributes.z=1", "off-hours"}},
		{Rule: "previous", Changes: []string{"prefer=previous"}},
		{Rule: "anna", Changes: []string{"prefer=anna"}},
	}, r.Matched)
	require.Equal(t, &rules.Prefer{Operator: "anna"}, r.Prefer)
}

// Rules returns a deep copy: changing it changes neither the Set nor a
// later copy.
func TestRulesIsADeepCopy(t *testing.T) {
	set := decodeExample(t)
	rs := set.Rules()
	rs[0].Name = "x"
	rs[0].When.Value = "y"
	rs[1].Then.Tags[0] = "z"
	*rs[1].Then.Priority = 7
	rs[2].When.All[1].Values[0] = "w"
	rs[3].Then.Prefer.Operator = "v"
	rs[4].Then.Attributes["shift"] = "u"
	rs[3].On[0] = rules.OnTransfer
	require.Equal(t, decodeExample(t).Rules(), set.Rules())
}

// Conditions on many attribute keys, and on attributes earlier rules set,
// read the attributes as they are at each rule.
func TestManyAttributeKeys(t *testing.T) {
	var rs []rules.Rule
	in := rules.Input{Attributes: map[string]string{}}
	for i := range 20 {
		key := fmt.Sprint("k", i)
		in.Attributes[key] = "old"
		rs = append(rs,
			rules.Rule{Name: "old " + key, Enabled: true, When: &rules.Condition{Field: "attr." + key, Op: rules.OpEquals, Value: "old"},
				Then: rules.Actions{Attributes: map[string]string{key: "new"}}},
			rules.Rule{Name: "new " + key, Enabled: true, When: &rules.Condition{Field: "attr." + key, Op: rules.OpEquals, Value: "new"},
				Then: rules.Actions{Tags: []string{key}}},
		)
	}
	set, err := rules.New(rs, nil)
	require.NoError(t, err)
	r := set.Evaluate(rules.OnEnqueue, in)
	require.Len(t, r.Matched, 40)
	require.Len(t, r.Tags, 20)
	require.Equal(t, refEvaluate(rs, rules.OnEnqueue, in), r)
	for _, v := range r.Attributes {
		require.Equal(t, "new", v)
	}
	for _, v := range in.Attributes {
		require.Equal(t, "old", v)
	}
}
