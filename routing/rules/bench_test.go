package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing/rules"
)

// mixedRules returns 100 rules of mixed conditions: text operators, "in"
// lists of five, regexps, time windows, weekdays, nested all, any and not,
// attribute lookups. On benchInput, the rules at 10, 50 and 90 match when
// matching is set, and none does otherwise.
func mixedRules(matching bool) []rules.Rule {
	rs := make([]rules.Rule, 100)
	for i := range rs {
		var c rules.Condition
		switch i % 10 {
		case 0:
			c = rules.Condition{Field: rules.FieldURL, Op: rules.OpContains, Value: fmt.Sprintf("/page%d", i)}
		case 1:
			c = rules.Condition{Field: rules.FieldCompany, Op: rules.OpEquals, Value: fmt.Sprintf("Company %d", i), IgnoreCase: true}
		case 2:
			c = rules.Condition{Field: rules.FieldLanguage, Op: rules.OpIn, Values: []string{
				fmt.Sprint("fr-", i), fmt.Sprint("it-", i), fmt.Sprint("es-", i), fmt.Sprint("pt-", i), fmt.Sprint("nl-", i)}}
		case 3:
			c = rules.Condition{Field: rules.FieldURL, Op: rules.OpMatches, Value: fmt.Sprintf(`^https://shop%d\.example\.com/`, i)}
		case 4:
			c = rules.Condition{All: []rules.Condition{
				{Field: rules.FieldTime, Op: rules.OpBetween, Value: "09:00-17:00", Zone: "Europe/Berlin"},
				{Field: rules.FieldChannel, Op: rules.OpEquals, Value: fmt.Sprint("channel", i)},
			}}
		case 5:
			c = rules.Condition{Field: rules.FieldWeekday, Op: rules.OpIn, Values: []string{"sat", "sun"}, Zone: "Europe/Berlin"}
		case 6:
			c = rules.Condition{Any: []rules.Condition{
				{Field: rules.FieldTag, Op: rules.OpEquals, Value: fmt.Sprint("tag", i)},
				{Field: "attr.plan", Op: rules.OpStartsWith, Value: fmt.Sprint("plan", i), IgnoreCase: true},
			}}
		case 7:
			c = rules.Condition{Not: &rules.Condition{Field: rules.FieldCustomer, Op: rules.OpExists}}
		case 8:
			c = rules.Condition{All: []rules.Condition{
				{Any: []rules.Condition{
					{Field: rules.FieldSite, Op: rules.OpEndsWith, Value: fmt.Sprint(".site", i)},
					{Field: rules.FieldSite, Op: rules.OpContains, Value: fmt.Sprint("Site", i), IgnoreCase: true},
				}},
				{Not: &rules.Condition{Field: rules.FieldGroup, Op: rules.OpEquals, Value: "sales"}},
			}}
		case 9:
			c = rules.Condition{Field: "attr.source", Op: rules.OpNotEquals, Value: "campaign"}
		}
		p := i
		rs[i] = rules.Rule{Name: fmt.Sprint("rule ", i), Enabled: true, When: &c, Then: rules.Actions{Priority: &p}}
	}
	text := map[bool]string{true: "", false: "no "}[matching]
	rs[10] = rules.Rule{Name: "shop", Enabled: true,
		When: &rules.Condition{Field: rules.FieldURL, Op: rules.OpContains, Value: "/" + text + "shop"},
		Then: rules.Actions{Group: "sales"}}
	rs[50] = rules.Rule{Name: "red company", Enabled: true,
		When: &rules.Condition{Field: rules.FieldCompany, Op: rules.OpEquals, Value: text + "red company", IgnoreCase: true},
		Then: rules.Actions{Priority: new(10), Tags: []string{"urgent"}}}
	rs[90] = rules.Rule{Name: "vip", Enabled: true,
		When: &rules.Condition{All: []rules.Condition{
			{Field: rules.FieldTag, Op: rules.OpEquals, Value: text + "vip"},
			{Field: rules.FieldGroup, Op: rules.OpEquals, Value: "sales"},
		}},
		Then: rules.Actions{Prefer: &rules.Prefer{Operator: "anna", Wait: 30 * time.Second}}}
	return rs
}

// benchInput is the conversation of the benchmarks: a Wednesday at noon
// in Berlin.
var benchInput = rules.Input{
	Channel:    "web",
	Group:      "support",
	CustomerID: "customer-42",
	Tags:       []string{"new", "vip"},
	Attributes: map[string]string{
		rules.AttrURL:      "https://example.com/shop/cart?item=3",
		rules.AttrCompany:  "Red Company",
		rules.AttrLanguage: "de-AT",
		rules.AttrSite:     "example.com",
		"plan":             "gold",
		"source":           "campaign",
	},
	Now: time.Date(2025, 3, 5, 11, 0, 0, 0, time.UTC),
}

func benchSet(b testing.TB, matching bool) *rules.Set {
	set, err := rules.New(mixedRules(matching), testCatalog)
	require.NoError(b, err)
	return set
}

// 100 mixed rules, of which three match.
func BenchmarkEvaluate100Rules(b *testing.B) {
	set := benchSet(b, true)
	r := set.Evaluate(rules.OnEnqueue, benchInput)
	require.Equal(b, []string{"shop", "red company", "vip"}, matched(r))
	b.ReportAllocs()
	for b.Loop() {
		set.Evaluate(rules.OnEnqueue, benchInput)
	}
}

// 100 mixed rules, of which none matches.
func BenchmarkEvaluate100RulesNoMatch(b *testing.B) {
	set := benchSet(b, false)
	require.Empty(b, set.Evaluate(rules.OnEnqueue, benchInput).Matched)
	b.ReportAllocs()
	for b.Loop() {
		set.Evaluate(rules.OnEnqueue, benchInput)
	}
}

// Evaluate allocates a handful of times when rules match, and not at all
// when none does, however many rules there are.
//
// Under the race detector the regexp package allocates a few times per
// evaluation (sync.Pool drops its machines), whatever the number of
// regexps: the bound gets that slack, and still fails for an allocation
// per condition (the set has well over 100).
func TestEvaluateAllocations(t *testing.T) {
	for _, tc := range []struct {
		matching bool
		max      float64
	}{{true, 4}, {false, 0}} {
		set, err := rules.New(mixedRules(tc.matching), testCatalog)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(100, func() { set.Evaluate(rules.OnEnqueue, benchInput) })
		require.LessOrEqual(t, allocs, tc.max+raceSlack, "matching %v", tc.matching)
	}
}
