package server

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// operatorView is the console's own operator: their status and load.
type operatorView struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	StatusSince time.Time `json:"status_since"`
	Load        int       `json:"load"`
	Cap         int       `json:"cap"`
	Groups      []string  `json:"groups"`
}

// queueEntryView is one conversation of a queue, with how long it waited
// and the wait level it crossed (LevelIndex -1 below the first).
type queueEntryView struct {
	convView
	Position   int    `json:"position"`
	WaitedMS   int64  `json:"waited_ms"`
	Level      string `json:"level"`
	LevelIndex int    `json:"level_index"`
}

// waitLevelView is one of a group's wait levels.
type waitLevelView struct {
	Name    string `json:"name"`
	AfterMS int64  `json:"after_ms"`
}

// queueView is one group's queue as the console shows it.
type queueView struct {
	Group      string           `json:"group"`
	Policy     string           `json:"policy"`
	Online     bool             `json:"online"`
	Length     int              `json:"length"`
	WaitLevels []waitLevelView  `json:"wait_levels"`
	Entries    []queueEntryView `json:"entries"`
}

// consoleView is everything an operator's console shows.
type consoleView struct {
	Me            me              `json:"me"`
	Operator      *operatorView   `json:"operator"`
	Statuses      []statusView    `json:"statuses"`
	Conversations []convView      `json:"conversations"`
	Offers        []convView      `json:"offers"`
	Queues        []queueView     `json:"queues"`
	Operators     []operatorBrief `json:"operators"`
	Groups        []string        `json:"groups"`
}

// operatorBrief names an operator, as a transfer target.
type operatorBrief struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// queueShown is how many entries of each queue the console lists.
const queueShown = 50

// console: GET /api/console answers the session's console: their status,
// the conversations they hold (a supervisor: every open one), their
// offers, and the queues of their groups (a supervisor's: every group's).
func (s *Server) console(w http.ResponseWriter, r *http.Request) {
	ctx, sess := r.Context(), sessionOf(r)
	names, err := s.names(ctx)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	ops, err := s.cfg.Router.Operators(routing.OperatorFilter{})
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	out := consoleView{Me: meOf(sess), Statuses: s.statuses(), Groups: s.cfg.Router.Groups(), Operators: []operatorBrief{}}
	groups := out.Groups
	for _, o := range ops {
		if o.ID == sess.Account.ID {
			out.Operator = &operatorView{ID: o.ID, Name: nameOf(names, o.ID), Status: o.Status, StatusSince: o.StatusSince,
				Load: o.Load, Cap: o.Cap, Groups: nonNil(o.Groups)}
			continue
		}
		out.Operators = append(out.Operators, operatorBrief{ID: o.ID, Name: nameOf(names, o.ID), Status: o.Status})
	}
	held := routing.ConversationFilter{Limit: routing.MaxPageSize}
	var offers []store.Conversation
	if sess.Account.Role != desk.Supervisor {
		if out.Operator == nil {
			groups = nil
		} else {
			groups = out.Operator.Groups
			held.Assignee = sess.Account.ID
			if offers, err = s.cfg.Router.Offers(sess.Account.ID); err != nil {
				s.refuseErr(w, r, err)
				return
			}
		}
	}
	var cs []store.Conversation
	if sess.Account.Role == desk.Supervisor || out.Operator != nil {
		page, err := s.cfg.Router.Conversations(ctx, held)
		if err != nil {
			s.refuseErr(w, r, err)
			return
		}
		cs = page.Conversations
	}
	if out.Conversations, err = s.views(ctx, cs); err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if out.Offers, err = s.views(ctx, offers); err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if out.Queues, err = s.queues(ctx, groups, names); err != nil {
		s.refuseErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// queues builds the views of the queues of groups.
func (s *Server) queues(ctx context.Context, groups []string, names map[string]string) ([]queueView, error) {
	snap := s.cfg.Router.Snapshot()
	out := []queueView{}
	for _, id := range groups {
		g, err := s.cfg.Router.Group(id)
		if err != nil {
			return nil, err
		}
		q, err := s.cfg.Router.Queue(id, queueShown)
		if err != nil {
			return nil, err
		}
		v := queueView{Group: id, Length: q.Length, WaitLevels: []waitLevelView{}, Entries: []queueEntryView{}}
		for _, gs := range snap.Groups {
			if gs.ID == id {
				v.Policy, v.Online = gs.Policy, gs.Online
			}
		}
		for _, l := range g.WaitLevels {
			v.WaitLevels = append(v.WaitLevels, waitLevelView{Name: l.Name, AfterMS: l.After.Milliseconds()})
		}
		cs := make([]store.Conversation, len(q.Entries))
		for i, e := range q.Entries {
			cs[i] = e.Conversation
		}
		views, err := s.views(ctx, cs)
		if err != nil {
			return nil, err
		}
		for i, e := range q.Entries {
			name, index := levelOf(g.WaitLevels, e.Waited)
			v.Entries = append(v.Entries, queueEntryView{convView: views[i], Position: e.Position, WaitedMS: e.Waited.Milliseconds(),
				Level: name, LevelIndex: index})
		}
		out = append(out, v)
	}
	return out, nil
}

// levelOf returns the highest of levels that wait crossed, and its index;
// "" and -1 below the first.
func levelOf(levels []routing.WaitLevel, wait time.Duration) (string, int) {
	name, index := "", -1
	for i, l := range levels {
		if wait >= l.After {
			name, index = l.Name, i
		}
	}
	return name, index
}

// setStatus: POST /api/status {"status"} switches the operator's status.
func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
	}
	if !decode(w, r, &in) {
		return
	}
	id := sessionOf(r).Account.ID
	if err := s.cfg.Router.SetStatus(r.Context(), routing.ByOperator(id), id, in.Status); !s.done(r, err) {
		s.refuseErr(w, r, err)
		return
	}
	s.writeOperator(w, r, id)
}

// writeOperator answers operator id's view.
func (s *Server) writeOperator(w http.ResponseWriter, r *http.Request, id string) {
	ops, err := s.cfg.Router.Operators(routing.OperatorFilter{})
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	names, err := s.names(r.Context())
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	for _, o := range ops {
		if o.ID == id {
			writeJSON(w, http.StatusOK, operatorView{ID: o.ID, Name: nameOf(names, o.ID), Status: o.Status, StatusSince: o.StatusSince,
				Load: o.Load, Cap: o.Cap, Groups: nonNil(o.Groups)})
			return
		}
	}
	s.refuseErr(w, r, routing.ErrNotFound)
}

// endShift: POST /api/end-shift ends the operator's shift; their
// conversations in work go to colleagues (P4).
func (s *Server) endShift(w http.ResponseWriter, r *http.Request) {
	id := sessionOf(r).Account.ID
	if err := s.cfg.Router.EndShift(r.Context(), routing.ByOperator(id), id); !s.done(r, err) {
		s.refuseErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
