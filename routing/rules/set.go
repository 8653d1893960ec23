package rules

import "slices"

// Set is a validated, compiled rule set, made by Decode or New. It is
// read-only once made, and so safe for concurrent use. The nil *Set is an
// empty set.
type Set struct {
	rules  []Rule // as given, On normalised
	comp   []compiledRule
	groups []string
	skills []string
}

// Rules returns a deep copy of the set's rules as they were given, but for
// On, which is nil for the default (enqueue and reopen) and otherwise
// lists the triggers in the order enqueue, reopen, transfer.
func (s *Set) Rules() []Rule {
	if s == nil {
		return nil
	}
	out := make([]Rule, len(s.rules))
	for i := range s.rules {
		out[i] = copyRule(&s.rules[i])
	}
	return out
}

// Len returns the number of rules in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// Groups returns the groups the set's actions name, disabled rules
// included, sorted and each once: the groups the Router must have.
func (s *Set) Groups() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.groups)
}

// Skills returns the names of the skills the set's actions require,
// disabled rules included, sorted and each once.
func (s *Set) Skills() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.skills)
}
