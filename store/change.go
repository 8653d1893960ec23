package store

import (
	"fmt"
	"slices"
	"time"
)

// Require lists the conditions a create or a change checks on the operators
// it gives a conversation to, atomically with the change itself. This is how
// a routing decision taken on a possibly stale view is either applied on
// fresh data or refused.
type Require struct {
	// AssigneeStatuses, when not nil, lists the statuses the new assignee
	// must be in; otherwise the change fails with ErrNotAllowed.
	AssigneeStatuses []string
	// AssigneeCap, when positive, is the load the new assignee must be
	// below if the change adds to their load; otherwise the change fails
	// with ErrOverCapacity. Zero means no limit.
	AssigneeCap int
	// OfferStatuses, when not nil, lists the statuses every operator in
	// Offers must be in; otherwise the change fails with ErrNotAllowed.
	OfferStatuses []string
	// Journal, when not nil, gives the journal entries the write appends
	// (see Journaler). It is here, not a condition, because a Require
	// travels with both conversation writes, CreateConversation and
	// Apply (as Change.Require).
	Journal Journaler `json:"-"`
}

// Change is a conditional change of one conversation. A Store applies it
// atomically: either every precondition holds and every effect is stored,
// or nothing changes and the error says which precondition failed.
//
// The store keeps operators' loads in step with the change: an operator
// whose conversation leaves the Assigned state loses one, the operator who
// receives one in the Assigned state gains one (and their LastAssigned is
// set to At); both rows get a new version, reported in Result.Released and
// Result.Gained.
type Change struct {
	// Conversation is the id of the conversation to change. Required.
	Conversation string

	// From lists the states the conversation may be in. Required. If its
	// state is not listed, the change fails with ErrAlreadyTaken when the
	// conversation is held by someone and From lists no held state, and
	// with ErrWrongState otherwise.
	From []State
	// Assignee, when not empty, is who must currently hold the
	// conversation; otherwise the change fails with ErrNotAssignee.
	Assignee string
	// Version, when not zero, is the version the row must still have;
	// otherwise the change fails with ErrConflict.
	Version int64

	// To is the new state. Required.
	To State
	// NewAssignee is the operator who holds the conversation afterwards.
	// Required when To is Assigned or Waiting, empty otherwise.
	NewAssignee string
	// Offers lists the operators the conversation is offered to afterwards.
	// Required when To is Offered, empty otherwise.
	Offers []string
	// Group, when not empty, moves the conversation to that group.
	Group string
	// Requeue restarts the conversation's wait: EnqueuedAt becomes At and
	// a new Seq is assigned. Only with To Queued or Offered.
	Requeue bool
	// CloseReason is stored with a change to Closed.
	CloseReason string
	// MarkAllBusy sets AllBusyNotified.
	MarkAllBusy bool
	// SetDeadlines replaces the conversation's deadlines with Deadlines;
	// otherwise they are kept. Either way the conversation then keeps only
	// the deadlines its new state holds (DeadlineKind.Holds): a change to
	// Closed drops them all.
	SetDeadlines bool
	// Deadlines are the conversation's deadlines after the change, when
	// SetDeadlines is set.
	Deadlines []Deadline
	// DropDeadlines removes the conversation's deadlines of these kinds
	// (after SetDeadlines, if both are given), whatever their due times.
	DropDeadlines []DeadlineKind
	// AddMissed adds operators to the conversation's MissedBy (those not in
	// it yet).
	AddMissed []string
	// Profile, when not nil, replaces the conversation's routing profile:
	// its Priority, Skills, Tags, Attributes, Preferred, OffHours and Rules
	// become the profile's, whatever else the change does. The profile
	// validates like those fields of a row (Profile.Validate).
	Profile *Profile
	// Require lists conditions on NewAssignee and Offers.
	Require Require
	// At is when the change happens (the router's clock). Required.
	At time.Time
}

