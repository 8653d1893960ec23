package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
)

// The header that carries a visitor's token, and the query parameter
// that does for an event stream (EventSource sends no headers).
const (
	visitorHeader = "X-Visitor-Token"
	visitorQuery  = "token"
)

// channelWeb is the channel of the widget's conversations.
const channelWeb = "web"

type visitorKey struct{}

// visitorOf returns the visitor the visitor middleware found for r.
func visitorOf(r *http.Request) desk.Visitor {
	v, _ := r.Context().Value(visitorKey{}).(desk.Visitor)
	return v
}

// visitor admits requests that carry a visitor's token (401 otherwise):
// in the X-Visitor-Token header, or for an event stream in the query. A
// visitor's requests need no CSRF token: nothing sends the header on its
// own.
func (s *Server) visitor(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get(visitorHeader)
		if token == "" && r.URL.Path == "/api/chat/events" {
			token = r.URL.Query().Get(visitorQuery)
		}
		v, err := s.cfg.Desk.Visitor(r.Context(), token)
		switch {
		case errors.Is(err, desk.ErrNotFound):
			refuse(w, http.StatusUnauthorized, "no-visitor", "this chat is unknown; start a new one")
			return
		case err != nil:
			s.refuseErr(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), visitorKey{}, v)))
	})
}

// availability is what the widget shows before a chat starts.
type availability struct {
	Group    string `json:"group"`
	Online   bool   `json:"online"`
	OffHours bool   `json:"off_hours"`
}

// chatView is a visitor's chat as the widget shows it.
type chatView struct {
	Token        string `json:"token,omitempty"`
	Conversation string `json:"conversation"`
	State        string `json:"state"`
	Group        string `json:"group"`
	Position     int    `json:"position"`
	Online       bool   `json:"online"`
	OffHours     bool   `json:"off_hours"`
	OperatorName string `json:"operator_name"`
	VisitorName  string `json:"visitor_name"`
	LinkedTo     string `json:"linked_to"`
	CloseReason  string `json:"close_reason"`
}

// routeOf returns the group a chat from page by a customer of company
// joins, as the rule set in force decides, and whether a rule queues it
// off-hours.
func (s *Server) routeOf(page, company string) (group string, offHours bool) {
	set, _ := s.cfg.Router.Rules()
	if set == nil {
		return s.cfg.DefaultGroup, false
	}
	res := set.Evaluate(rules.OnEnqueue, rules.Input{
		Channel: channelWeb, Group: s.cfg.DefaultGroup, Now: s.cfg.Clock.Now(),
		Attributes: map[string]string{rules.AttrURL: page, rules.AttrCompany: company},
	})
	return res.Group, res.OffHours
}

// availabilityOf returns whether group has a member accepting chats and
// whether it is outside its business hours.
func (s *Server) availabilityOf(group string) availability {
	a := availability{Group: group}
	for _, g := range s.cfg.Router.Snapshot().Groups {
		if g.ID == group {
			a.Online = g.Online
		}
	}
	if g, err := s.cfg.Router.Group(group); err == nil {
		a.OffHours = !g.Hours.Open(s.cfg.Clock.Now())
	}
	return a
}

// widget: GET /api/widget?page=…&company=… answers the group a chat from
// that page would join and whether it is online and within its hours.
func (s *Server) widget(w http.ResponseWriter, r *http.Request) {
	group, offHours := s.routeOf(r.URL.Query().Get("page"), r.URL.Query().Get("company"))
	a := s.availabilityOf(group)
	a.OffHours = a.OffHours || offHours
	writeJSON(w, http.StatusOK, a)
}

// chatOf builds the widget's view of v's conversation.
func (s *Server) chatOf(ctx context.Context, v desk.Visitor) (chatView, error) {
	c, err := s.cfg.Router.Conversation(ctx, v.Conversation)
	if err != nil {
		return chatView{}, err
	}
	a := s.availabilityOf(c.Group)
	view := chatView{
		Conversation: c.ID, State: c.State.String(), Group: c.Group, Online: a.Online, OffHours: a.OffHours || c.OffHours,
		VisitorName: v.Name, LinkedTo: c.LinkedTo, CloseReason: c.CloseReason,
	}
	if c.State.Held() {
		names, err := s.names(ctx)
		if err != nil {
			return chatView{}, err
		}
		view.OperatorName = nameOf(names, c.Assignee)
	}
	if c.State.InQueue() {
		view.Position = s.positionOf(c)
	}
	return view, nil
}

