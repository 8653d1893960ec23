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
	c, _, err := r.retryDeadlines(ctx, by, convID, func(c store.Conversation, _ time.Time) ([]store.Deadline, bool, error) {
		if c.State != store.Assigned {
			return nil, false, fmt.Errorf("%w: conversation %q is %v", ErrWrongState, convID, c.State)
		}
		if !by.IsAdmin() && by.ID != c.Assignee {
			return nil, false, fmt.Errorf("%w: conversation %q is held by %q, not %q", ErrNotAssignee, convID, c.Assignee, by.ID)
		}
		_, pending := store.DeadlineOf(c.Deadlines, store.AcceptTimeout)
		return core.Without(c.Deadlines, store.AcceptTimeout), pending, nil
	}, nil)
	return c, err
}

// fireAccept takes back conversation c, assigned or offered and not
// accepted in time: its assignee, or everyone it was offered to, missed it
// (a Missed event), and it is routed again, to someone else unless nobody
// else is eligible.
func (r *Router) fireAccept(ctx context.Context, c store.Conversation) error {
	by := BySystem(CauseAcceptTimeout)
	var missed []string
	var st stepped
	err := r.step(ctx, by, "", about{"conversation %q", c.ID}, &st, func(v *core.View, now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
		d, ms, ok := v.DecideMissed(c, now)
		if !ok {
			return core.Plan{}, nil
		}
		missed = ms
		// Decided on the row as it was due; a stale refusal leaves it to
		// the deadline loop, which reads the deadlines again.
		p := core.PlanRoute(c, d, now)
		p.Retry = false
		return p, nil
	}, func(_ *core.View, ev *events, _ core.Outcome) {
		if ev.Wants(core.Missed) {
			ev.Push(core.Event{Kind: core.Missed, Conversation: c.ID, Group: c.Group, Operators: missed})
		}
	})
	switch {
	case err != nil:
		return err
	case st.done:
		return r.setDeadlines(ctx, by, c, core.Without(c.Deadlines, store.AcceptTimeout), nil)
	}
	if err := r.withdrawFrom(ctx, by, st.stale); err != nil {
		return err
	}
	return followUp(r.afterLeaving(ctx, by, st.out.Result.Before))
}
