package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// TestS2_MeasuresFromEvents: time in queue, time to assignment, time to
// first reply and duration per group and operator come straight out of the
// events (S2, S3).
func TestS2_MeasuresFromEvents(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.Standard(), routing.Group{ID: "support"})
	sub := r.Subscribe()
	m := routing.NewMeasures()
	step := func(d time.Duration) {
		t.Helper()
		for {
			select {
			case ev := <-sub.Events():
				m.Observe(ev)
				continue
			default:
			}
			break
		}
		clk.Add(d)
	}
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"}) // 09:00, nobody on shift
	require.NoError(t, err)
	step(2 * time.Minute)
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusReady}) // 09:02: c1 to ann
	require.NoError(t, err)
	step(time.Minute)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c1") // 09:03
	require.NoError(t, err)
	step(2 * time.Minute)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "support"}) // 09:05: to ann at once
	require.NoError(t, err)
	step(time.Minute)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c2") // 09:06
	require.NoError(t, err)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c2") // a second reply counts for nothing
	require.NoError(t, err)
	step(4 * time.Minute)
	_, err = r.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done") // 09:10
	require.NoError(t, err)
	step(10 * time.Minute)
	_, err = r.CloseConversation(ctx, routing.ByOperator("ann"), "c2", "done") // 09:20
	require.NoError(t, err)
	step(0)

	g := m.Groups()["support"]
	require.Equal(t, 2, g.Conversations)
	require.Equal(t, routing.Stat{Count: 1, Total: 2 * time.Minute, Max: 2 * time.Minute}, g.TimeInQueue)
	require.Equal(t, routing.Stat{Count: 2, Total: 2 * time.Minute, Max: 2 * time.Minute}, g.TimeToAssignment)
	require.Equal(t, time.Minute, g.TimeToAssignment.Mean())
	require.Equal(t, routing.Stat{Count: 2, Total: 4 * time.Minute, Max: 3 * time.Minute}, g.TimeToFirstReply)
	require.Equal(t, routing.Stat{Count: 2, Total: 25 * time.Minute, Max: 15 * time.Minute}, g.Duration)
	ann := m.Operators()["ann"]
	require.Equal(t, 2, ann.Conversations)
	require.Equal(t, g.TimeToFirstReply, ann.TimeToFirstReply)
	require.Equal(t, g.Duration, ann.Duration)
	require.Zero(t, routing.Stat{}.Mean())
}

// TestS2_FollowUntilStop: Follow consumes a subscription until the router
// stops.
func TestS2_FollowUntilStop(t *testing.T) {
	ctx := context.Background()
	r, _ := newClockRouter(t, presence.Standard(), routing.Group{ID: "support"})
	m := routing.NewMeasures()
	sub := r.Subscribe()
	done := make(chan struct{})
	go func() { m.Follow(sub); close(done) }()
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.NoError(t, r.Stop(context.Background()))
	<-done
	require.Equal(t, 1, m.Groups()["support"].Conversations)
}
