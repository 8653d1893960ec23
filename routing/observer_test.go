package routing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	events []routing.Event
	writes []routing.StoreWrite
	// onEvent, when set, runs on every event before it is kept.
	onEvent func(routing.Event)
}

func (o *recorder) Event(e routing.Event) {
	if o.onEvent != nil {
		o.onEvent(e)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, e)
}

func (o *recorder) StoreWrite(w routing.StoreWrite) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes = append(o.writes, w)
}

// takeEvents returns the events told since the last call.
func (o *recorder) takeEvents() []routing.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	evs := o.events
	o.events = nil
	return evs
}

// takeWrites returns the writes told since the last call.
func (o *recorder) takeWrites() []routing.StoreWrite {
	o.mu.Lock()
	defer o.mu.Unlock()
	ws := o.writes
	o.writes = nil
	return ws
}

// requireConsecutive checks that evs are numbered from first on, one by
// one.
func requireConsecutive(t *testing.T, first uint64, evs []routing.Event) {
	t.Helper()
	for i, e := range evs {
		require.Equal(t, first+uint64(i), e.Seq, "event %d: %v", i, e)
	}
}

// TestObserverToldOfEveryEventInOrder: with no subscription at all, the
// observer is told of every event, numbered in order; once a subscriber
// listens to every kind, both get the same events.
func TestObserverToldOfEveryEventInOrder(t *testing.T) {
	obs := &recorder{}
	s := newScenario(t, routing.Config{Observer: obs, ManualDeadlines: true, Groups: []routing.Group{
		{ID: "support", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})},
	}})
	s.addOp("ann", presence.StatusReady, 0, "support")
	s.enqueue("c1", "support")
	s.enqueue("c2", "support")
	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "resolved")
	require.NoError(t, err)
	evs := obs.takeEvents()
	requireConsecutive(t, 1, evs)
	kinds := make([]string, len(evs))
	for i, e := range evs {
		kinds[i] = e.Kind.String()
	}
	require.Equal(t, []string{"group-availability", "assigned", "queued", "all-busy", "closed", "assigned"}, kinds)

	sub := s.r.Subscribe()
	t.Cleanup(sub.Cancel)
	require.NoError(t, s.r.EndShift(s.ctx, routing.ByOperator("ann"), "ann"))
	evs = obs.takeEvents()
	require.NotEmpty(t, evs)
	requireConsecutive(t, 7, evs)
	for _, want := range evs {
		require.Equal(t, want, <-sub.Events())
	}
	require.Empty(t, sub.Events())
}

// TestObserverInOrderUnderConcurrentCommands: commands running at once
// tell the observer of each of their events once, even an observer that
// reads the Router while it is told, each conversation's in Seq order.
func TestObserverInOrderUnderConcurrentCommands(t *testing.T) {
	obs := &recorder{}
	s := newScenario(t, routing.Config{Observer: obs, ManualDeadlines: true, Groups: []routing.Group{{ID: "support"}}})
	obs.onEvent = func(routing.Event) { s.r.Snapshot() }
	const workers, each = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := s.r.Enqueue(s.ctx, routing.NewConversation{ID: fmt.Sprintf("c%d-%d", w, i), Group: "support"})
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	evs := obs.takeEvents()
	require.Len(t, evs, workers*each) // one Queued event each
	seqs := make([]uint64, len(evs))
	for i, e := range evs {
		seqs[i] = e.Seq
	}
	slices.Sort(seqs)
	for i, seq := range seqs {
		require.Equal(t, uint64(i+1), seq, "every event told once")
	}
}

// timedStore is a memory store whose writes take writeTook on the mock
// clock, and whose conversation writes fail while fail is set.
type timedStore struct {
	store.Store
	clk       *clock.Mock
	writeTook time.Duration
	fail      bool
}

var errDown = fmt.Errorf("test: %w", store.ErrUnavailable)

func (s *timedStore) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	s.clk.Add(s.writeTook)
	if s.fail {
		return store.Result{}, errDown
	}
	return s.Store.Apply(ctx, ch)
}

func (s *timedStore) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	s.clk.Add(s.writeTook)
	if s.fail {
		return store.Result{}, errDown
	}
	return s.Store.CreateConversation(ctx, c, req)
}

// TestObserverToldOfStoreWrites: every store write is told with its call,
// its duration on the Router's clock and its error, rule sets included.
func TestObserverToldOfStoreWrites(t *testing.T) {
	obs := &recorder{}
	clk := clock.NewMock()
	clk.Set(scStart)
	st := &timedStore{Store: memory.New(), clk: clk, writeTook: 40 * time.Millisecond}
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{Store: st, Clock: clk, Observer: obs, ManualDeadlines: true, Groups: []routing.Group{{ID: "support"}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	writes := obs.takeWrites()
	require.Len(t, writes, 1, "New stored the configured group, and wrote nothing else")
	require.Equal(t, routing.WritePutGroup, writes[0].Call)
	require.NoError(t, writes[0].Err)

	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}})
	require.NoError(t, err)
	require.NoError(t, r.LogIn(ctx, routing.ByOperator("ann"), "ann"))
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	_, err = r.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done")
	require.NoError(t, err)
	set, err := r.DecodeRules([]byte(`{"rules": [{"name": "vip", "when": {"field": "attr.vip", "op": "exists"}, "then": {"priority": 1}}]}`))
	require.NoError(t, err)
	_, err = r.SetRules(ctx, routing.ByAdmin("admin"), set)
	require.NoError(t, err)
	_, err = r.UpdateOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Cap: 2})
	require.NoError(t, err)
	require.NoError(t, r.RemoveOperator(ctx, routing.ByAdmin("admin"), "ann"))
	require.Equal(t, []routing.StoreWrite{
		{Call: routing.WriteCreateOperator},
		{Call: routing.WriteSetStatus},
		{Call: routing.WriteCreateConversation, Took: 40 * time.Millisecond},
		{Call: routing.WriteApply, Took: 40 * time.Millisecond},
		{Call: routing.WriteSetRuleSet},
		{Call: routing.WriteUpdateOperator},
		{Call: routing.WriteSetStatus}, // off shift first
		{Call: routing.WriteDeleteOperator},
	}, obs.takeWrites())

	st.fail = true
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "support"})
	require.ErrorIs(t, err, store.ErrUnavailable)
	ws := obs.takeWrites()
	require.Len(t, ws, 1)
	require.Equal(t, routing.WriteCreateConversation, ws[0].Call)
	require.Equal(t, 40*time.Millisecond, ws[0].Took)
	require.True(t, errors.Is(ws[0].Err, store.ErrUnavailable), "the store's error: %v", ws[0].Err)
}
