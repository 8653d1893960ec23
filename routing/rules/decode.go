package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Decode reads a JSON rule set (see the package documentation for the
// schema), checks it and compiles it. It is strict: an unknown or repeated
// key, a value of the wrong type, data after the rule set and any rule
// that does not check out refuse the whole set, with an *Error matching
// ErrInvalid that names the first fault in document order. Within an
// object, a key's own value is checked as it is read, and what depends on
// several keys (an operator and its value, say) when the object ends.
func Decode(data []byte, cat Catalog) (*Set, error) {
	if len(data) > MaxSize {
		return nil, fault("", fmt.Sprintf("rule set of %d bytes, more than MaxSize (%d)", len(data), MaxSize))
	}
	d := &decoder{r: newReader(data), b: newBuilder(cat)}
	hasRules := false
	err := d.r.object("", false, func(key, p string) error {
		if key != "rules" {
			return fault(p, "unknown field")
		}
		hasRules = true
		_, err := d.r.array(p, func(i int, _ string) error {
			if i >= MaxRules {
				return fault(indexPath(p, i), fmt.Sprintf("more than %d rules", MaxRules))
			}
			return d.rule(i)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if !hasRules {
		return nil, fault("rules", "missing")
	}
	if err := d.r.end(); err != nil {
		return nil, err
	}
	return d.b.set(), nil
}

// decoder reads a rule set into a builder.
type decoder struct {
	r *reader
	b *builder
}

// rule reads rule i.
func (d *decoder) rule(i int) error {
	rb := d.b.rule(i)
	err := d.r.object(rb.path, false, func(key, p string) error {
		switch key {
		case "name":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			return rb.name(s)
		case "enabled":
			v, err := d.r.boolean(p)
			rb.enabled(v)
			return err
		case "on":
			n, err := d.r.strings(p, func(j int, s string) error { return rb.trigger(j, Trigger(s)) })
			if err != nil {
				return err
			}
			return rb.triggersEnd(n)
		case "when":
			c, k, err := d.condition(p, 1)
			if err != nil {
				return err
			}
			rb.setWhen(c, k)
			return nil
		case "then":
			a, k, err := d.actions(p)
			if err != nil {
				return err
			}
			rb.setThen(a, k)
			return nil
		case "stop":
			v, err := d.r.boolean(p)
			rb.stop(v)
			return err
		}
		return fault(p, "unknown field")
	})
	if err != nil {
		return err
	}
	return rb.finish()
}

// condition reads the condition at path, at depth.
func (d *decoder) condition(path string, depth int) (Condition, *cond, error) {
	cb, err := d.b.condition(path, depth)
	if err != nil {
		return Condition{}, nil, err
	}
	err = d.r.object(path, false, func(key, p string) error {
		switch key {
		case "all":
			cb.allStart()
			n, err := d.r.array(p, func(_ int, ep string) error {
				c, k, err := d.condition(ep, depth+1)
				if err == nil {
					cb.addAll(c, k)
				}
				return err
			})
			if err != nil {
				return err
			}
			return cb.allEnd(n)
		case "any":
			cb.anyStart()
			n, err := d.r.array(p, func(_ int, ep string) error {
				c, k, err := d.condition(ep, depth+1)
				if err == nil {
					cb.addAny(c, k)
				}
				return err
			})
			if err != nil {
				return err
			}
			return cb.anyEnd(n)
		case "not":
			c, k, err := d.condition(p, depth+1)
			if err == nil {
				cb.setNot(c, k)
			}
			return err
		case "field":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			return cb.field(s)
		case "op":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			return cb.op(Op(s))
		case "value":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			return cb.value(s)
		case "values":
			cb.valuesStart()
			n, err := d.r.strings(p, cb.addValue)
			if err != nil {
				return err
			}
			return cb.valuesEnd(n)
		case "ignore_case":
			v, err := d.r.boolean(p)
			cb.ignoreCase(v)
			return err
		case "zone":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			return cb.zone(s)
		}
		return fault(p, "unknown field")
	})
	if err != nil {
		return Condition{}, nil, err
	}
	return cb.finish()
}

// actions reads the actions at path.
func (d *decoder) actions(path string) (Actions, compiledActions, error) {
	ab := d.b.actions(path)
	err := d.r.object(path, false, func(key, p string) error {
		switch key {
		case "group":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			return ab.group(s)
		case "priority":
			text, err := d.r.number(p, "an integer")
			if err != nil {
				return err
			}
			if strings.ContainsAny(text, ".eE") {
				return fault(p, fmt.Sprintf("must be an integer, not %s", text))
			}
			n, err := strconv.Atoi(text)
			if err != nil {
				return priorityRange(p, text)
			}
			return ab.priority(n)
		case "skills":
			ab.skillsStart()
			n, err := d.r.strings(p, ab.addSkill)
			if err != nil {
				return err
			}
			return ab.skillsEnd(n)
		case "prefer":
			pr, err := d.prefer(p)
			if err == nil {
				ab.setPrefer(pr)
			}
			return err
		case "tags":
			ab.tagsStart()
			n, err := d.r.strings(p, ab.addTag)
			if err != nil {
				return err
			}
			return ab.tagsEnd(n)
		case "attributes":
			ab.attributesStart()
			n := 0
			err := d.r.object(p, true, func(k, ep string) error {
				n++
				v, err := d.r.str(ep)
				if err != nil {
					return err
				}
				return ab.attribute(k, v)
			})
			if err != nil {
				return err
			}
			return ab.attributesEnd(n)
		case "off_hours":
			v, err := d.r.boolean(p)
			ab.offHours(v)
			return err
		}
		return fault(p, "unknown field")
	})
	if err != nil {
		return Actions{}, compiledActions{}, err
	}
	return ab.finish()
}

// prefer reads the prefer at path.
func (d *decoder) prefer(path string) (Prefer, error) {
	pb := newPrefer(path)
	err := d.r.object(path, false, func(key, p string) error {
		switch key {
		case "operator":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			return pb.operator(s)
		case "previous":
			v, err := d.r.boolean(p)
			pb.previous(v)
			return err
		case "wait":
			s, err := d.r.str(p)
			if err != nil {
				return err
			}
			w, err := time.ParseDuration(s)
			if err != nil {
				return fault(p, fmt.Sprintf("bad duration %q: write one such as \"30s\" or \"2m\"", s))
			}
			return pb.wait(w)
		}
		return fault(p, "unknown field")
	})
	if err != nil {
		return Prefer{}, err
	}
	return pb.finish()
}
