package routing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// OperatorSpec describes an operator for AddOperator and UpdateOperator.
type OperatorSpec struct {
	// ID identifies the operator. Required, at most store.MaxIDLength
	// bytes long (as is every id given to the Router, or it fails with
	// ErrInvalid before the store is called).
	ID string
	// Groups lists the groups the operator serves; each must be configured.
	Groups []string
	// Cap is the operator's own cap on automatic assignment; zero means
	// the group policy's default applies. Negative is invalid.
	Cap int
	// Skills lists what the operator can handle, each a skill string: a
	// name, optionally with a level from 1 to 5 ("de", "de:4"; see
	// policy.Skill), each name once. A conversation that requires skills
	// goes only to operators holding all of them at the levels it asks for.
	Skills []string
	// Status is the operator's status when added. Defaults to the presence
	// model's initial status. Ignored by UpdateOperator.
	Status string
}

// operator returns the view's row of operator id (see
// core.View.Operator), or ErrClosed after Stop. Caller holds r.mu.
func (r *Router) operator(id string) (store.Operator, error) {
	if err := r.usable(); err != nil {
		return store.Operator{}, err
	}
	return r.v.Operator(id)
}

// AddOperator adds an operator; by must be an admin (or the system). Their
// groups' queues are routed at once if their status lets them receive
// conversations.
//
// It fails with ErrInvalid for a bad spec (empty or too long id, negative
// cap, a bad skill) or an invalid actor, ErrNotAllowed if by is not an admin,
// ErrUnknownStatus for a status the presence model does not define,
// ErrNotFound for a group not configured, ErrAlreadyExists for a taken id,
// and ErrClosed after Stop; an error matching ErrFollowUp means the
// operator is added but routing their groups' queues failed.
func (r *Router) AddOperator(ctx context.Context, by Actor, spec OperatorSpec) (store.Operator, error) {
	end, err := r.beginBy(by.mustBeAdmin("add operators"))
	if err != nil {
		return store.Operator{}, err
	}
	defer end()
	now := r.clock.Now()
	row := store.Operator{
		ID: spec.ID, Groups: slices.Clone(spec.Groups), Cap: spec.Cap, Skills: slices.Clone(spec.Skills),
		Status: cmpOr(spec.Status, r.model.Initial()), StatusSince: now,
	}
	row.Deadlines = r.inactivityDeadlines(row.Status, now)
	if err := row.Validate(); err != nil {
		return store.Operator{}, err
	}
	if err := checkSkills("operator", row.ID, row.Skills); err != nil {
		return store.Operator{}, err
	}
	if _, ok := r.model.Status(row.Status); !ok {
		return store.Operator{}, fmt.Errorf("%w: %q (operator %q)", ErrUnknownStatus, row.Status, row.ID)
	}
	var st stepped
	err = r.step(ctx, by, "", about{"operator %q", row.ID}, &st, func(v *core.View, _ time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
		if err := v.CheckGroups(row.Groups); err != nil {
			return core.Plan{}, err
		}
		return core.Plan{Write: core.CreateOperator, Operator: row}, nil
	}, func(v *core.View, ev *events, out core.Outcome) {
		v.AvailabilityEvents(out.Operator.Groups, &ev.Events)
	})
	if err != nil {
		return store.Operator{}, err
	}
	saved := st.out.Operator
	return saved, followUp(r.pumpGroups(ctx, by, slices.Clone(saved.Groups)))
}

// UpdateOperator replaces an operator's groups, cap and skills; by must be
// an admin (or the system). Status and conversations are kept. Offers from
// groups they left are withdrawn, and the queues of every group concerned
// are routed again.
//
// It fails with ErrInvalid for a bad spec or an invalid actor,
// ErrNotAllowed if by is not an admin, ErrNotFound for an unknown operator
// or a group not configured, and ErrClosed after Stop.
func (r *Router) UpdateOperator(ctx context.Context, by Actor, spec OperatorSpec) (store.Operator, error) {
	end, err := r.beginBy(by.mustBeAdmin("update operators"))
	if err != nil {
		return store.Operator{}, err
	}
	defer end()
	row := store.Operator{ID: spec.ID, Groups: slices.Clone(spec.Groups), Cap: spec.Cap, Skills: slices.Clone(spec.Skills), Status: "-"}
	if err := row.Validate(); err != nil {
		return store.Operator{}, err
	}
	if err := checkSkills("operator", row.ID, row.Skills); err != nil {
		return store.Operator{}, err
	}
	var old []string
	var st stepped
	err = r.step(ctx, by, "", about{"operator %q", row.ID}, &st, func(v *core.View, _ time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
		op, err := v.Operator(spec.ID)
		if err != nil {
			return core.Plan{}, err
		}
		if err := v.CheckGroups(row.Groups); err != nil {
			return core.Plan{}, err
		}
		old = slices.Clone(op.Groups)
		return core.Plan{Write: core.UpdateOperator, Operator: row}, nil
	}, func(v *core.View, ev *events, out core.Outcome) {
		v.AvailabilityEvents(union(old, out.Operator.Groups), &ev.Events)
	})
	if err != nil {
		return store.Operator{}, err
	}
	saved := st.out.Operator
	if err := r.withdrawStale(ctx, by, saved.ID, old...); err != nil {
		return saved, followUp(err)
	}
	return saved, followUp(r.pumpGroups(ctx, by, union(old, saved.Groups)))
}

