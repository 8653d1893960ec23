package store

import (
	"fmt"
	"time"
)

// Transition is what a create or a change of a conversation stores,
// computed from the rows it was checked against: the conversation's row
// after it, the rows of the operators whose load it moves, and the
// customer's previous operator. The stores of this module compute it with
// Change.Transition or NewConversation, no I/O in either, and only read
// (lock) the rows before and write them after, so that all check and
// change them alike.
type Transition struct {
	// Result is what the store returns once it has written the rows:
	// Conversation is the conversation's row after the transition, Before
	// the one it was checked against (zero on create), Released and Gained
	// the load parts of Loser and Gainer.
	Result Result
	// Loser is the row after the transition of the operator it takes one
	// conversation's load from (Load one lower, Version one higher); zero,
	// with an empty ID, when it takes none.
	Loser Operator
	// Gainer is the row after the transition of the operator it gives one
	// conversation's load to (Load one higher, LastAssigned the time of the
	// transition, Version one higher); zero when it gives none. It is
	// never the same operator as Loser.
	Gainer Operator
	// Previous, when not empty, is the operator the store records as the
	// previous operator (Store.PreviousOperator) of the customer of
	// Result.Conversation.
	Previous string
}

// OperatorRows looks up the row of an operator by id among those a store
// read (and locked) for a transition; ok is false if it has none.
type OperatorRows func(id string) (op Operator, ok bool)

// Operators returns the ids of the operators the change reads: those it
// offers the conversation to, its new assignee, and cur's assignee when
// the change takes a conversation from their load, in this order (an id
// may repeat). A store reads or locks these rows and gives them to
// Transition.
func (c Change) Operators(cur Conversation) []string {
	ids := make([]string, 0, len(c.Offers)+2)
	ids = append(ids, c.Offers...)
	if c.NewAssignee != "" {
		ids = append(ids, c.NewAssignee)
	}
	if c.RemovesLoad(cur) {
		ids = append(ids, cur.Assignee)
	}
	return ids
}

// Operators returns the ids of the operators c names: those it is offered
// to, then its assignee. They are the rows NewConversation reads.
func (c Conversation) Operators() []string {
	ids := make([]string, 0, len(c.OfferedTo)+1)
	ids = append(ids, c.OfferedTo...)
	if c.Assignee != "" {
		ids = append(ids, c.Assignee)
	}
	return ids
}

// Transition checks the change against cur, the conversation's current
// row, and against the rows of the operators it names (those of
// Operators(cur), looked up with rows), and returns what the change
// stores. The change must have passed Validate. Transition checks, in
// this order: CheckFrom; that NewAssignee has a row (ErrNotFound) and
// passes Require.CheckAssignee, which checks the cap when AddsLoad holds;
// that every operator in Offers, in order, has a row (ErrNotFound) and
// passes Require.CheckOffer. Only once every check has passed, and only if
// the change requeues the conversation, does it call seq, once, for the
// conversation's new Seq; an error of seq is returned as it is.
//
// The next row is Next(cur, n), n the Seq that seq gave (0 without a
// requeue). The operator who loses the conversation
// from their load (RemovesLoad) loses one, if they have a row; the new
// assignee gains one if AddsLoad holds, their LastAssigned becoming At;
// both rows get one more Version. Previous is NewAssignee when the change
// names one and the conversation has a customer. Transition changes
// nothing it was given.
func (c Change) Transition(cur Conversation, rows OperatorRows, seq func() (uint64, error)) (Transition, error) {
	if err := c.CheckFrom(cur); err != nil {
		return Transition{}, err
	}
	var t Transition
	if c.NewAssignee != "" {
		adds := c.AddsLoad(cur)
		op, err := assignee(rows, c.NewAssignee, c.Require, adds)
		if err != nil {
			return Transition{}, err
		}
		if adds {
			t.Gainer = gain(op, c.At)
		}
		if cur.CustomerID != "" {
			t.Previous = c.NewAssignee
		}
	}
	if err := checkOffers(rows, c.Offers, c.Require); err != nil {
		return Transition{}, err
	}
	if c.RemovesLoad(cur) {
		if op, ok := rows(cur.Assignee); ok {
			op.Load--
			op.Version++
			t.Loser = op
		}
	}
	var n uint64
	if c.Requeue {
		var err error
		if n, err = seq(); err != nil {
			return Transition{}, err
		}
	}
	t.Result.Before, t.Result.Conversation = cur, c.Next(cur, n)
	t.Result.Released, t.Result.Gained = LoadOf(t.Loser), LoadOf(t.Gainer)
	return t, nil
}

