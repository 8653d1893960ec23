package rules

import (
	"maps"
	"slices"
)

// copyRule returns a deep copy of r.
func copyRule(r *Rule) Rule {
	c := *r
	c.On = slices.Clone(r.On)
	if r.When != nil {
		w := copyCondition(r.When)
		c.When = &w
	}
	c.Then = copyActions(&r.Then)
	return c
}

// copyCondition returns a deep copy of c.
func copyCondition(c *Condition) Condition {
	d := *c
	d.All = copyConditions(c.All)
	d.Any = copyConditions(c.Any)
	if c.Not != nil {
		n := copyCondition(c.Not)
		d.Not = &n
	}
	d.Values = slices.Clone(c.Values)
	return d
}

// copyConditions returns a deep copy of cs, nil for nil.
func copyConditions(cs []Condition) []Condition {
	if cs == nil {
		return nil
	}
	out := make([]Condition, len(cs))
	for i := range cs {
		out[i] = copyCondition(&cs[i])
	}
	return out
}

// copyActions returns a deep copy of a.
func copyActions(a *Actions) Actions {
	c := *a
	if a.Priority != nil {
		p := *a.Priority
		c.Priority = &p
	}
	c.Skills = slices.Clone(a.Skills)
	if a.Prefer != nil {
		p := *a.Prefer
		c.Prefer = &p
	}
	c.Tags = slices.Clone(a.Tags)
	c.Attributes = maps.Clone(a.Attributes)
	return c
}
