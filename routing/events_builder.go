package routing

import "time"

// events collects the events of one command, to be emitted after its change
// is stored. Commands check wants before building an event, so that nothing
// is built when nobody listens.
type events struct {
	hub  *hub
	at   time.Time
	by   Actor
	list []Event
}

// newEvents returns the collector of the events of a command by by,
// taken at at.
func (r *Router) newEvents(at time.Time, by Actor) events { return events{hub: &r.hub, at: at, by: by} }

// wants reports whether some subscriber wants events of kind k.
func (ev *events) wants(k EventKind) bool { return ev.hub.wants(k) }

// push appends e, stamped with the command's time and actor.
func (ev *events) push(e Event) {
	e.At, e.By = ev.at, ev.by
	ev.list = append(ev.list, e)
}

// emit hands the collected events to the subscribers. Call it without
// r.mu held.
func (ev *events) emit() {
	ev.hub.emit(ev.list)
	ev.list = ev.list[:0]
}
