package desk

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// AuthorKind says who wrote a message.
type AuthorKind string

// The authors of messages.
const (
	ByVisitor  AuthorKind = "visitor"
	ByOperator AuthorKind = "operator"
	// BySystem: the desk's own notices (the offline form's note, a
	// transfer).
	BySystem AuthorKind = "system"
)

// Message is one message of a conversation. ID orders the messages of the
// whole desk.
type Message struct {
	ID           int64
	Conversation string
	Kind         AuthorKind
	AuthorID     string
	AuthorName   string
	Body         string
	At           time.Time
}

// MaxBody is the longest message body, in bytes.
const MaxBody = 4000

// AddMessage stores m (its ID is set by the desk) and returns it. It fails
// with ErrInvalid for an empty conversation, an unknown author kind, an
// author name that is not 1 to MaxName bytes, or a body that is not 1 to
// MaxBody bytes of UTF-8.
func (k *Desk) AddMessage(ctx context.Context, m Message) (Message, error) {
	switch {
	case m.Conversation == "":
		return Message{}, fmt.Errorf("%w: empty conversation id", ErrInvalid)
	case m.Kind != ByVisitor && m.Kind != ByOperator && m.Kind != BySystem:
		return Message{}, fmt.Errorf("%w: author kind %q", ErrInvalid, m.Kind)
	case m.Body == "" || len(m.Body) > MaxBody || !utf8.ValidString(m.Body):
		return Message{}, fmt.Errorf("%w: a message has 1 to %d bytes of UTF-8", ErrInvalid, MaxBody)
	case m.At.IsZero():
		return Message{}, fmt.Errorf("%w: a message needs its time", ErrInvalid)
	}
	if err := checkName("author name", m.AuthorName); err != nil {
		return Message{}, err
	}
	err := k.db.QueryRowContext(ctx, k.q(`INSERT INTO helpdesk_messages (conversation_id, author_kind, author_id, author_name, body, at_ns)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), m.Conversation, string(m.Kind), m.AuthorID, m.AuthorName, m.Body, m.At.UnixNano()).Scan(&m.ID)
	if err != nil {
		return Message{}, fmt.Errorf("desk: add message: %w", err)
	}
	m.At = time.Unix(0, m.At.UnixNano())
	return m, nil
}

// Messages returns the messages of conversation after message after (0:
// from the first), oldest first, at most limit of them.
func (k *Desk) Messages(ctx context.Context, conversation string, after int64, limit int) ([]Message, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("%w: limit %d", ErrInvalid, limit)
	}
	rows, err := k.db.QueryContext(ctx, k.q(`SELECT id, author_kind, author_id, author_name, body, at_ns FROM helpdesk_messages
		WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?`), conversation, after, limit)
	if err != nil {
		return nil, fmt.Errorf("desk: messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m := Message{Conversation: conversation}
		var kind string
		var at int64
		if err := rows.Scan(&m.ID, &kind, &m.AuthorID, &m.AuthorName, &m.Body, &at); err != nil {
			return nil, fmt.Errorf("desk: messages: %w", err)
		}
		m.Kind, m.At = AuthorKind(kind), time.Unix(0, at)
		out = append(out, m)
	}
	return out, rows.Err()
}
