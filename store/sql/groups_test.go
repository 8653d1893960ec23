package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// seenGroups counts the notices of a watch that reported a change of the
// groups, until a marker conversation arrives.
func seenGroups(t *testing.T, ch <-chan store.Notice, marker string) int {
	t.Helper()
	n, convs := 0, map[string]bool{}
	for !convs[marker] {
		s := newSeen()
		notice := s.next(t, ch)
		for _, id := range notice.Conversations {
			convs[id] = true
		}
		require.False(t, notice.Resync)
		if notice.Groups {
			n++
		}
	}
	return n
}

// TestWatchReportsGroups: a group one Store creates, updates or deletes
// reaches the other Store's watch as a notice with Groups set, in commit
// order with the rows, and never the Store's own watch; a refused write
// reports nothing.
func TestWatchReportsGroups(t *testing.T) {
	a, b, _ := twoStores(t)
	ctx := t.Context()
	fromA, fromB := watchBoth(t, a, b)

	g, err := a.PutGroup(ctx, store.GroupRow{ID: "support", Config: []byte(`{"v":1}`), UpdatedAt: feedAt, UpdatedBy: "admin"})
	require.NoError(t, err)
	feedConversation(t, a, "marker0")
	require.Equal(t, 1, seenGroups(t, fromB, "marker0"))
	got, err := b.Groups(ctx)
	require.NoError(t, err)
	require.Equal(t, []store.GroupRow{g}, got)

	// B updates it: A hears of it, B does not hear of its own.
	g.Config = []byte(`{"v":2}`)
	g, err = b.PutGroup(ctx, g)
	require.NoError(t, err)
	feedConversation(t, b, "marker1")
	require.Equal(t, 1, seenGroups(t, fromA, "marker1"))
	feedConversation(t, a, "marker2")
	require.Zero(t, seenGroups(t, fromB, "marker2"), "B heard of its own change")

	// Refused: a create of a taken id, a stale update, a delete of a group
	// in use. Then A deletes it once unused.
	_, err = a.PutGroup(ctx, store.GroupRow{ID: "support", Config: []byte("x"), UpdatedAt: feedAt})
	require.ErrorIs(t, err, store.ErrAlreadyExists)
	_, err = a.PutGroup(ctx, store.GroupRow{ID: "support", Version: 1, Config: []byte("x"), UpdatedAt: feedAt})
	require.ErrorIs(t, err, store.ErrConflict)
	_, err = a.CreateOperator(ctx, store.Operator{ID: "ann", Status: "ready", StatusSince: feedAt, Groups: []string{"support"}})
	require.NoError(t, err)
	require.ErrorIs(t, a.DeleteGroup(ctx, "support", g.Version), store.ErrGroupInUse)
	feedConversation(t, a, "marker3")
	require.Zero(t, seenGroups(t, fromB, "marker3"), "a refused write was reported")
	require.NoError(t, a.DeleteOperator(ctx, "ann"))
	require.NoError(t, a.DeleteGroup(ctx, "support", g.Version))
	feedConversation(t, a, "marker4")
	require.Equal(t, 1, seenGroups(t, fromB, "marker4"))
	got, err = b.Groups(ctx)
	require.NoError(t, err)
	require.Empty(t, got)
}

// TestDeleteGroupWaitsForWritesUnderWay: on PostgreSQL a DeleteGroup waits
// for a transaction under way that makes an operator serve the group, and
// then sees that operator and refuses: its check and its delete are one
// atomic step, also under READ COMMITTED, where it would otherwise not see
// the uncommitted row and delete the group from under it.
func TestDeleteGroupWaitsForWritesUnderWay(t *testing.T) {
	ctx := t.Context()
	pool := postgresPool(t)
	schema, _ := freshSchema(t, pool)
	a, err := sqlstore.OpenPostgres(ctx, postgresDSN(t), sqlstore.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	require.NoError(t, a.Migrate(ctx))
	g, err := a.PutGroup(ctx, store.GroupRow{ID: "support", Config: []byte("{}"), UpdatedAt: feedAt})
	require.NoError(t, err)
	_, err = a.CreateOperator(ctx, store.Operator{ID: "ann", Status: "ready", StatusSince: feedAt, Groups: []string{"sales"}})
	require.NoError(t, err)

	table := schema + ".switchboard_operators"
	tx, err := pool.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "UPDATE "+table+` SET groups_json = '["sales","support"]', version = version + 1 WHERE id = 'ann'`)
	require.NoError(t, err)

	deleted := make(chan error, 1)
	go func() { deleted <- a.DeleteGroup(ctx, "support", g.Version) }()
	eventually(t, "the delete waits for the table lock", func() bool {
		var waiting int
		require.NoError(t, pool.QueryRowContext(ctx, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = $1::regclass", table).Scan(&waiting))
		return waiting > 0
	})
	require.NoError(t, tx.Commit())
	require.ErrorIs(t, <-deleted, store.ErrGroupInUse)
	gs, err := a.Groups(ctx)
	require.NoError(t, err)
	require.Len(t, gs, 1)
}
