package store

import "time"

// StatusInterval is one stretch an operator spent in one status: [From,
// To). A zero To means they are still in it.
type StatusInterval struct {
	// Operator is the operator's id.
	Operator string
	// Status is the status they were in.
	Status string
	// From is when they entered it.
	From time.Time
	// To is when they left it; zero while they are still in it.
	To time.Time
}

// Overlaps reports whether the interval overlaps [from, to).
func (i StatusInterval) Overlaps(from, to time.Time) bool {
	return i.From.Before(to) && (i.To.IsZero() || i.To.After(from))
}
