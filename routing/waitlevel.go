package routing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// WaitLevel is one escalation threshold on a customer's wait (L10):
// when a customer has waited After for an operator's answer, a
// WaitThreshold event names the level, so the host can colour the
// conversation (yellow, red, ...).
type WaitLevel struct {
	// Name identifies the level in events. Required, unique in a group.
	Name string
	// After is the wait that crosses the level. Positive, and increasing
	// from one level to the next.
	After time.Duration
}

func validWaitLevels(group string, ls []WaitLevel) error {
	for i, l := range ls {
		switch {
		case l.Name == "":
			return fmt.Errorf("%w: group %q: wait level %d: name is empty", ErrInvalidConfig, group, i)
		case l.After <= 0:
			return fmt.Errorf("%w: group %q: wait level %d (%q): After %v is not positive", ErrInvalidConfig, group, i, l.Name, l.After)
		case i > 0 && l.After <= ls[i-1].After:
			return fmt.Errorf("%w: group %q: wait level %d (%q): After %v is not after level %d's %v", ErrInvalidConfig, group, i, l.Name, l.After, i-1, ls[i-1].After)
		}
		for _, m := range ls[:i] {
			if m.Name == l.Name {
				return fmt.Errorf("%w: group %q: wait level %d: name %q used twice", ErrInvalidConfig, group, i, l.Name)
			}
		}
	}
	return nil
}

// fireWaitLevel reports the wait level it crossed and arms the next.
func (r *Router) fireWaitLevel(ctx context.Context, it core.DueItem, c store.Conversation, now time.Time) error {
	var g core.GroupConfig
	r.inLock(func() { g, _ = r.v.Group(c.Group) })
	levels := g.WaitLevels
	d, _ := store.DeadlineOf(c.Deadlines, store.WaitLevel)
	ds := core.Without(c.Deadlines, store.WaitLevel)
	name := ""
	if it.Level < len(levels) {
		name = levels[it.Level].Name
		if next := it.Level + 1; next < len(levels) {
			since := d.Due.Add(-levels[it.Level].After)
			ds = core.With(ds, store.Deadline{Kind: store.WaitLevel, Due: since.Add(levels[next].After), Level: next})
		}
	}
	return r.setDeadlines(ctx, BySystem(CauseWaitLevel), c, ds, func(ev *events, res store.Result) {
		if name != "" && ev.Wants(core.WaitThreshold) {
			ev.Push(core.Event{Kind: core.WaitThreshold, Conversation: c.ID, Group: c.Group, Operator: c.Assignee, Reason: name, Wait: levels[it.Level].After})
		}
	})
}

// OperatorReplied reports that the operator holding a conversation answered
// the customer: the conversation is accepted (L2), the customer's wait
// ends, and with it the wait thresholds (L10), and, when the group
// closes silent conversations, the auto-close deadline runs from now
// (L4). Only the assignee, or an admin, may report it.
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrNotFound for an unknown conversation, ErrWrongState unless someone
// holds it, ErrNotAssignee if an operator does not hold it, and ErrClosed
// after Stop.
func (r *Router) OperatorReplied(ctx context.Context, by Actor, convID string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	r.touch(ctx, by)
	// The Replied event goes into the journal with the write of the
	// deadlines; a reply that changes none is journaled on its own.
	c, wrote, err := r.retryDeadlines(ctx, by, convID, r.replyDeadlines(by, convID), func(_ *core.View, ev *events, out core.Outcome) {
		pushReplied(ev, out.Result.Conversation)
	})
	if err == nil && !wrote {
		ev := r.newEvents(r.clock.Now(), by)
		pushReplied(ev, c)
		ev.emit()
	}
	return c, err
}

// pushReplied adds to ev the Replied event of an answer to conversation
// c, at ev's time. Its Wait, the conversation's age, lets a reader of the
// journal tell a first reply from a later one without the row (see
// Router.Report).
func pushReplied(ev *events, c store.Conversation) {
	if ev.Wants(core.Replied) {
		ev.Push(core.Event{Kind: core.Replied, Conversation: c.ID, Group: c.Group, Operator: c.Assignee, Wait: max(ev.at.Sub(c.CreatedAt), 0)})
	}
}

