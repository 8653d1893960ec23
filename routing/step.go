package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// The one path of every change. A command is carried out in steps, and
// every step goes the same way (step):
//
//  1. under r.mu, the core decides on its view what to store (a
//     core.Plan), with the time read once;
//  2. without r.mu, holding only the lock of the conversation concerned,
//     the Router makes the plan's one store call;
//  3. under r.mu, the core absorbs the store's answer (the rows it
//     returned, the end of a reservation) and builds the events;
//  4. the events are emitted, and the conversation's lock released.
//
// A plan the store refuses as stale (see retryable) has the rows it rested
// on re-read (refresh) and, if the plan says so, is decided again, up to
// maxAttempts times: that is the one retry rule. What follows a step (the
// offers it made stale, the queue its freed slot serves, the status a
// last close switches to) is more steps, taken by the command before it
// returns. The deadline loop and the change feed's follower go through the
// same steps.

// planFunc decides, under r.mu, a command's next write on the view v at
// now (core.NoWrite when it has nothing more to store). read is the
// store's row of the conversation an earlier plan asked to read
// (core.ReadConversation), nil otherwise; refused counts the stale
// refusals of this step so far.
type planFunc func(v *core.View, now time.Time, read *store.Conversation, refused int) (core.Plan, error)

// reportFunc adds, under r.mu, a command's own events for the write the
// store took (out), ahead of those of the routing it did.
type reportFunc func(v *core.View, ev *events, out core.Outcome)

// stepped is what a step did.
type stepped struct {
	// plan is the last plan decided, and out the store's answer to it.
	plan core.Plan
	out  core.Outcome
	// stale lists the operators whose offers the write made stale, to be
	// withdrawn (see core.View.Report).
	stale []string
	// done says that the plan had nothing to store.
	done bool
	// refused counts the stale refusals before the write was taken.
	refused int
}

// rowOf returns conversation id as the view holds it or, for one it does
// not hold (closed, or not seen yet), as the store returned it when read
// (see planFunc); ok is false when it is to be read.
func rowOf(v *core.View, id string, read *store.Conversation) (c store.Conversation, ok bool) {
	if c, ok = v.Conversation(id); ok || read == nil {
		return c, ok
	}
	return *read, true
}

// about names the work a step does, for the error of one given up: a
// format with one %q verb and its argument, so that nothing is formatted
// unless it fails.
type about struct{ format, id string }

func (a about) String() string { return fmt.Sprintf(a.format, a.id) }

// step takes one step of a command by by on the one path (see above),
// and records in st what it did (st is the caller's, so that a plan and
// an answer, a kilobyte or two, are not copied from frame to frame). With
// conv set, the conversation's lock is taken before the first decision
// and held until the step returns (the command concerns that conversation
// from the start); otherwise it is taken, for each attempt, on the
// conversation the plan names. It fails with ErrClosed after Stop, the
// plan's error, the store's, or, for a plan retried maxAttempts times, an
// error that says what kept changing.
func (r *Router) step(ctx context.Context, by Actor, conv string, what about, st *stepped, plan planFunc, report reportFunc) error {
	if conv != "" {
		unlock, err := r.lockConv(ctx, conv)
		if err != nil {
			return err
		}
		defer unlock()
	}
	var tries attempts
	var read *store.Conversation
	for {
		now := r.clock.Now()
		st.refused = tries.refused
		err := r.locked(func() error {
			if err := r.usable(); err != nil {
				return err
			}
			var err error
			st.plan, err = plan(r.v, now, read, tries.refused)
			return err
		})
		p := &st.plan
		switch {
		case err != nil:
			return err
		case p.Write == core.NoWrite:
			st.done = true
			return nil
		case p.Write == core.ReadConversation:
			c, err := r.store.Conversation(ctx, p.Conversation)
			if err != nil {
				return err
			}
			read = &c
			continue
		}
		err = r.commit(ctx, by, st, now, conv == "", report)
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return err
		}
		r.refresh(ctx, p.RefreshConversation, p.Refresh()...)
		if !p.Retry {
			return err
		}
		if !tries.again(true) {
			return tries.fail(err, what.String())
		}
		read = nil
	}
}

