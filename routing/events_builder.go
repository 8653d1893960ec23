package routing

import (
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// events collects the events of one command, to be emitted after its
// change is stored: the core's and the command's own (core.Events), which
// emit stamps with the command's time and actor. Nothing is built for a
// kind nobody listens to.
type events struct {
	core.Events
	hub *hub
	at  time.Time
	by  Actor
}

// newEvents returns the collector of the events of a command by by,
// taken at at.
func (r *Router) newEvents(at time.Time, by Actor) events {
	return events{Events: core.Events{Wanted: r.hub.mask.Load()}, hub: &r.hub, at: at, by: by}
}

// emit hands the collected events to the subscribers. Call it without
// r.mu held.
func (ev *events) emit() {
	if len(ev.List) == 0 {
		return
	}
	out := make([]Event, len(ev.List))
	for i, e := range ev.List {
		out[i] = Event{
			Kind: EventKind(e.Kind), At: ev.at, By: ev.by,
			Conversation: e.Conversation, Group: e.Group, Operator: e.Operator, From: e.From, To: e.To,
			Operators: e.Operators, Policy: e.Policy, Skipped: e.Skipped, Position: e.Position,
			Reason: e.Reason, Online: e.Online, Wait: e.Wait,
		}
	}
	ev.hub.emit(out)
	ev.List = ev.List[:0]
}
