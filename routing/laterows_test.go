package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// A row older than a conversation's close, arriving after the close (a
// notice of another Router's earlier change still on its way), does not
// bring the conversation back into the view.
func TestLateRows_AClosedConversationStaysClosed(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	c.deliver(b)
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	assigned, err := c.st.Conversation(c.ctx, "c1")
	require.NoError(t, err)
	_, _ = b.m.take() // b has not followed a's change yet

	_, err = b.CloseConversation(c.ctx, routing.ByOperator("ann"), "c1", "done")
	require.NoError(t, err)
	require.Empty(t, b.holds("ann"))
	carry(t, b, store.Rows{Conversations: []store.Conversation{assigned}})
	require.Empty(t, b.holds("ann"), "the late row of c1, assigned, is older than its close")
	require.Equal(t, 0, b.queued("support"))

	// A resync, which reads the store after the close, agrees.
	b.m.send(store.Notice{Resync: true})
	require.NoError(t, <-b.noticed)
	require.Empty(t, b.holds("ann"))
}

// A close the store lost (received through the feed, then lost in a crash
// of the database) does not keep the conversation out of the view once
// the Router resynchronises.
func TestLateRows_ALostCloseDoesNotHideTheConversation(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	c.deliver(b)
	require.Equal(t, []string{"c1"}, b.holds("ann"))
	held, err := c.st.Conversation(c.ctx, "c1")
	require.NoError(t, err)
	lost := held
	lost.State, lost.Assignee, lost.Version = store.Closed, "", held.Version+1
	carry(t, b, store.Rows{Conversations: []store.Conversation{lost}})
	require.Empty(t, b.holds("ann"), "b took the close")

	b.m.send(store.Notice{Resync: true})
	require.NoError(t, <-b.noticed)
	require.Equal(t, []string{"c1"}, b.holds("ann"), "the store's row wins")
}