// NewConversation checks a conversation to create, c, under req against
// the rows of the operators it names (those of c.Operators(), looked up
// with rows), and returns what the create stores. The caller has checked
// c and req with ValidateNew, and that no conversation has c's id
// (ErrAlreadyExists). NewConversation checks, in this order: that an
// Assigned conversation's assignee has a row (ErrNotFound) and passes
// req.CheckAssignee (the create adds to their load); that every operator
// in OfferedTo, in order, has a row (ErrNotFound) and passes
// req.CheckOffer.
//
// The row is a copy of c with Seq seq, Version 1, EnqueuedAt CreatedAt
// when zero, only the deadlines its state holds (DeadlinesFor), no empty
// OfferedTo, and, when Assigned, AssignedAt CreatedAt and LastOperator the
// assignee, who gains one load (LastAssigned CreatedAt, one more Version)
// and becomes the customer's Previous operator. NewConversation changes
// nothing it was given.
func NewConversation(c Conversation, req Require, rows OperatorRows, seq uint64) (Transition, error) {
	var t Transition
	if c.State == Assigned {
		op, err := assignee(rows, c.Assignee, req, true)
		if err != nil {
			return Transition{}, err
		}
		t.Gainer = gain(op, c.CreatedAt)
		if c.CustomerID != "" {
			t.Previous = c.Assignee
		}
	}
	if err := checkOffers(rows, c.OfferedTo, req); err != nil {
		return Transition{}, err
	}
	row := &t.Result.Conversation
	*row = c.Clone()
	if len(row.OfferedTo) == 0 {
		row.OfferedTo = nil
	}
	row.Deadlines = DeadlinesFor(row.Deadlines, row.State)
	row.Seq, row.Version = seq, 1
	if row.EnqueuedAt.IsZero() {
		row.EnqueuedAt = row.CreatedAt
	}
	if c.State == Assigned {
		row.AssignedAt, row.LastOperator = row.CreatedAt, row.Assignee
	}
	t.Result.Gained = LoadOf(t.Gainer)
	return t, nil
}

// assignee returns the row of the operator id who is to hold a
// conversation, if they have one and it passes req.CheckAssignee.
func assignee(rows OperatorRows, id string, req Require, addsLoad bool) (Operator, error) {
	op, ok := rows(id)
	if !ok {
		return Operator{}, notFoundOperator(id)
	}
	if err := req.CheckAssignee(op, addsLoad); err != nil {
		return Operator{}, err
	}
	return op, nil
}

// checkOffers checks that every operator in offers, in order, has a row
// and may be offered a conversation under req.
func checkOffers(rows OperatorRows, offers []string, req Require) error {
	for _, id := range offers {
		op, ok := rows(id)
		if !ok {
			return notFoundOperator(id)
		}
		if err := req.CheckOffer(op); err != nil {
			return err
		}
	}
	return nil
}

// gain returns op's row after they are given a conversation at at.
func gain(op Operator, at time.Time) Operator {
	op.Load++
	op.LastAssigned = at
	op.Version++
	return op
}

// notFoundOperator is the error of a transition naming operator id, who
// has no row.
func notFoundOperator(id string) error {
	return fmt.Errorf("%w: operator %q", ErrNotFound, id)
}
