package routing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// refusingStore refuses every Apply with err while err is set.
type refusingStore struct {
	*memory.Store
	err error
}

func (s *refusingStore) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	if s.err != nil {
		return store.Result{}, s.err
	}
	return s.Store.Apply(ctx, ch)
}

// A command whose change is stored and whose follow-up was refused by the
// store reports ErrFollowUp, never the refusal: ErrNotFound or ErrConflict
// would tell the caller that its own change was not made.
func TestFollowUpRefusalDoesNotSayTheChangeWasNotStored(t *testing.T) {
	for _, refused := range []error{routing.ErrNotFound, routing.ErrConflict, routing.ErrClosed, context.DeadlineExceeded} {
		st := &refusingStore{Store: memory.New()}
		ctx := context.Background()
		r := newGroupOf(t, st, policy.LeastLoaded(), "away", "op0")
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c0", Group: "g"})
		require.NoError(t, err)

		st.err = refused
		err = r.SetStatus(ctx, routing.ByOperator("op0"), "op0", "ready")
		require.ErrorIs(t, err, routing.ErrFollowUp)
		require.NotErrorIs(t, err, refused, "op0's status change is stored")
		require.ErrorContains(t, err, refused.Error(), "the cause is still told")
		op, err := st.Operator(ctx, "op0")
		require.NoError(t, err)
		require.Equal(t, "ready", op.Status)
	}
}
