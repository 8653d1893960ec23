package core

import "github.com/switchboard-go/switchboard/store"

// Without returns ds less its deadline of kind k.
func Without(ds []store.Deadline, k store.DeadlineKind) []store.Deadline {
	out := make([]store.Deadline, 0, len(ds))
	for _, d := range ds {
		if d.Kind != k {
			out = append(out, d)
		}
	}
	return out
}

// With returns ds with d in place of its deadline of d's kind.
func With(ds []store.Deadline, d store.Deadline) []store.Deadline {
	return append(Without(ds, d.Kind), d)
}

// SameDeadlines reports whether a and b hold the same deadlines.
func SameDeadlines(a, b []store.Deadline) bool {
	if len(a) != len(b) {
		return false
	}
	for _, d := range a {
		e, ok := store.DeadlineOf(b, d.Kind)
		if !ok || !e.Due.Equal(d.Due) || e.Level != d.Level {
			return false
		}
	}
	return true
}