// RemoveOperator removes an operator; by must be an admin (or the system).
// Their assigned conversations are redistributed as on EndShift (guards
// notwithstanding), those waiting on the customer go back to their queues,
// their offers are withdrawn, then the operator is deleted.
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrNotAllowed if by is not an admin, ErrNotFound for an unknown
// operator, and ErrClosed after Stop.
func (r *Router) RemoveOperator(ctx context.Context, by Actor, id string) error {
	end, err := r.beginBy(by.mustBeAdmin("remove operators"))
	if err != nil {
		return err
	}
	defer end()
	if err := r.endShift(ctx, by, id, ReasonOperatorRemoved); err != nil {
		return err
	}
	var waiting, groups []string
	err = r.locked(func() error {
		op, err := r.operator(id)
		if err == nil {
			waiting = r.v.Held(id)
			groups = slices.Clone(op.Groups)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, cid := range waiting {
		_, err := r.mutate(ctx, by, cid, func(store.Conversation) (store.Change, error) {
			return store.Change{From: heldStates, Assignee: id, To: store.Queued, Requeue: true}, nil
		}, func(ev *events, res store.Result) {
			if ev.Wants(core.Returned) {
				ev.Push(core.Event{Kind: core.Returned, Conversation: cid, Group: res.Conversation.Group, From: id, Position: r.v.Position(&res.Conversation), Reason: "operator removed"})
			}
		})
		if err != nil {
			return err
		}
		groups = append(groups, r.current(ctx, cid).Group)
	}
	var st stepped
	err = r.step(ctx, by, "", about{"operator %q", id}, &st, func(*core.View, time.Time, *store.Conversation, int) (core.Plan, error) {
		return core.Plan{Write: core.DeleteOperator, Operator: store.Operator{ID: id}}, nil
	}, func(v *core.View, ev *events, _ core.Outcome) {
		v.AvailabilityEvents(groups, &ev.Events)
	})
	if err != nil {
		return err
	}
	return followUp(r.pumpGroups(ctx, by, groups))
}

// Operator returns an operator as stored. It fails with ErrInvalid for an
// empty id, ErrNotFound for an unknown one, and ErrClosed after Stop.
func (r *Router) Operator(ctx context.Context, id string) (store.Operator, error) {
	end, err := r.beginBy(store.CheckID("operator id", id))
	if err != nil {
		return store.Operator{}, err
	}
	defer end()
	return r.store.Operator(ctx, id)
}

// SetStatus changes an operator's status (P1, L7). An operator may change
// only their own; an admin anyone's. The presence model's transition rules
// and guards apply (P8): a guarded change while the operator holds
// conversations in a forbidden state fails with ErrHoldsConversations and
// changes nothing. Conversations in work are kept whatever the new status
// (P3); offers the new status does not allow are withdrawn, and if it lets
// the operator receive conversations their groups' queues are routed at
// once. Moving to the current status changes nothing and reports nothing.
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrNotAllowed if an operator acts for someone else, ErrNotFound for an
// unknown operator, ErrUnknownStatus, ErrTransitionNotAllowed,
// ErrHoldsConversations, and ErrClosed after Stop; an error matching
// ErrFollowUp means the status changed but the routing that follows
// failed.
func (r *Router) SetStatus(ctx context.Context, by Actor, operatorID, status string) error {
	end, err := r.beginBy(by.mayActFor(operatorID, "change the status"))
	if err != nil {
		return err
	}
	defer end()
	r.touch(ctx, by)
	return r.setStatus(ctx, by, operatorID, "", status, r.model.Forbidden(status), "")
}

// LogIn switches the operator to the presence model's log-in status, if it
// names one (P7); by is the operator, or an admin. It fails as SetStatus
// does.
func (r *Router) LogIn(ctx context.Context, by Actor, operatorID string) error {
	end, err := r.beginBy(by.mayActFor(operatorID, "log in"))
	if err != nil {
		return err
	}
	defer end()
	r.touch(ctx, by)
	if s := r.model.LogIn(); s != "" {
		return r.setStatus(ctx, by, operatorID, "", s, r.model.Forbidden(s), "")
	}
	return r.exists(operatorID)
}

// LogOut switches the operator to the presence model's log-out status, if
// it names one (P7); by is the operator, or an admin. Their conversations
// are kept. It fails as SetStatus does.
func (r *Router) LogOut(ctx context.Context, by Actor, operatorID string) error {
	end, err := r.beginBy(by.mayActFor(operatorID, "log out"))
	if err != nil {
		return err
	}
	defer end()
	if s := r.model.LogOut(); s != "" {
		return r.setStatus(ctx, by, operatorID, "", s, r.model.Forbidden(s), "")
	}
	return r.exists(operatorID)
}

// exists fails as SetStatus does for an operator the view does not hold.
func (r *Router) exists(operatorID string) error {
	return r.locked(func() error {
		_, err := r.operator(operatorID)
		return err
	})
}

// Reasons given in the StatusChanged event of an end of shift.
const (
	// ReasonForcedOffShift: an admin ended someone else's shift (P4).
	ReasonForcedOffShift = "forced off shift"
	// ReasonOperatorRemoved: the operator's shift ended because they were
	// removed (RemoveOperator).
	ReasonOperatorRemoved = "operator removed"
)

// EndShift takes an operator off shift (P4): their status becomes the
// presence model's off-shift status and each conversation they have in work
// is routed again to the other eligible operators, or back to the queue when
// nobody is eligible. Conversations waiting on the customer stay with them
// and return through CustomerReplied. An operator may end only their own
// shift, subject to the presence guards (P8); an admin may force anyone
// off shift, guards notwithstanding: the StatusChanged event then gives
// ReasonForcedOffShift, and every event carries the admin in By.
//
// It fails as SetStatus does; an error matching ErrFollowUp means the
// operator is off shift but redistributing their conversations failed
// (those not placed stay with them, assigned, and are redistributed on the
// next EndShift).
func (r *Router) EndShift(ctx context.Context, by Actor, operatorID string) error {
	end, err := r.beginBy(by.mayActFor(operatorID, "end the shift"))
	if err != nil {
		return err
	}
	defer end()
	reason := ""
	if by.ID != operatorID || by.Kind != OperatorActor {
		reason = ReasonForcedOffShift
	}
	return r.endShift(ctx, by, operatorID, reason)
}

// endShift is EndShift for a valid actor, with the reason its status
// change gives.
func (r *Router) endShift(ctx context.Context, by Actor, operatorID, reason string) error {
	off := r.model.OffShift()
	var forbid []store.State
	if !by.IsAdmin() {
		forbid = r.model.Forbidden(off)
	}
	if err := r.setStatus(ctx, by, operatorID, "", off, forbid, reason); err != nil {
		return err
	}
	return followUp(r.redistribute(ctx, by, operatorID))
}

// redistribute routes again every conversation the operator has assigned.
// The groups of those kept in the queue are routed once more at the end, in
// case a slot freed while they were being placed.
func (r *Router) redistribute(ctx context.Context, by Actor, operatorID string) error {
	var kept []string
	// Each conversation is placed once: an operator put back on shift
	// meanwhile may be given one again, and the loop must end.
	done := map[string]bool{}
	for {
		var st stepped
		err := r.step(ctx, by, "", about{"the conversations of %q", operatorID}, &st, func(v *core.View, now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
			c, d, ok, err := v.NextRedistribution(operatorID, done, now)
			if err != nil || !ok {
				return core.Plan{}, err
			}
			return core.PlanRoute(c, d, now), nil
		}, func(_ *core.View, ev *events, out core.Outcome) {
			if ev.Wants(core.Redistributed) {
				c := out.Result.Conversation
				ev.Push(core.Event{Kind: core.Redistributed, Conversation: c.ID, Group: out.Result.Before.Group, From: operatorID, Operator: c.Assignee})
			}
		})
		if err != nil {
			return err
		}
		if st.done {
			return r.pumpGroups(ctx, by, kept)
		}
		if err := r.withdrawFrom(ctx, by, st.stale); err != nil {
			return err
		}
		c, d := st.out.Result.Before, st.plan.Decision
		done[c.ID] = true
		switch d.Action {
		case policy.Assign:
			if err := r.afterGaining(ctx, by, d.Operator); err != nil {
				return err
			}
		case policy.Keep:
			kept = append(kept, c.Group)
		}
	}
}

// setStatus moves an operator to status to, checking the model's rules and
// refusing with ErrHoldsConversations while they hold a conversation in a
// forbid state. With from set, the operator must still be in from, or the
// change fails with ErrConflict (automatic moves, which must not override
// a change made meanwhile); otherwise a concurrent change is retried on
// fresh data. Moving to the current status changes nothing and reports
// nothing.
func (r *Router) setStatus(ctx context.Context, by Actor, operatorID, from, to string, forbid []store.State, reason string) error {
	refreshed := false
	for {
		cur, same, gained := "", false, false
		var st stepped
		err := r.step(ctx, by, "", about{"the status of %q", operatorID}, &st, func(v *core.View, now time.Time, _ *store.Conversation, refused int) (core.Plan, error) {
			op, err := v.Operator(operatorID)
			if err != nil {
				return core.Plan{}, err
			}
			cur = op.Status
			switch err := r.model.Check(cur, to); {
			case err != nil:
				return core.Plan{}, err
			case from != "" && from != cur:
				return core.Plan{}, fmt.Errorf("%w: operator %q is %q, not %q", ErrConflict, operatorID, cur, from)
			case cur == to:
				same = true
				return core.Plan{}, nil
			}
			return core.Plan{
				Write: core.SetStatus, Retry: from == "", RefreshOperators: []string{operatorID},
				Status: store.StatusChange{Operator: operatorID, From: cur, To: to, Forbid: forbid, At: now, Deadlines: r.inactivityDeadlines(to, now)},
			}, nil
		}, func(v *core.View, ev *events, out core.Outcome) {
			gained = v.Accepting(operatorID)
			if ev.Wants(core.StatusChanged) {
				ev.Push(core.Event{Kind: core.StatusChanged, Operator: operatorID, From: cur, To: to, Groups: slices.Clone(out.Operator.Groups), Reason: reason})
			}
			v.AvailabilityEvents(out.Operator.Groups, &ev.Events)
		})
		switch {
		case err != nil:
			return err
		case same && (refreshed || st.refused > 0):
			return r.sync(ctx)
		case same:
			// Already there, as far as the view knows: make sure the view
			// is not behind a change still on its way to it.
			r.refresh(ctx, "", operatorID)
			refreshed = true
			continue
		}
		if err := r.withdrawStale(ctx, by, operatorID); err != nil {
			return followUp(err)
		}
		if gained {
			return followUp(r.pumpGroups(ctx, by, slices.Clone(st.out.Operator.Groups)))
		}
		return nil
	}
}

// withdrawStale withdraws the offers made to an operator who may no longer
// receive them: their status does not allow offers, they left the
// conversation's group, or they reached the cap of its group's policy
// (R3). Their groups are looked at, and the extra ones (groups they
// left). A conversation left with no offers is queued again, and the queues
// it touched are routed again. Call it without holding any lock, after
// anything that may make offers stale.
func (r *Router) withdrawStale(ctx context.Context, by Actor, operatorID string, extra ...string) error {
	var touched []string
	// The stale offers are found in one scan, and withdrawn one a step;
	// a refusal, or the end of the batch, scans again.
	var batch []store.Conversation
	var decisions []core.Decision
	next := 0
	for {
		var st stepped
		err := r.step(ctx, by, "", about{"the offers of %q", operatorID}, &st, func(v *core.View, now time.Time, _ *store.Conversation, refused int) (core.Plan, error) {
			if refused > 0 || next == len(batch) {
				batch, decisions = v.WithdrawalsOf(operatorID, extra)
				next = 0
			}
			if len(batch) == 0 {
				return core.Plan{}, nil
			}
			next++
			return core.PlanRoute(batch[next-1], decisions[next-1], now), nil
		}, nil)
		if err != nil {
			return err
		}
		if st.done {
			return r.pumpGroups(ctx, by, touched)
		}
		if err := r.withdrawFrom(ctx, by, st.stale); err != nil {
			return err
		}
		touched = append(touched, st.out.Result.Before.Group)
	}
}

// union returns the ids in a or b, without repeats, sorted.
func union(a, b []string) []string {
	u := append(slices.Clone(a), b...)
	slices.Sort(u)
	return slices.Compact(u)
}