// positionOf returns c's 1-based place in its queue; past the first
// positionScan entries, the queue's length.
func (s *Server) positionOf(c store.Conversation) int {
	q, err := s.cfg.Router.Queue(c.Group, positionScan)
	if err != nil {
		return 0
	}
	for _, e := range q.Entries {
		if e.Conversation.ID == c.ID {
			return e.Position
		}
	}
	return q.Length
}

// positionScan is how far into a queue the widget's position is looked
// for.
const positionScan = 1000

// chat: GET /api/chat answers the visitor's chat.
func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	view, err := s.chatOf(r.Context(), visitorOf(r))
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

// chatStart is the body of POST /api/chats.
type chatStart struct {
	Name    string `json:"name"`
	Page    string `json:"page"`
	Company string `json:"company"`
	// Message is a first message: the offline form's.
	Message string `json:"message"`
}

// startChat: POST /api/chats {"name","page","company","message"} starts a
// chat: a visitor token, the first message if any, and a conversation
// enqueued in the group the rules choose. At most Config.ChatStarts per
// client address (429 beyond).
func (s *Server) startChat(w http.ResponseWriter, r *http.Request) {
	var in chatStart
	if !decode(w, r, &in) || !s.allowStart(w, r) {
		return
	}
	if len(in.Page) > rules.MaxValueLength || len(in.Company) > rules.MaxValueLength {
		refuse(w, http.StatusBadRequest, "invalid", fmt.Sprintf("page and company have at most %d bytes", rules.MaxValueLength))
		return
	}
	attrs := map[string]string{attrVisitor: in.Name}
	if in.Page != "" {
		attrs[rules.AttrURL] = in.Page
	}
	if in.Company != "" {
		attrs[rules.AttrCompany] = in.Company
	}
	nc := routing.NewConversation{
		ID: newID("chat-"), Group: s.cfg.DefaultGroup, Channel: channelWeb, CustomerID: newID("visitor-"), Attributes: attrs,
	}
	s.begin(w, r, in.Name, in.Message, nc, func(ctx context.Context) error {
		_, err := s.cfg.Router.Enqueue(ctx, nc)
		return err
	})
}

// chatReopen: POST /api/chat/reopen {"message"} reopens the visitor's
// closed chat as a new conversation linked to it (L5), with a new token.
func (s *Server) chatReopen(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Message string `json:"message"`
	}
	if !decode(w, r, &in) || !s.allowStart(w, r) {
		return
	}
	v := visitorOf(r)
	old, err := s.cfg.Router.Conversation(r.Context(), v.Conversation)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if old.State != store.Closed {
		refuse(w, http.StatusConflict, "wrong-state", "this chat is still open")
		return
	}
	nc := routing.NewConversation{
		ID: newID("chat-"), Channel: channelWeb, CustomerID: old.CustomerID, Attributes: old.Attributes,
	}
	s.begin(w, r, v.Name, in.Message, nc, func(ctx context.Context) error {
		_, err := s.cfg.Router.Reopen(ctx, old.ID, nc)
		return err
	})
}

// allowStart takes one of the client's chat starts, or refuses with 429.
func (s *Server) allowStart(w http.ResponseWriter, r *http.Request) bool {
	return s.allow(w, r, s.starts, "too many chats started from this address; try again later")
}

// begin stores the visitor of nc named name and their first message, if
// any, then has the Router take nc with enqueue, and answers the chat with
// its token (201). The message is stored first so that the operator who
// gets the conversation finds it; if the Router refuses, the visitor and
// the message are deleted again.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, name, message string, nc routing.NewConversation, enqueue func(context.Context) error) {
	ctx, now := r.Context(), s.cfg.Clock.Now()
	first := desk.Message{Conversation: nc.ID, Kind: desk.ByVisitor, AuthorID: nc.CustomerID, AuthorName: name, Body: message, At: now}
	if message != "" {
		if err := first.Validate(); err != nil {
			s.refuseErr(w, r, err)
			return
		}
	}
	v, err := s.cfg.Desk.NewVisitor(ctx, nc.ID, name, now)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	err = nil
	if message != "" {
		_, err = s.cfg.Desk.AddMessage(ctx, first)
	}
	if err == nil {
		err = enqueue(ctx)
	}
	if !s.done(r, err) && !s.stored(ctx, nc.ID, err) {
		if err := s.cfg.Desk.DeleteConversation(context.WithoutCancel(ctx), nc.ID); err != nil {
			s.cfg.Logger.Error("helpdesk: forgetting a chat not started", "conversation", nc.ID, "err", err)
		}
		s.refuseErr(w, r, err)
		return
	}
	view, err := s.chatOf(ctx, v)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	view.Token = v.Token
	writeJSON(w, http.StatusCreated, view)
}

