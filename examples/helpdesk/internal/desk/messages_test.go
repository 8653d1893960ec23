package desk_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
)

// TestMessagesInOrder: a conversation's messages come back oldest first,
// after a given one, a page at a time; another conversation's are not
// among them.
func TestMessagesInOrder(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		var sent []desk.Message
		newest := map[string]int64{}
		for i, m := range []desk.Message{
			{Conversation: "chat-1", Kind: desk.ByVisitor, AuthorName: "Kim", Body: "Hello, my order is late"},
			{Conversation: "chat-2", Kind: desk.ByVisitor, AuthorName: "Lee", Body: "Hi"},
			{Conversation: "chat-1", Kind: desk.ByOperator, AuthorID: "anna", AuthorName: "Anna", Body: "Let me look — one moment"},
			{Conversation: "chat-1", Kind: desk.BySystem, AuthorName: "Help desk", Body: "Anna closed the conversation"},
		} {
			m.At = t0.Add(time.Duration(i) * time.Second)
			got, err := k.AddMessage(ctx, m)
			require.NoError(t, err)
			require.Positive(t, got.ID)
			newest[m.Conversation] = got.ID
			if m.Conversation == "chat-1" {
				sent = append(sent, got)
			}
		}
		all, err := k.Messages(ctx, "chat-1", 0, 10)
		require.NoError(t, err)
		require.Len(t, all, 3)
		for i := range all {
			require.Equal(t, sent[i].ID, all[i].ID)
			require.Equal(t, sent[i].Body, all[i].Body)
			require.True(t, sent[i].At.Equal(all[i].At))
		}
		page, err := k.Messages(ctx, "chat-1", sent[0].ID, 1)
		require.NoError(t, err)
		require.Equal(t, []desk.Message{all[1]}, page)
		none, err := k.Messages(ctx, "chat-1", sent[2].ID, 10)
		require.NoError(t, err)
		require.Empty(t, none)
		_, err = k.Messages(ctx, "chat-1", 0, 0)
		require.ErrorIs(t, err, desk.ErrInvalid)

		last, err := k.LastMessages(ctx, []string{"chat-1", "chat-2", "chat-3"})
		require.NoError(t, err)
		require.Equal(t, newest, last, "chat-3 has none")
		require.Equal(t, sent[2].ID, last["chat-1"])
		last, err = k.LastMessages(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, last)
	})
}

// TestMessagesRefuseBadInput: an empty conversation, body or author name,
// an unknown author kind, a body too long or not UTF-8 are refused, and
// nothing is stored.
func TestMessagesRefuseBadInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		ok := desk.Message{Conversation: "chat-1", Kind: desk.ByVisitor, AuthorName: "Kim", Body: "hi", At: t0}
		for name, change := range map[string]func(*desk.Message){
			"no conversation": func(m *desk.Message) { m.Conversation = "" },
			"no body":         func(m *desk.Message) { m.Body = "" },
			"long body":       func(m *desk.Message) { m.Body = strings.Repeat("x", desk.MaxBody+1) },
			"bad UTF-8":       func(m *desk.Message) { m.Body = "\xff" },
			"unknown kind":    func(m *desk.Message) { m.Kind = "robot" },
			"no author name":  func(m *desk.Message) { m.AuthorName = "" },
			"no time":         func(m *desk.Message) { m.At = time.Time{} },
		} {
			m := ok
			change(&m)
			_, err := k.AddMessage(ctx, m)
			require.ErrorIs(t, err, desk.ErrInvalid, name)
		}
		require.Zero(t, count(t, db, "helpdesk_messages"))
	})
}
