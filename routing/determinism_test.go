package routing_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
)

// simulate runs a seeded sequence of commands on a fresh router with a mock
// clock and returns every event it emitted.
func simulate(t *testing.T, seed uint64, steps int) []routing.Event {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	r, err := routing.New(ctx, routing.Config{
		Clock: clk, ManualDeadlines: true, EventBuffer: 100_000,
		Groups: []routing.Group{
			{ID: "sales", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2}), WaitLevels: colours, AutoClose: 30 * time.Minute},
			{ID: "support", Policy: policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1}), WaitingExpiry: time.Hour},
		},
	})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	sub := r.Subscribe()
	rng := rand.New(rand.NewPCG(seed, seed))
	ops := []string{"ann", "bob", "cat", "dan"}
	statuses := []string{"ready", "can-help", "pause", "away"}
	groups := []string{"sales", "support"}
	conv := func() string { return fmt.Sprint("c", rng.IntN(40)) }
	for _, id := range ops {
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: groups[:1+rng.IntN(2)], Status: "ready"})
		require.NoError(t, err)
	}
	next := 0
	for range steps {
		op := ops[rng.IntN(len(ops))]
		// Errors are part of the behaviour being compared through the
		// events; the commands' results are not needed here.
		switch rng.IntN(9) {
		case 0, 1:
			_, _ = r.Enqueue(ctx, routing.NewConversation{ID: fmt.Sprint("c", next), Group: groups[rng.IntN(2)], Priority: rng.IntN(3), CustomerID: fmt.Sprint("k", rng.IntN(5))})
			next++
		case 2:
			_, _ = r.Take(ctx, routing.ByOperator(op), conv())
		case 3:
			_, _ = r.CloseConversation(ctx, routing.ByAdmin("boss"), conv(), "done")
		case 4:
			_ = r.SetStatus(ctx, routing.ByOperator(op), op, statuses[rng.IntN(len(statuses))])
		case 5:
			_, _ = r.OperatorReplied(ctx, routing.ByAdmin("boss"), conv())
		case 6:
			_, _ = r.CustomerReplied(ctx, conv())
		case 7:
			_, _ = r.MarkWaiting(ctx, routing.ByAdmin("boss"), conv())
		default:
			clk.Add(time.Duration(rng.IntN(20)) * time.Minute)
			require.NoError(t, r.ProcessDue(ctx))
		}
	}
	var evs []routing.Event
	for {
		select {
		case ev, ok := <-sub.Events():
			require.True(t, ok, "subscription closed: %v", sub.Err())
			require.NotEqual(t, routing.Lagged, ev.Kind, "the subscription lagged")
			evs = append(evs, ev)
		default:
			return evs
		}
	}
}

// TestInvariant7_SameInputsSameEvents: with a mock clock, the same
// sequence of commands makes the same decisions and emits the same events,
// to the field (invariant 7).
func TestInvariant7_SameInputsSameEvents(t *testing.T) {
	for seed := range uint64(20) {
		a := simulate(t, seed, 400)
		b := simulate(t, seed, 400)
		require.NotEmpty(t, a)
		require.Equal(t, a, b, "seed %d", seed)
	}
}