// Validate checks the change's shape (not the stored state) and returns an
// error matching ErrInvalid naming the first bad field.
func (c Change) Validate() error {
	if err := CheckID("change: conversation id", c.Conversation); err != nil {
		return err
	}
	if name, id, ok := longField("assignee", c.Assignee, "new assignee", c.NewAssignee, "group", c.Group); ok {
		return tooLong(fmt.Sprintf("change of %q: %s", c.Conversation, name), id)
	}
	switch {
	case len(c.From) == 0:
		return fmt.Errorf("%w: change of %q: no allowed source state", ErrInvalid, c.Conversation)
	case !c.To.Valid():
		return fmt.Errorf("%w: change of %q: target state %v", ErrInvalid, c.Conversation, c.To)
	case c.To.Held() != (c.NewAssignee != ""):
		return fmt.Errorf("%w: change of %q: target state %v with assignee %q", ErrInvalid, c.Conversation, c.To, c.NewAssignee)
	case (c.To == Offered) != (len(c.Offers) > 0):
		return fmt.Errorf("%w: change of %q: target state %v with %d offers", ErrInvalid, c.Conversation, c.To, len(c.Offers))
	case c.Requeue && !c.To.InQueue():
		return fmt.Errorf("%w: change of %q: requeue into state %v", ErrInvalid, c.Conversation, c.To)
	case c.At.IsZero():
		return fmt.Errorf("%w: change of %q: time is zero", ErrInvalid, c.Conversation)
	}
	if err := c.Require.Validate(); err != nil {
		return fmt.Errorf("change of %q: %w", c.Conversation, err)
	}
	if len(c.Deadlines) > 0 && !c.SetDeadlines {
		return fmt.Errorf("%w: change of %q: deadlines given without SetDeadlines", ErrInvalid, c.Conversation)
	}
	if err := validDeadlines("change of", c.Conversation, c.Deadlines); err != nil {
		return err
	}
	for i, k := range c.DropDeadlines {
		if !k.Valid() {
			return fmt.Errorf("%w: change of %q: DropDeadlines %d: kind %v", ErrInvalid, c.Conversation, i, k)
		}
	}
	for i, id := range c.AddMissed {
		if id == "" {
			return fmt.Errorf("%w: change of %q: AddMissed %d names no operator", ErrInvalid, c.Conversation, i)
		}
		if len(id) > MaxIDLength {
			return tooLong(fmt.Sprintf("change of %q: AddMissed %d", c.Conversation, i), id)
		}
	}
	for _, s := range c.From {
		if !s.Valid() {
			return fmt.Errorf("%w: change of %q: source state %v", ErrInvalid, c.Conversation, s)
		}
	}
	if c.Profile != nil {
		if err := c.Profile.Validate(); err != nil {
			return fmt.Errorf("change of %q: profile: %w", c.Conversation, err)
		}
	}
	return validOffers(c.Conversation, c.Offers)
}

// Validate checks r's shape: a negative cap is invalid.
func (r Require) Validate() error {
	if r.AssigneeCap < 0 {
		return fmt.Errorf("%w: cap %d is negative", ErrInvalid, r.AssigneeCap)
	}
	return nil
}

// validOffers refuses empty and repeated operator ids in a list of offers.
func validOffers(conv string, offers []string) error {
	switch i, fault := firstBadID(offers); fault {
	case idEmpty:
		return fmt.Errorf("%w: conversation %q: offer %d names no operator", ErrInvalid, conv, i)
	case idLong:
		return tooLong(fmt.Sprintf("conversation %q: offer %d", conv, i), offers[i])
	case idRepeated:
		return fmt.Errorf("%w: conversation %q: offered to %q twice", ErrInvalid, conv, offers[i])
	}
	return nil
}

