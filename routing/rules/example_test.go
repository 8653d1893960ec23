package rules_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/routing/rules"
)

// groupsAndSkills is the Catalog of the example: what the Router knows.
type groupsAndSkills struct{ groups, skills []string }

func (c groupsAndSkills) HasGroup(id string) bool   { return slices.Contains(c.groups, id) }
func (c groupsAndSkills) HasSkill(name string) bool { return slices.Contains(c.skills, name) }

// Decode a rule set and run it on two new conversations: a web chat from a
// shop page by a customer of Red Company, and a German Telegram chat from
// a VIP at night.
func ExampleDecode() {
	doc := []byte(`{
	  "rules": [
	    {"name": "shop pages go to sales",
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
	    {"name": "night shift",
	     "when": {"field": "time", "op": "between", "value": "22:00-06:00", "zone": "Europe/Berlin"},
	     "then": {"group": "night", "priority": -1}}
	  ]
	}`)
	set, err := rules.Decode(doc, groupsAndSkills{groups: []string{"sales", "support", "night"}, skills: []string{"de", "en"}})
	if err != nil {
		fmt.Println(err)
		return
	}

	show := func(r rules.Result) {
		fmt.Printf("group %s, priority %d, skills %v, tags %v", r.Group, r.Priority, r.Skills, r.Tags)
		if r.Prefer != nil {
			fmt.Printf(", prefer %s for %v", r.Prefer.Operator, r.Prefer.Wait)
		}
		fmt.Println()
		for _, m := range r.Matched {
			fmt.Printf("  %s: %v\n", m.Rule, m.Changes)
		}
	}
	show(set.Evaluate(rules.OnEnqueue, rules.Input{
		Channel: "web",
		Group:   "support",
		Attributes: map[string]string{
			rules.AttrURL:     "https://example.com/shop/cart",
			rules.AttrCompany: "Red Company",
		},
		Now: time.Date(2025, 3, 5, 11, 0, 0, 0, time.UTC),
	}))
	show(set.Evaluate(rules.OnEnqueue, rules.Input{
		Channel:    "telegram",
		Group:      "support",
		Skills:     []string{"en"},
		Attributes: map[string]string{rules.AttrLanguage: "de-AT", "vip": "yes"},
		Now:        time.Date(2025, 3, 5, 22, 15, 0, 0, time.UTC), // 23:15 in Berlin
	}))

	// A rule that does not check out is refused, naming the bad field.
	_, err = rules.Decode([]byte(`{"rules": [{"name": "typo", "when": {"field": "url", "op": "contians", "value": "/shop"}, "then": {"group": "sales"}}]}`), nil)
	fmt.Println(err)
	// Output:
	// group sales, priority 10, skills [], tags [urgent]
	//   shop pages go to sales: [group=sales]
	//   red company is urgent: [priority=10 tags+=urgent]
	// group night, priority -1, skills [en de:3], tags [], prefer anna for 30s
	//   german telegram: [skills+=de:3]
	//   vip to manager: [prefer=anna wait=30s]
	//   night shift: [group=night priority=-1]
	// rules[0].when.op: unknown operator "contians"
}
