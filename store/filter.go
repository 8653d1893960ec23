package store

import (
	"fmt"
	"slices"
)

// MaxFilterLimit is the largest page a Filter may ask for (Filter.Limit).
const MaxFilterLimit = 1000

// Filter selects conversations in Store.Conversations, and pages through
// them. Zero fields set no condition: the zero Filter matches every
// conversation and returns them all.
//
// Conversations come ordered by Seq. To read them a page at a time, set
// Limit and, for every page after the first, AfterSeq to the Seq of the
// last conversation of the page before; the walk is over when a page has
// fewer than Limit conversations. A conversation requeued during the walk
// takes a greater Seq, so it may come again, at its new place, and one
// created during the walk comes on a later page.
type Filter struct {
	// States, when not empty, lists the states to return.
	States []State
	// Group, when not empty, is the group to return.
	Group string
	// Assignee, when not empty, is the assignee to return.
	Assignee string
	// Customer, when not empty, is the customer (CustomerID) to return.
	Customer string
	// Channel, when not empty, is the channel to return.
	Channel string
	// LastOperator, when not empty, returns the conversations this
	// operator held last: their LastOperator, among those an operator
	// held (AssignedAt set). A conversation nobody held, whose
	// LastOperator is only the customer's previous operator preset for
	// routing, does not match.
	LastOperator string
	// AfterSeq, when not zero, returns only conversations whose Seq is
	// greater: the cursor of a page, the Seq of the last conversation of
	// the page before.
	AfterSeq uint64
	// Limit, when not zero, is the most conversations to return: the first
	// Limit that pass the other conditions, in Seq order. It may be at most
	// MaxFilterLimit; a negative or larger one is refused.
	Limit int
}

// Validate checks the filter: each id it names at most MaxIDLength bytes
// long, and Limit between 0 and MaxFilterLimit. Otherwise the error
// matches ErrInvalid and names the field.
func (f Filter) Validate() error {
	if name, id, ok := longField("group", f.Group, "assignee", f.Assignee, "customer", f.Customer,
		"channel", f.Channel, "last operator", f.LastOperator); ok {
		return tooLong("filter: "+name, id)
	}
	if f.Limit < 0 || f.Limit > MaxFilterLimit {
		return fmt.Errorf("%w: filter: limit %d is outside 0 to MaxFilterLimit (%d)", ErrInvalid, f.Limit, MaxFilterLimit)
	}
	return nil
}

// Match reports whether c passes the filter's conditions. Limit is not
// one: it bounds how many of the conversations that pass are returned.
func (f Filter) Match(c Conversation) bool {
	return (len(f.States) == 0 || slices.Contains(f.States, c.State)) &&
		(f.Group == "" || f.Group == c.Group) &&
		(f.Assignee == "" || f.Assignee == c.Assignee) &&
		(f.Customer == "" || f.Customer == c.CustomerID) &&
		(f.Channel == "" || f.Channel == c.Channel) &&
		(f.LastOperator == "" || f.LastOperator == c.LastOperator && !c.AssignedAt.IsZero()) &&
		c.Seq > f.AfterSeq
}
