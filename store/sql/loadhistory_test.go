package sqlstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

func TestLoadHistory(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.mustMigrate(t)
		ctx := t.Context()
		for _, id := range []string{"ann", "bob"} {
			_, err := s.CreateOperator(ctx, store.Operator{ID: id, Status: ready, Groups: []string{"g"}})
			require.NoError(t, err)
		}
		at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
		_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Assigned, Assignee: "ann", CreatedAt: at(0)}, store.Require{})
		require.NoError(t, err)
		_, err = s.CreateConversation(ctx, store.Conversation{ID: "c2", Group: "g", State: store.Queued, CreatedAt: at(1)}, store.Require{})
		require.NoError(t, err)
		_, err = s.Apply(ctx, store.Change{Conversation: "c2", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: at(2), Require: store.Require{AssigneeCap: 5}})
		require.NoError(t, err)
		_, err = s.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "bob", At: at(3)})
		require.NoError(t, err)
		// Waiting keeps the conversation with ann but off her load.
		_, err = s.Apply(ctx, store.Change{Conversation: "c2", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(4)})
		require.NoError(t, err)
		// A refused change leaves no trace.
		_, err = s.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "ann", At: at(5), Require: store.Require{AssigneeCap: 0, AssigneeStatuses: []string{"away"}}})
		require.ErrorIs(t, err, store.ErrNotAllowed)
		_, err = s.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Closed, At: at(6)})
		require.NoError(t, err)

		all, err := s.LoadHistory(ctx, "")
		require.NoError(t, err)
		type row struct {
			op, conv string
			delta    int
			load     int
			at       time.Time
			cap      int
		}
		var got []row
		for i, c := range all {
			if i > 0 {
				require.Greater(t, c.Seq, all[i-1].Seq)
			}
			got = append(got, row{c.Operator, c.Conversation, c.Delta, c.Load, c.At, c.Cap})
		}
		want := []row{
			{"ann", "c1", 1, 1, at(0), 0},
			{"ann", "c2", 1, 2, at(2), 5},
			{"ann", "c1", -1, 1, at(3), 0},
			{"bob", "c1", 1, 1, at(3), 0},
			{"ann", "c2", -1, 0, at(4), 0},
			{"bob", "c1", -1, 0, at(6), 0},
		}
		// The two rows of the transfer are in either order.
		if got[2].op == "bob" {
			got[2], got[3] = got[3], got[2]
		}
		require.Equal(t, want, got)

		bob, err := s.LoadHistory(ctx, "bob")
		require.NoError(t, err)
		require.Len(t, bob, 2)
		none, err := s.LoadHistory(ctx, "nobody")
		require.NoError(t, err)
		require.Empty(t, none)
		require.Equal(t, []sqlstore.LoadChange{}, none)
	})
}
