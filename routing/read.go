package routing

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// The read API (S4) answers a console's questions from the Router's view, the
// same view Snapshot reads, on every store: what an operator holds and is
// offered, a queue in serving order, the operators of a group. Each call
// takes the view's lock once and costs about the size of its answer (see
// each method). Closed conversations are not in the view; Conversation
// and Conversations read them from the store, and so fail with ErrClosed
// after Stop, while Queue, Offers and Operators answer from the view as
// Snapshot does.

// DefaultPageSize is the page size of Conversations when the filter's
// Limit is zero; MaxPageSize is the largest Limit it accepts.
const (
	DefaultPageSize = 100
	MaxPageSize     = store.MaxFilterLimit
)

// ConversationFilter selects conversations for Conversations. Conditions
// combine with AND; zero fields match everything.
type ConversationFilter struct {
	// Assignee selects the conversations this operator holds (assigned or
	// waiting on the customer); with State store.Closed, those they held
	// last (store.Conversation.LastOperator).
	Assignee string
	// Group, Customer and Channel select the conversations of a group, a
	// customer (CustomerID) and a channel.
	Group, Customer, Channel string
	// State selects one state. Zero selects every open state (queued,
	// offered, assigned, waiting), answered from the view; store.Closed
	// selects closed conversations, read from the store.
	State store.State
	// Limit bounds the page: zero means DefaultPageSize, at most
	// MaxPageSize.
	Limit int
	// Cursor continues a listing: the Next of the page before; empty for
	// the first page.
	Cursor string
}

// ConversationPage is one page of Conversations.
type ConversationPage struct {
	// Conversations are the page's conversations, in the order they
	// (last) entered their queues (store.Conversation.Seq).
	Conversations []store.Conversation
	// Next is the cursor of the next page, empty on the last one (a full
	// page of MaxPageSize closed conversations may be followed by an
	// empty one).
	Next string
}

// Conversation returns one conversation: the view's row while it is open,
// the store's once it is closed (or when this Router has not seen it). It
// fails with ErrInvalid for an empty or too long id, ErrNotFound for an
// unknown one, and ErrClosed after Stop.
func (r *Router) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	end, err := r.beginBy(store.CheckID("conversation id", id))
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	var c store.Conversation
	var ok bool
	r.inLock(func() {
		if c, ok = r.v.Conversation(id); ok {
			c = c.Clone()
		}
	})
	if ok {
		return c, nil
	}
	return r.store.Conversation(ctx, id)
}

// Conversations returns a page of the conversations that pass f, in the
// order they (last) entered their queues; a conversation requeued while a
// listing goes on moves to its end. Open conversations come from the
// view: a page walks the assignee's, the customer's, the group's or the
// channel's conversations (the first that f names) and checks the other
// conditions on the way. Closed ones come from the store, one query a
// page.
//
// It fails with ErrInvalid for a bad filter (an id too long, a state that
// is not one, a Limit out of range, a cursor that is not a Next),
// ErrNotFound for an assignee (unless State is store.Closed) or a group
// the Router does not know, ErrClosed after Stop, and with the store's
// error for closed conversations.
func (r *Router) Conversations(ctx context.Context, f ConversationFilter) (ConversationPage, error) {
	after, err := f.check()
	if err != nil {
		return ConversationPage{}, err
	}
	end, err := r.begin()
	if err != nil {
		return ConversationPage{}, err
	}
	defer end()
	limit := cmp.Or(f.Limit, DefaultPageSize)
	var page ConversationPage
	var more bool
	if f.State == store.Closed {
		if err := r.locked(func() error { return r.knownIDs(f) }); err != nil {
			return ConversationPage{}, err
		}
		// One row more than the page tells whether another follows; a
		// page of the store's largest size cannot ask for it.
		ask := min(limit+1, store.MaxFilterLimit)
		rows, err := r.store.Conversations(ctx, store.Filter{
			States: []store.State{store.Closed}, Group: f.Group, LastOperator: f.Assignee,
			Customer: f.Customer, Channel: f.Channel, AfterSeq: after, Limit: ask,
		})
		if err != nil {
			return ConversationPage{}, err
		}
		more = len(rows) > limit || len(rows) == ask && ask == limit
		rows = rows[:min(len(rows), limit)]
		page.Conversations = rows
	} else {
		lf := core.ListFilter{
			Assignee: f.Assignee, Group: f.Group, Customer: f.Customer, Channel: f.Channel,
			State: f.State, After: after, Limit: limit,
		}
		err := r.locked(func() error {
			if err := r.knownIDs(f); err != nil {
				return err
			}
			page.Conversations, more = r.v.List(lf)
			return nil
		})
		if err != nil {
			return ConversationPage{}, err
		}
	}
	if more {
		page.Next = strconv.FormatUint(page.Conversations[len(page.Conversations)-1].Seq, 10)
	}
	return page, nil
}

// check validates f's fields that need no view, and returns the Seq its
// cursor continues after.
func (f ConversationFilter) check() (after uint64, err error) {
	// The store's filter bounds the ids and the limit alike.
	sf := store.Filter{Assignee: f.Assignee, Group: f.Group, Customer: f.Customer, Channel: f.Channel, Limit: f.Limit}
	if err := sf.Validate(); err != nil {
		return 0, err
	}
	if f.State != 0 && !f.State.Valid() {
		return 0, fmt.Errorf("%w: filter: %v is not a conversation state", ErrInvalid, f.State)
	}
	if f.Cursor == "" {
		return 0, nil
	}
	after, err = strconv.ParseUint(f.Cursor, 10, 64)
	if err != nil || after == 0 {
		return 0, fmt.Errorf("%w: filter: cursor %q is not the Next of a page", ErrInvalid, f.Cursor)
	}
	return after, nil
}

