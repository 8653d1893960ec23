package routing_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// newGroupOf returns a router on st with one group, "g", of policy p,
// served by the given operators in the given status.
func newGroupOf(t *testing.T, st store.Store, p policy.Policy, status string, ops ...string) *routing.Router {
	t.Helper()
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{Store: st, Groups: []routing.Group{{ID: "g", Policy: p}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	for _, id := range ops {
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"g"}, Status: status})
		require.NoError(t, err)
	}
	return r
}

// apartIDs returns n conversation ids: commands on distinct conversations
// never wait for each other in the router (see convlock.go).
func apartIDs(_ *routing.Router, n int) []string {
	ids := make([]string, n)
	for k := range ids {
		ids[k] = fmt.Sprintf("c%d", k)
	}
	return ids
}

// slowStore holds every CreateConversation back, before the store sees it,
// until n of them wait: n arrivals are decided by the router while none of
// their results has come back, as they are when a SQL store's commit takes
// a millisecond.
type slowStore struct {
	*memory.Store
	mu sync.Mutex
	n  int
	// calls counts the CreateConversation calls, retries included.
	calls int
	open  chan struct{}
}

func (s *slowStore) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	s.mu.Lock()
	s.calls++
	if s.calls == s.n {
		close(s.open)
	}
	open := s.open
	s.mu.Unlock()
	<-open
	return s.Store.CreateConversation(ctx, c, req)
}

// A burst of arrivals decided together is spread over the least-loaded
// operators (R2), not all given to the one who was least loaded
// before the burst: each decision counts the assignments the router has
// decided and not yet stored.
func TestBurstSpreadsOverOperators(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy policy.Policy
	}{
		{"least-loaded", policy.LeastLoaded()},
		{"capped at one", policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const ops, burst = 4, 4
			st := &slowStore{Store: memory.New(), n: burst, open: make(chan struct{})}
			ctx := context.Background()
			r := newGroupOf(t, st, tc.policy, "ready", "op0", "op1", "op2", "op3")

			ids := apartIDs(r, burst)
			got := make([]routing.Enqueued, burst)
			errs := make([]error, burst)
			var wg sync.WaitGroup
			for i, id := range ids {
				wg.Go(func() {
					got[i], errs[i] = r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"})
				})
			}
			wg.Wait()

			assignees := map[string]int{}
			for i := range burst {
				require.NoError(t, errs[i])
				require.Equal(t, store.Assigned, got[i].State, "conversation %s", ids[i])
				assignees[got[i].Assignee]++
			}
			require.Len(t, assignees, burst, "each of the %d operators gets one of the burst: %v", ops, assignees)
			for i := range ops {
				op, err := r.Operator(ctx, fmt.Sprintf("op%d", i))
				require.NoError(t, err)
				require.Equal(t, 1, op.Load, "op%d", i)
			}
			// No decision was refused by the store and taken again.
			require.Equal(t, burst, st.calls)
		})
	}
}

// failOnceStore fails the next CreateConversation or Apply, before the
// store sees it.
type failOnceStore struct {
	*memory.Store
	fail bool
}

func (s *failOnceStore) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	if s.fail {
		s.fail = false
		return store.Result{}, errStoreDown
	}
	return s.Store.Apply(ctx, ch)
}

var errStoreDown = errors.New("store down")

func (s *failOnceStore) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	if s.fail {
		s.fail = false
		return store.Result{}, errStoreDown
	}
	return s.Store.CreateConversation(ctx, c, req)
}

// An assignment the store did not take gives its reservation back: the
// operator keeps their place in candidate order.
func TestFailedAssignmentReleasesItsOperator(t *testing.T) {
	st := &failOnceStore{Store: memory.New()}
	ctx := context.Background()
	r := newGroupOf(t, st, policy.LeastLoaded(), "ready", "op0", "op1")

	st.fail = true
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "lost", Group: "g"})
	require.ErrorIs(t, err, errStoreDown)

	c, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"})
	require.NoError(t, err)
	require.Equal(t, "op0", c.Assignee, "op0 is first in candidate order again")
}

// The same holds for a queued conversation that a freed slot would have
// had assigned.
func TestFailedQueuedAssignmentReleasesItsOperator(t *testing.T) {
	st := &failOnceStore{Store: memory.New()}
	ctx := context.Background()
	r := newGroupOf(t, st, policy.LeastLoaded(), "away", "op0", "op1")
	c, err := r.Enqueue(ctx, routing.NewConversation{ID: "c0", Group: "g"})
	require.NoError(t, err)
	require.Equal(t, store.Queued, c.State)

	st.fail = true
	err = r.SetStatus(ctx, routing.ByOperator("op0"), "op0", "ready")
	require.ErrorIs(t, err, routing.ErrFollowUp, "the status changed; routing the queue failed")
	require.ErrorIs(t, err, errStoreDown)

	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("op1"), "op1", "ready"))
	c.Conversation, err = r.Conversation(ctx, "c0")
	require.NoError(t, err)
	require.Equal(t, "op0", c.Assignee, "op0 is first in candidate order again")
}