// commit makes the store call of st's plan, taking the lock of its
// conversation first when lock is set, folds the answer into the view and
// emits the events (see step); st records the answer.
func (r *Router) commit(ctx context.Context, by Actor, st *stepped, now time.Time, lock bool, report reportFunc) error {
	p := &st.plan
	if lock && p.Conversation != "" {
		unlock, err := r.lockConv(ctx, p.Conversation)
		if err != nil {
			r.absorbOutcome(p, &st.out, false)
			return err
		}
		defer unlock()
	}
	if !p.At.IsZero() {
		now = p.At
	}
	ev := r.newEvents(now, by)
	j := r.journalOf(p, ev, report)
	err := r.write(ctx, p, &st.out, j)
	hooked := j != nil && j.asked > 0
	if hooked {
		// The hook folded the write into the view: its plan (its
		// reservation released) and stale offers are the step's; the
		// answer is the store's (a rerun's, when it ran the write twice).
		st.plan, st.stale = j.plan, j.stale
		if j.asked > 1 {
			// The view folded the first run's rows, which may differ.
			r.wantResync()
		}
	}
	switch {
	case hooked && (err != nil || !j.stored && len(j.entries) > 0):
		// The hook folded into the view a change the store did not take,
		// or may not have (see journal.go).
		r.wantResync()
		ev.discard()
		if err == nil {
			return fmt.Errorf("%w: the store did not number the events of its write", ErrOutcomeUnknown)
		}
		return err
	case err != nil:
		ev.discard()
		r.absorbOutcome(p, &st.out, false)
		return err
	case hooked:
		ev.discard()
		r.hub.deliverInOrder(j.list, true)
		return nil
	}
	st.stale = r.fold(p, &st.out, ev, report)
	// Without a journal, or with a store that did not ask the hook (one
	// of its own, say), in which case the events go into the journal on
	// their own.
	ev.emit()
	return nil
}

// fold takes out, the store's answer to p, into the view and builds the
// step's events in ev: the command's own (report), then those of its
// routing. It returns the operators whose offers the write made stale.
// Every step that stored its write does this once: in the journal's hook,
// inside the write's transaction, or after the write.
func (r *Router) fold(p *core.Plan, out *core.Outcome, ev *events, report reportFunc) (stale []string) {
	r.inLock(func() {
		r.v.Absorb(p, out, true, r.rawNow())
		if report != nil {
			report(r.v, ev, *out)
		}
		stale = r.v.Report(p, out, &ev.Events)
	})
	return stale
}

// absorbOutcome folds the answer to p into the view, for a write the store
// took (ok) or refused.
func (r *Router) absorbOutcome(p *core.Plan, out *core.Outcome, ok bool) {
	r.inLock(func() {
		r.v.Absorb(p, out, ok, r.rawNow())
	})
}

// write makes plan p's store call, with journal hook j if not nil, and
// puts the answer in out.
func (r *Router) write(ctx context.Context, p *core.Plan, out *core.Outcome, j *stepJournal) (err error) {
	var hook store.Journaler
	if j != nil {
		hook = j
	}
	switch p.Write {
	case core.ApplyChange:
		ch := p.Change
		ch.Require.Journal = hook
		out.Result, err = r.store.Apply(ctx, ch)
	case core.CreateConversation:
		req := p.Require
		req.Journal = hook
		out.Result, err = r.store.CreateConversation(ctx, p.Row, req)
	case core.SetStatus:
		sc := p.Status
		sc.Journal = hook
		out.Operator, err = r.store.SetStatus(ctx, sc)
	case core.SetOperatorDeadlines:
		out.Operator, err = r.store.SetOperatorDeadlines(ctx, p.Deadlines)
	case core.CreateOperator:
		out.Operator, err = r.store.CreateOperator(ctx, p.Operator)
	case core.UpdateOperator:
		out.Operator, err = r.store.UpdateOperator(ctx, p.Operator)
	case core.DeleteOperator:
		err = r.store.DeleteOperator(ctx, p.Operator.ID)
	default:
		err = fmt.Errorf("routing: a plan with no store call (%d)", p.Write)
	}
	return err
}

// locked runs fn with r.mu held: the one way to the view.
func (r *Router) locked(fn func() error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fn()
}

// inLock is locked for an fn that cannot fail.
func (r *Router) inLock(fn func()) {
	_ = r.locked(func() error {
		fn()
		return nil
	})
}

// rawNow returns the time on Config.Clock, uncorrected, in Unix
// nanoseconds: what the view's tombstones are kept by.
func (r *Router) rawNow() int64 { return r.clock.Clock.Now().UnixNano() }

// withdrawFrom withdraws the stale offers of each operator in ops.
func (r *Router) withdrawFrom(ctx context.Context, by Actor, ops []string) error {
	for _, id := range ops {
		if err := r.withdrawStale(ctx, by, id); err != nil {
			return err
		}
	}
	return nil
}
