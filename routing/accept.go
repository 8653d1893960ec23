package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// Accept reports that the operator holding a conversation assigned to them
// automatically accepted it, before the group's AcceptTimeout took it back
// (L2). Only the assignee, or an admin, may accept; accepting a
// conversation that awaits no acceptance changes nothing. An offer is
// accepted by taking it (Take).
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrNotFound for an unknown conversation, ErrWrongState unless it is
// assigned, ErrNotAssignee if an operator does not hold it, and ErrClosed
// after Stop.
func (r *Router) Accept(ctx context.Context, by Actor, convID string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	r.touch(ctx, by)
	return r.retryDeadlines(ctx, by, convID, func(c store.Conversation, _ time.Time) ([]store.Deadline, bool, error) {
		if c.State != store.Assigned {
			return nil, false, fmt.Errorf("%w: conversation %q is %v", ErrWrongState, convID, c.State)
		}
		if !by.IsAdmin() && by.ID != c.Assignee {
			return nil, false, fmt.Errorf("%w: conversation %q is held by %q, not %q", ErrNotAssignee, convID, c.Assignee, by.ID)
		}
		_, pending := store.DeadlineOf(c.Deadlines, store.AcceptTimeout)
		return core.Without(c.Deadlines, store.AcceptTimeout), pending, nil
	})
}

// fireAccept takes back conversation c, assigned or offered and not
// accepted in time: its assignee, or everyone it was offered to, missed it
// (a Missed event), and it is routed again, to someone else unless nobody
// else is eligible.
func (r *Router) fireAccept(ctx context.Context, c store.Conversation, now time.Time) error {
	by := BySystem(CauseAcceptTimeout)
	r.mu.Lock()
	d, missed, ok := r.v.DecideMissed(c, now)
	r.mu.Unlock()
	if !ok {
		return r.setDeadlines(ctx, by, c, core.Without(c.Deadlines, store.AcceptTimeout), nil)
	}
	var before store.Conversation
	err := r.commitRoute(ctx, by, c, d, now, func(ev *events, res store.Result) {
		before = res.Before
		if ev.Wants(core.Missed) {
			ev.Push(core.Event{Kind: core.Missed, Conversation: c.ID, Group: c.Group, Operators: missed})
		}
	})
	if err != nil {
		return err
	}
	return followUp(r.afterLeaving(ctx, by, before))
}
