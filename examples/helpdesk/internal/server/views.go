package server

import (
	"context"
	"time"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
)

// attrVisitor is the conversation attribute that keeps the visitor's
// name, beside the page (rules.AttrURL) and company (rules.AttrCompany).
const attrVisitor = "visitor"

// convView is a conversation as the staff's pages show it.
type convView struct {
	ID           string            `json:"id"`
	Group        string            `json:"group"`
	State        string            `json:"state"`
	Assignee     string            `json:"assignee"`
	AssigneeName string            `json:"assignee_name"`
	OfferedTo    []string          `json:"offered_to"`
	VisitorName  string            `json:"visitor_name"`
	Page         string            `json:"page"`
	Company      string            `json:"company"`
	Priority     int               `json:"priority"`
	Tags         []string          `json:"tags"`
	LinkedTo     string            `json:"linked_to"`
	CreatedAt    time.Time         `json:"created_at"`
	EnqueuedAt   time.Time         `json:"enqueued_at"`
	AssignedAt   *time.Time        `json:"assigned_at"`
	CloseReason  string            `json:"close_reason"`
	LastMessage  int64             `json:"last_message_id"`
	OffHours     bool              `json:"off_hours"`
	Rules        []store.RuleMatch `json:"rules"`
}

// views builds the views of cs: names from the accounts, the newest
// message of each from the desk.
func (s *Server) views(ctx context.Context, cs []store.Conversation) ([]convView, error) {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	last, err := s.cfg.Desk.LastMessages(ctx, ids)
	if err != nil {
		return nil, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]convView, len(cs))
	for i, c := range cs {
		out[i] = viewOf(c, names, last[c.ID])
	}
	return out, nil
}

// view builds the view of one conversation.
func (s *Server) view(ctx context.Context, c store.Conversation) (convView, error) {
	vs, err := s.views(ctx, []store.Conversation{c})
	if err != nil {
		return convView{}, err
	}
	return vs[0], nil
}

func viewOf(c store.Conversation, names map[string]string, last int64) convView {
	v := convView{
		ID: c.ID, Group: c.Group, State: c.State.String(), Assignee: c.Assignee, AssigneeName: nameOf(names, c.Assignee),
		OfferedTo: nonNil(c.OfferedTo), VisitorName: c.Attributes[attrVisitor], Page: c.Attributes[rules.AttrURL],
		Company: c.Attributes[rules.AttrCompany], Priority: c.Priority, Tags: nonNil(c.Tags), LinkedTo: c.LinkedTo,
		CreatedAt: c.CreatedAt, EnqueuedAt: c.EnqueuedAt, CloseReason: c.CloseReason, LastMessage: last,
		OffHours: c.OffHours, Rules: nonNil(c.Rules),
	}
	if !c.AssignedAt.IsZero() {
		at := c.AssignedAt
		v.AssignedAt = &at
	}
	return v
}

// names returns every account's name by id.
func (s *Server) names(ctx context.Context) (map[string]string, error) {
	accounts, err := s.cfg.Desk.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(accounts))
	for _, a := range accounts {
		m[a.ID] = a.Name
	}
	return m, nil
}

// nameOf returns id's name, or id itself for an operator without an
// account.
func nameOf(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

// messageView is a message as the pages show it.
type messageView struct {
	ID         int64           `json:"id"`
	Kind       desk.AuthorKind `json:"kind"`
	AuthorName string          `json:"author_name"`
	Body       string          `json:"body"`
	At         time.Time       `json:"at"`
}

func messageViews(ms []desk.Message) []messageView {
	out := make([]messageView, len(ms))
	for i, m := range ms {
		out[i] = messageView{ID: m.ID, Kind: m.Kind, AuthorName: m.AuthorName, Body: m.Body, At: m.At}
	}
	return out
}

// nonNil returns xs, or an empty slice for nil, so that JSON shows [].
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
