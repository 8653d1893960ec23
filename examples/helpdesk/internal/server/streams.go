package server

import (
	"errors"
	"net/http"
	"slices"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing"
)

// widgetEvents: GET /api/widget/events?page=…&company=… streams the
// availability of the group a chat from that page would join: "event:
// availability" at once and on every change (an operator coming or
// going, the business hours turning).
func (s *Server) widgetEvents(w http.ResponseWriter, r *http.Request) {
	page, company := r.URL.Query().Get("page"), r.URL.Query().Get("company")
	// Every group's going online or offline (business hours included),
	// since a rule set changed meanwhile may send the page elsewhere; not
	// every status change, which leaves most groups as they were.
	sub, st, ok := s.openStream(w, r, routing.EventFilter{Kinds: []routing.EventKind{routing.GroupAvailability}})
	if !ok {
		return
	}
	current := func() availability {
		group, offHours := s.routeOf(page, company)
		a := s.availabilityOf(group)
		a.OffHours = a.OffHours || offHours
		return a
	}
	last := current()
	if st.send(0, "availability", last) != nil {
		st.end(sub)
		return
	}
	s.pump(r.Context(), sub, st, func(ev routing.Event) error {
		if a := current(); a != last {
			last = a
			return st.send(ev.Seq, "availability", a)
		}
		return nil
	})
}

// chatEvents: GET /api/chat/events?token=… streams the visitor's chat:
// "event: chat" with the chat's view at once and whenever it changes (its
// state, operator, place in the queue), and "event: message" when an
// operator wrote, for the widget to fetch the messages after the last it
// has.
func (s *Server) chatEvents(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	// Every event, kept below: the conversation's own, and while it
	// waits in a queue those of the queue's group, which move it up.
	sub, st, ok := s.openStream(w, r, routing.EventFilter{})
	if !ok {
		return
	}
	last, err := s.chatOf(r.Context(), v)
	if err != nil || st.send(0, "chat", last) != nil {
		st.end(sub)
		return
	}
	s.pump(r.Context(), sub, st, func(ev routing.Event) error {
		own := ev.Conversation == v.Conversation
		if !own && (last.Position == 0 || !(routing.EventFilter{Group: last.Group}).Selects(ev)) {
			return nil
		}
		if own && ev.Kind == routing.Replied && ev.By.Kind != routing.CustomerActor {
			if err := st.send(ev.Seq, "message", map[string]string{"conversation": v.Conversation}); err != nil {
				return err
			}
		}
		view, err := s.chatOf(r.Context(), v)
		if err != nil {
			return err
		}
		if view != last {
			last = view
			return st.send(ev.Seq, "chat", view)
		}
		return nil
	})
}

// staffEvents: GET /api/events streams the Router's events to a console:
// a supervisor's, every event; an operator's, those that concern them
// and those of their groups (their queues). Each is "id: <seq>", "event:
// <kind>" and the event's JSON.
func (s *Server) staffEvents(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	var filters []routing.EventFilter
	if sess.Account.Role != desk.Supervisor {
		filters = append(filters, routing.EventFilter{Operator: sess.Account.ID})
		if ops, err := s.cfg.Router.Operators(routing.OperatorFilter{}); err == nil {
			for _, o := range ops {
				if o.ID == sess.Account.ID {
					for _, g := range o.Groups {
						filters = append(filters, routing.EventFilter{Group: g})
					}
				}
			}
		}
	}
	sub, st, ok := s.openStream(w, r, routing.EventFilter{})
	if !ok {
		return
	}
	st.alive = func() bool {
		_, err := s.cfg.Desk.Session(r.Context(), sess.Token, s.cfg.Clock.Now())
		return !errors.Is(err, desk.ErrNoSession)
	}
	s.pump(r.Context(), sub, st, func(ev routing.Event) error {
		if filters != nil && !slices.ContainsFunc(filters, func(f routing.EventFilter) bool { return f.Selects(ev) }) {
			return nil
		}
		return st.send(ev.Seq, ev.Kind.String(), ev)
	})
}
