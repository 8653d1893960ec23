package server

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// why is what last moved a conversation, as the dashboard explains it:
// the event, the policy that decided and whom it passed over, the rules
// that matched, who set it off, and for a conversation taken from an
// operator or moved to a group, from whom or where to.
type why struct {
	Kind     string            `json:"kind"`
	At       time.Time         `json:"at"`
	Operator string            `json:"operator,omitempty"`
	Policy   string            `json:"policy,omitempty"`
	Skipped  []policy.Skip     `json:"skipped,omitempty"`
	Rules    []store.RuleMatch `json:"rules,omitempty"`
	By       actorView         `json:"by"`
	ByName   string            `json:"by_name,omitempty"`
	From     string            `json:"from,omitempty"`
	To       string            `json:"to,omitempty"`
	Reason   string            `json:"reason,omitempty"`
}

// actorView is who acted: {"kind":"admin","id":"sam"}, as in events.
type actorView struct {
	Kind  routing.ActorKind `json:"kind"`
	ID    string            `json:"id,omitempty"`
	Cause routing.Cause     `json:"cause,omitempty"`
}

// whyLog keeps the why of every open conversation, from the Router's
// journal: the events of every server process on the store, from the
// oldest one kept.
type whyLog struct {
	mu    sync.Mutex
	convs map[string]why
	// seq is the Seq of the last event read; read signals each.
	seq  uint64
	read *sync.Cond
}

func newWhyLog() *whyLog {
	l := &whyLog{convs: make(map[string]why)}
	l.read = sync.NewCond(&l.mu)
	return l
}

// whyKinds are the events that move a conversation.
var whyKinds = []routing.EventKind{
	routing.Queued, routing.Offered, routing.Assigned, routing.Returned, routing.Transferred,
	routing.Redistributed, routing.Waiting, routing.OffHours, routing.Closed,
}

// follow reads the journal into l until ctx ends, subscribing again after
// the last event it had when its subscription ends (the client was too
// slow, or the store failed): nothing is skipped.
func (l *whyLog) follow(ctx context.Context, r *routing.Router, log *slog.Logger) {
	var after uint64
	for ctx.Err() == nil {
		sub, err := r.Resume(ctx, routing.EventFilter{Kinds: whyKinds}, after)
		switch {
		case errors.Is(err, routing.ErrClosed):
			return // the Router stopped
		case errors.Is(err, routing.ErrPruned), errors.Is(err, routing.ErrFutureSeq):
			// What it had is gone (or from another journal): start
			// again from the oldest event kept.
			l.reset()
			after = 0
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("helpdesk: reading the journal", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-r.Clock().After(time.Second):
			}
			continue
		}
		after = l.readAll(ctx, sub, after)
	}
}

// readAll takes the events of sub into l until it ends, and returns the
// Seq of the last one.
func (l *whyLog) readAll(ctx context.Context, sub *routing.Subscription, after uint64) uint64 {
	defer sub.Cancel()
	for {
		select {
		case <-ctx.Done():
			return after
		case ev, ok := <-sub.Events():
			if !ok || ev.Kind == routing.Lagged {
				return after
			}
			l.take(ev)
			after = ev.Seq
		}
	}
}

// take records ev.
func (l *whyLog) take(ev routing.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq = ev.Seq
	defer l.read.Broadcast()
	if ev.Kind == routing.Closed {
		delete(l.convs, ev.Conversation)
		return
	}
	w := why{Kind: ev.Kind.String(), At: ev.At, Operator: ev.Operator, Policy: ev.Policy, Skipped: ev.Skipped,
		Rules: ev.Rules, By: actorView{Kind: ev.By.Kind, ID: ev.By.ID, Cause: ev.By.Cause}, From: ev.From, To: ev.To, Reason: ev.Reason}
	prev := l.convs[ev.Conversation]
	switch ev.Kind {
	case routing.Redistributed:
		// Only an admin ends another's shift (an operator's removal
		// redistributes too, by the system). The event that follows
		// says where it went; until then it is with nobody.
		if ev.By.Kind == routing.AdminActor {
			w.Reason = routing.ReasonForcedOffShift
		}
		w.Operator = ""
	case routing.Assigned, routing.Offered, routing.Queued:
		// Where a redistribution took it keeps its story: from whom,
		// by whom and why.
		if prev.Kind == routing.Redistributed.String() && prev.Operator == "" {
			w.Kind, w.From, w.By, w.Reason = prev.Kind, prev.From, prev.By, prev.Reason
		}
	case routing.Waiting:
		prev.Kind = w.Kind
		w = prev // keeps why it got there
	}
	l.convs[ev.Conversation] = w
}

// reset forgets everything, to read the journal again from its start.
func (l *whyLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.convs)
	l.seq = 0
}

// of returns the why of conversation id.
func (l *whyLog) of(id string) (why, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.convs[id]
	return w, ok
}

// waitFor waits until l has read the events up to seq: those of a kind it
// keeps; l reads no other, so it waits for one at seq or later.
func (l *whyLog) waitFor(seq uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.seq < seq {
		l.read.Wait()
	}
}
