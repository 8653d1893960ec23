package routing_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// heldStore holds the next Apply back, once armed, until released.
type heldStore struct {
	*memory.Store
	armed            chan struct{}
	entered, release chan struct{}
}

func newHeldStore() *heldStore {
	return &heldStore{Store: memory.New(), armed: make(chan struct{}, 1), entered: make(chan struct{}), release: make(chan struct{})}
}

func (s *heldStore) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	select {
	case <-s.armed:
		close(s.entered)
		<-s.release
	default:
	}
	return s.Store.Apply(ctx, ch)
}

// stopRouter returns a Router on st with one capped group: ann at cap 1
// holds c1, c2 waits behind it.
func stopRouter(t *testing.T, st store.Store) *routing.Router {
	t.Helper()
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{Store: st, Groups: []routing.Group{{ID: "g", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})}}})
	require.NoError(t, err)
	_, err = r.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Status: presence.StatusReady})
	require.NoError(t, err)
	for _, id := range []string{"c1", "c2"} {
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"})
		require.NoError(t, err)
	}
	return r
}

// waitRefused returns once r refuses new commands (Stop has begun).
func waitRefused(ctx context.Context, r *routing.Router) {
	for {
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: "x", Group: "no such group"})
		if errors.Is(err, routing.ErrClosed) {
			return
		}
		runtime.Gosched()
	}
}

// TestStopWaitsForCommandsInFlight: Stop refuses new commands at once,
// lets a command in flight finish (its follow-up routing included), and
// returns after it.
func TestStopWaitsForCommandsInFlight(t *testing.T) {
	ctx := context.Background()
	st := newHeldStore()
	r := stopRouter(t, st)
	sub := r.Subscribe(routing.Assigned)
	st.armed <- struct{}{}
	closed := make(chan error, 1)
	go func() {
		_, err := r.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done")
		closed <- err
	}()
	<-st.entered

	stopped := make(chan error, 1)
	go func() { stopped <- r.Stop(ctx) }()
	waitRefused(ctx, r)
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a command was in flight", err)
	default:
	}
	close(st.release)
	require.NoError(t, <-closed, "the command in flight finishes, its follow-up included")
	require.NoError(t, <-stopped)
	e, ok := <-sub.Events()
	require.True(t, ok)
	require.Equal(t, "c2", e.Conversation, "the freed slot went to c2 before the Router stopped")
	_, ok = <-sub.Events()
	require.False(t, ok, "subscriptions are closed by Stop")
	require.NoError(t, r.Stop(ctx), "Stop again is harmless")
}

// TestStopGivesUpWhenItsContextEnds: a Stop whose context ends while a
// command is in flight returns the context's error, and the Router is
// stopped all the same.
func TestStopGivesUpWhenItsContextEnds(t *testing.T) {
	ctx := context.Background()
	st := newHeldStore()
	r := stopRouter(t, st)
	st.armed <- struct{}{}
	closed := make(chan error, 1)
	go func() {
		_, err := r.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done")
		closed <- err
	}()
	<-st.entered

	ended, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, r.Stop(ended), context.Canceled)
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c3", Group: "g"})
	require.ErrorIs(t, err, routing.ErrClosed)

	close(st.release)
	err = <-closed
	require.ErrorIs(t, err, routing.ErrFollowUp, "the close is stored; the routing after it found the Router stopped")
	c1, err := st.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c1.State)
	require.NoError(t, r.Stop(ctx), "nothing is in flight any more")
}

// TestStopFromOnErrorReturnsByItsContext: a Stop called from OnError,
// which runs on the feed follower's goroutine, cannot wait for that
// goroutine: it returns when its context ends, and a later Stop finds the
// follower gone.
func TestStopFromOnErrorReturnsByItsContext(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	var self atomic.Pointer[routing.Router]
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	stopped := make(chan error, 1)
	n := c.startWith(func(cfg *routing.Config) {
		cfg.OnError = func(error) { stopped <- self.Load().Stop(ended) }
	})
	self.Store(n.Router)

	require.NoError(t, c.st.Close()) // the next notice cannot be followed
	n.m.send(store.Notice{Resync: true})
	require.ErrorIs(t, <-stopped, context.Canceled)
	require.Error(t, <-n.noticed)
	require.NoError(t, n.Stop(context.Background()))
}

// panicking is a policy that panics.
type panicking struct{}

func (panicking) Name() string                        { return "panicking" }
func (panicking) Decide(policy.Input) policy.Decision { panic("policy bug") }

// TestPanicInACommandSurfaces: a panic inside a command (here a policy's)
// reaches the caller; the accounting of commands in flight does not hang
// it.
func TestPanicInACommandSurfaces(t *testing.T) {
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{ManualDeadlines: true, Groups: []routing.Group{{ID: "g", Policy: panicking{}}}})
	require.NoError(t, err)
	_, err = r.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Status: presence.StatusReady})
	require.NoError(t, err)
	require.PanicsWithValue(t, "policy bug", func() {
		_, _ = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"})
	})
}
