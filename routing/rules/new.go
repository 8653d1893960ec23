package rules

import "fmt"

// New checks rules as Decode checks a JSON rule set, with the same errors
// at the same paths, and compiles them into a Set. It keeps a deep copy:
// changing rules afterwards does not change the Set. Empty values stand
// for absent ones: a Rule with an empty Name has no name, a Condition with
// an empty Op no operator, and so on; an empty but non-nil slice or map is
// given but empty, and refused as such (except On, where empty is the
// default).
func New(rules []Rule, cat Catalog) (*Set, error) {
	if len(rules) > MaxRules {
		return nil, fault(indexPath("rules", MaxRules), fmt.Sprintf("more than %d rules", MaxRules))
	}
	b := newBuilder(cat)
	for i := range rules {
		if err := b.ruleValue(i, &rules[i]); err != nil {
			return nil, err
		}
	}
	return b.set(), nil
}

// ruleValue checks and adds rule i, a Go value.
func (b *builder) ruleValue(i int, r *Rule) error {
	rb := b.rule(i)
	if r.Name != "" {
		if err := rb.name(r.Name); err != nil {
			return err
		}
	}
	rb.enabled(r.Enabled)
	for j, t := range r.On {
		if err := rb.trigger(j, t); err != nil {
			return err
		}
	}
	if r.When != nil {
		c, k, err := b.conditionValue(keyPath(rb.path, "when"), 1, r.When)
		if err != nil {
			return err
		}
		rb.setWhen(c, k)
	}
	a, k, err := b.actionsValue(keyPath(rb.path, "then"), &r.Then)
	if err != nil {
		return err
	}
	rb.setThen(a, k)
	rb.stop(r.Stop)
	return rb.finish()
}

// conditionValue checks and compiles a condition given as a Go value.
func (b *builder) conditionValue(path string, depth int, c *Condition) (Condition, *cond, error) {
	cb, err := b.condition(path, depth)
	if err != nil {
		return Condition{}, nil, err
	}
	if c.All != nil {
		cb.allStart()
		for j := range c.All {
			kid, k, err := b.conditionValue(indexPath(keyPath(path, "all"), j), depth+1, &c.All[j])
			if err != nil {
				return Condition{}, nil, err
			}
			cb.addAll(kid, k)
		}
		if err := cb.allEnd(len(c.All)); err != nil {
			return Condition{}, nil, err
		}
	}
	if c.Any != nil {
		cb.anyStart()
		for j := range c.Any {
			kid, k, err := b.conditionValue(indexPath(keyPath(path, "any"), j), depth+1, &c.Any[j])
			if err != nil {
				return Condition{}, nil, err
			}
			cb.addAny(kid, k)
		}
		if err := cb.anyEnd(len(c.Any)); err != nil {
			return Condition{}, nil, err
		}
	}
	if c.Not != nil {
		kid, k, err := b.conditionValue(keyPath(path, "not"), depth+1, c.Not)
		if err != nil {
			return Condition{}, nil, err
		}
		cb.setNot(kid, k)
	}
	if c.Field != "" {
		if err := cb.field(c.Field); err != nil {
			return Condition{}, nil, err
		}
	}
	if c.Op != "" {
		if err := cb.op(c.Op); err != nil {
			return Condition{}, nil, err
		}
	}
	if c.Value != "" {
		if err := cb.value(c.Value); err != nil {
			return Condition{}, nil, err
		}
	}
	if c.Values != nil {
		cb.valuesStart()
		for j, v := range c.Values {
			if err := cb.addValue(j, v); err != nil {
				return Condition{}, nil, err
			}
		}
		if err := cb.valuesEnd(len(c.Values)); err != nil {
			return Condition{}, nil, err
		}
	}
	cb.ignoreCase(c.IgnoreCase)
	if c.Zone != "" {
		if err := cb.zone(c.Zone); err != nil {
			return Condition{}, nil, err
		}
	}
	return cb.finish()
}

// actionsValue checks and compiles actions given as a Go value.
func (b *builder) actionsValue(path string, a *Actions) (Actions, compiledActions, error) {
	ab := b.actions(path)
	fail := func(err error) (Actions, compiledActions, error) { return Actions{}, compiledActions{}, err }
	if a.Group != "" {
		if err := ab.group(a.Group); err != nil {
			return fail(err)
		}
	}
	if a.Priority != nil {
		if err := ab.priority(*a.Priority); err != nil {
			return fail(err)
		}
	}
	if a.Skills != nil {
		ab.skillsStart()
		for j, s := range a.Skills {
			if err := ab.addSkill(j, s); err != nil {
				return fail(err)
			}
		}
		if err := ab.skillsEnd(len(a.Skills)); err != nil {
			return fail(err)
		}
	}
	if a.Prefer != nil {
		pb := newPrefer(keyPath(path, "prefer"))
		if a.Prefer.Operator != "" {
			if err := pb.operator(a.Prefer.Operator); err != nil {
				return fail(err)
			}
		}
		pb.previous(a.Prefer.Previous)
		if a.Prefer.Wait != 0 {
			if err := pb.wait(a.Prefer.Wait); err != nil {
				return fail(err)
			}
		}
		p, err := pb.finish()
		if err != nil {
			return fail(err)
		}
		ab.setPrefer(p)
	}
	if a.Tags != nil {
		ab.tagsStart()
		for j, t := range a.Tags {
			if err := ab.addTag(j, t); err != nil {
				return fail(err)
			}
		}
		if err := ab.tagsEnd(len(a.Tags)); err != nil {
			return fail(err)
		}
	}
	if a.Attributes != nil {
		ab.attributesStart()
		for _, k := range sortedKeys(a.Attributes) {
			if err := ab.attribute(k, a.Attributes[k]); err != nil {
				return fail(err)
			}
		}
		if err := ab.attributesEnd(len(a.Attributes)); err != nil {
			return fail(err)
		}
	}
	ab.offHours(a.OffHours)
	return ab.finish()
}
