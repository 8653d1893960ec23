package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// The deadlines of open conversations and operators are indexed by due
// time in the view (core.DueIndex). ProcessDue handles what is due in due
// order; the router's loop calls it when the clock reaches the earliest
// deadline. With several routers on one store, a deadline another router
// set is indexed Config.Takeover late, and the store's conditional changes
// make sure a deadline does its work once.

// poke tells the loop to look at the deadlines again.
func (r *Router) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// nextDue returns the earliest time at which something is due: a
// deadline or business hours in the view, a check of another router's
// changes, or a check of the clock. Caller holds r.mu.
func (r *Router) nextDue() (int64, bool) {
	due, ok := r.v.NextDue()
	for _, at := range r.checks {
		if !ok || at < due {
			due, ok = at, true
		}
	}
	if at, _ := r.nextClockCheck(); !at.IsZero() && (!ok || at.UnixNano() < due) {
		due, ok = at.UnixNano(), true
	}
	return due, ok
}

// ProcessDue handles everything due at or before the clock's current time,
// after measuring the clock's offset to the store's if a check is due (see
// Config.MaxClockSkew) and resynchronising the view with the store if a
// write's outcome was unknown since the last time (without a feed; see
// Resync): groups whose business hours open or close (R6:
// availability is reported, an opening queue is routed), queues another
// router's changes made routable Config.Takeover ago, then, in due order,
// the conversations' deadlines (L2, L3, L4, L10). Each deadline fires
// at most once, and only if its conversation is still as it was when the
// deadline was set. A Router whose Config.ManualDeadlines is
// set relies on this call alone; tests and simulations call it after
// advancing a mock clock, and never sleep. The events of this work carry
// the system as their actor, with the cause (CauseBusinessHours,
// CauseTakeover, CauseAcceptTimeout, ...).
//
// It fails with ErrClosed after Stop, and with the store's error when
// the work could not be done (it stays due, and is done on the next call);
// errors matching ErrFollowUp say that a deadline did its work but what
// followed it failed.
func (r *Router) ProcessDue(ctx context.Context) error {
	end, err := r.begin()
	if err != nil {
		return err
	}
	defer end()
	return r.processDueNow(ctx)
}

// processDueNow is ProcessDue, for a caller admitted already (or the
// deadline loop, which Stop stops itself).
func (r *Router) processDueNow(ctx context.Context) error {
	r.clockCheckDue(ctx)
	if err := r.resyncIfStale(ctx); err != nil {
		return err
	}
	now := r.clock.Now()
	hours := BySystem(CauseBusinessHours)
	ev := r.newEvents(now, hours)
	var opened, takeovers []string
	r.inLock(func() {
		opened = r.v.TurnHours(now, &ev.Events)
		// Queues that another router's changes made routable, left to it
		// for Config.Takeover (see follow.go).
		takeovers = r.dueChecks(now.UnixNano())
	})
	ev.emit()
	if err := r.pumpGroups(ctx, hours, opened); err != nil {
		return err
	}
	if err := r.pumpGroups(ctx, BySystem(CauseTakeover), takeovers); err != nil {
		return err
	}
	var tries attempts
	var followUps []error
	for {
		now := r.clock.Now()
		var it core.DueItem
		var c store.Conversation
		var o store.Operator
		ok := false
		if err := r.locked(func() error {
			it, c, o, ok = r.v.Due(now.UnixNano())
			return r.usable()
		}); err != nil {
			return err
		}
		if !ok {
			return errors.Join(followUps...)
		}
		var err error
		if it.Operator {
			err = r.fireInactivity(ctx, it, o, now)
		} else {
			err = r.fire(ctx, it, c, now)
		}
		switch {
		case err == nil:
		case errors.Is(err, ErrFollowUp):
			// The deadline did its work; what followed failed and is
			// retried on the next trigger. Go on with the others.
			followUps = append(followUps, err)
		case tries.again(retryable(err)):
		default:
			return errors.Join(append(followUps, tries.fail(err, fmt.Sprintf("the row of deadline %v of %q", it.Kind, it.ID)))...)
		}
	}
}

// fire acts on one due deadline of conversation c as the view held it.
func (r *Router) fire(ctx context.Context, it core.DueItem, c store.Conversation, now time.Time) error {
	switch it.Kind {
	case store.WaitLevel:
		return r.fireWaitLevel(ctx, it, c, now)
	case store.AutoClose:
		return r.closeOnDeadline(ctx, BySystem(CauseAutoClose), c, ReasonNoReply)
	case store.WaitingExpiry:
		return r.closeOnDeadline(ctx, BySystem(CauseWaitingExpiry), c, ReasonWaitingExpired)
	case store.AcceptTimeout:
		return r.fireAccept(ctx, c)
	case store.SkillRelax:
		return r.fireWaitEnd(ctx, BySystem(CauseSkillRelax), it.Kind, c)
	case store.PreferExpiry:
		return r.fireWaitEnd(ctx, BySystem(CausePreferExpiry), it.Kind, c)
	}
	// A kind this router does not handle: drop it from the row, so that it
	// does not come back.
	return r.setDeadlines(ctx, BySystem(Cause(it.Kind.String())), c, core.Without(c.Deadlines, it.Kind), nil)
}

