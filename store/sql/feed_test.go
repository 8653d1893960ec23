package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// feedWait bounds how long a feed test waits for a notice: a guard against
// a hang, not a timing assumption (notices arrive in milliseconds).
const feedWait = 30 * time.Second

// feedAt is the time of the feed tests' rows.
var feedAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// seen accumulates the ids a watch reported.
type seen struct {
	ops, convs map[string]bool
	resyncs    int
	// ruleSets counts the notices that reported a new rule set.
	ruleSets int
}

// next receives one notice (failing the test if none comes) and adds it
// to s.
func (s *seen) next(t *testing.T, ch <-chan store.Notice) store.Notice {
	t.Helper()
	select {
	case n, ok := <-ch:
		require.True(t, ok, "the watch ended")
		for _, id := range n.Operators {
			s.ops[id] = true
		}
		for _, id := range n.Conversations {
			s.convs[id] = true
		}
		if n.Resync {
			s.resyncs++
		}
		if n.RuleSet {
			s.ruleSets++
		}
		return n
	case <-time.After(feedWait):
		t.Fatalf("no notice within %v", feedWait)
		return store.Notice{}
	}
}

// until receives notices until done says the ids it waits for arrived.
func (s *seen) until(t *testing.T, ch <-chan store.Notice, done func(*seen) bool) {
	t.Helper()
	for !done(s) {
		s.next(t, ch)
	}
}

func newSeen() *seen { return &seen{ops: map[string]bool{}, convs: map[string]bool{}} }

// twoStores returns two Stores with their own pools on one fresh
// PostgreSQL schema, migrated.
func twoStores(t *testing.T) (a, b *sqlstore.Store, raw func(q string, args ...any)) {
	t.Helper()
	pool := postgresPool(t)
	schema, _ := freshSchema(t, pool)
	dsn := postgresDSN(t)
	open := func() *sqlstore.Store {
		s, err := sqlstore.OpenPostgres(t.Context(), dsn, sqlstore.WithSchema(schema))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a = open()
	require.NoError(t, a.Migrate(t.Context()))
	b = open()
	return a, b, func(q string, args ...any) {
		_, err := pool.ExecContext(t.Context(), q, args...)
		require.NoError(t, err, q)
	}
}

func feedOperator(t *testing.T, s store.Store, id string) {
	t.Helper()
	_, err := s.CreateOperator(t.Context(), store.Operator{ID: id, Status: "ready", StatusSince: feedAt, Groups: []string{"g"}})
	require.NoError(t, err)
}

func feedConversation(t *testing.T, s store.Store, id string) {
	t.Helper()
	_, err := s.CreateConversation(t.Context(), store.Conversation{ID: id, Group: "g", State: store.Queued, CreatedAt: feedAt}, store.Require{})
	require.NoError(t, err)
}

// watchBoth starts a watch on a and one on b.
func watchBoth(t *testing.T, a, b *sqlstore.Store) (fromA, fromB <-chan store.Notice) {
	t.Helper()
	fromA, err := a.Watch(t.Context())
	require.NoError(t, err)
	fromB, err = b.Watch(t.Context())
	require.NoError(t, err)
	return fromA, fromB
}

func TestWatchReportsOtherStoresChanges(t *testing.T) {
	a, b, _ := twoStores(t)
	ctx := t.Context()
	fromA, fromB := watchBoth(t, a, b)

	// A's writes reach B: an operator, a conversation, then a change that
	// assigns it (which also changes the operator's load).
	feedOperator(t, a, "ann")
	feedConversation(t, a, "c1")
	_, err := a.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: feedAt})
	require.NoError(t, err)
	feedConversation(t, a, "marker0")
	atB := newSeen()
	atB.until(t, fromB, func(s *seen) bool { return s.convs["marker0"] })
	require.True(t, atB.ops["ann"])
	require.True(t, atB.convs["c1"])

	// A refused write sends nothing: "c1" is taken, so its change is
	// refused; the marker written after it arrives alone.
	_, err = a.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: feedAt})
	require.ErrorIs(t, err, store.ErrAlreadyTaken)
	feedConversation(t, a, "marker1")
	atB = newSeen()
	atB.until(t, fromB, func(s *seen) bool { return s.convs["marker1"] })
	require.False(t, atB.convs["c1"], "a refused change was reported")
	require.Empty(t, atB.ops)

	// A never hears of its own writes: B writes after A, and A's watch
	// reports B's row only.
	feedConversation(t, a, "own")
	feedConversation(t, b, "fromB")
	atA := newSeen()
	atA.until(t, fromA, func(s *seen) bool { return s.convs["fromB"] })
	require.False(t, atA.convs["own"], "a Store heard of its own write")
	require.False(t, atA.convs["c1"])
	require.False(t, atA.convs["marker1"])
	require.Zero(t, atA.resyncs)
}

