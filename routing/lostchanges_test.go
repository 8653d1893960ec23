package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// Changes the store lost. A database that crashes loses the transactions it
// had not flushed, after other Routers may have received their rows through
// the feed: their views then hold rows the store does not have (phantoms)
// or versions it never kept.

// ghost is a queued conversation the store does not have, ahead of every
// other in the queue of group "support".
func ghost(at time.Time) store.Conversation {
	return store.Conversation{ID: "ghost", Group: "support", State: store.Queued, CreatedAt: at.Add(-time.Hour),
		EnqueuedAt: at.Add(-time.Hour), Seq: 0, Version: 7}
}

// carry hands n's Router a notice carrying rows as another Router would
// have committed them, and waits until it has been followed.
func carry(t *testing.T, n *node, rows store.Rows) {
	t.Helper()
	note := store.Notice{Carried: rows}
	for _, o := range rows.Operators {
		note.Operators = append(note.Operators, o.ID)
	}
	for _, c := range rows.Conversations {
		note.Conversations = append(note.Conversations, c.ID)
	}
	n.m.send(note)
	require.NoError(t, <-n.noticed)
}

func TestLostChanges_PhantomAtTheHeadOfAQueueDoesNotStallIt(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a := c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "away"})
	require.NoError(t, err)
	carry(t, a, store.Rows{Conversations: []store.Conversation{ghost(c.clk.Now())}})
	require.Equal(t, 1, a.queued("support"), "the phantom waits at the head of the queue")
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)

	// ann comes on shift: the pump meets the phantom first, the store
	// does not know it, and it leaves the view instead of stalling c1.
	require.NoError(t, a.SetStatus(c.ctx, routing.ByOperator("ann"), "ann", "ready"))
	require.Equal(t, []string{"c1"}, a.holds("ann"))
	require.Equal(t, 0, a.queued("support"))
	_, err = a.Conversation(c.ctx, "ghost")
	require.ErrorIs(t, err, routing.ErrNotFound)
}

func TestLostChanges_ResyncMakesTheViewEqualToTheStore(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	c.deliver(b)
	ann, err := c.st.Operator(c.ctx, "ann")
	require.NoError(t, err)

	// b received rows of changes the store then lost: a phantom
	// conversation given to ann, and ann's load counting it, at a version
	// the store never reached.
	lostAnn := ann
	lostAnn.Load, lostAnn.Version = 1, ann.Version+1
	held := ghost(c.clk.Now())
	held.State, held.Assignee, held.Version = store.Assigned, "ann", 1
	carry(t, b, store.Rows{Operators: []store.Operator{lostAnn}, Conversations: []store.Conversation{held}})
	require.Equal(t, []string{"ghost"}, b.holds("ann"))

	// Meanwhile the store moved on: c1 waits for ann on b, which thinks
	// her full.
	_, err = b.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, 1, b.queued("support"), "b's stale view keeps c1 waiting")

	// The feed reconnects: b resynchronises, the phantom and the lost
	// load go, and c1 is routed.
	_, _ = b.m.take()
	b.m.send(store.Notice{Resync: true})
	require.NoError(t, <-b.noticed)
	require.Equal(t, []string{"c1"}, b.holds("ann"))
	fresh := c.start()
	require.Equal(t, fresh.Snapshot().Operators, b.Snapshot().Operators, "b's view is the store's")
	require.Equal(t, fresh.Snapshot().Groups, b.Snapshot().Groups)
}

func TestLostChanges_ResyncOnDemand(t *testing.T) {
	// A store without a feed: the host tells the Router the store lost
	// changes (restored from a backup, say).
	st := memory.New()
	r, err := routing.New(context.Background(), routing.Config{Store: st,
		Groups: []routing.Group{{ID: "support", Policy: policy.LeastLoaded()}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	ctx := context.Background()
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	_, err = st.CreateOperator(ctx, store.Operator{ID: "ann", Groups: []string{"support"}, Status: "ready", StatusSince: r.Clock().Now()})
	require.NoError(t, err)
	require.Empty(t, r.Snapshot().Operators, "the Router does not know of a row written behind its back")
	require.NoError(t, r.Resync(ctx))
	ops := r.Snapshot().Operators
	require.Len(t, ops, 1)
	require.Equal(t, []string{"c1"}, ops[0].Conversations, "c1 routed to ann once she is in the view")

	require.NoError(t, r.Stop(context.Background()))
	require.ErrorIs(t, r.Resync(ctx), routing.ErrClosed)
}