// Reasons given in events.
const (
	// ReasonOffHours: a conversation is kept in the queue because its
	// group is outside its business hours (R6).
	ReasonOffHours = "outside business hours"
	// ReasonNoReply: the customer did not reply in the group's AutoClose
	// time after the operator's last message (L4).
	ReasonNoReply = "no customer reply"
	// ReasonWaitingExpired: the conversation waited on its customer for
	// the group's WaitingExpiry.
	ReasonWaitingExpired = "waiting on the customer expired"
)

// closeOnDeadline closes c, unchanged since the view read it, for reason,
// in the name of by.
func (r *Router) closeOnDeadline(ctx context.Context, by Actor, c store.Conversation, reason string) error {
	res, err := r.mutate(ctx, by, c.ID, func(store.Conversation) (store.Change, error) {
		return store.Change{From: []store.State{c.State}, Version: c.Version, To: store.Closed, CloseReason: reason}, nil
	}, func(ev *events, res store.Result) {
		if ev.Wants(core.Closed) {
			ev.Push(core.Event{Kind: core.Closed, Conversation: c.ID, Group: c.Group, Operator: c.Assignee, Reason: reason})
		}
		r.v.WithdrawnEvents(&ev.Events, res)
	})
	if err != nil {
		return err
	}
	return followUp(r.afterLeaving(ctx, by, res.Before))
}

// setDeadlines stores c's deadlines as ds, leaving everything else as it
// is, on condition that c is unchanged; report, if not nil, adds the
// events, which carry by.
func (r *Router) setDeadlines(ctx context.Context, by Actor, c store.Conversation, ds []store.Deadline, report func(*events, store.Result)) error {
	if report == nil {
		report = func(*events, store.Result) {}
	}
	_, err := r.mutate(ctx, by, c.ID, func(store.Conversation) (store.Change, error) {
		return deadlinesChange(c, ds), nil
	}, report)
	return err
}

// deadlinesChange returns the change that stores c's deadlines as ds,
// leaving everything else as it is, on condition that c is unchanged.
func deadlinesChange(c store.Conversation, ds []store.Deadline) store.Change {
	return store.Change{
		Conversation: c.ID, From: []store.State{c.State}, Version: c.Version,
		To: c.State, NewAssignee: c.Assignee, Offers: c.OfferedTo,
		SetDeadlines: true, Deadlines: ds,
	}
}

// backgroundTimeout bounds one round of the Router's background work (a
// notice followed, a ProcessDue of the loop): a store that does not answer
// (a silent network) must not hold it, and the conversation locks it
// takes, for ever. What did not get done is tried again.
const backgroundTimeout = 30 * time.Second

// loopRetry is how long the loop waits before processing deadlines again
// after ProcessDue failed.
const loopRetry = time.Second

// loop runs ProcessDue whenever the clock reaches the earliest deadline,
// and, without a feed, when a write's outcome was unknown (see outcome.go),
// until stop is closed.
func (r *Router) loop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	var wanted <-chan struct{}
	if r.feed == nil {
		wanted = r.resyncWanted
	}
	for {
		var due int64
		ok := false
		r.inLock(func() { due, ok = r.nextDue() })
		var timer *clock.Timer
		var fired <-chan time.Time
		if ok {
			timer = r.clock.Timer(time.Duration(due - r.clock.Now().UnixNano()))
			fired = timer.C
		}
		run := false
		select {
		case <-stop:
		case <-r.wake:
		case <-wanted:
			run = true
		case <-fired:
			run = true
		}
		if timer != nil {
			timer.Stop()
		}
		if run && !r.processDue(stop) {
			return
		}
		select {
		case <-stop:
			return
		default:
		}
	}
}

// processDue runs ProcessDue for the loop, for at most backgroundTimeout.
// A failure is reported, and what failed stays in place: it is tried
// again after a pause (not at once, which would spin while the store is
// down), and a restarted router re-arms it. It returns false if stop was
// closed during the pause.
func (r *Router) processDue(stop <-chan struct{}) bool {
	ctx, cancel := context.WithTimeout(r.life, backgroundTimeout)
	err := r.processDueNow(ctx)
	cancel()
	if err == nil {
		return true
	}
	r.report(err)
	pause := r.clock.Timer(loopRetry)
	defer pause.Stop()
	select {
	case <-stop:
		return false
	case <-pause.C:
		return true
	}
}
