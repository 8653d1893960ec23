package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/rules"
)

// dashOperator is one operator on the dashboard: status, load and cap,
// and the time in each status today.
type dashOperator struct {
	operatorView
	InStatusMS int64            `json:"in_status_ms"`
	Today      map[string]int64 `json:"today"`
}

// dashGroup is one group on the dashboard.
type dashGroup struct {
	ID           string      `json:"id"`
	Policy       string      `json:"policy"`
	Spec         policy.Spec `json:"spec"`
	Online       bool        `json:"online"`
	Queued       int         `json:"queued"`
	Oldest       string      `json:"oldest"`
	OldestWaitMS int64       `json:"oldest_wait_ms"`
	Level        string      `json:"level"`
	LevelIndex   int         `json:"level_index"`
}

// dashConversation is an open conversation and why it is where it is.
type dashConversation struct {
	convView
	Why *why `json:"why"`
}

// rulesView is the rule set in force and its version.
type rulesView struct {
	Version int64           `json:"version"`
	Set     json.RawMessage `json:"set"`
}

// dashboard: GET /api/dashboard answers the supervisor's view: every
// operator, group and open conversation, and the rule set.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	names, err := s.names(ctx)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	snap := s.cfg.Router.Snapshot()
	out := struct {
		Operators     []dashOperator     `json:"operators"`
		Groups        []dashGroup        `json:"groups"`
		Conversations []dashConversation `json:"conversations"`
		Rules         rulesView          `json:"rules"`
	}{Operators: []dashOperator{}, Groups: []dashGroup{}, Conversations: []dashConversation{}}
	today := presence.DateOf(snap.At.In(s.cfg.Location))
	for _, o := range snap.Operators {
		day, err := s.cfg.Router.TimeInStatus(ctx, o.ID, today, s.cfg.Location)
		if err != nil {
			s.refuseErr(w, r, err)
			return
		}
		d := dashOperator{operatorView: operatorView{ID: o.ID, Name: nameOf(names, o.ID), Status: o.Status, StatusSince: o.StatusSince,
			Load: o.Load, Cap: o.Cap, Groups: nonNil(o.Groups)}, InStatusMS: o.InStatus.Milliseconds(), Today: map[string]int64{}}
		for st, t := range day.InStatus {
			d.Today[st] = t.Milliseconds()
		}
		out.Operators = append(out.Operators, d)
	}
	for _, g := range snap.Groups {
		d := dashGroup{ID: g.ID, Policy: g.Policy, Online: g.Online, Queued: g.Queued, Oldest: g.Oldest, OldestWaitMS: g.OldestWait.Milliseconds(), LevelIndex: -1}
		if cfg, err := s.cfg.Router.Group(g.ID); err == nil {
			d.Spec, _ = policy.SpecOf(cfg.Policy)
			if g.Oldest != "" {
				d.Level, d.LevelIndex = levelOf(cfg.WaitLevels, g.OldestWait)
			}
		}
		out.Groups = append(out.Groups, d)
	}
	page, err := s.cfg.Router.Conversations(ctx, routing.ConversationFilter{Limit: routing.MaxPageSize})
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	views, err := s.views(ctx, page.Conversations)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	for _, v := range views {
		d := dashConversation{convView: v}
		if w, ok := s.why.of(v.ID); ok {
			w.ByName = nameOf(names, w.By.ID)
			d.Why = &w
		}
		out.Conversations = append(out.Conversations, d)
	}
	if out.Rules, err = s.rulesView(); err != nil {
		s.refuseErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// rulesView returns the rule set in force.
func (s *Server) rulesView() (rulesView, error) {
	set, version := s.cfg.Router.Rules()
	if set == nil {
		return rulesView{Version: version, Set: json.RawMessage(`{"rules":[]}`)}, nil
	}
	b, err := json.Marshal(set)
	return rulesView{Version: version, Set: b}, err
}

// forceOffShift: POST /api/operators/{id}/end-shift takes an operator off
// shift, whatever their status's guards say; their conversations in work
// go to colleagues, the events naming the supervisor.
func (s *Server) forceOffShift(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Router.EndShift(r.Context(), actor(sessionOf(r)), r.PathValue("id")); !s.done(r, err) {
		s.refuseErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// assign: POST /api/conversations/{id}/assign {"operator"} gives a queued
// or offered conversation to an operator (L7).
func (s *Server) assign(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Operator string `json:"operator"`
	}
	if !decode(w, r, &in) {
		return
	}
	c, err := s.cfg.Router.Assign(r.Context(), actor(sessionOf(r)), r.PathValue("id"), in.Operator)
	if errors.Is(err, routing.ErrAlreadyTaken) {
		s.refuseTaken(w, r, r.PathValue("id"), "")
		return
	}
	s.answer(w, r, c, err)
}

// setPolicy: PUT /api/groups/{id}/policy with a policy spec
// ({"kind":"broadcast"}, {"kind":"capped","default":3,"inner":…})
// switches the group's policy at run time, for every server on the store
// (R8).
func (s *Server) setPolicy(w http.ResponseWriter, r *http.Request) {
	var spec policy.Spec
	if !decode(w, r, &spec) {
		return
	}
	p, err := spec.Build(nil)
	if err != nil {
		refuse(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	id := r.PathValue("id")
	if err := s.cfg.Router.SetPolicy(r.Context(), actor(sessionOf(r)), id, p); !s.done(r, err) {
		s.refuseErr(w, r, err)
		return
	}
	g, err := s.cfg.Router.Group(id)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	spec, _ = policy.SpecOf(g.Policy)
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "policy": g.Policy.Name(), "spec": spec})
}

// rules: GET /api/rules answers the rule set in force.
func (s *Server) rules(w http.ResponseWriter, r *http.Request) {
	v, err := s.rulesView()
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// setRules: PUT /api/rules with a rule set as JSON replaces the rules of
// every server on the store (D1, D3). A rule set that does not check out
// is refused with 400 invalid-rules, naming the bad field in "path"; the
// old set stays in force.
func (s *Server) setRules(w http.ResponseWriter, r *http.Request) {
	if !jsonBody(w, r) {
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		if !tooLarge(w, err) {
			refuse(w, http.StatusBadRequest, "bad-body", "the body could not be read: "+err.Error())
		}
		return
	}
	set, err := s.cfg.Router.DecodeRules(data)
	if err == nil {
		_, err = s.cfg.Router.SetRules(r.Context(), actor(sessionOf(r)), set)
	}
	var bad *rules.Error
	if errors.As(err, &bad) {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Path    string `json:"path"`
			} `json:"error"`
		}
		e.Error.Code, e.Error.Message, e.Error.Path = "invalid-rules", bad.Error(), bad.Path
		writeJSON(w, http.StatusBadRequest, e)
		return
	}
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	s.rules(w, r)
}

// chartHours is how many hours back a chart goes unless asked.
const chartHours = 24

// window returns the report window of the last hours (the query's
// "hours", 1 to 168), ending at the next full hour.
func (s *Server) window(r *http.Request) (routing.ReportWindow, bool) {
	hours := chartHours
	if h := r.URL.Query().Get("hours"); h != "" {
		n, err := parseSmallInt(h, 1, 168)
		if err != nil {
			return routing.ReportWindow{}, false
		}
		hours = n
	}
	to := s.cfg.Clock.Now().Truncate(time.Hour).Add(time.Hour)
	return routing.ReportWindow{From: to.Add(-time.Duration(hours) * time.Hour), To: to, Period: time.Hour}, true
}
