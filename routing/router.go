package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// Router routes conversations to operators. Create it with New; it is safe
// for concurrent use. Every command returns only after its change is stored,
// and emits its events after that.
//
// A Router lives from New until Stop: the context given to New bounds only
// New's own work (reading the store, routing what waits in it), not the
// Router's life. Until Stop, the Router runs up to two goroutines of its
// own: one that processes deadlines when they are due (unless
// Config.ManualDeadlines), and one that follows the changes other Routers
// make, when the store has a change feed. Stop refuses new commands, waits
// for those in flight, stops both goroutines and closes every
// subscription; it never closes the store, which belongs to the caller.
type Router struct {
	store store.Store
	// clock is Config.Clock, corrected to the store's (see clock.go).
	clock *skewClock
	model *presence.Model
	cfg   Config
	hub   hub
	// rules is the rule set the Router runs (see rules.go).
	rules atomic.Pointer[ruleSet]
	// groupMu serialises the changes of the groups this Router makes and
	// follows (see groups.go).
	groupMu sync.Mutex
	// log is Config.Logger, or a logger that discards.
	log *slog.Logger
	// life ends when the Router stops: the background work runs under it.
	life    context.Context
	endLife context.CancelFunc
	// admit counts the commands in flight (see admission.go); endFn is
	// r.end, bound once so that begin allocates nothing.
	admit admission
	endFn func()
	// stopOnce and closeOnce make Stop's two steps run once.
	stopOnce, closeOnce sync.Once

	// onShiftStatuses, transferStatuses and adminStatuses name the
	// statuses with each capability, for the store's atomic checks.
	onShiftStatuses, transferStatuses, adminStatuses []string

	// convLocks serialise commands on the same conversation (see
	// convlock.go).
	convLocks convLocks

	// mu guards what follows but the wake and stop channels: closed, the
	// view, the checks and lastClockCheck. Only Router.locked takes it.
	mu sync.Mutex
	// closed is set once Stop has waited for the commands in flight (or
	// given up): the view then refuses every step.
	closed bool
	// v is the view of the store's rows, which decides (see
	// internal/core).
	v *core.View
	// served holds, by id, the groups the view serves as configured, with
	// the version of their stored row (see groups.go).
	served map[string]servedGroup
	// wake tells the loop that an earlier deadline may have arrived.
	wake chan struct{}
	// stopLoop and loopDone stop and wait for the deadline loop.
	stopLoop, loopDone chan struct{}

	// The change feed, when the store is shared (see follow.go): feed is
	// nil without one. takeover is Config.Takeover with a feed, 0
	// without. checks holds, by group, when to route a queue that a
	// change of another router made routable. stopFeed ends the watch;
	// feedDone is closed when follow has returned.
	feed     store.Feed
	takeover time.Duration
	checks   map[string]int64
	stopFeed context.CancelFunc
	feedDone chan struct{}
	// fillDone is closed when the journal's filler has returned (see
	// journal.go), pruneDone when its pruner has (see retention.go).
	fillDone, pruneDone chan struct{}
	// stale records a write of unknown outcome since the last resync;
	// resyncWanted wakes follow for it (see outcome.go).
	stale        atomic.Bool
	resyncWanted chan struct{}
	// lastClockCheck is when the offset to the store's clock was last
	// measured, on Config.Clock (zero: never measured; see clock.go).
	lastClockCheck time.Time
}

