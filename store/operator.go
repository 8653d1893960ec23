package store

import (
	"fmt"
	"slices"
	"time"
)

// Operator is the stored row of one operator.
type Operator struct {
	// ID identifies the operator. Required, unique, at most MaxIDLength
	// bytes long, as is every id in a row.
	ID string
	// Groups lists the groups the operator serves, without duplicates.
	Groups []string
	// Cap is the operator's own limit on automatically assigned
	// conversations. Zero means "not set": the group's default applies.
	// Negative is invalid.
	Cap int
	// Skills lists what the operator can handle; policies may require some.
	Skills []string
	// Status is the name of the operator's current presence status.
	Status string
	// StatusSince is when the operator entered Status.
	StatusSince time.Time
	// Load counts the operator's conversations in the Assigned state. It is
	// maintained by the store; writers never set it.
	Load int
	// LastAssigned is when the operator was last given a conversation; the
	// zero time if never. Balanced routing breaks load ties with it.
	LastAssigned time.Time
	// Deadlines lists what must happen to the operator at given times: an
	// Inactivity switch (P6).
	Deadlines []Deadline
	// Version increases by one with every change of the row. The store sets
	// it; readers use it to order the rows they see.
	Version int64
}

// Validate checks the fields a writer sets and returns an error matching
// ErrInvalid that names the first bad field.
func (o Operator) Validate() error {
	if err := CheckID("operator id", o.ID); err != nil {
		return err
	}
	switch {
	case o.Cap < 0:
		return fmt.Errorf("%w: operator %q: cap %d is negative", ErrInvalid, o.ID, o.Cap)
	case o.Status == "":
		return fmt.Errorf("%w: operator %q: status is empty", ErrInvalid, o.ID)
	}
	if err := validDeadlines("operator", o.ID, o.Deadlines); err != nil {
		return err
	}
	for i, g := range o.Groups {
		if g == "" {
			return fmt.Errorf("%w: operator %q: group %d is empty", ErrInvalid, o.ID, i)
		}
		if len(g) > MaxIDLength {
			return tooLong(fmt.Sprintf("operator %q: group %d", o.ID, i), g)
		}
		if slices.Contains(o.Groups[:i], g) {
			return fmt.Errorf("%w: operator %q: group %q listed twice", ErrInvalid, o.ID, g)
		}
	}
	return nil
}

// InGroup reports whether the operator serves group g.
func (o Operator) InGroup(g string) bool { return slices.Contains(o.Groups, g) }

// Clone returns a copy of o that shares no slices with it.
func (o Operator) Clone() Operator {
	o.Groups = slices.Clone(o.Groups)
	o.Skills = slices.Clone(o.Skills)
	o.Deadlines = slices.Clone(o.Deadlines)
	return o
}
