package routing_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// unansweredStore stores the next CreateConversation or Apply and then
// answers store.ErrOutcomeUnknown, as a database does whose connection is
// lost after COMMIT was sent.
type unansweredStore struct {
	*memory.Store
	lose bool
}

func (s *unansweredStore) lost(err error) error {
	if err == nil && s.lose {
		s.lose = false
		return fmt.Errorf("%w: connection lost during COMMIT", store.ErrOutcomeUnknown)
	}
	return err
}

func (s *unansweredStore) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	res, err := s.Store.CreateConversation(ctx, c, req)
	return res, s.lost(err)
}

func (s *unansweredStore) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	res, err := s.Store.Apply(ctx, ch)
	return res, s.lost(err)
}

// A write stored but not acknowledged is not lost from the view: the
// Router resynchronises with the store, and routes what the write queued.
func TestOutcomeUnknown_ViewResynchronises(t *testing.T) {
	st := &unansweredStore{Store: memory.New()}
	ctx := context.Background()
	r, err := routing.New(ctx, routing.Config{Store: st, Clock: clock.NewMock(), ManualDeadlines: true,
		Groups: []routing.Group{oneSlot()}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "away"})
	require.NoError(t, err)

	st.lose = true
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.ErrorIs(t, err, routing.ErrOutcomeUnknown)
	stored, err := st.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Queued, stored.State, "stored, though not acknowledged")

	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, 1, r.Snapshot().Groups[0].Queued, "c1 is in the view again")
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", "ready"))
	c, err := r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, "ann", c.Assignee)
}

// With a feed, the Router resynchronises at once: nothing to wait for.
func TestOutcomeUnknown_FollowerResynchronises(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a := c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	a.m.mu.Lock()
	a.m.unanswered = true
	a.m.mu.Unlock()
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.ErrorIs(t, err, routing.ErrOutcomeUnknown)
	require.NoError(t, <-a.noticed, "the follower resynchronised")
	require.Equal(t, []string{"c1"}, a.holds("ann"))
}
