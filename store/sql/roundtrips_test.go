package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// tripCounter is a pgx tracer that counts the round trips of write
// transactions: every batch or query a connection sends from the batch
// that begins a transaction to the one that commits it.
type tripCounter struct {
	mu sync.Mutex
	// open is the round trips so far of the transaction a connection is
	// in.
	open map[*pgx.Conn]int
	// done is the round trips of each committed transaction, in order.
	done []int
}

func (c *tripCounter) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	qs := data.Batch.QueuedQueries
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(qs) > 0 && qs[0].SQL == "BEGIN ISOLATION LEVEL READ COMMITTED" {
		c.open[conn] = 0
	}
	n, ok := c.open[conn]
	if !ok {
		return ctx
	}
	c.open[conn] = n + 1
	// COMMIT is last, or followed by the statement that makes it durable
	// (see pipeTx.commit): in one round trip either way.
	if slices.ContainsFunc(qs, func(q *pgx.QueuedQuery) bool { return q.SQL == "COMMIT" }) {
		c.done = append(c.done, n+1)
		delete(c.open, conn)
	}
	return ctx
}

func (c *tripCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (c *tripCounter) TraceQueryStart(ctx context.Context, conn *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.open[conn]; ok {
		c.open[conn] = n + 1
	}
	return ctx
}

func (c *tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// take returns the round trips of the transactions committed since the
// last call.
func (c *tripCounter) take() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.done
	c.done = nil
	return out
}

// TestRoundTripsOfLoneWrites: on PostgreSQL a write alone costs the round
// trips the pipelining promises (see pipeline.go): a conversation created
// (queued, or assigned, with the operator's lock sent along with the
// existence check) in two, a change of a conversation in three.
func TestRoundTripsOfLoneWrites(t *testing.T) {
	cfg, err := pgx.ParseConfig(postgresDSN(t))
	require.NoError(t, err)
	trips := &tripCounter{open: map[*pgx.Conn]int{}}
	cfg.Tracer = trips
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { _ = db.Close() })
	schema, _ := freshSchema(t, postgresPool(t))
	s, err := sqlstore.New(t.Context(), db, sqlstore.Postgres, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(t.Context()))
	ctx := t.Context()
	_, err = s.CreateOperator(ctx, store.Operator{ID: "ann", Status: "ready", StatusSince: feedAt, Groups: []string{"g"}})
	require.NoError(t, err)
	trips.take()

	_, err = s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: feedAt}, store.Require{})
	require.NoError(t, err)
	require.Equal(t, []int{2}, trips.take(), "queued: existence check; writes and COMMIT")

	_, err = s.CreateConversation(ctx, store.Conversation{ID: "c2", Group: "g", State: store.Assigned, Assignee: "ann", CreatedAt: feedAt}, store.Require{AssigneeCap: 2})
	require.NoError(t, err)
	require.Equal(t, []int{2}, trips.take(), "assigned: existence check with the operator's lock; writes and COMMIT")

	_, err = s.CreateConversation(ctx, store.Conversation{ID: "c2", Group: "g", State: store.Assigned, Assignee: "ann", CreatedAt: feedAt}, store.Require{})
	require.ErrorIs(t, err, store.ErrAlreadyExists)
	require.Equal(t, []int{2}, trips.take(), "refused: existence check; COMMIT of nothing with the flush of what it saw")

	_, err = s.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: feedAt,
		Require: store.Require{AssigneeCap: 2}})
	require.NoError(t, err)
	require.Equal(t, []int{3}, trips.take(), "change: conversation's lock; operator's lock; writes and COMMIT")

	got, err := s.Operator(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 2, got.Load, "both assignments counted once")
}
