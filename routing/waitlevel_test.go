package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// colours are the wait-time thresholds of HelpDeskEddy's omnichannel
// module: yellow after 2 minutes, red after 5.
var colours = []routing.WaitLevel{{Name: "yellow", After: 2 * time.Minute}, {Name: "red", After: 5 * time.Minute}}

func newWaitRouter(t *testing.T, st store.Store, clk *clock.Mock) *routing.Router {
	t.Helper()
	r, err := routing.New(context.Background(), routing.Config{
		Store: st, Clock: clk, ManualDeadlines: true,
		Groups: []routing.Group{{ID: "support", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1}), WaitLevels: colours}},
	})
	require.NoError(t, err)
	t.Cleanup(func() { r.Stop(context.Background()) })
	return r
}

// drainStrings returns the events already emitted, formatted.
func drainStrings(sub *routing.Subscription) []string {
	var out []string
	for {
		select {
		case ev := <-sub.Events():
			out = append(out, ev.String())
		default:
			return out
		}
	}
}

// TestL10_HelpDeskEddy_WaitColours: a queued conversation turns yellow after
// 2 minutes and red after 5, once each; an assigned one keeps counting
// until the operator answers; a customer writing again starts a new wait.
func TestL10_HelpDeskEddy_WaitColours(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	r := newWaitRouter(t, memory.New(), clk)
	sub := r.Subscribe(routing.WaitThreshold)

	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	clk.Add(119 * time.Second)
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	clk.Add(time.Second)
	require.NoError(t, r.ProcessDue(ctx))
	require.NoError(t, r.ProcessDue(ctx)) // fires once
	require.Equal(t, []string{"wait-threshold conv=c1 group=support reason=yellow wait=2m0s"}, drainStrings(sub))

	// Assigned but not answered: still waiting.
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	clk.Add(3 * time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{"wait-threshold conv=c1 group=support op=ann reason=red wait=5m0s"}, drainStrings(sub))

	// The operator answers; the customer writes again; a new wait.
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	clk.Add(10 * time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	_, err = r.CustomerReplied(ctx, "c1")
	require.NoError(t, err)
	clk.Add(2 * time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{"wait-threshold conv=c1 group=support op=ann reason=yellow wait=2m0s"}, drainStrings(sub))

	// Answered before the next level: nothing more. Closed: nothing left.
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	_, err = r.CustomerReplied(ctx, "c1")
	require.NoError(t, err)
	_, err = r.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done")
	require.NoError(t, err)
	clk.Add(time.Hour)
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	c, err := r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Empty(t, c.Deadlines)
}

// TestInvariant6_WaitLevelSurvivesRestart: a deadline is stored with its
// conversation, so a router opened on the same store after a restart fires
// it, once.
func TestInvariant6_WaitLevelSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := memory.New()
	first := newWaitRouter(t, st, clk)
	_, err := first.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.NoError(t, first.Stop(context.Background()))

	clk.Add(6 * time.Minute) // both levels passed while no router ran
	second := newWaitRouter(t, st, clk)
	sub := second.Subscribe(routing.WaitThreshold)
	require.NoError(t, second.ProcessDue(ctx))
	require.NoError(t, second.ProcessDue(ctx))
	require.Equal(t, []string{
		"wait-threshold conv=c1 group=support reason=yellow wait=2m0s",
		"wait-threshold conv=c1 group=support reason=red wait=5m0s",
	}, drainStrings(sub))
}

// TestL10_DeadlineLoopFiresOnTheClock: without ManualDeadlines the router's
// own loop fires a deadline when the clock reaches it.
func TestL10_DeadlineLoopFiresOnTheClock(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	r, err := routing.New(ctx, routing.Config{Clock: clk, Groups: []routing.Group{{ID: "support", WaitLevels: colours[:1]}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	sub := r.Subscribe(routing.WaitThreshold)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	clk.Add(2 * time.Minute)
	ev := <-sub.Events() // waits on the event, not on time
	require.Equal(t, "yellow", ev.Reason)
}

func TestWaitLevelsValidated(t *testing.T) {
	ctx := context.Background()
	for name, ls := range map[string][]routing.WaitLevel{
		"no name":      {{After: time.Minute}},
		"not positive": {{Name: "a"}},
		"not rising":   {{Name: "a", After: 2 * time.Minute}, {Name: "b", After: time.Minute}},
		"same name":    {{Name: "a", After: time.Minute}, {Name: "a", After: 2 * time.Minute}},
	} {
		_, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "g", WaitLevels: ls}}})
		require.ErrorIs(t, err, routing.ErrInvalidConfig, name)
	}
}