// New returns a Router configured by cfg. If the store already holds
// operators and conversations, the Router rebuilds its view from them and
// routes the conversations that were waiting. ctx bounds this work only;
// the Router lives until Stop (see Router).
//
// The Router serves the groups the store holds, and stores those of
// Config.Groups that it does not hold yet (see Config.Groups).
//
// It fails with an error matching ErrInvalidConfig if cfg does not
// validate, if a stored group cannot be built (its policy names a kind
// Config.Policies does not build, see there), or if the store holds rows
// of a group it does not hold, and with the store's error
// (ErrUnavailable, ErrClosed, ...) or ctx's if the store cannot be read or
// written.
func New(ctx context.Context, cfg Config) (*Router, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m := cfg.Presence
	r := &Router{
		store:            cfg.Store,
		log:              cfg.Logger,
		resyncWanted:     make(chan struct{}, 1),
		clock:            &skewClock{Clock: cfg.Clock},
		model:            m,
		cfg:              cfg,
		transferStatuses: m.With(presence.Transfers),
		adminStatuses:    m.With(presence.AdminAssign),
		wake:             make(chan struct{}, 1),
	}
	for _, s := range m.Statuses() {
		if s.OnShift() {
			r.onShiftStatuses = append(r.onShiftStatuses, s.Name)
		}
	}
	r.v = core.NewView(m, r.poke)
	r.hub.obs = cfg.Observer
	r.rules.Store(&ruleSet{})
	r.store = outcomeStore{Store: cfg.Store, r: r}
	r.hub.next, r.hub.fillWanted, r.hub.gapWanted = 1, make(chan struct{}, 1), make(chan struct{}, 1)
	if !cfg.NoJournal {
		b, err := r.store.JournalBounds(ctx)
		if err != nil {
			return nil, fmt.Errorf("routing: reading the journal: %w", err)
		}
		r.hub.next = b.Newest + 1
	}
	r.endFn = r.end
	r.life, r.endLife = context.WithCancel(context.WithoutCancel(ctx))
	r.served = map[string]servedGroup{}
	r.checkClock(ctx)
	// The feed starts before the groups and rows are read, so that no
	// change made in between is missed.
	notices, err := r.watch(ctx)
	if err != nil {
		r.endLife()
		return nil, err
	}
	if err := r.loadGroups(ctx); err != nil {
		r.unwatch()
		r.endLife()
		return nil, err
	}
	if err := r.load(ctx); err != nil {
		r.unwatch()
		r.endLife()
		return nil, err
	}
	if err := r.loadRules(ctx, true); err != nil {
		r.unwatch()
		r.endLife()
		return nil, err
	}
	if notices != nil {
		r.feedDone = make(chan struct{})
		go r.follow(notices, r.feedDone)
	}
	if !cfg.NoJournal {
		r.fillDone, r.pruneDone = make(chan struct{}), make(chan struct{})
		go r.fillLoop(r.fillDone)
		go r.pruneLoop(r.pruneDone)
	}
	if err := r.pumpAll(ctx, BySystem(CauseStart)); err != nil {
		r.unwatch()
		r.endLife()
		return nil, err
	}
	if !cfg.ManualDeadlines {
		r.stopLoop, r.loopDone = make(chan struct{}), make(chan struct{})
		go r.loop(r.stopLoop, r.loopDone)
	}
	return r, nil
}

// load rebuilds the view from the store's rows. Rows of a group the
// Router does not serve make it read the groups again, once: another
// Router may have added the group since they were read.
func (r *Router) load(ctx context.Context) error {
	ops, err := r.store.Operators(ctx)
	if err != nil {
		return fmt.Errorf("routing: loading operators: %w", err)
	}
	convs, err := r.store.Conversations(ctx, store.Filter{States: openStates})
	if err != nil {
		return fmt.Errorf("routing: loading conversations: %w", err)
	}
	for again := true; ; again = false {
		err := r.locked(func() error {
			if err := r.checkRows(ops, convs); err != nil {
				return err
			}
			// Activity before a restart is not known: everyone counts as
			// active now (see OperatorActive).
			r.v.Load(ops, convs, r.clock.Now())
			return nil
		})
		var unserved unservedError
		if err == nil || !again || !errors.As(err, &unserved) {
			return err
		}
		if _, err := r.syncGroups(ctx, BySystem(CauseStart)); err != nil {
			return err
		}
	}
}

// unservedError is the error of rows of a group the Router does not serve
// (see checkRows); it matches ErrInvalidConfig.
type unservedError struct{ error }

func (e unservedError) Unwrap() error { return e.error }

// checkRows checks that the view can hold the rows read at the start:
// their groups are served (an unservedError otherwise) and their statuses
// defined (ErrInvalidConfig). Caller holds r.mu.
func (r *Router) checkRows(ops []store.Operator, convs []store.Conversation) error {
	unserved := func(what, id, group string) error {
		return unservedError{fmt.Errorf("%w: the store holds %s %q of group %q, which it does not hold (a group removed while it was in use?): "+
			"list the group in Config.Groups to serve it again", ErrInvalidConfig, what, id, group)}
	}
	for _, o := range ops {
		for _, g := range o.Groups {
			if !r.v.HasGroup(g) {
				return unserved("operator", o.ID, g)
			}
		}
		if _, ok := r.model.Status(o.Status); !ok {
			return fmt.Errorf("%w: the store holds operator %q in status %q, which the presence model does not define", ErrInvalidConfig, o.ID, o.Status)
		}
	}
	for _, c := range convs {
		if !r.v.HasGroup(c.Group) {
			return unserved("conversation", c.ID, c.Group)
		}
	}
	return nil
}

// Stop stops the Router. New commands fail with ErrClosed from the moment
// it is called; it waits for the commands in flight to return, then stops
// the Router's goroutines (the deadline loop, the change feed) and closes
// every subscription's channel. It does not close the store, which belongs
// to the caller.
//
// If ctx ends before the commands in flight or the goroutines have
// returned, Stop stops the Router anyway (the commands' later steps fail
// with ErrClosed, the goroutines' store calls are cancelled) and returns an
// error matching ctx's. Stop is safe to call more than once; a later call
// waits again for what is still running.
//
// Do not call Stop from Config.OnError or a Config.Logger handler: they run
// inside the Router's goroutines and commands, which Stop waits for (call
// it in a goroutine of its own there).
func (r *Router) Stop(ctx context.Context) error {
	if idle := r.admit.stop(); idle != nil {
		select {
		case <-idle:
		case <-ctx.Done():
			r.stopOnce.Do(r.signalStop)
			return fmt.Errorf("routing: stop: commands still in flight: %w", ctx.Err())
		}
	}
	r.stopOnce.Do(r.signalStop)
	for _, done := range []chan struct{}{r.loopDone, r.feedDone, r.fillDone, r.pruneDone} {
		if done == nil {
			continue
		}
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("routing: stop: background work still running: %w", ctx.Err())
		}
	}
	r.closeOnce.Do(r.hub.close)
	return nil
}

