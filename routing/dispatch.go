package routing

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// refresh re-reads conversation convID (if not empty) and the given
// operators from the store into the view, after the store refused a
// decision as stale. The rows read replace the view's, and a conversation
// or operator the store does not have leaves the view, unless the view's
// row changed during the read (see resync.go): a refusal may come from a
// row the store lost. A failed read is logged and left to the next
// attempt.
func (r *Router) refresh(ctx context.Context, convID string, opIDs ...string) {
	if convID == "" && len(opIDs) == 0 {
		return // a new conversation kept in the queue names no rows
	}
	var start uint64
	r.inLock(func() { start = r.v.Gen() })
	var conv *store.Conversation
	convGone := false
	if convID != "" {
		c, err := r.store.Conversation(ctx, convID)
		switch {
		case err == nil:
			conv = &c
		case errors.Is(err, store.ErrNotFound):
			convGone = true
		default:
			r.log.Warn("routing: re-reading a conversation after a refusal failed", "conversation", convID, "err", err)
		}
	}
	ops := make([]store.Operator, 0, len(opIDs))
	gone := []string{}
	for _, id := range opIDs {
		o, err := r.store.Operator(ctx, id)
		switch {
		case err == nil:
			ops = append(ops, o)
		case errors.Is(err, store.ErrNotFound):
			gone = append(gone, id)
		default:
			r.log.Warn("routing: re-reading an operator after a refusal failed", "operator", id, "err", err)
		}
	}
	r.inLock(func() {
		r.v.Refresh(start, conv, convID, convGone, ops, gone, r.rawNow())
	})
}

// pump routes group's queue in serving order (R7, invariant 5; see
// core.Pump), one conversation a step, each step followed by the
// withdrawal of the offers it made stale. It runs whenever a slot frees or
// an operator becomes eligible, so a waiting conversation never waits for
// a poll.
func (r *Router) pump(ctx context.Context, by Actor, group string) error {
	p := core.NewPump(group)
	for {
		var st stepped
		err := r.step(ctx, by, "", about{"group %q's queue", group}, &st, func(v *core.View, now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
			c, d, ok, err := v.NextRoute(&p, now)
			if err != nil || !ok {
				return core.Plan{}, err
			}
			return core.PlanRoute(c, d, now), nil
		}, nil)
		if err != nil || st.done {
			return err
		}
		if err := r.withdrawFrom(ctx, by, st.stale); err != nil {
			return err
		}
		if d := st.plan.Decision; d.Action == policy.Assign {
			if err := r.afterGaining(ctx, by, d.Operator); err != nil {
				return err
			}
		} else {
			p.Done(st.plan.Conversation)
		}
	}
}

// pumpAll pumps every group, in id order.
func (r *Router) pumpAll(ctx context.Context, by Actor) error {
	for _, g := range r.Groups() {
		if err := r.pump(ctx, by, g); err != nil {
			return err
		}
	}
	return nil
}

// pumpGroups pumps the given groups in order, skipping repeats.
func (r *Router) pumpGroups(ctx context.Context, by Actor, groups []string) error {
	slices.Sort(groups)
	for i, g := range groups {
		if i > 0 && groups[i-1] == g {
			continue
		}
		if err := r.pump(ctx, by, g); err != nil {
			return err
		}
	}
	return nil
}
