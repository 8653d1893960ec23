package server

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// reachable returns the conversation of the request's path if the
// session may read it: a supervisor any, an operator one they hold or are
// offered. Otherwise it answers the refusal (404 unknown, 403 another's)
// and returns false.
func (s *Server) reachable(w http.ResponseWriter, r *http.Request) (store.Conversation, bool) {
	sess := sessionOf(r)
	c, err := s.cfg.Router.Conversation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.refuseErr(w, r, err)
		return store.Conversation{}, false
	}
	me := sess.Account.ID
	if sess.Account.Role != desk.Supervisor && !(c.State.Held() && c.Assignee == me) && !slices.Contains(c.OfferedTo, me) {
		refuse(w, http.StatusForbidden, "not-yours", "this conversation is neither held by you nor offered to you")
		return store.Conversation{}, false
	}
	return c, true
}

// conversation: GET /api/conversations/{id} answers one conversation the
// session may read.
func (s *Server) conversation(w http.ResponseWriter, r *http.Request) {
	c, ok := s.reachable(w, r)
	if !ok {
		return
	}
	s.writeConversation(w, r, c)
}

// writeConversation answers c's view.
func (s *Server) writeConversation(w http.ResponseWriter, r *http.Request, c store.Conversation) {
	v, err := s.view(r.Context(), c)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// conversationMessages: GET /api/conversations/{id}/messages?after=N
// answers the messages of one conversation the session may read.
func (s *Server) conversationMessages(w http.ResponseWriter, r *http.Request) {
	if c, ok := s.reachable(w, r); ok {
		s.writeMessages(w, r, c.ID)
	}
}

// reply: POST /api/conversations/{id}/messages {"body"} stores the
// operator's message and reports the reply to the Router, which accepts
// the conversation (L2) and ends the customer's wait. Only its holder (or
// a supervisor) may reply.
func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !decode(w, r, &in) {
		return
	}
	c, ok := s.reachable(w, r)
	if !ok {
		return
	}
	sess := sessionOf(r)
	if sess.Account.Role != desk.Supervisor && c.State.InQueue() {
		refuse(w, http.StatusConflict, "wrong-state", "take the conversation before you reply")
		return
	}
	m := desk.Message{Conversation: c.ID, Kind: desk.ByOperator, AuthorID: sess.Account.ID, AuthorName: sess.Account.Name,
		Body: in.Body, At: s.cfg.Clock.Now()}
	s.post(w, r, m, func(ctx context.Context) error {
		_, err := s.cfg.Router.OperatorReplied(ctx, actor(sess), c.ID)
		return err
	})
}

// take: POST /api/conversations/{id}/take takes an offered or queued
// conversation. When someone was quicker, the 409 names them: "already
// taken by Ben".
func (s *Server) take(w http.ResponseWriter, r *http.Request) {
	me := sessionOf(r).Account.ID
	c, err := s.cfg.Router.Take(r.Context(), routing.ByOperator(me), r.PathValue("id"))
	if errors.Is(err, routing.ErrAlreadyTaken) {
		s.refuseTaken(w, r, r.PathValue("id"), me)
		return
	}
	s.answer(w, r, c, err)
}

// refuseTaken answers a take or assignment of conversation id that came
// too late: 409 already-taken naming who holds it, or, when that is me
// (a second click), the conversation as it is.
func (s *Server) refuseTaken(w http.ResponseWriter, r *http.Request, id, me string) {
	holder := "someone else"
	if c, err := s.cfg.Router.Conversation(r.Context(), id); err == nil && c.Assignee != "" {
		if c.Assignee == me {
			s.writeConversation(w, r, c)
			return
		}
		if names, err := s.names(r.Context()); err == nil {
			holder = nameOf(names, c.Assignee)
		}
	}
	refuse(w, http.StatusConflict, "already-taken", "already taken by "+holder)
}

// answer answers the conversation a command returned, or its error; a
// follow-up error (the command is done, what it set off failed) is logged
// and answered as done.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, c store.Conversation, err error) {
	if !s.done(r, err) {
		s.refuseErr(w, r, err)
		return
	}
	s.writeConversation(w, r, c)
}

// markWaiting: POST /api/conversations/{id}/waiting marks a conversation
// the operator holds as waiting on the customer (L3).
func (s *Server) markWaiting(w http.ResponseWriter, r *http.Request) {
	c, err := s.cfg.Router.MarkWaiting(r.Context(), actor(sessionOf(r)), r.PathValue("id"))
	s.answer(w, r, c, err)
}

// transfer: POST /api/conversations/{id}/transfer {"operator"} or
// {"group"} hands a conversation to a colleague or another group.
func (s *Server) transfer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Operator string `json:"operator"`
		Group    string `json:"group"`
	}
	if !decode(w, r, &in) {
		return
	}
	by, id := actor(sessionOf(r)), r.PathValue("id")
	var c store.Conversation
	var err error
	switch {
	case (in.Operator == "") == (in.Group == ""):
		refuse(w, http.StatusBadRequest, "invalid", "name either an operator or a group to transfer to")
		return
	case in.Operator != "":
		c, err = s.cfg.Router.TransferToOperator(r.Context(), by, id, in.Operator)
	default:
		c, err = s.cfg.Router.TransferToGroup(r.Context(), by, id, in.Group)
	}
	s.answer(w, r, c, err)
}

// closeConversation: POST /api/conversations/{id}/close {"reason"} closes
// a conversation the operator holds (a supervisor: any open one).
func (s *Server) closeConversation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Reason == "" {
		in.Reason = "resolved"
	}
	c, err := s.cfg.Router.CloseConversation(r.Context(), actor(sessionOf(r)), r.PathValue("id"), in.Reason)
	s.answer(w, r, c, err)
}