// CheckFrom returns nil if cur satisfies the change's preconditions, and
// otherwise the error the change must fail with. Stores use it so that
// every implementation reports failures alike. A closed conversation is
// final: every change of it fails with ErrWrongState.
func (c Change) CheckFrom(cur Conversation) error {
	if cur.State == Closed {
		return fmt.Errorf("%w: conversation %q is closed", ErrWrongState, cur.ID)
	}
	if !slices.Contains(c.From, cur.State) {
		if cur.State.Held() && !slices.ContainsFunc(c.From, State.Held) {
			return fmt.Errorf("%w: conversation %q is %v by %q", ErrAlreadyTaken, cur.ID, cur.State, cur.Assignee)
		}
		return fmt.Errorf("%w: conversation %q is %v, want %v", ErrWrongState, cur.ID, cur.State, c.From)
	}
	if c.Assignee != "" && cur.Assignee != c.Assignee {
		return fmt.Errorf("%w: conversation %q is held by %q, not %q", ErrNotAssignee, cur.ID, cur.Assignee, c.Assignee)
	}
	if c.Version != 0 && cur.Version != c.Version {
		return fmt.Errorf("%w: conversation %q is at version %d, want %d", ErrConflict, cur.ID, cur.Version, c.Version)
	}
	return nil
}

// AddsLoad reports whether moving a conversation from cur to the change's
// target adds one to the new assignee's load.
func (c Change) AddsLoad(cur Conversation) bool {
	return c.To.CountsAsLoad() && !(cur.State.CountsAsLoad() && cur.Assignee == c.NewAssignee)
}

// RemovesLoad reports whether moving a conversation from cur to the
// change's target takes one from cur's assignee's load: it counted toward
// their load and no longer does.
func (c Change) RemovesLoad(cur Conversation) bool {
	return cur.State.CountsAsLoad() && !(c.To.CountsAsLoad() && c.NewAssignee == cur.Assignee)
}

// Next returns the row cur becomes under the change, its Version one
// higher; seq is the Seq of a requeued conversation (ignored unless
// Requeue). Stores call it once the change's checks have passed; the
// operators' loads are theirs to change (see AddsLoad, RemovesLoad).
func (c Change) Next(cur Conversation, seq uint64) Conversation {
	next := cur.Clone()
	next.State = c.To
	next.Assignee = c.NewAssignee
	next.OfferedTo = nil
	if len(c.Offers) > 0 {
		next.OfferedTo = slices.Clone(c.Offers)
	}
	if c.Group != "" {
		next.Group = c.Group
	}
	if c.Requeue {
		next.EnqueuedAt = c.At
		next.Seq = seq
	}
	if c.To == Closed {
		next.ClosedAt = c.At
		next.CloseReason = c.CloseReason
	}
	if c.NewAssignee != "" {
		if c.NewAssignee != cur.Assignee {
			next.AssignedAt = c.At
		}
		next.LastOperator = c.NewAssignee
	}
	if c.MarkAllBusy {
		next.AllBusyNotified = true
	}
	if c.Profile != nil {
		next.setProfile(*c.Profile)
	}
	if c.SetDeadlines {
		next.Deadlines = slices.Clone(c.Deadlines)
	}
	if len(c.DropDeadlines) > 0 {
		next.Deadlines = slices.DeleteFunc(slices.Clone(next.Deadlines), func(d Deadline) bool { return slices.Contains(c.DropDeadlines, d.Kind) })
	}
	for _, id := range c.AddMissed {
		if !slices.Contains(next.MissedBy, id) {
			next.MissedBy = append(next.MissedBy, id)
		}
	}
	next.Deadlines = DeadlinesFor(next.Deadlines, c.To)
	if len(next.Deadlines) == 0 {
		next.Deadlines = nil
	}
	next.Version++
	return next
}

// CheckAssignee returns nil if op may become the assignee under r, where
// addsLoad says whether the change adds to op's load.
func (r Require) CheckAssignee(op Operator, addsLoad bool) error {
	if r.AssigneeStatuses != nil && !slices.Contains(r.AssigneeStatuses, op.Status) {
		return fmt.Errorf("%w: operator %q is %q", ErrNotAllowed, op.ID, op.Status)
	}
	if addsLoad && r.AssigneeCap > 0 && op.Load >= r.AssigneeCap {
		return fmt.Errorf("%w: operator %q has %d of %d", ErrOverCapacity, op.ID, op.Load, r.AssigneeCap)
	}
	return nil
}

