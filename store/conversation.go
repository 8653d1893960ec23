package store

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Conversation is the stored row of one conversation.
type Conversation struct {
	// ID identifies the conversation. Required, unique, at most
	// MaxIDLength bytes long, as is every id in a row.
	ID string
	// Group is the group whose queue the conversation belongs to. Required.
	Group string
	// Channel names where the conversation came from (web, telegram, ...),
	// in at most MaxIDLength bytes, as an id: Filter.Channel selects by it.
	Channel string
	// CustomerID identifies the customer, for previous-operator routing.
	CustomerID string
	// Priority orders the queue: higher first.
	Priority int
	// Skills lists what an operator needs to be given this conversation.
	Skills []string
	// Attributes carries the host's free-form data (site URL, company, ...).
	Attributes map[string]string
	// Tags labels the conversation, as the host or rules set them: each
	// non-empty, at most MaxIDLength bytes long, none twice.
	Tags []string
	// Preferred is an operator routing tries first, before the group's
	// policy (set by a rule); empty for none. At most MaxIDLength bytes.
	Preferred string
	// OffHours records that a rule marked the conversation off-hours:
	// routing leaves it queued until someone takes it or is given it by
	// hand, or it is transferred.
	OffHours bool
	// Rules lists the rules that matched when rules last ran on the
	// conversation, in order, and what each changed (at most
	// MaxRuleMatches).
	Rules []RuleMatch
	// State is where the conversation is in its lifecycle.
	State State
	// Assignee is the operator holding the conversation; set exactly when
	// State is Assigned or Waiting.
	Assignee string
	// OfferedTo lists the operators the conversation is offered to; set
	// only when State is Offered.
	OfferedTo []string
	// LastOperator is the most recent assignee, kept after the conversation
	// leaves them (for returning it to the same operator, L3, R9). On
	// creation the writer may set it to the operator who last served the
	// customer, so that previous-operator routing (R9) can use it
	// while the conversation waits; a store keeps what the writer set until
	// an assignee replaces it.
	LastOperator string
	// LinkedTo is the id of the closed conversation this one reopens
	// (L5), or empty.
	LinkedTo string
	// CreatedAt is when the conversation was created.
	CreatedAt time.Time
	// EnqueuedAt is when the conversation (last) entered its queue, by the
	// writer's clock; its wait is measured from it.
	EnqueuedAt time.Time
	// Seq is the conversation's place in the order in which conversations
	// entered their queues: the queue serves the lower Seq first among
	// equal priorities, whatever the clocks said (EnqueuedAt breaks ties
	// only between equal Seqs). The store assigns it, increasing, on
	// creation and on every requeue, and keeps it otherwise, so that a
	// conversation released or taken back keeps its place.
	Seq uint64
	// AssignedAt is when the current assignee got the conversation.
	AssignedAt time.Time
	// ClosedAt is when the conversation was closed.
	ClosedAt time.Time
	// CloseReason says why the conversation was closed.
	CloseReason string
	// AllBusyNotified records that the host has been told, once, that every
	// eligible operator was busy when this conversation arrived (R5).
	AllBusyNotified bool
	// Deadlines lists what must happen to the conversation at given times
	// (at most one of each kind); a closed conversation has none.
	Deadlines []Deadline
	// MissedBy lists the operators who let an offer or an assignment of
	// this conversation time out (L2); routing passes them over while
	// anyone else is eligible.
	MissedBy []string
	// Version increases by one with every change of the row. The store sets
	// it.
	Version int64
}

// ValidateNew checks a conversation given to Store.CreateConversation and
// the requirements on it: the row validates, its state is one a
// conversation may be created in (Queued, Offered or Assigned), it has a
// creation time, and req validates. Every store checks this first, so that
// all refuse bad input alike.
func ValidateNew(c Conversation, req Require) error {
	if err := c.Validate(); err != nil {
		return err
	}
	switch {
	case c.State != Queued && c.State != Offered && c.State != Assigned:
		return fmt.Errorf("%w: conversation %q: cannot be created %v", ErrInvalid, c.ID, c.State)
	case c.CreatedAt.IsZero():
		return fmt.Errorf("%w: conversation %q: creation time is zero", ErrInvalid, c.ID)
	}
	if err := req.Validate(); err != nil {
		return fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	return nil
}

// Validate checks the fields a writer sets on creation and returns an error
// matching ErrInvalid that names the first bad field.
func (c Conversation) Validate() error {
	if err := CheckID("conversation id", c.ID); err != nil {
		return err
	}
	if c.Group == "" {
		return fmt.Errorf("%w: conversation %q: group is empty", ErrInvalid, c.ID)
	}
	if name, id, ok := longField("group", c.Group, "channel", c.Channel, "customer id", c.CustomerID, "assignee", c.Assignee,
		"last operator", c.LastOperator, "linked conversation", c.LinkedTo); ok {
		return tooLong(fmt.Sprintf("conversation %q: %s", c.ID, name), id)
	}
	if i, ok := longIn(c.MissedBy); ok {
		return tooLong(fmt.Sprintf("conversation %q: missed by %d", c.ID, i), c.MissedBy[i])
	}
	switch {
	case !c.State.Valid():
		return fmt.Errorf("%w: conversation %q: state %v", ErrInvalid, c.ID, c.State)
	case c.State.Held() != (c.Assignee != ""):
		return fmt.Errorf("%w: conversation %q: state %v with assignee %q", ErrInvalid, c.ID, c.State, c.Assignee)
	case (c.State == Offered) != (len(c.OfferedTo) > 0):
		return fmt.Errorf("%w: conversation %q: state %v with %d offers", ErrInvalid, c.ID, c.State, len(c.OfferedTo))
	}
	if err := validOffers(c.ID, c.OfferedTo); err != nil {
		return err
	}
	if err := c.profile().Validate(); err != nil {
		return fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	return validDeadlines("conversation", c.ID, c.Deadlines)
}

// Clone returns a copy of c that shares no slices or maps with it.
func (c Conversation) Clone() Conversation {
	c.Skills = slices.Clone(c.Skills)
	c.OfferedTo = slices.Clone(c.OfferedTo)
	c.Attributes = maps.Clone(c.Attributes)
	c.Deadlines = slices.Clone(c.Deadlines)
	c.MissedBy = slices.Clone(c.MissedBy)
	c.Tags = slices.Clone(c.Tags)
	c.Rules = cloneRuleMatches(c.Rules)
	return c
}