// signalStop closes the Router: the view refuses every later step, and
// the background work is told to end (its store calls are cancelled).
// Stop waits for it to end, then closes the subscriptions.
func (r *Router) signalStop() {
	r.inLock(func() { r.closed = true })
	r.endLife()
	if r.stopLoop != nil {
		close(r.stopLoop)
	}
	if r.stopFeed != nil {
		r.stopFeed()
	}
}

// begin admits a command: it fails with ErrClosed once Stop has been
// called, and otherwise counts the command as in flight until the returned
// func is called.
func (r *Router) begin() (end func(), err error) {
	if !r.admit.enter() {
		return nil, fmt.Errorf("%w: router", ErrClosed)
	}
	return r.endFn, nil
}

// beginBy is begin for a command whose check of its input (its actor, an
// id) gave check: a command refused by Stop fails with ErrClosed, one with
// bad input with check.
func (r *Router) beginBy(check error) (end func(), err error) {
	if end, err = r.begin(); err != nil {
		return nil, err
	}
	if check != nil {
		end()
		return nil, check
	}
	return end, nil
}

// end counts a command admitted by begin as returned.
func (r *Router) end() { r.admit.leave() }

// Subscribe returns a subscription to the events of the given kinds (every
// kind when none is given): SubscribeTo with a filter of kinds only, for
// which kinds out of range (and Lagged) are left out rather than refused.
// Events emitted before the call are not delivered. After Stop, the
// subscription's channel is closed. A subscriber that falls behind gets a
// Lagged marker and its channel is closed (see Subscription): a loop over
// Events ends then, and checks Err to tell a lag from a Cancel.
func (r *Router) Subscribe(kinds ...EventKind) *Subscription {
	return r.hub.add(r.newSubscription(kindMask(kinds), EventFilter{}))
}

// SubscribeTo returns a subscription to the events f selects (see
// EventFilter and Subscription). Events emitted before the call are not
// delivered. After Stop, the subscription's channel is closed.
//
// It fails, subscribing nothing, with ErrInvalid for a kind a subscription
// cannot ask for (out of range, or Lagged) or an id longer than
// store.MaxIDLength, and ErrNotFound for an operator the Router does not
// know or a group it does not serve.
func (r *Router) SubscribeTo(f EventFilter) (*Subscription, error) {
	mask, err := r.checkFilter(f)
	if err != nil {
		return nil, err
	}
	return r.hub.add(r.newSubscription(mask, f)), nil
}

// newSubscription returns a subscription to the kinds in mask, filtered
// on f's operator and group, with its channel's buffer: Config.EventBuffer
// events and the slot kept for the Lagged marker.
func (r *Router) newSubscription(mask uint64, f EventFilter) *Subscription {
	return &Subscription{c: make(chan Event, r.cfg.EventBuffer+1), mask: mask, conversation: f.Conversation, operator: f.Operator, group: f.Group}
}

// SubscriptionStats returns the counts of the Router's subscriptions, for
// metrics.
func (r *Router) SubscriptionStats() SubscriptionStats { return r.hub.stats() }

// Clock returns the clock the router runs on: Config.Clock, corrected to
// the store's clock while the two are further apart than
// Config.MaxClockSkew (see ClockOffset).
func (r *Router) Clock() clock.Clock { return r.clock }

// Presence returns the router's presence model.
func (r *Router) Presence() *presence.Model { return r.model }

// Groups returns the ids of the router's groups, sorted.
func (r *Router) Groups() []string {
	var ids []string
	r.inLock(func() { ids = r.v.GroupIDs() })
	return ids
}

// report logs err, a failure of background work, and hands it to
// Config.OnError.
func (r *Router) report(err error) {
	r.log.Error("routing: background work failed", "err", err)
	if r.cfg.OnError != nil {
		r.cfg.OnError(err)
	}
}

// usable returns ErrClosed once the router is closed. Caller holds r.mu.
func (r *Router) usable() error {
	if r.closed {
		return fmt.Errorf("%w: router", ErrClosed)
	}
	return nil
}

// lockConv takes the lock of conversation id (see convLocks.lock).
func (r *Router) lockConv(ctx context.Context, id string) (unlock func(), err error) {
	return r.convLocks.lock(ctx, id)
}
