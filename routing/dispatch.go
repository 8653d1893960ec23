package routing

import (
	"context"
	"errors"
	"fmt"
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
	r.mu.Lock()
	start := r.v.Gen()
	r.mu.Unlock()
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
	r.mu.Lock()
	defer r.mu.Unlock()
	r.v.Refresh(start, conv, convID, convGone, ops, gone, r.rawNow())
}

// pump routes group's queue in serving order (R7, invariant 5; see
// core.Pump), storing each change the core decides before deciding the
// next. It runs whenever a slot frees or an operator becomes eligible, so
// a waiting conversation never waits for a poll.
func (r *Router) pump(ctx context.Context, by Actor, group string) error {
	p := core.NewPump(group)
	var tries attempts
	for {
		now := r.clock.Now()
		r.mu.Lock()
		err := r.usable()
		var target store.Conversation
		var d core.Decision
		found := false
		if err == nil {
			target, d, found, err = r.v.NextRoute(p, now)
		}
		r.mu.Unlock()
		if err != nil || !found {
			return err
		}
		if err := r.commitRoute(ctx, by, target, d, now, nil); err != nil {
			if tries.again(retryable(err)) {
				continue
			}
			return tries.fail(err, fmt.Sprintf("group %q's queue", group))
		}
		if d.Action == policy.Assign {
			if err := r.afterGaining(ctx, by, d.Operator); err != nil {
				return err
			}
		} else {
			p.Done(target.ID)
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

// commitRoute applies decision d to conversation c as it was read, under
// the conversation's lock, and emits the events. before, if not nil, runs
// on the events first (for a command that reports its own event ahead of
// the routing ones). On a stale-view refusal it refreshes the view and
// returns the store's error. Offers that went stale while the decision was
// being stored are withdrawn once the lock is released.
func (r *Router) commitRoute(ctx context.Context, by Actor, c store.Conversation, d core.Decision, now time.Time, before func(*events, store.Result)) error {
	stale, err := r.commitRouteLocked(ctx, by, c, d, now, before)
	if err != nil {
		return err
	}
	return r.withdrawFrom(ctx, by, stale)
}

func (r *Router) commitRouteLocked(ctx context.Context, by Actor, c store.Conversation, d core.Decision, now time.Time, before func(*events, store.Result)) ([]string, error) {
	unlock, err := r.lockConv(ctx, c.ID)
	if err != nil {
		r.releaseLocked(&d)
		return nil, err
	}
	defer unlock()
	res, err := r.store.Apply(ctx, d.Change(c, now))
	if err != nil {
		r.releaseLocked(&d)
		if retryable(err) {
			r.refresh(ctx, c.ID, d.Named()...)
		}
		return nil, err
	}
	ev := r.newEvents(now, by)
	r.mu.Lock()
	r.v.Release(&d, &res, r.rawNow())
	if before != nil {
		before(&ev, res)
	}
	r.v.RoutedEvents(&ev.Events, res, d)
	stale := r.v.StaleOfferees(res.Conversation, d)
	r.mu.Unlock()
	ev.emit()
	return stale, nil
}

// withdrawFrom withdraws the stale offers of each operator in ops.
func (r *Router) withdrawFrom(ctx context.Context, by Actor, ops []string) error {
	for _, id := range ops {
		if err := r.withdrawStale(ctx, by, id); err != nil {
			return err
		}
	}
	return nil
}

// releaseLocked undoes the reservation of d, which the store refused, for
// a caller that does not hold r.mu.
func (r *Router) releaseLocked(d *core.Decision) {
	r.mu.Lock()
	r.v.Release(d, nil, r.rawNow())
	r.mu.Unlock()
}

// rawNow returns the time on Config.Clock, uncorrected, in Unix
// nanoseconds: what the view's tombstones are kept by.
func (r *Router) rawNow() int64 { return r.clock.Clock.Now().UnixNano() }