// TestWatchReportsRuleSets: a rule set one Store stores reaches the
// other Store's watch as a notice with RuleSet set, in commit order with
// the rows, and never the Store's own watch.
func TestWatchReportsRuleSets(t *testing.T) {
	a, b, _ := twoStores(t)
	ctx := t.Context()
	fromA, fromB := watchBoth(t, a, b)

	// A stores a rule set, then a marker: by the marker, B has heard of
	// the rule set, and reads it.
	_, err := a.SetRuleSet(ctx, store.RuleSet{Body: []byte("rules 1"), UpdatedAt: feedAt, UpdatedBy: "admin"})
	require.NoError(t, err)
	feedConversation(t, a, "marker0")
	atB := newSeen()
	atB.until(t, fromB, func(s *seen) bool { return s.convs["marker0"] })
	require.Equal(t, 1, atB.ruleSets)
	require.Zero(t, atB.resyncs)
	rs, err := b.RuleSet(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), rs.Version)
	require.Equal(t, []byte("rules 1"), rs.Body)

	// B stores the next one, then a marker: A hears of it, B does not
	// hear of its own (A's marker, written after, reaches B alone).
	_, err = b.SetRuleSet(ctx, store.RuleSet{Version: 1, Body: []byte("rules 2"), UpdatedAt: feedAt, UpdatedBy: "admin"})
	require.NoError(t, err)
	feedConversation(t, b, "marker1")
	atA := newSeen()
	atA.until(t, fromA, func(s *seen) bool { return s.convs["marker1"] })
	require.Equal(t, 1, atA.ruleSets, "A did not hear of B's rule set, or heard of its own")
	feedConversation(t, a, "marker2")
	atB = newSeen()
	atB.until(t, fromB, func(s *seen) bool { return s.convs["marker2"] })
	require.Zero(t, atB.ruleSets, "B heard of its own rule set")

	// A refused SetRuleSet reports nothing.
	_, err = a.SetRuleSet(ctx, store.RuleSet{Version: 1, Body: []byte("stale"), UpdatedAt: feedAt})
	require.ErrorIs(t, err, store.ErrConflict)
	feedConversation(t, a, "marker3")
	atB = newSeen()
	atB.until(t, fromB, func(s *seen) bool { return s.convs["marker3"] })
	require.Zero(t, atB.ruleSets, "a refused rule set was reported")
}

func TestWatchBatchedWrites(t *testing.T) {
	// Concurrent writes are committed in batches (group commit): each
	// write that commits is reported, a refused one is not, whatever batch
	// it was in.
	a, b, _ := twoStores(t)
	ctx := t.Context()
	fromB, err := b.Watch(ctx)
	require.NoError(t, err)
	feedConversation(t, a, "dup")
	const n = 48
	errs := make(chan error, 2*n)
	for i := range n {
		go func() {
			_, err := a.CreateConversation(ctx, store.Conversation{ID: fmt.Sprintf("c%02d", i), Group: "g", State: store.Queued, CreatedAt: feedAt}, store.Require{})
			errs <- err
		}()
		go func() {
			// Refused: the id is taken. Its (rolled back) insert of a
			// new row must not be reported.
			_, err := a.CreateConversation(ctx, store.Conversation{ID: "dup", Group: "g", State: store.Queued, CreatedAt: feedAt.Add(time.Duration(i))}, store.Require{})
			if err == nil {
				err = fmt.Errorf("duplicate created")
			} else if strings.Contains(err.Error(), "already exists") {
				err = nil
			}
			errs <- err
		}()
	}
	for range 2 * n {
		require.NoError(t, <-errs)
	}
	feedConversation(t, a, "marker")
	got := newSeen()
	got.until(t, fromB, func(s *seen) bool { return s.convs["marker"] })
	for i := range n {
		require.True(t, got.convs[fmt.Sprintf("c%02d", i)], "c%02d not reported", i)
	}
	require.True(t, got.convs["dup"], "the first creation of dup was not reported")
}

