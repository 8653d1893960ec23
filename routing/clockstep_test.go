package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// clockStepRouter returns a Router on st with a mock clock at 10:00, one
// group "g" whose operators take one conversation each, and ann, who is
// off shift.
func clockStepRouter(t *testing.T, st store.Store) (*routing.Router, *clock.Mock) {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	r, err := routing.New(context.Background(), routing.Config{Store: st, Clock: clk, ManualDeadlines: true,
		Groups: []routing.Group{{ID: "g", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	return r, clk
}

// TestClockSteppedBackKeepsQueueOrder: the clock is stepped back an hour
// between two Enqueues; the conversation enqueued first is still ahead in
// the queue and served first, by the Router and by one restarted on the
// store.
func TestClockSteppedBackKeepsQueueOrder(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(map[bool]string{false: "live", true: "restarted"}[restart], func(t *testing.T) {
			ctx := context.Background()
			st := memory.New()
			r, clk := clockStepRouter(t, st)
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Status: presence.StatusAway})
			require.NoError(t, err)
			queued := r.Subscribe(routing.Queued)

			first, err := r.Enqueue(ctx, routing.NewConversation{ID: "first", Group: "g"})
			require.NoError(t, err)
			clk.Set(clk.Now().Add(-time.Hour))
			second, err := r.Enqueue(ctx, routing.NewConversation{ID: "second", Group: "g"})
			require.NoError(t, err)
			require.True(t, second.EnqueuedAt.Before(first.EnqueuedAt), "the clock went back")
			require.Equal(t, "first", (<-queued.Events()).Conversation)
			ev := <-queued.Events()
			require.Equal(t, "second", ev.Conversation)
			require.Equal(t, 2, ev.Position, "second is behind first")

			if restart {
				require.NoError(t, r.Stop(context.Background()))
				r, _ = clockStepRouter(t, st)
			}
			assigned := r.Subscribe(routing.Assigned)
			require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", presence.StatusReady))
			require.Equal(t, "first", (<-assigned.Events()).Conversation)
			c, err := r.Conversation(ctx, "second")
			require.NoError(t, err)
			require.Equal(t, store.Queued, c.State)
		})
	}
}

// TestReleasedConversationKeepsPlaceAfterClockStep: a conversation
// released back to the queue keeps its place (its Seq) ahead of one
// enqueued after it, even when the clock was stepped back in between and
// the later one's arrival time reads earlier.
func TestReleasedConversationKeepsPlaceAfterClockStep(t *testing.T) {
	ctx := context.Background()
	r, clk := clockStepRouter(t, memory.New())
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Status: presence.StatusReady})
	require.NoError(t, err)
	held, err := r.Enqueue(ctx, routing.NewConversation{ID: "held", Group: "g"})
	require.NoError(t, err)
	require.Equal(t, "ann", held.Assignee)
	clk.Set(clk.Now().Add(-time.Hour))
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "later", Group: "g"})
	require.NoError(t, err)

	// ann gives "held" back and goes away: it is first in the queue again.
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", presence.StatusAway))
	_, err = r.Release(ctx, routing.ByOperator("ann"), "held")
	require.NoError(t, err)
	sub := r.Subscribe(routing.Assigned)
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", presence.StatusReady))
	require.Equal(t, "held", (<-sub.Events()).Conversation)
}