// CheckOffer returns nil if op may be offered a conversation under r.
func (r Require) CheckOffer(op Operator) error {
	if r.OfferStatuses != nil && !slices.Contains(r.OfferStatuses, op.Status) {
		return fmt.Errorf("%w: operator %q is %q and cannot be offered conversations", ErrNotAllowed, op.ID, op.Status)
	}
	return nil
}

// Result is what a create or a change stored.
type Result struct {
	// Before is the conversation row before the change (zero on create).
	Before Conversation
	// Conversation is the row after the change.
	Conversation Conversation
	// Released is the load of the previous assignee after the change, when
	// the change took one from it; zero otherwise.
	Released Load
	// Gained is the load of the new assignee after the change, when the
	// change added one to it; zero otherwise.
	Gained Load
}

// Loads returns the operators' loads the result changed, ordered by
// operator id.
func (r Result) Loads() []Load {
	var out []Load
	for _, l := range []Load{r.Released, r.Gained} {
		if l.Operator != "" {
			out = append(out, l)
		}
	}
	if len(out) == 2 && out[1].Operator < out[0].Operator {
		out[0], out[1] = out[1], out[0]
	}
	return out
}

// Load is the part of an operator's row that a conversation change alters.
// A change reports loads rather than whole rows, so that the hot path of
// routing copies no groups or skills.
type Load struct {
	// Operator is the operator's id; empty in a zero Load.
	Operator string
	// Load is their number of assigned conversations after the change.
	Load int
	// LastAssigned is when they were last given a conversation.
	LastAssigned time.Time
	// Version is their row's version after the change.
	Version int64
}

// LoadOf returns the Load part of an operator's row.
func LoadOf(o Operator) Load {
	return Load{Operator: o.ID, Load: o.Load, LastAssigned: o.LastAssigned, Version: o.Version}
}

// StatusChange is a conditional change of an operator's status.
type StatusChange struct {
	// Operator is the id of the operator. Required.
	Operator string
	// From, when not empty, is the status the operator must still be in;
	// otherwise the change fails with ErrConflict.
	From string
	// To is the new status. Required.
	To string
	// Forbid lists conversation states the operator may not hold any
	// conversation in for the change to go through (P8); otherwise it
	// fails with ErrHoldsConversations.
	Forbid []State
	// At is when the change happens. Required.
	At time.Time
	// Deadlines replace the operator's deadlines (the new status's
	// inactivity switch, or none).
	Deadlines []Deadline
	// Journal, when not nil, gives the journal entries the change
	// appends (see Journaler).
	Journal Journaler `json:"-"`
}

// Validate checks the change's shape and returns an error matching
// ErrInvalid naming the first bad field.
func (s StatusChange) Validate() error {
	if err := CheckID("status change: operator id", s.Operator); err != nil {
		return err
	}
	switch {
	case s.To == "":
		return fmt.Errorf("%w: status change of %q: target status is empty", ErrInvalid, s.Operator)
	case s.At.IsZero():
		return fmt.Errorf("%w: status change of %q: time is zero", ErrInvalid, s.Operator)
	}
	for _, st := range s.Forbid {
		if !st.Valid() {
			return fmt.Errorf("%w: status change of %q: forbidden state %v", ErrInvalid, s.Operator, st)
		}
	}
	return validDeadlines("status change of", s.Operator, s.Deadlines)
}

// OperatorDeadlines replaces an operator's deadlines, on condition that
// the row is still at Version.
type OperatorDeadlines struct {
	// Operator is the operator's id. Required.
	Operator string
	// Version, when not zero, is the version the row must still have;
	// otherwise the change fails with ErrConflict.
	Version int64
	// Deadlines are the operator's deadlines afterwards.
	Deadlines []Deadline
}

// Validate checks the change's shape.
func (d OperatorDeadlines) Validate() error {
	if err := CheckID("operator deadlines: operator id", d.Operator); err != nil {
		return err
	}
	return validDeadlines("operator", d.Operator, d.Deadlines)
}
