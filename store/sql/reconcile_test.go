package sqlstore_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// TestReconcileReportsMismatches: Reconcile finds load counters that
// differ from the assignments (here spoilt behind the store's back).
func TestReconcileReportsMismatches(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		for _, id := range []string{"ann", "bob", "cid"} {
			_, err := s.CreateOperator(ctx, store.Operator{ID: id, Status: ready})
			require.NoError(t, err)
		}
		for i, op := range []string{"ann", "ann", "bob"} {
			_, err := s.CreateConversation(ctx, store.Conversation{
				ID: fmt.Sprintf("c%d", i), Group: "g", State: store.Assigned, Assignee: op, CreatedAt: t0,
			}, store.Require{})
			require.NoError(t, err)
		}
		m, err := s.Reconcile(ctx)
		require.NoError(t, err)
		require.Empty(t, m)

		b.exec(t, "UPDATE "+b.table("switchboard_operators")+" SET load_count = 5 WHERE id = 'bob'")
		b.exec(t, "UPDATE "+b.table("switchboard_conversations")+" SET state = 4 WHERE id = 'c0'")
		m, err = s.Reconcile(ctx)
		require.NoError(t, err)
		require.Equal(t, []sqlstore.Mismatch{{Operator: "ann", Load: 2, Assigned: 1}, {Operator: "bob", Load: 5, Assigned: 1}}, m)
	})
}

// TestClaimRaceAcrossStores: operators claim one conversation through two
// stores with their own pools on one database (two router processes):
// exactly one claim wins, the loads and the counters agree.
func TestClaimRaceAcrossStores(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		stores := []*sqlstore.Store{b.mustMigrate(t), b.mustMigrate(t)}
		const racers = 16
		for i := range racers {
			_, err := stores[0].CreateOperator(ctx, store.Operator{ID: fmt.Sprintf("op%02d", i), Status: ready})
			require.NoError(t, err)
		}
		for round := range 5 {
			conv := fmt.Sprintf("c%d", round)
			_, err := stores[1].CreateConversation(ctx, store.Conversation{ID: conv, Group: "g", State: store.Queued, CreatedAt: t0}, store.Require{})
			require.NoError(t, err)
			errs := make([]error, racers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range racers {
				wg.Go(func() {
					<-start
					_, errs[i] = stores[i%2].Apply(ctx, store.Change{
						Conversation: conv, From: []store.State{store.Queued, store.Offered}, To: store.Assigned,
						NewAssignee: fmt.Sprintf("op%02d", i), Require: store.Require{AssigneeStatuses: []string{ready}, AssigneeCap: racers},
						At: t0.Add(time.Minute),
					})
				})
			}
			close(start)
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
					continue
				}
				require.ErrorIs(t, err, store.ErrAlreadyTaken)
			}
			require.Equal(t, 1, won, "round %d", round)
		}
		m, err := stores[0].Reconcile(ctx)
		require.NoError(t, err)
		require.Empty(t, m)
		total := 0
		ops, err := stores[1].Operators(ctx)
		require.NoError(t, err)
		for _, op := range ops {
			total += op.Load
		}
		require.Equal(t, 5, total)
	})
}