// replyDeadlines returns the deadlines of a conversation once its
// operator answered (see OperatorReplied).
func (r *Router) replyDeadlines(by Actor, convID string) func(store.Conversation, time.Time) ([]store.Deadline, bool, error) {
	return func(c store.Conversation, now time.Time) ([]store.Deadline, bool, error) {
		if !c.State.Held() {
			return nil, false, fmt.Errorf("%w: conversation %q is %v", ErrWrongState, convID, c.State)
		}
		if !by.IsAdmin() && by.ID != c.Assignee {
			return nil, false, fmt.Errorf("%w: conversation %q is held by %q, not %q", ErrNotAssignee, convID, c.Assignee, by.ID)
		}
		ds := core.Without(core.Without(c.Deadlines, store.WaitLevel), store.AcceptTimeout)
		if g, ok := r.v.Group(c.Group); ok && g.AutoClose > 0 {
			ds = core.With(ds, store.Deadline{Kind: store.AutoClose, Due: now.Add(g.AutoClose)})
		}
		return ds, !core.SameDeadlines(ds, c.Deadlines), nil
	}
}

// customerWrote returns c's deadlines once its customer has written at now:
// no auto-close or waiting expiry any more (the customer replied), and the
// first wait level armed unless a wait is already being measured; and
// whether that changes them. Caller holds r.mu.
func (r *Router) customerWrote(c store.Conversation, now time.Time) ([]store.Deadline, bool) {
	ds := core.Without(core.Without(c.Deadlines, store.AutoClose), store.WaitingExpiry)
	if _, waiting := store.DeadlineOf(ds, store.WaitLevel); !waiting {
		if d, ok := r.v.FirstWaitLevel(c.Group, now); ok {
			ds = core.With(ds, d)
		}
	}
	return ds, !core.SameDeadlines(ds, c.Deadlines)
}

// keptUnless returns ds for a change that sets deadlines (set), and none
// for one that keeps them as they are: a store refuses deadlines given
// without SetDeadlines.
func keptUnless(set bool, ds []store.Deadline) []store.Deadline {
	if !set {
		return nil
	}
	return ds
}

// customerWaits records that the customer of an assigned conversation wrote
// again (L4, L10).
// The CustomerWrote event goes into the journal with the write of the
// deadlines, or on its own when they do not change.
func (r *Router) customerWaits(ctx context.Context, by Actor, convID string) (store.Conversation, error) {
	c, wrote, err := r.retryDeadlines(ctx, by, convID, func(c store.Conversation, now time.Time) ([]store.Deadline, bool, error) {
		ds, changed := r.customerWrote(c, now)
		return ds, changed, nil
	}, func(_ *core.View, ev *events, out core.Outcome) {
		pushCustomerWrote(ev, out.Result.Conversation)
	})
	if err == nil && !wrote {
		ev := r.newEvents(r.clock.Now(), by)
		pushCustomerWrote(ev, c)
		ev.emit()
	}
	return c, err
}

// pushCustomerWrote adds to ev the CustomerWrote event of a message of
// c's customer: to its holder's console, or those of the operators it is
// offered to.
func pushCustomerWrote(ev *events, c store.Conversation) {
	if !ev.Wants(core.CustomerWrote) {
		return
	}
	e := core.Event{Kind: core.CustomerWrote, Conversation: c.ID, Group: c.Group}
	switch {
	case c.State.Held():
		e.Operator = c.Assignee
	case c.State == store.Offered:
		e.Operators = slices.Clone(c.OfferedTo)
	}
	ev.Push(e)
}

// retryDeadlines sets the deadlines next computes for conversation convID
// (under r.mu, from the view's row, or the store's when the view does not
// hold it) in the name of by, in one step that a stale refusal decides
// again; report, if not nil, adds the command's own events to the
// write's. It returns the conversation as the view holds it afterwards,
// or as next saw it when nothing changed, and whether it wrote.
func (r *Router) retryDeadlines(ctx context.Context, by Actor, convID string, next func(store.Conversation, time.Time) ([]store.Deadline, bool, error), report reportFunc) (store.Conversation, bool, error) {
	if err := store.CheckID("conversation id", convID); err != nil {
		return store.Conversation{}, false, err
	}
	var c store.Conversation
	var st stepped
	err := r.step(ctx, by, convID, about{"conversation %q", convID}, &st, func(v *core.View, now time.Time, read *store.Conversation, _ int) (core.Plan, error) {
		var ok bool
		if c, ok = rowOf(v, convID, read); !ok {
			return core.Plan{Write: core.ReadConversation, Conversation: convID}, nil
		}
		ds, changed, err := next(c, now)
		if err != nil || !changed {
			return core.Plan{}, err
		}
		ch := deadlinesChange(c, ds)
		ch.At = now
		p := core.PlanApply(ch)
		p.Retry = true
		return p, nil
	}, report)
	if err != nil || st.done {
		return c, false, err
	}
	return r.current(ctx, convID), true, nil
}
