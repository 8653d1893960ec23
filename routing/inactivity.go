package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// OperatorActive reports activity by an operator (a message, a click): it
// puts off the automatic switch their status makes after a period without
// activity (P6). It is cheap: as a rule it writes nothing to the
// store; a due switch checks the activity and is re-armed instead when
// there was some. Operators' own commands (taking, replying, accepting,
// changing their status) count as activity too. After a restart every
// operator counts as active at the router's start.
//
// With several Routers on one store, the switch is the business of the
// Router that armed it, which knows only the activity reported to it: the
// first activity reported to another Router re-arms the switch there (one
// write), and that Router decides from then on.
//
// by is the operator, or an admin reporting for them. It fails with
// ErrInvalid for an empty id or an invalid actor, ErrNotAllowed if an
// operator reports for someone else, ErrNotFound for an unknown operator,
// and ErrClosed after Stop.
func (r *Router) OperatorActive(ctx context.Context, by Actor, operatorID string) error {
	end, err := r.beginBy(by.mayActFor(operatorID, "report the activity"))
	if err != nil {
		return err
	}
	defer end()
	now := r.clock.Now()
	var row store.Operator
	claim := false
	err = r.locked(func() error {
		_, err := r.operator(operatorID)
		if err == nil {
			row, claim, _ = r.v.Touch(operatorID, now)
		}
		return err
	})
	if err != nil {
		return err
	}
	if claim {
		return r.claimInactivity(ctx, row)
	}
	return nil
}

// touch records activity by the actor, if an operator, as OperatorActive
// does; a failure to re-arm their switch is left to the next activity.
// Caller does not hold r.mu.
func (r *Router) touch(ctx context.Context, by Actor) {
	if by.Kind != OperatorActor {
		return
	}
	now := r.clock.Now()
	var row store.Operator
	claim := false
	r.inLock(func() { row, claim, _ = r.v.Touch(by.ID, now) })
	if claim {
		if err := r.claimInactivity(ctx, row); err != nil {
			r.log.Warn("routing: re-arming an inactivity switch failed; the next activity tries again", "operator", row.ID, "err", err)
		}
	}
}

// claimInactivity re-arms operator o's inactivity switch from now, in
// this router's name. A row changed meanwhile (the operator's status,
// say) is left as it is: the change decided afresh.
func (r *Router) claimInactivity(ctx context.Context, o store.Operator) error {
	err := r.setOperatorDeadlines(ctx, o, r.inactivityDeadlines(o.Status, r.clock.Now()))
	if err != nil && retryable(err) {
		return nil
	}
	return err
}

// inactivityDeadlines returns the deadlines of an operator entering status
// at now: the status's inactivity switch, if it has one.
func (r *Router) inactivityDeadlines(status string, now time.Time) []store.Deadline {
	st, ok := r.model.Status(status)
	if !ok || st.Inactivity == nil {
		return nil
	}
	return []store.Deadline{{Kind: store.Inactivity, Due: now.Add(st.Inactivity.After)}}
}

// fireInactivity switches operator o, as the view held them, to their
// status's inactivity target if they showed no activity for its time, and
// otherwise re-arms the switch from their last activity.
func (r *Router) fireInactivity(ctx context.Context, it core.DueItem, o store.Operator, now time.Time) error {
	st, ok := r.model.Status(o.Status)
	if !ok || st.Inactivity == nil {
		return r.setOperatorDeadlines(ctx, o, nil)
	}
	var last time.Time
	r.inLock(func() { last = r.v.LastActive(o.ID) })
	if resume := last.Add(st.Inactivity.After); resume.After(now) {
		return r.setOperatorDeadlines(ctx, o, []store.Deadline{{Kind: store.Inactivity, Due: resume}})
	}
	reason := fmt.Sprintf("no activity for %v", st.Inactivity.After)
	return r.setStatus(ctx, BySystem(CauseInactivity), o.ID, o.Status, st.Inactivity.Target, nil, reason)
}

// setOperatorDeadlines replaces o's deadlines, in one step, on condition
// that its row is unchanged since the view read it.
func (r *Router) setOperatorDeadlines(ctx context.Context, o store.Operator, ds []store.Deadline) error {
	var st stepped
	return r.step(ctx, BySystem(CauseInactivity), "", about{"operator %q", o.ID}, &st, func(*core.View, time.Time, *store.Conversation, int) (core.Plan, error) {
		return core.Plan{
			Write: core.SetOperatorDeadlines, RefreshOperators: []string{o.ID},
			Deadlines: store.OperatorDeadlines{Operator: o.ID, Version: o.Version, Deadlines: ds},
		}, nil
	}, nil)
}
