package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

func newClockRouter(t *testing.T, model *presence.Model, groups ...routing.Group) (*routing.Router, *clock.Mock) {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	r, err := routing.New(context.Background(), routing.Config{Clock: clk, Presence: model, ManualDeadlines: true, Groups: groups})
	require.NoError(t, err)
	t.Cleanup(func() { r.Stop(context.Background()) })
	return r, clk
}

// TestL4_BPMSoft_AutoFinishAfterSixtyMinutes: "if the customer does not
// answer within 60 minutes after the operator's last message, the chat is
// finished automatically"; a customer's reply stops the count, the next
// operator message starts it again.
func TestL4_BPMSoft_AutoFinishAfterSixtyMinutes(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.ActiveInactive(), routing.Group{ID: "chats", AutoClose: 60 * time.Minute})
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"chats"}, Status: presence.StatusActive})
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "chats"})
	require.NoError(t, err)
	sub := r.Subscribe(routing.Closed)

	// The operator writes; the customer answers after 59 minutes.
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	clk.Add(59 * time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	_, err = r.CustomerReplied(ctx, "c1")
	require.NoError(t, err)
	clk.Add(2 * time.Hour) // the customer wrote last: nothing closes
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))

	// The operator answers; 60 minutes of silence close it.
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	clk.Add(59*time.Minute + 59*time.Second)
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	clk.Add(time.Second)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{`closed conv=c1 group=chats op=ann reason=no customer reply`}, drainStrings(sub))
	c, err := r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c.State)
	require.Equal(t, routing.ReasonNoReply, c.CloseReason)
	require.Zero(t, r.Snapshot().Operators[0].Load)
}

// TestL9_Cleversite_NoTimeoutClosesALongDialog: by default nothing closes a
// conversation, however long the customer or the operator stays silent,
// and whatever the operator's status.
func TestL9_Cleversite_NoTimeoutClosesALongDialog(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.Standard(), routing.Group{ID: "site"})
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"site"}, Status: presence.StatusReady})
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "site"})
	require.NoError(t, err)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	_, err = r.MarkWaiting(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.NoError(t, r.LogOut(ctx, routing.ByOperator("ann"), "ann")) // pause, keeping the dialog
	clk.Add(30 * 24 * time.Hour)
	require.NoError(t, r.ProcessDue(ctx))
	c, err := r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Waiting, c.State)
	require.Equal(t, "ann", c.Assignee)
	require.Empty(t, c.Deadlines)
}

// TestL3_WaitingExpiry: a conversation left waiting on its customer for the
// group's WaitingExpiry closes; one whose customer replied in time does not.
func TestL3_WaitingExpiry(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.Standard(), routing.Group{ID: "site", WaitingExpiry: 24 * time.Hour})
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"site"}, Status: presence.StatusReady})
	require.NoError(t, err)
	for _, id := range []string{"c1", "c2"} {
		_, err = r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "site"})
		require.NoError(t, err)
		_, err = r.MarkWaiting(ctx, routing.ByOperator("ann"), id)
		require.NoError(t, err)
	}
	clk.Add(23 * time.Hour)
	_, err = r.CustomerReplied(ctx, "c2")
	require.NoError(t, err)
	clk.Add(time.Hour)
	sub := r.Subscribe(routing.Closed)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{`closed conv=c1 group=site op=ann reason=waiting on the customer expired`}, drainStrings(sub))
	c2, err := r.Conversation(ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, store.Assigned, c2.State)
}
