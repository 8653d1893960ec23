package routing_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// TestR1_RaceManyTakeOneWins: many operators take the same offered
// conversation at the same instant; exactly one wins, every other gets
// ErrAlreadyTaken, and loads stay consistent (R1, invariant 1).
func TestR1_RaceManyTakeOneWins(t *testing.T) {
	ctx := context.Background()
	const takers = 64
	for round := range 20 {
		r, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "g", Policy: policy.Broadcast(0)}}})
		require.NoError(t, err)
		for i := range takers {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: fmt.Sprintf("op%d", i), Groups: []string{"g"}, Status: "ready"})
			require.NoError(t, err)
		}
		conv := fmt.Sprintf("c%d", round)
		c, err := r.Enqueue(ctx, routing.NewConversation{ID: conv, Group: "g"})
		require.NoError(t, err)
		require.Equal(t, store.Offered, c.State)
		require.Len(t, c.OfferedTo, takers)

		start := make(chan struct{})
		errs := make([]error, takers)
		var wg sync.WaitGroup
		for i := range takers {
			wg.Go(func() {
				<-start
				_, errs[i] = r.Take(ctx, routing.ByOperator(fmt.Sprintf("op%d", i)), conv)
			})
		}
		close(start)
		wg.Wait()

		winners := 0
		for _, err := range errs {
			if err == nil {
				winners++
				continue
			}
			require.ErrorIs(t, err, routing.ErrAlreadyTaken)
		}
		require.Equal(t, 1, winners)
		c.Conversation, err = r.Conversation(ctx, conv)
		require.NoError(t, err)
		require.Equal(t, store.Assigned, c.State)
		require.Empty(t, c.OfferedTo)
		total := 0
		for _, o := range r.Snapshot().Operators {
			total += o.Load
			require.Zero(t, o.Offers, "offers to %s not withdrawn", o.ID)
			if o.ID == c.Assignee {
				require.Equal(t, 1, o.Load)
				require.Equal(t, []string{conv}, o.Conversations)
			}
		}
		require.Equal(t, 1, total)
		require.NoError(t, r.Stop(context.Background()))
	}
}

// TestR3_RaceCapHolds: many conversations arrive at once for operators with
// a cap; nobody ends above it and every conversation is either assigned or
// queued (R3, invariants 2 and 4).
func TestR3_RaceCapHolds(t *testing.T) {
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "g", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3})}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	for i := range 4 {
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: fmt.Sprintf("op%d", i), Groups: []string{"g"}, Status: "ready"})
		require.NoError(t, err)
	}
	const convs = 40
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range convs {
		wg.Go(func() {
			<-start
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: fmt.Sprintf("c%d", i), Group: "g"})
			require.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()
	snap := r.Snapshot()
	for _, o := range snap.Operators {
		require.Equal(t, 3, o.Load, o.ID)
	}
	require.Equal(t, convs-12, snap.Groups[0].Queued)

	// Closing concurrently hands every freed slot to the queue, in order.
	wg = sync.WaitGroup{}
	for _, o := range snap.Operators {
		for _, c := range o.Conversations {
			wg.Go(func() {
				_, err := r.CloseConversation(ctx, routing.ByOperator(o.ID), c, "done")
				require.NoError(t, err)
			})
		}
	}
	wg.Wait()
	snap = r.Snapshot()
	for _, o := range snap.Operators {
		require.Equal(t, 3, o.Load, o.ID)
	}
	require.Equal(t, convs-24, snap.Groups[0].Queued)
}

// TestInvariant3_ConcurrentWithdrawalsConverge: operators leaving while
// others take and end their shifts never leave an offer with someone who
// may not hold it, and the withdrawals do not give up on each other (each
// keeps only the offers that are still valid).
func TestInvariant3_ConcurrentWithdrawalsConverge(t *testing.T) {
	ctx := context.Background()
	for round := range 300 {
		st := memory.New()
		r, err := routing.New(ctx, routing.Config{Store: st, Groups: []routing.Group{{ID: "g", Policy: policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1})}}})
		require.NoError(t, err)
		for _, id := range []string{"o1", "o2", "o3", "o4"} {
			_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"g"}, Status: "ready"})
			require.NoError(t, err)
		}
		for i := range 4 {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: fmt.Sprint("c", i), Group: "g"})
			require.NoError(t, err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 4)
		wg.Go(func() { <-start; _, errs[0] = r.Take(ctx, routing.ByOperator("o2"), "c1") })
		wg.Go(func() { <-start; errs[1] = r.SetStatus(ctx, routing.ByAdmin("boss"), "o3", "offline") })
		wg.Go(func() { <-start; errs[2] = r.EndShift(ctx, routing.ByAdmin("boss"), "o1") })
		wg.Go(func() { <-start; _, errs[3] = r.Take(ctx, routing.ByOperator("o4"), "c2") })
		close(start)
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err, "round %d", round)
		}
		convs, err := st.Conversations(ctx, store.Filter{})
		require.NoError(t, err)
		for _, c := range convs {
			for _, id := range c.OfferedTo {
				o, err := st.Operator(ctx, id)
				require.NoError(t, err)
				require.Equal(t, "ready", o.Status, "round %d: %s offered to %s", round, c.ID, id)
				require.Zero(t, o.Load, "round %d: %s offered to %s at cap", round, c.ID, id)
			}
		}
		require.NoError(t, r.Stop(context.Background()))
	}
}