// knownIDs checks that the operator (unless f lists closed
// conversations) and the group f names exist; call it with r.mu held.
func (r *Router) knownIDs(f ConversationFilter) error {
	if f.Assignee != "" && f.State != store.Closed {
		if _, err := r.v.Operator(f.Assignee); err != nil {
			return err
		}
	}
	if f.Group != "" && !r.v.HasGroup(f.Group) {
		return fmt.Errorf("%w: group %q", ErrNotFound, f.Group)
	}
	return nil
}

// QueueEntry is one conversation in a group's queue.
type QueueEntry struct {
	// Conversation is the queued or offered conversation.
	Conversation store.Conversation
	// Position is its 1-based place in serving order: 1 is served next.
	Position int
	// Waited is how long it has waited, since it (last) entered the
	// queue.
	Waited time.Duration
	// EstimatedWait is how much longer it is expected to wait, from how
	// fast the group served its queue lately: of the conversations taken
	// from the queue by operators in the last hour (at most the latest
	// 32), one came every i on average, or i is the time since the last
	// one if that is longer (the queue stalled); position p waits p·i.
	// Estimated is false, and EstimatedWait zero, when the group served
	// fewer than two in the last hour.
	EstimatedWait time.Duration
	Estimated     bool
}

// QueueView is a group's queue at one instant.
type QueueView struct {
	// At is when it was read.
	At time.Time
	// Group is the group.
	Group string
	// Length is the number of conversations in the queue, Entries the
	// first of them in serving order.
	Length  int
	Entries []QueueEntry
}

// Queue returns the first limit conversations of group's queue (all when
// limit is zero) in serving order: the order in which the group's policy
// is offered them. It costs about the size of the answer. It fails with
// ErrInvalid for a negative limit or a bad id, and ErrNotFound for a
// group the Router does not serve.
func (r *Router) Queue(group string, limit int) (QueueView, error) {
	if err := store.CheckID("group id", group); err != nil {
		return QueueView{}, err
	}
	if limit < 0 {
		return QueueView{}, fmt.Errorf("%w: queue limit %d is negative", ErrInvalid, limit)
	}
	now := r.clock.Now()
	var entries []core.QueueEntry
	q := QueueView{At: now, Group: group}
	err := r.locked(func() (err error) {
		entries, q.Length, err = r.v.Queue(group, limit, r.rawNow())
		return err
	})
	if err != nil {
		return QueueView{}, err
	}
	q.Entries = make([]QueueEntry, len(entries))
	for i, e := range entries {
		q.Entries[i] = QueueEntry{
			Conversation: e.Row, Position: e.Position, Waited: max(now.Sub(e.Row.EnqueuedAt), 0),
			EstimatedWait: e.EstimatedWait, Estimated: e.Estimated,
		}
	}
	return q, nil
}

// Offers returns the conversations offered to an operator and not yet
// taken, in the order they entered their queues. It fails with
// ErrInvalid for a bad id and ErrNotFound for an unknown operator.
func (r *Router) Offers(operatorID string) ([]store.Conversation, error) {
	var out []store.Conversation
	err := r.locked(func() (err error) {
		out, err = r.v.OffersTo(operatorID)
		return err
	})
	return out, err
}

// Shift selects operators by whether they are on shift, in
// OperatorFilter.
type Shift uint8

// Shift filters.
const (
	// AnyShift selects every operator.
	AnyShift Shift = iota
	// OnShift selects the operators in a status other than the presence
	// model's off-shift status.
	OnShift
	// OffShift selects the operators in the off-shift status.
	OffShift
)

// OperatorFilter selects operators for Operators. Conditions combine
// with AND; zero fields match everything.
type OperatorFilter struct {
	// Group selects the group's members.
	Group string
	// Status selects the operators in one status of the presence model.
	Status string
	// Shift selects by shift.
	Shift Shift
}

// Operators returns the operators that pass f, by id, as Snapshot
// describes them. A filter by group walks only its members. It fails with
// ErrInvalid for a bad id or Shift, ErrNotFound for a group the Router
// does not serve, and ErrUnknownStatus for a status the presence model
// does not define.
func (r *Router) Operators(f OperatorFilter) ([]OperatorSnapshot, error) {
	if len(f.Group) > store.MaxIDLength {
		return nil, store.CheckIDLength("filter: group", f.Group)
	}
	if f.Shift > OffShift {
		return nil, fmt.Errorf("%w: filter: Shift %d is not one", ErrInvalid, f.Shift)
	}
	if f.Status != "" {
		if _, ok := r.model.Status(f.Status); !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownStatus, f.Status)
		}
	}
	cf := core.OperatorFilter{Group: f.Group, Status: f.Status}
	switch f.Shift {
	case OnShift:
		cf.Shift = 1
	case OffShift:
		cf.Shift = -1
	}
	now := r.clock.Now()
	var ops []core.OperatorInfo
	err := r.locked(func() (err error) {
		ops, err = r.v.Operators(cf)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]OperatorSnapshot, len(ops))
	for i, o := range ops {
		out[i] = operatorSnapshot(o, now)
	}
	return out, nil
}
