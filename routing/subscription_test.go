package routing_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
)

// Subscriptions get only the kinds they asked for, never block the router,
// end with a Lagged marker when their buffer is full, and are closed by
// Cancel and by Stop.
func TestSubscriptionKindsLagCancel(t *testing.T) {
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
	require.NoError(t, cancelled.Err())

	for i := range 5 {
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: fmt.Sprint(i), Group: "g"})
		require.NoError(t, err) // nobody on shift: each is queued
	}
	// Two fit in each buffer; the third ended the subscription with the
	// marker, and the router did not wait.
	var seqs []uint64
	for range 2 {
		ev := <-queued.Events()
		require.Equal(t, routing.Queued, ev.Kind)
		seqs = append(seqs, ev.Seq)
	}
	marker := <-queued.Events()
	require.Equal(t, routing.Lagged, marker.Kind)
	require.Equal(t, seqs[1]+1, marker.Seq)
	_, open = <-queued.Events()
	require.False(t, open)
	from, lagged := queued.Lagged()
	require.True(t, lagged)
	require.Equal(t, marker.Seq, from)

	// Seq numbers every emitted event in order.
	a, b := <-all.Events(), <-all.Events()
	require.Less(t, a.Seq, b.Seq)
	require.Equal(t, routing.Lagged, (<-all.Events()).Kind)
	queued.Cancel() // after the marker: nothing more to do

	require.NoError(t, r.Stop(context.Background()))
	_, open = <-all.Events()
	require.False(t, open)
	// Subscribing after Stop gives a closed channel.
	_, open = <-r.Subscribe().Events()
	require.False(t, open)
}

func TestEventKindNames(t *testing.T) {
	require.Len(t, routing.AllKinds(), 18)
	for _, k := range routing.AllKinds() {
		require.NotContains(t, k.String(), "event(")
	}
	require.NotContains(t, routing.AllKinds(), routing.Lagged)
	require.Equal(t, "lagged", routing.Lagged.String())
	require.Equal(t, "event(99)", routing.EventKind(99).String())
}