func TestWatchResyncsAfterLostConnection(t *testing.T) {
	a, b, raw := twoStores(t)
	ctx := t.Context()
	fromB, err := b.Watch(ctx)
	require.NoError(t, err)
	feedOperator(t, a, "ann")
	got := newSeen()
	got.until(t, fromB, func(s *seen) bool { return s.ops["ann"] })

	// The listening connection dies (a server restart, a network cut):
	// the watch connects again and reports a resync, after which changes
	// are reported as before.
	raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`)
	got.until(t, fromB, func(s *seen) bool { return s.resyncs > 0 })
	feedConversation(t, a, "after")
	got.until(t, fromB, func(s *seen) bool { return s.convs["after"] })
}

func TestWatchEnds(t *testing.T) {
	a, b, _ := twoStores(t)
	ctx, cancel := context.WithCancel(t.Context())
	byCtx, err := a.Watch(ctx)
	require.NoError(t, err)
	byClose, err := b.Watch(t.Context())
	require.NoError(t, err)
	cancel()
	require.NoError(t, b.Close())
	for _, ch := range []<-chan store.Notice{byCtx, byClose} {
		select {
		case _, ok := <-ch:
			require.False(t, ok)
		case <-time.After(feedWait):
			t.Fatal("the watch did not end")
		}
	}
	_, err = b.Watch(t.Context())
	require.ErrorIs(t, err, store.ErrClosed)
}

func TestWatchUnsupportedOnSQLite(t *testing.T) {
	s, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/feed.db")
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Watch(t.Context())
	require.ErrorIs(t, err, store.ErrUnsupported)
}

func TestRows(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.mustMigrate(t)
		ctx := t.Context()
		feedOperator(t, s, "bob")
		feedOperator(t, s, "ann")
		feedConversation(t, s, "c2")
		feedConversation(t, s, "c1")
		rows, err := s.Rows(ctx, store.Notice{Operators: []string{"bob", "gone", "ann"}, Conversations: []string{"c1", "c2", "nope"}})
		require.NoError(t, err)
		require.Equal(t, []string{"ann", "bob"}, ids(rows.Operators, func(o store.Operator) string { return o.ID }))
		require.Equal(t, []string{"gone"}, rows.GoneOperators)
		require.Equal(t, []string{"c2", "c1"}, ids(rows.Conversations, func(c store.Conversation) string { return c.ID }), "ordered by Seq")
		one, err := s.Conversation(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, one, rows.Conversations[1])

		rows, err = s.Rows(ctx, store.Notice{})
		require.NoError(t, err)
		require.Equal(t, store.Rows{}, rows)
	})
}

func ids[T any](rows []T, id func(T) string) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, id(r))
	}
	return slices.Clip(out)
}

// TestWatchCarriesRowsAsStored: the rows a notice carries are exactly
// what the database holds after the change (times in UTC, empty lists as
// nil), for each kind of write; a deleted operator is carried as gone;
// and Rows returns the carried rows as a read would.
func TestWatchCarriesRowsAsStored(t *testing.T) {
	a, b, _ := twoStores(t)
	ctx := t.Context()
	fromA, err := b.Watch(ctx)
	require.NoError(t, err)
	zone := time.FixedZone("UTC+3", 3*3600)
	at := func(min int) time.Time { return feedAt.Add(time.Duration(min)*time.Minute + 7).In(zone) }
	due := []store.Deadline{{Kind: store.AcceptTimeout, Due: at(30)}}
	carried := 0
	// check waits for the notice of one write and compares what it
	// carries with what a reads.
	check := func(what string, write func() error) {
		t.Helper()
		require.NoError(t, write(), what)
		var n store.Notice
		select {
		case n = <-fromA:
		case <-time.After(feedWait):
			t.Fatalf("%s: no notice within %v", what, feedWait)
		}
		for _, o := range n.Carried.Operators {
			stored, err := a.Operator(ctx, o.ID)
			require.NoError(t, err, what)
			require.Equal(t, stored, o, what)
			carried++
		}
		for _, id := range n.Carried.GoneOperators {
			_, err := a.Operator(ctx, id)
			require.ErrorIs(t, err, store.ErrNotFound, what)
			carried++
		}
		for _, c := range n.Carried.Conversations {
			stored, err := a.Conversation(ctx, c.ID)
			require.NoError(t, err, what)
			require.Equal(t, stored, c, what)
			carried++
		}
		withCarried, err := b.Rows(ctx, n)
		require.NoError(t, err, what)
		read, err := b.Rows(ctx, store.Notice{Operators: n.Operators, Conversations: n.Conversations})
		require.NoError(t, err, what)
		require.Equal(t, read, withCarried, what)
	}
	check("create ann", func() error {
		_, err := a.CreateOperator(ctx, store.Operator{ID: "ann", Groups: []string{"g"}, Skills: []string{}, Cap: 3, Status: "ready", StatusSince: at(0)})
		return err
	})
	check("create bob", func() error {
		_, err := a.CreateOperator(ctx, store.Operator{ID: "bob", Groups: []string{"g", "h"}, Skills: []string{"en"}, Status: "ready", StatusSince: at(1)})
		return err
	})
	check("create c1 assigned", func() error {
		_, err := a.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", Channel: "chat", CustomerID: "cust", Priority: 2,
			Skills: []string{"en"}, Attributes: map[string]string{"vip": "yes"}, State: store.Assigned, Assignee: "ann", CreatedAt: at(2)},
			store.Require{AssigneeCap: 3})
		return err
	})
	check("transfer", func() error {
		_, err := a.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: "bob", At: at(3)})
		return err
	})
	check("requeue", func() error {
		_, err := a.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Queued, Requeue: true, At: at(4)})
		return err
	})
	check("offer", func() error {
		_, err := a.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Offered, Offers: []string{"ann", "bob"},
			SetDeadlines: true, Deadlines: due, AddMissed: []string{"zed"}, MarkAllBusy: true, At: at(5)})
		return err
	})
	check("status", func() error {
		_, err := a.SetStatus(ctx, store.StatusChange{Operator: "bob", To: "away", At: at(6)})
		return err
	})
	check("update", func() error {
		_, err := a.UpdateOperator(ctx, store.Operator{ID: "ann", Groups: []string{"g"}, Cap: 5, Skills: []string{"de"}})
		return err
	})
	check("close", func() error {
		_, err := a.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Offered}, To: store.Closed, CloseReason: "done", At: at(7)})
		return err
	})
	check("delete", func() error { return a.DeleteOperator(ctx, "bob") })
	require.GreaterOrEqual(t, carried, 10, "rows were carried")
}
