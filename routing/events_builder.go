package routing

import (
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// events collects the events of one command step, to be emitted after its
// change is stored: the core's and the command's own (core.Events), which
// emit stamps with the step's time and actor. Nothing is built for a kind
// nobody listens to (an observer listens to all). Collectors are pooled:
// a step allocates none.
type events struct {
	core.Events
	r  *Router
	at time.Time
	by Actor
}

// eventsPool holds collectors for reuse.
var eventsPool = sync.Pool{New: func() any { return new(events) }}

// newEvents returns a collector of the events of a step by by, taken at
// at. Hand it back with emit.
func (r *Router) newEvents(at time.Time, by Actor) *events {
	ev := eventsPool.Get().(*events)
	ev.Wanted, ev.r, ev.at, ev.by = r.hub.mask.Load(), r, at, by
	if r.hub.obs != nil || !r.cfg.NoJournal {
		// The observer is told of every event, and the journal keeps
		// every one.
		ev.Wanted = everyKind
	}
	return ev
}

// emit hands the collected events to the subscribers, through the
// journal unless the Router keeps none (see appendEvents), and the
// collector back to the pool. Call it without r.mu held.
func (ev *events) emit() {
	if ev.r.cfg.NoJournal {
		ev.r.hub.emit(ev.at, ev.by, ev.List)
	} else {
		ev.r.appendEvents(ev)
	}
	ev.discard()
}

// discard hands the collector back to the pool without emitting.
func (ev *events) discard() {
	clear(ev.List)
	ev.List, ev.r, ev.by = ev.List[:0], nil, Actor{}
	eventsPool.Put(ev)
}

// event returns e stamped with the time at and the actor by. An Assigned
// event's Wait runs from e.Enqueued to at (zero when e.Enqueued is zero or
// later, as another Router's clock may make it).
func event(e core.Event, at time.Time, by Actor) Event {
	wait := e.Wait
	if e.Kind == core.Assigned && !e.Enqueued.IsZero() {
		wait = max(at.Sub(e.Enqueued), 0)
	}
	return Event{
		Kind: EventKind(e.Kind), At: at, By: by,
		Conversation: e.Conversation, Group: e.Group, Operator: e.Operator, From: e.From, To: e.To,
		Operators: e.Operators, Groups: e.Groups, Policy: e.Policy, Skipped: e.Skipped, Position: e.Position,
		Reason: e.Reason, Online: e.Online, Wait: wait, Skills: e.Skills, Rules: e.Rules,
	}
}
