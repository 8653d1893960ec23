package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// restartConfig is the configuration of the routers of the restart test:
// "support" caps operators at supportCap and times out unaccepted
// assignments and long waits; "sales" offers to everyone.
func restartConfig(s store.Store, clk clock.Clock, supportCap int) routing.Config {
	return routing.Config{
		// The mock clock has nothing to do with the database's.
		Store: s, Clock: clk, ManualDeadlines: true, MaxClockSkew: -1,
		Groups: []routing.Group{
			{
				ID:            "support",
				Policy:        policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: supportCap}),
				AcceptTimeout: 30 * time.Second,
				WaitLevels:    []routing.WaitLevel{{Name: "yellow", After: 2 * time.Minute}},
			},
			{ID: "sales", Policy: policy.Broadcast(0)},
		},
	}
}

// TestRouterRestartRecovery: a Router opened on a SQL store another Router
// used rebuilds its view (operators, loads, queues in order, pending
// offers), re-arms every deadline, serves the stored groups over a
// Config.Groups that changed, and routes the queue at once when an admin
// raises the cap.
func TestRouterRestartRecovery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		clk := clock.NewMock()
		clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))

		st := b.mustMigrate(t)
		first, err := routing.New(ctx, restartConfig(st, clk, 1))
		require.NoError(t, err)
		for _, op := range []routing.OperatorSpec{
			{ID: "ann", Groups: []string{"support"}, Status: "ready"},
			{ID: "bob", Groups: []string{"support"}, Status: "ready"},
			{ID: "cat", Groups: []string{"sales"}, Status: "ready"},
		} {
			_, err := first.AddOperator(ctx, routing.ByAdmin("admin"), op)
			require.NoError(t, err)
		}
		for _, id := range []string{"s1", "s2", "s3", "s4"} {
			_, err := first.Enqueue(ctx, routing.NewConversation{ID: id, Group: "support"})
			require.NoError(t, err)
			clk.Add(time.Second) // s3 arrives before s4
		}
		c, err := first.Enqueue(ctx, routing.NewConversation{ID: "p1", Group: "sales"})
		require.NoError(t, err)
		require.Equal(t, store.Offered, c.State)
		before := first.Snapshot()
		require.NoError(t, first.Stop(context.Background()))
		require.NoError(t, st.Close())

		// A new store and router on the same database see what the first
		// left.
		st2 := b.mustOpen(t)
		second, err := routing.New(ctx, restartConfig(st2, clk, 1))
		require.NoError(t, err)
		after := second.Snapshot()
		require.Equal(t, before.Operators, after.Operators, "operators, statuses, loads, held conversations, offers")
		require.Equal(t, before.Groups, after.Groups, "queues, availability")
		require.Equal(t, 2, after.Groups[1].Queued)
		require.Equal(t, "s3", after.Groups[1].Oldest)

		// The queue keeps its order: ann's freed slot goes to s3.
		_, err = second.CloseConversation(ctx, routing.ByOperator("ann"), "s1", "done")
		require.NoError(t, err)
		c.Conversation, err = second.Conversation(ctx, "s3")
		require.NoError(t, err)
		require.Equal(t, store.Assigned, c.State)
		require.Equal(t, "ann", c.Assignee)

		// The pending offer is still the sales operator's to take.
		_, err = second.Take(ctx, routing.ByOperator("cat"), "p1")
		require.NoError(t, err)

		// Deadlines were re-armed from the rows: bob's accept timeout for
		// s2 (set by the first router) and s4's wait level fire.
		sub := second.Subscribe(routing.Missed, routing.WaitThreshold)
		clk.Add(2 * time.Minute)
		require.NoError(t, second.ProcessDue(ctx))
		fired := map[string][]routing.EventKind{}
		for done := false; !done; {
			select {
			case ev := <-sub.Events():
				fired[ev.Conversation] = append(fired[ev.Conversation], ev.Kind)
			default:
				done = true
			}
		}
		require.Contains(t, fired["s2"], routing.Missed, "the accept timeout armed before the restart")
		require.Equal(t, []routing.EventKind{routing.WaitThreshold}, fired["s4"], "the wait level armed before the restart")
		require.NoError(t, second.Stop(context.Background()))
		require.NoError(t, st2.Close())

		// The next router is configured with a higher cap, but the group
		// is stored: it keeps the stored cap until an admin raises it,
		// which assigns the queued conversations at once.
		st3 := b.mustOpen(t)
		queued, err := st3.Conversations(ctx, store.Filter{States: []store.State{store.Queued}})
		require.NoError(t, err)
		require.NotEmpty(t, queued)
		third, err := routing.New(ctx, restartConfig(st3, clk, 3))
		require.NoError(t, err)
		defer third.Stop(context.Background())
		require.Equal(t, len(queued), third.Snapshot().Groups[1].Queued, "the stored group wins over Config.Groups")
		require.NoError(t, third.UpdateGroup(ctx, routing.ByAdmin("admin"), restartConfig(st3, clk, 3).Groups[0]))
		require.Zero(t, third.Snapshot().Groups[1].Queued, "routed as the cap was raised")
		for _, q := range queued {
			c, err := st3.Conversation(ctx, q.ID)
			require.NoError(t, err)
			require.Equal(t, store.Assigned, c.State, q.ID)
		}
		mismatches, err := st3.Reconcile(ctx)
		require.NoError(t, err)
		require.Empty(t, mismatches)
	})
}
