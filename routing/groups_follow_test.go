package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// TestFeed_GroupChangesAreFollowed: a group another Router adds, updates
// or removes is served, updated or no longer served by this one once it
// has followed the change; a queue the change made routable is routed.
func TestFeed_GroupChangesAreFollowed(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{{ID: "support", Policy: policy.Broadcast(0)}}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, boss, routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusReady})
	require.NoError(t, err)
	conv, err := a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, []string{"ann"}, conv.OfferedTo)
	c.deliver(b)

	// An update: B serves it, routes its queue again with it (at once,
	// Takeover being zero).
	require.NoError(t, a.UpdateGroup(c.ctx, boss, routing.Group{ID: "support", Policy: policy.LeastLoaded(), AcceptTimeout: time.Minute}))
	c.deliver(b)
	g, err := b.Group("support")
	require.NoError(t, err)
	require.Equal(t, "least-loaded", g.Policy.Name())
	require.Equal(t, time.Minute, g.AcceptTimeout)
	require.Equal(t, []string{"c1"}, b.holds("ann"))

	// An addition, then B's own update of it, which A follows.
	require.NoError(t, a.AddGroup(c.ctx, boss, routing.Group{ID: "sales"}))
	c.deliver(b)
	require.Equal(t, []string{"sales", "support"}, b.Groups())
	require.NoError(t, b.SetPolicy(c.ctx, boss, "sales", policy.Broadcast(3)))
	c.deliver(a)
	g, err = a.Group("sales")
	require.NoError(t, err)
	require.Equal(t, "broadcast(3)", g.Policy.Name())

	// A removal.
	require.NoError(t, a.RemoveGroup(c.ctx, boss, "sales"))
	c.deliver(b)
	require.Equal(t, []string{"support"}, b.Groups())
	_, err = b.Group("sales")
	require.ErrorIs(t, err, routing.ErrNotFound)
}

// TestFeed_ConcurrentGroupUpdatesLastWins: two Routers update one group
// without having followed each other: the second write finds the version
// changed, and stores its configuration over the first (the last write
// wins); once each has followed the other, both serve it.
func TestFeed_ConcurrentGroupUpdatesLastWins(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	a, b := c.start(), c.start()
	require.NoError(t, a.UpdateGroup(c.ctx, boss, routing.Group{ID: "support", AcceptTimeout: time.Minute}))
	require.NoError(t, b.UpdateGroup(c.ctx, boss, routing.Group{ID: "support", AcceptTimeout: 2 * time.Minute}))
	c.deliver(a)
	c.deliver(b)
	for _, n := range []*node{a, b} {
		g, err := n.Group("support")
		require.NoError(t, err)
		require.Equal(t, 2*time.Minute, g.AcceptTimeout)
	}
	require.Equal(t, int64(3), storedGroup(t, c.st, "support").Version)

	// B's SetPolicy on its stale view keeps A's latest timeout.
	require.NoError(t, a.UpdateGroup(c.ctx, boss, routing.Group{ID: "support", AcceptTimeout: 3 * time.Minute}))
	require.NoError(t, b.SetPolicy(c.ctx, boss, "support", policy.Broadcast(0)))
	c.deliver(a)
	g, err := a.Group("support")
	require.NoError(t, err)
	require.Equal(t, 3*time.Minute, g.AcceptTimeout)
	require.Equal(t, "broadcast", g.Policy.Name())
}

// TestFeed_RemovalOfAGroupTheViewStillHoldsRowsOf: a Router that follows
// the removal of a group whose operator it still holds (it missed the
// operator's move) reads the rows again, and then lets the group go.
func TestFeed_RemovalOfAGroupTheViewStillHoldsRowsOf(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{{ID: "support"}, {ID: "sales"}}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, boss, routing.OperatorSpec{ID: "ann", Groups: []string{"sales"}, Status: presence.StatusReady})
	require.NoError(t, err)
	c.deliver(b)
	a.m.silent = true // B misses ann's move
	_, err = a.UpdateOperator(c.ctx, boss, routing.OperatorSpec{ID: "ann", Groups: []string{"support"}})
	require.NoError(t, err)
	a.m.silent = false
	require.Equal(t, []string{"sales"}, b.Snapshot().Operators[0].Groups, "B's view is stale")
	require.NoError(t, a.RemoveGroup(c.ctx, boss, "sales"))
	c.deliver(b)
	require.Equal(t, []string{"support"}, b.Groups())
	require.Equal(t, []string{"support"}, b.Snapshot().Operators[0].Groups)
}
