package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// readAnswers is what a console reads of a Router, for comparing two
// Routers' answers.
type readAnswers struct {
	Ann, AnnClosed, Kim []store.Conversation
	Queue               []routing.QueueEntry
	Offers              []store.Conversation
	Members             []routing.OperatorSnapshot
}

// readAll reads the answers of r, walking the listings in pages of one.
func readAll(t *testing.T, r *routing.Router) readAnswers {
	t.Helper()
	ctx := context.Background()
	walk := func(f routing.ConversationFilter) []store.Conversation {
		var out []store.Conversation
		f.Limit = 1
		for {
			page, err := r.Conversations(ctx, f)
			require.NoError(t, err)
			out = append(out, page.Conversations...)
			if page.Next == "" {
				return out
			}
			f.Cursor = page.Next
		}
	}
	q, err := r.Queue("support", 0)
	require.NoError(t, err)
	offers, err := r.Offers("bob")
	require.NoError(t, err)
	members, err := r.Operators(routing.OperatorFilter{Group: "support"})
	require.NoError(t, err)
	return readAnswers{
		Ann:       walk(routing.ConversationFilter{Assignee: "ann"}),
		AnnClosed: walk(routing.ConversationFilter{Assignee: "ann", State: store.Closed}),
		Kim:       walk(routing.ConversationFilter{Customer: "kim", State: store.Closed}),
		Queue:     q.Entries, Offers: offers, Members: members,
	}
}

// TestReadAPIOnSQLStores: the read API answers from the view on SQLite and
// PostgreSQL as on the memory store: listings in pages (closed
// conversations from the database), the queue in serving order, the
// offers; a Router restarted on the same database gives the same answers
// from the view it rebuilt.
func TestReadAPIOnSQLStores(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		clk := clock.NewMock()
		clk.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		cfg := func(s store.Store) routing.Config {
			return routing.Config{Store: s, Clock: clk, ManualDeadlines: true, MaxClockSkew: -1, Groups: []routing.Group{
				{ID: "support", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})},
				{ID: "sales", Policy: policy.Broadcast(0)},
			}}
		}
		st := b.mustMigrate(t)
		first, err := routing.New(ctx, cfg(st))
		require.NoError(t, err)
		_, err = first.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
		require.NoError(t, err)
		_, err = first.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: "bob", Groups: []string{"sales"}, Status: "ready"})
		require.NoError(t, err)
		for i, nc := range []routing.NewConversation{
			{ID: "c1", Group: "support", CustomerID: "kim"},
			{ID: "c2", Group: "support", CustomerID: "kim"},
			{ID: "c3", Group: "support", Priority: 2},
			{ID: "c4", Group: "support"},
			{ID: "s1", Group: "sales", CustomerID: "kim"},
		} {
			clk.Add(time.Second)
			e, err := first.Enqueue(ctx, nc)
			require.NoError(t, err)
			require.Equal(t, []int{0, 1, 1, 3, 1}[i], e.Position, nc.ID) // s1 is offered: in the queue
		}
		// ann closes c1, then the c3 she is given next (priority first).
		for _, id := range []string{"c1", "c3"} {
			clk.Add(time.Minute)
			_, err = first.CloseConversation(ctx, routing.ByOperator("ann"), id, "done")
			require.NoError(t, err)
		}
		got := readAll(t, first)
		require.Equal(t, []string{"c2"}, idsOfConvs(got.Ann))
		require.Equal(t, []string{"c1", "c3"}, idsOfConvs(got.AnnClosed))
		require.Equal(t, []string{"c1"}, idsOfConvs(got.Kim))
		require.Len(t, got.Queue, 1)
		require.Equal(t, "c4", got.Queue[0].Conversation.ID)
		require.Equal(t, 1, got.Queue[0].Position)
		require.Equal(t, []string{"s1"}, idsOfConvs(got.Offers))
		require.NoError(t, first.Stop(ctx))
		require.NoError(t, st.Close())

		st2 := b.mustOpen(t)
		second, err := routing.New(ctx, cfg(st2))
		require.NoError(t, err)
		t.Cleanup(func() { _ = second.Stop(context.Background()) })
		again := readAll(t, second)
		// The estimate goes by the services this Router saw: none yet.
		for i := range got.Queue {
			got.Queue[i].EstimatedWait, got.Queue[i].Estimated = 0, false
		}
		require.Equal(t, got, again, "the same answers from the rebuilt view")
	})
}

func idsOfConvs(cs []store.Conversation) []string {
	ids := []string{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}
