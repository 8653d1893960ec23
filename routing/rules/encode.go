package rules

import "encoding/json"

// MarshalJSON encodes the set in its canonical JSON form, which Decode
// reads back into an equal set: keys in the schema's order, no white
// space, optional keys left out when they hold their default or are empty,
// "enabled" always written, "on" only when it is not the default, waits as
// time.Duration.String writes them ("2m0s"). The nil Set encodes as
// {"rules":[]} (but encoding/json writes null for a nil *Set without
// asking it).
func (s *Set) MarshalJSON() ([]byte, error) {
	doc := setJSON{Rules: []ruleJSON{}}
	if s != nil {
		for i := range s.rules {
			doc.Rules = append(doc.Rules, encodeRule(&s.rules[i]))
		}
	}
	return json.Marshal(doc)
}

// The JSON schema, in canonical key order.
type (
	setJSON struct {
		Rules []ruleJSON `json:"rules"`
	}
	ruleJSON struct {
		Name    string      `json:"name"`
		Enabled bool        `json:"enabled"`
		On      []Trigger   `json:"on,omitempty"`
		When    *condJSON   `json:"when,omitempty"`
		Then    actionsJSON `json:"then"`
		Stop    bool        `json:"stop,omitempty"`
	}
	condJSON struct {
		All        []condJSON `json:"all,omitempty"`
		Any        []condJSON `json:"any,omitempty"`
		Not        *condJSON  `json:"not,omitempty"`
		Field      string     `json:"field,omitempty"`
		Op         Op         `json:"op,omitempty"`
		Value      string     `json:"value,omitempty"`
		Values     []string   `json:"values,omitempty"`
		IgnoreCase bool       `json:"ignore_case,omitempty"`
		Zone       string     `json:"zone,omitempty"`
	}
	actionsJSON struct {
		Group      string            `json:"group,omitempty"`
		Priority   *int              `json:"priority,omitempty"`
		Skills     []string          `json:"skills,omitempty"`
		Prefer     *preferJSON       `json:"prefer,omitempty"`
		Tags       []string          `json:"tags,omitempty"`
		Attributes map[string]string `json:"attributes,omitempty"`
		OffHours   bool              `json:"off_hours,omitempty"`
	}
	preferJSON struct {
		Operator string `json:"operator,omitempty"`
		Previous bool   `json:"previous,omitempty"`
		Wait     string `json:"wait,omitempty"`
	}
)

func encodeRule(r *Rule) ruleJSON {
	j := ruleJSON{Name: r.Name, Enabled: r.Enabled, On: r.On, Then: encodeActions(&r.Then), Stop: r.Stop}
	if r.When != nil {
		c := encodeCondition(r.When)
		j.When = &c
	}
	return j
}

func encodeCondition(c *Condition) condJSON {
	j := condJSON{Field: c.Field, Op: c.Op, Value: c.Value, Values: c.Values, IgnoreCase: c.IgnoreCase, Zone: c.Zone}
	for i := range c.All {
		j.All = append(j.All, encodeCondition(&c.All[i]))
	}
	for i := range c.Any {
		j.Any = append(j.Any, encodeCondition(&c.Any[i]))
	}
	if c.Not != nil {
		n := encodeCondition(c.Not)
		j.Not = &n
	}
	return j
}

func encodeActions(a *Actions) actionsJSON {
	j := actionsJSON{Group: a.Group, Priority: a.Priority, Skills: a.Skills, Tags: a.Tags, Attributes: a.Attributes, OffHours: a.OffHours}
	if p := a.Prefer; p != nil {
		j.Prefer = &preferJSON{Operator: p.Operator, Previous: p.Previous}
		if p.Wait != 0 {
			j.Prefer.Wait = p.Wait.String()
		}
	}
	return j
}
