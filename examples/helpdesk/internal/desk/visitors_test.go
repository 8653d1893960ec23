package desk_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
)

// TestVisitorsOwnOneConversation: a visitor's token finds their
// conversation; a conversation has one visitor; a made-up token finds
// nothing.
func TestVisitorsOwnOneConversation(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		v, err := k.NewVisitor(ctx, "chat-1", "Kim", t0)
		require.NoError(t, err)
		got, err := k.Visitor(ctx, v.Token)
		require.NoError(t, err)
		require.Equal(t, v, got)
		_, err = k.NewVisitor(ctx, "chat-1", "Eve", t0)
		require.ErrorIs(t, err, desk.ErrExists)
		_, err = k.Visitor(ctx, "made-up")
		require.ErrorIs(t, err, desk.ErrNotFound)
		_, err = k.Visitor(ctx, "")
		require.ErrorIs(t, err, desk.ErrNotFound)
		for name, tc := range map[string][2]string{
			"no conversation": {"", "Kim"},
			"no name":         {"chat-2", ""},
			"long name":       {"chat-2", strings.Repeat("k", desk.MaxName+1)},
		} {
			_, err := k.NewVisitor(ctx, tc[0], tc[1], t0)
			require.ErrorIs(t, err, desk.ErrInvalid, name)
		}
		require.Equal(t, 1, count(t, db, "helpdesk_visitors"))
	})
}

// TestDeleteConversationForgetsItsChat: deleting a conversation removes
// its visitor and its messages, and leaves another's alone.
func TestDeleteConversationForgetsItsChat(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		gone, err := k.NewVisitor(ctx, "chat-1", "Kim", t0)
		require.NoError(t, err)
		kept, err := k.NewVisitor(ctx, "chat-2", "Lee", t0)
		require.NoError(t, err)
		for _, c := range []string{"chat-1", "chat-2"} {
			_, err := k.AddMessage(ctx, desk.Message{Conversation: c, Kind: desk.ByVisitor, AuthorName: "Kim", Body: "hi", At: t0})
			require.NoError(t, err)
		}
		require.NoError(t, k.DeleteConversation(ctx, "chat-1"))
		_, err = k.Visitor(ctx, gone.Token)
		require.ErrorIs(t, err, desk.ErrNotFound)
		_, err = k.Visitor(ctx, kept.Token)
		require.NoError(t, err)
		left, err := k.Messages(ctx, "chat-1", 0, 10)
		require.NoError(t, err)
		require.Empty(t, left)
		ms, err := k.Messages(ctx, "chat-2", 0, 10)
		require.NoError(t, err)
		require.Len(t, ms, 1)
		require.NoError(t, k.DeleteMessage(ctx, ms[0].ID))
		require.Zero(t, count(t, db, "helpdesk_messages"))
		require.NoError(t, k.DeleteMessage(ctx, ms[0].ID), "a message already gone")
	})
}