// chatMessages: GET /api/chat/messages?after=N[&conversation=ID] answers
// the messages of the visitor's chat after message N; with conversation,
// of the chat it reopens (its LinkedTo, or theirs in turn).
func (s *Server) chatMessages(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	conv := v.Conversation
	if want := r.URL.Query().Get("conversation"); want != "" && want != conv {
		linked, err := s.linkedTo(r.Context(), conv, want)
		if err != nil {
			s.refuseErr(w, r, err)
			return
		}
		if !linked {
			refuse(w, http.StatusForbidden, "not-yours", "that conversation is not this chat's")
			return
		}
		conv = want
	}
	s.writeMessages(w, r, conv)
}

// maxLinks bounds how many reopenings back a visitor may read.
const maxLinks = 20

// linkedTo reports whether conversation want is one that conv reopens,
// directly or through others.
func (s *Server) linkedTo(ctx context.Context, conv, want string) (bool, error) {
	for range maxLinks {
		c, err := s.cfg.Router.Conversation(ctx, conv)
		if err != nil {
			return false, err
		}
		if c.LinkedTo == "" {
			return false, nil
		}
		if c.LinkedTo == want {
			return true, nil
		}
		conv = c.LinkedTo
	}
	return false, nil
}

// maxMessages is the most messages one listing answers.
const maxMessages = 200

// writeMessages answers the messages of conv after the query's "after".
func (s *Server) writeMessages(w http.ResponseWriter, r *http.Request, conv string) {
	var after int64
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			refuse(w, http.StatusBadRequest, "invalid", "after must be a message id")
			return
		}
		after = n
	}
	ms, err := s.cfg.Desk.Messages(r.Context(), conv, after, maxMessages)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": messageViews(ms)})
}

// chatSend: POST /api/chat/messages {"body"} stores the visitor's message
// and tells the Router the customer wrote (a chat waiting on them goes
// back to its operator, L3). A closed chat refuses it (409): reopen it.
func (s *Server) chatSend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !decode(w, r, &in) {
		return
	}
	v := visitorOf(r)
	c, err := s.cfg.Router.Conversation(r.Context(), v.Conversation)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if c.State == store.Closed {
		refuse(w, http.StatusConflict, "wrong-state", "this chat is closed; reopen it to write again")
		return
	}
	m := desk.Message{Conversation: v.Conversation, Kind: desk.ByVisitor, AuthorID: c.CustomerID, AuthorName: v.Name, Body: in.Body, At: s.cfg.Clock.Now()}
	s.post(w, r, m, func(ctx context.Context) error {
		_, err := s.cfg.Router.CustomerReplied(ctx, v.Conversation)
		return err
	})
}

// post stores m, then tells the Router with report, whose event
// (CustomerWrote, Replied) makes the other side fetch it; if the Router refuses, the message is
// deleted again. It answers the message (201).
func (s *Server) post(w http.ResponseWriter, r *http.Request, m desk.Message, report func(context.Context) error) {
	m, err := s.cfg.Desk.AddMessage(r.Context(), m)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if err := report(r.Context()); !s.done(r, err) {
		// Refused: the message goes too. When the outcome is unknown
		// the Router may have taken it (and told the consoles): it stays,
		// and the client is told to check.
		if !errors.Is(err, routing.ErrOutcomeUnknown) {
			if err := s.cfg.Desk.DeleteMessage(context.WithoutCancel(r.Context()), m.ID); err != nil {
				s.cfg.Logger.Error("helpdesk: deleting a message refused", "message", m.ID, "err", err)
			}
		}
		s.refuseErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, messageViews([]desk.Message{m})[0])
}

// stored reports whether conversation id is stored although starting it
// failed with err: when the outcome is unknown, the Router is asked.
func (s *Server) stored(ctx context.Context, id string, err error) bool {
	if !errors.Is(err, routing.ErrOutcomeUnknown) {
		return false
	}
	_, err = s.cfg.Router.Conversation(context.WithoutCancel(ctx), id)
	return err == nil
}

// newID returns prefix and 80 random bits, in lower-case base32.
func newID(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return prefix + strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
