package desk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Visitor is a customer chatting through the widget: their conversation
// and the name they gave. The token, kept by their browser, is what lets
// them read and write that conversation alone.
type Visitor struct {
	Token        string
	Conversation string
	Name         string
}

// NewVisitor gives the visitor named name a token for conversation, at
// now. It fails with ErrInvalid for a bad name or an empty conversation,
// and ErrExists when the conversation has a visitor already.
func (k *Desk) NewVisitor(ctx context.Context, conversation, name string, now time.Time) (Visitor, error) {
	if conversation == "" {
		return Visitor{}, fmt.Errorf("%w: empty conversation id", ErrInvalid)
	}
	if err := checkName("visitor name", name); err != nil {
		return Visitor{}, err
	}
	v := Visitor{Token: newToken(), Conversation: conversation, Name: name}
	_, err := k.db.ExecContext(ctx, k.q(`INSERT INTO helpdesk_visitors (token_hash, conversation_id, name, created_ns) VALUES (?, ?, ?, ?)`),
		hashToken(v.Token), conversation, name, now.UnixNano())
	switch {
	case err != nil && isUnique(err):
		return Visitor{}, fmt.Errorf("%w: a visitor of conversation %q", ErrExists, conversation)
	case err != nil:
		return Visitor{}, fmt.Errorf("desk: new visitor: %w", err)
	}
	return v, nil
}

// Visitor returns the visitor of token, or ErrNotFound.
func (k *Desk) Visitor(ctx context.Context, token string) (Visitor, error) {
	v := Visitor{Token: token}
	err := k.db.QueryRowContext(ctx, k.q(`SELECT conversation_id, name FROM helpdesk_visitors WHERE token_hash = ?`), hashToken(token)).
		Scan(&v.Conversation, &v.Name)
	switch {
	case token == "" || errors.Is(err, sql.ErrNoRows):
		return Visitor{}, fmt.Errorf("%w: visitor", ErrNotFound)
	case err != nil:
		return Visitor{}, fmt.Errorf("desk: visitor: %w", err)
	}
	return v, nil
}

// DeleteConversation deletes the visitor and the messages of conversation:
// those of a chat whose conversation could not be started.
func (k *Desk) DeleteConversation(ctx context.Context, conversation string) error {
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("desk: delete conversation: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a rollback after the commit does nothing
	for _, table := range []string{"helpdesk_messages", "helpdesk_visitors"} {
		if _, err := tx.ExecContext(ctx, k.q(`DELETE FROM `+table+` WHERE conversation_id = ?`), conversation); err != nil {
			return fmt.Errorf("desk: delete conversation: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("desk: delete conversation: %w", err)
	}
	return nil
}
