package store

import "slices"

// Filter selects conversations in Store.Conversations. Zero fields match
// everything.
type Filter struct {
	// States, when not empty, lists the states to return.
	States []State
	// Group, when not empty, is the group to return.
	Group string
	// Assignee, when not empty, is the assignee to return.
	Assignee string
}

// Validate checks the ids the filter names: each at most MaxIDLength
// bytes long, or the error matches ErrInvalid.
func (f Filter) Validate() error {
	if name, id, ok := longField("group", f.Group, "assignee", f.Assignee); ok {
		return tooLong("filter: "+name, id)
	}
	return nil
}

// Match reports whether c passes the filter.
func (f Filter) Match(c Conversation) bool {
	return (len(f.States) == 0 || slices.Contains(f.States, c.State)) &&
		(f.Group == "" || f.Group == c.Group) &&
		(f.Assignee == "" || f.Assignee == c.Assignee)
}
