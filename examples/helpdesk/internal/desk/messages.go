package desk

import (
	"context"
	"fmt"
	"strings"
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

// Validate returns an error matching ErrInvalid for a message AddMessage
// refuses: an empty conversation, an unknown author kind, an author name
// that is not 1 to MaxName bytes, a body that is not 1 to MaxBody bytes
// of UTF-8, or no time.
func (m Message) Validate() error {
	switch {
	case m.Conversation == "":
		return fmt.Errorf("%w: empty conversation id", ErrInvalid)
	case m.Kind != ByVisitor && m.Kind != ByOperator && m.Kind != BySystem:
		return fmt.Errorf("%w: author kind %q", ErrInvalid, m.Kind)
	case m.Body == "" || len(m.Body) > MaxBody || !utf8.ValidString(m.Body):
		return fmt.Errorf("%w: a message has 1 to %d bytes of UTF-8", ErrInvalid, MaxBody)
	case m.At.IsZero():
		return fmt.Errorf("%w: a message needs its time", ErrInvalid)
	}
	return checkName("author name", m.AuthorName)
}

// AddMessage stores m (its ID is set by the desk) and returns it. It fails
// with ErrInvalid for a message Validate refuses.
func (k *Desk) AddMessage(ctx context.Context, m Message) (Message, error) {
	if err := m.Validate(); err != nil {
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

// LastMessages returns the id of the newest message of each of
// conversations that has one.
func (k *Desk) LastMessages(ctx context.Context, conversations []string) (map[string]int64, error) {
	out := make(map[string]int64, len(conversations))
	if len(conversations) == 0 {
		return out, nil
	}
	args := make([]any, len(conversations))
	for i, c := range conversations {
		args[i] = c
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(conversations)), ", ")
	rows, err := k.db.QueryContext(ctx, k.q(`SELECT conversation_id, MAX(id) FROM helpdesk_messages
		WHERE conversation_id IN (`+marks+`) GROUP BY conversation_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("desk: last messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var id int64
		if err := rows.Scan(&c, &id); err != nil {
			return nil, fmt.Errorf("desk: last messages: %w", err)
		}
		out[c] = id
	}
	return out, rows.Err()
}

// DeleteMessage deletes message id, if it is there: a message whose
// conversation refused it after it was stored.
func (k *Desk) DeleteMessage(ctx context.Context, id int64) error {
	if _, err := k.db.ExecContext(ctx, k.q(`DELETE FROM helpdesk_messages WHERE id = ?`), id); err != nil {
		return fmt.Errorf("desk: delete message: %w", err)
	}
	return nil
}
