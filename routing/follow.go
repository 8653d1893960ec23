package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/store"
)

// Several Routers on one store. Each Router keeps its own view of the rows,
// and every decision it takes is a conditional change that the store
// refuses when the rows it was based on have changed (ErrConflict,
// ErrAlreadyTaken, ErrOverCapacity, ...): a stale view costs a retry, never
// a wrong assignment. When the store implements store.Feed, the Router
// follows the changes the other Routers make: it takes the rows a notice
// carries, reads those it only names, and folds them into its view (by
// version, so a late read never undoes a newer row), re-reads everything
// after a resync (the groups and the rule set too), and routes the queues
// those changes made routable,
// Config.Takeover after them (at once when Takeover is zero): the Router
// that made the change routes them first, and another one takes over if it
// did not.

// watch starts following the store's changes, if it has a feed. It
// returns nil when it has none.
func (r *Router) watch(ctx context.Context) (<-chan store.Notice, error) {
	f, ok := r.cfg.Store.(store.Feed)
	if !ok {
		return nil, nil
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	notices, err := f.Watch(wctx)
	switch {
	case errors.Is(err, store.ErrUnsupported):
		cancel()
		return nil, nil
	case err != nil:
		cancel()
		return nil, fmt.Errorf("routing: following the store's changes: %w", err)
	}
	r.feed, r.stopFeed, r.takeover = f, cancel, r.cfg.Takeover
	r.v.SetTakeover(r.takeover)
	r.checks = map[string]int64{}
	return notices, nil
}

// unwatch stops following the store's changes and waits for follow to
// return.
func (r *Router) unwatch() {
	if r.stopFeed == nil {
		return
	}
	r.stopFeed()
	if r.feedDone != nil {
		<-r.feedDone
	}
}

// msgFollowed is the message of the Debug record logged after each notice
// of the change feed was followed (its "err" attribute is the failure that
// made the Router keep the notice for later, or nil).
const msgFollowed = "routing: followed the store's changes"

// follow folds the notices into the view until the watch ends. A notice
// that could not be followed (the store unreachable) is kept, merged with
// the next ones, and tried again after loopRetry.
func (r *Router) follow(notices <-chan store.Notice, done chan<- struct{}) {
	defer close(done)
	var behind store.Notice
	pending := false
	for {
		var timer *clock.Timer
		var retry <-chan time.Time
		if pending {
			timer = r.clock.Timer(loopRetry)
			retry = timer.C
		}
		select {
		case n, ok := <-notices:
			if timer != nil {
				timer.Stop()
			}
			if !ok {
				return
			}
			// Another Router's change: its events are in the journal.
			r.hub.wantFill()
			if pending {
				behind = merge(behind, n)
			} else {
				behind = n
			}
			pending = true
		case <-retry:
		case <-r.resyncWanted:
			// A write of this Router's may be stored unseen (see
			// outcome.go).
			if timer != nil {
				timer.Stop()
			}
			r.stale.Store(false)
			behind, pending = store.Notice{Resync: true}, true
		}
		ctx, cancel := context.WithTimeout(r.life, backgroundTimeout)
		err := r.catchUp(ctx, behind)
		cancel()
		if err == nil {
			behind, pending = store.Notice{}, false
		} else {
			r.report(err)
		}
		r.log.Debug(msgFollowed, "resync", behind.Resync, "err", err)
	}
}

// merge returns a notice naming the rows of both a and b. It carries no
// rows: those of a may be older than what b names, and it is rare (a
// notice kept after a failure), so everything is read.
func merge(a, b store.Notice) store.Notice {
	if a.Resync || b.Resync {
		return store.Notice{Resync: true}
	}
	return store.Notice{
		RuleSet:       a.RuleSet || b.RuleSet,
		Groups:        a.Groups || b.Groups,
		Operators:     slices.Compact(slices.Sorted(slices.Values(append(slices.Clip(a.Operators), b.Operators...)))),
		Conversations: slices.Compact(slices.Sorted(slices.Values(append(slices.Clip(a.Conversations), b.Conversations...)))),
	}
}

// catchUp reads the rows n names (every row after a resync), folds them
// into the view, and routes the queues they may have made routable.
func (r *Router) catchUp(ctx context.Context, n store.Notice) error {
	by := BySystem(CauseTakeover)
	if n.Resync {
		by = BySystem(CauseResync)
	}
	var groups []string
	if n.Resync || n.Groups {
		// Another Router changed the groups: read them before the rule
		// set and the rows, which may name a group it added.
		var err error
		if groups, err = r.syncGroups(ctx, by); err != nil {
			return fmt.Errorf("routing: following the store's changes: %w", err)
		}
	}
	if n.Resync || n.RuleSet {
		// Another Router stored a rule set. One this Router cannot run
		// (it names a group it does not serve) is reported, and the rule
		// set in force stays.
		if err := r.loadRules(ctx, false); err != nil {
			if errors.Is(err, ErrInvalidConfig) {
				r.report(err)
			} else {
				return fmt.Errorf("routing: following the store's changes: %w", err)
			}
		}
	}
	if n.Resync {
		if err := r.resync(ctx); err != nil {
			return fmt.Errorf("routing: following the store's changes: %w", err)
		}
		return r.routeAfterChanges(ctx, by, r.Groups())
	}
	rows, err := r.feed.Rows(ctx, n)
	if err != nil {
		return fmt.Errorf("routing: following the store's changes: %w", err)
	}
	r.inLock(func() {
		if !r.closed {
			groups = append(groups, r.v.Follow(rows, r.rawNow())...)
		}
	})
	return r.routeAfterChanges(ctx, by, groups)
}

// routeAfterChanges routes the queues of groups, which changes another
// Router made may have made routable: Config.Takeover later, or at once
// (in the name of by) when it is zero.
func (r *Router) routeAfterChanges(ctx context.Context, by Actor, groups []string) error {
	if r.takeover > 0 {
		at := r.clock.Now().Add(r.takeover).UnixNano()
		r.inLock(func() {
			for _, id := range groups {
				if cur, ok := r.checks[id]; !ok || at < cur {
					r.checks[id] = at
				}
			}
		})
		r.poke()
		groups = nil
	}
	return followUp(r.pumpGroups(ctx, by, groups))
}

// dueChecks removes from r.checks the groups due by now and returns them.
// Caller holds r.mu.
func (r *Router) dueChecks(now int64) []string {
	var out []string
	for id, at := range r.checks {
		if at <= now {
			out = append(out, id)
			delete(r.checks, id)
		}
	}
	return out
}
