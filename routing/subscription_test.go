package routing_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
)

// Subscriptions get only the kinds they asked for, never block the router,
// count what they drop, and are closed by Cancel and by Stop.
func TestSubscriptionKindsDropsCancel(t *testing.T) {
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{EventBuffer: 2, Groups: []routing.Group{{ID: "g"}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	queued := r.Subscribe(routing.Queued)
	all := r.Subscribe()
	cancelled := r.Subscribe()
	cancelled.Cancel()
	cancelled.Cancel() // twice is fine
	_, open := <-cancelled.Events()
	require.False(t, open)

	for i := range 5 {
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: fmt.Sprint(i), Group: "g"})
		require.NoError(t, err) // nobody on shift: each is queued
	}
	// Two fit in each buffer; the rest were dropped, not waited for.
	for range 2 {
		ev := <-queued.Events()
		require.Equal(t, routing.Queued, ev.Kind)
	}
	require.Equal(t, uint64(3), queued.Dropped())
	require.Equal(t, uint64(3), all.Dropped())
	select {
	case ev := <-queued.Events():
		t.Fatalf("unexpected %v", ev)
	default:
	}

	// Seq numbers every emitted event in order.
	a, b := <-all.Events(), <-all.Events()
	require.Less(t, a.Seq, b.Seq)

	require.NoError(t, r.Stop(context.Background()))
	_, open = <-queued.Events()
	require.False(t, open)
	_, open = <-all.Events()
	require.False(t, open)
	// Subscribing after Stop gives a closed channel.
	_, open = <-r.Subscribe().Events()
	require.False(t, open)
}

func TestEventKindNames(t *testing.T) {
	require.Len(t, routing.AllKinds(), 17)
	for _, k := range routing.AllKinds() {
		require.NotContains(t, k.String(), "event(")
	}
	require.Equal(t, "event(99)", routing.EventKind(99).String())
}
