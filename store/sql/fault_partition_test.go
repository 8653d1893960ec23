package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// Partitions: the network between a Router and PostgreSQL goes silent, or
// silent one way, through a faultProxy.

const (
	// partitionPing is the stores' feed ping interval.
	partitionPing = 200 * time.Millisecond
	// partitionTakeover is the Routers' Takeover.
	partitionTakeover = 300 * time.Millisecond
	// partitionDeadline is the commands' deadline, partitionSlack how
	// much later they may return.
	partitionDeadline = time.Second
	partitionSlack    = 100 * time.Millisecond
)

// partition is a fresh schema reached directly and through a proxy.
type partition struct {
	t      *testing.T
	proxy  *faultProxy
	direct string // the DSN of the server
	viaDSN string // through the proxy
	schema string
	// history records the writes of the Routers started by router.
	history faultHistory
}

func newPartition(t *testing.T) *partition {
	t.Helper()
	dsn := postgresDSN(t)
	schema, _ := freshSchema(t, postgresPool(t))
	p, via := proxyPostgres(t, dsn)
	pt := &partition{t: t, proxy: p, direct: dsn, viaDSN: via, schema: schema}
	s := pt.open(false)
	require.NoError(t, s.Migrate(t.Context()))
	return pt
}

// open opens a store on the schema, through the proxy if proxied.
func (pt *partition) open(proxied bool) *sqlstore.Store {
	pt.t.Helper()
	dsn := pt.direct
	if proxied {
		dsn = pt.viaDSN
	}
	s, err := sqlstore.OpenPostgres(pt.t.Context(), dsn, sqlstore.WithSchema(pt.schema),
		sqlstore.WithFeedPing(partitionPing), sqlstore.WithIdleInTransactionTimeout(time.Second))
	require.NoError(pt.t, err)
	pt.t.Cleanup(func() { _ = s.Close() })
	return s
}

// router starts a Router on s, or on the store of wrapped if s is nil;
// acceptTimeout is the group's.
func (pt *partition) router(s *sqlstore.Store, acceptTimeout time.Duration, wrapped ...store.Store) *routing.Router {
	pt.t.Helper()
	var st store.Store = s
	if s == nil {
		st = wrapped[0]
	}
	r, err := routing.New(pt.t.Context(), routing.Config{Store: pt.history.record(st), Takeover: partitionTakeover,
		Groups: []routing.Group{{ID: "support", AcceptTimeout: acceptTimeout,
			Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})}}})
	require.NoError(pt.t, err)
	pt.t.Cleanup(func() { _ = r.Stop(context.Background()) })
	return r
}

// heal ends the partition and closes the connections it left out of step.
func (pt *partition) heal() {
	pt.proxy.Heal()
	pt.proxy.Drop()
}

// eventually waits until cond holds, for at most feedWait.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, feedWait, 10*time.Millisecond, what)
}

// requireViewIsTheStores checks that r's view equals a fresh read of the
// database, by a Router opened on it afterwards.
func (pt *partition) requireViewIsTheStores(r *routing.Router) {
	pt.t.Helper()
	fresh := pt.router(pt.open(false), 0)
	eventually(pt.t, "the view equals the database", func() bool {
		a, b := r.Snapshot(), fresh.Snapshot()
		return equalViews(a, b)
	})
}

// equalViews compares two snapshots but for their times.
func equalViews(a, b routing.Snapshot) bool {
	if len(a.Operators) != len(b.Operators) || len(a.Groups) != len(b.Groups) {
		return false
	}
	for i := range a.Operators {
		x, y := a.Operators[i], b.Operators[i]
		x.InStatus, y.InStatus = 0, 0
		if x.ID != y.ID || x.Status != y.Status || x.Load != y.Load || x.Offers != y.Offers ||
			len(x.Conversations) != len(y.Conversations) {
			return false
		}
		for j := range x.Conversations {
			if x.Conversations[j] != y.Conversations[j] {
				return false
			}
		}
	}
	for i := range a.Groups {
		x, y := a.Groups[i], b.Groups[i]
		x.OldestWait, y.OldestWait = 0, 0
		if x != y {
			return false
		}
	}
	return true
}

// A command returns by its context's deadline while the network to the
// database is silent, with the context's error or, when its commit may
// have been sent, ErrOutcomeUnknown; nothing is lost, and once the network
// is back the Router's view is the database's.
func TestFaultPartitionCommandsHonourTheirDeadlines(t *testing.T) {
	pt := newPartition(t)
	r := pt.router(pt.open(true), 0)
	ctx := t.Context()
	for _, id := range []string{"ann", "bob"} {
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support"}, Status: "ready"})
		require.NoError(t, err)
	}
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "before", Group: "support"})
	require.NoError(t, err)

	for _, mode := range []struct {
		name string
		cut  func()
	}{
		{"both ways", pt.proxy.Blackhole},
		{"to the server", pt.proxy.BlackholeToServer},
		{"to the client", pt.proxy.BlackholeToClient},
	} {
		mode.cut()
		commands := map[string]func(context.Context) error{
			"Enqueue": func(ctx context.Context) error {
				_, err := r.Enqueue(ctx, routing.NewConversation{ID: "new " + mode.name, Group: "support"})
				return err
			},
			"Close": func(ctx context.Context) error {
				_, err := r.CloseConversation(ctx, routing.ByAdmin("sup"), "before", "done")
				return err
			},
			"SetStatus": func(ctx context.Context) error {
				return r.SetStatus(ctx, routing.ByOperator("bob"), "bob", "away")
			},
			"Conversation": func(ctx context.Context) error {
				_, err := r.Conversation(ctx, "gone")
				return err
			},
		}
		var wg sync.WaitGroup
		for name, cmd := range commands {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), partitionDeadline)
				defer cancel()
				start := time.Now()
				err := cmd(ctx)
				took := time.Since(start)
				t.Logf("%s, network silent %s: returned after %v: %v", name, mode.name, took.Round(time.Millisecond), err)
				require.LessOrEqual(t, took, partitionDeadline+partitionSlack, "%s, network silent %s", name, mode.name)
				if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, routing.ErrOutcomeUnknown) {
					require.ErrorIs(t, err, context.DeadlineExceeded, "%s, network silent %s", name, mode.name)
				}
			})
		}
		wg.Wait()
		pt.heal()
	}

	// Back: every command works again, and the view is the database's.
	eventually(t, "commands work again", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), partitionDeadline)
		defer cancel()
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: "after", Group: "support"})
		return err == nil || errors.Is(err, routing.ErrAlreadyExists)
	})
	pt.requireViewIsTheStores(r)
	pt.history.requireLinearizable(t)
	// No session of the store is left holding a transaction open.
	eventually(t, "no session idle in a transaction", func() bool {
		var n int
		require.NoError(t, postgresPool(t).QueryRowContext(ctx,
			"SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND client_addr IS NOT NULL AND datname = current_database()").Scan(&n))
		return n == 0
	})
}

// A LISTEN connection whose server side went silent (half-open) is noticed
// within twice the ping interval, and replaced once the network is back,
// with a Resync.
func TestFaultPartitionHalfOpenFeedIsNoticed(t *testing.T) {
	pt := newPartition(t)
	a := pt.open(true)
	notices, err := a.Watch(t.Context())
	require.NoError(t, err)

	for _, cut := range []func(){pt.proxy.Blackhole, pt.proxy.BlackholeToClient} {
		lost := sqlstore.FeedLost(a)
		start := time.Now()
		cut()
		eventually(t, "the silent connection is noticed", func() bool { return sqlstore.FeedLost(a) > lost })
		took := time.Since(start)
		t.Logf("half-open feed noticed after %v (ping interval %v)", took.Round(time.Millisecond), partitionPing)
		require.LessOrEqual(t, took, 2*partitionPing+partitionSlack)

		pt.heal()
		select {
		case n := <-notices:
			require.True(t, n.Resync, "a new connection, and everything to read again")
		case <-time.After(feedWait):
			t.Fatal("no Resync after the network came back")
		}
	}
}

// silencedAfterClose is a store whose network goes silent as soon as a
// close is stored: before the Router can route what the close made
// routable.
type silencedAfterClose struct {
	*sqlstore.Store
	proxy *faultProxy
	armed bool
}

func (s *silencedAfterClose) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	res, err := s.Store.Apply(ctx, ch)
	if err == nil && s.armed && ch.To == store.Closed {
		s.armed = false
		s.proxy.Blackhole()
	}
	return res, err
}

// The other Routers take over the work of a Router whose network went
// silent: a conversation its change left routable, and an accept timeout
// it set.
func TestFaultPartitionSilencedRoutersWorkIsTakenOver(t *testing.T) {
	const accept = time.Second
	pt := newPartition(t)
	silenced := &silencedAfterClose{Store: pt.open(true), proxy: pt.proxy}
	a, b := pt.router(nil, accept, silenced), pt.router(pt.open(false), accept)
	ctx := t.Context()
	_, err := a.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	c1, err := a.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, "ann", c1.Assignee)
	_, err = a.Accept(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	_, err = a.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "support"})
	require.NoError(t, err)
	// c2's alone: b delivers a's events too, and its journal filler may
	// still be handing it c1's assignment.
	assigned, err := b.SubscribeTo(routing.EventFilter{Kinds: []routing.EventKind{routing.Assigned}, Conversation: "c2"})
	require.NoError(t, err)
	eventually(t, "b knows c2 waits", func() bool { return b.Snapshot().Groups[0].Queued == 1 })

	// a closes c1, and its network goes silent right after: its Close
	// is stored, but a cannot route c2 to ann. b does, Takeover after
	// the change.
	silenced.armed = true
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, partitionDeadline)
	_, err = a.CloseConversation(cctx, routing.ByOperator("ann"), "c1", "done")
	cancel()
	require.ErrorIs(t, err, routing.ErrFollowUp, "the close is stored, routing c2 failed")
	ev := awaitEvent(t, assigned)
	took := ev.At.Sub(start)
	require.Equal(t, "c2", ev.Conversation)
	require.Less(t, took, partitionTakeover+clusterBound)
	t.Logf("a silenced Router's queued work taken over after %v (Takeover %v)", took.Round(time.Millisecond), partitionTakeover)

	// ann does not accept c2: b's accept timeout, not a's, and fired by
	// b. Then a's own: bob is added on b, c3 goes from a to whichever of
	// ann and bob is less loaded (c2 may have moved to bob by then, when
	// its accept timeout fired after bob came), a goes silent, and b takes
	// c3 back when a's timeout has passed, Takeover later.
	_, err = b.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "bob", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	pt.heal()
	missed := b.Subscribe(routing.Missed)
	eventually(t, "a's view is back", func() bool { return len(a.Snapshot().Operators) == 2 })
	c3, err := a.Enqueue(ctx, routing.NewConversation{ID: "c3", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, store.Assigned, c3.State)
	pt.proxy.Blackhole()
	for ev = awaitEvent(t, missed); ev.Conversation != "c3"; ev = awaitEvent(t, missed) {
		// c2's timeouts: b's own (ann never accepts c2).
	}
	took = ev.At.Sub(c3.AssignedAt)
	t.Logf("a silenced Router's accept timeout fired by another %v after it was set (timeout %v, Takeover %v)", took.Round(time.Millisecond), accept, partitionTakeover)
	require.Less(t, took, accept+partitionTakeover+clusterBound)
	pt.heal()
	pt.requireViewIsTheStores(a)
	pt.requireViewIsTheStores(b)
	pt.history.requireLinearizable(t)
}

// awaitEvent returns the next event of sub, failing t after feedWait.
func awaitEvent(t *testing.T, sub *routing.Subscription) routing.Event {
	t.Helper()
	select {
	case ev := <-sub.Events():
		return ev
	case <-time.After(feedWait):
		t.Fatal("no event")
	}
	return routing.Event{}
}

// A command on a database no connection can be made to fails with
// ErrUnavailable, which says that nothing changed.
func TestFaultUnreachableDatabase(t *testing.T) {
	pt := newPartition(t)
	r := pt.router(pt.open(true), 0)
	ctx := t.Context()
	pt.proxy.close() // refuses connections, and drops those it had
	// A connection of the pool dropped under the write may fail it first
	// (connection reset); the next one cannot be made.
	var err error
	for i := range 3 {
		_, err = r.Enqueue(ctx, routing.NewConversation{ID: fmt.Sprintf("c%d", i), Group: "support"})
		require.Error(t, err)
		if errors.Is(err, routing.ErrUnavailable) {
			break
		}
	}
	require.ErrorIs(t, err, routing.ErrUnavailable)
	convs, err := pt.open(false).Conversations(ctx, store.Filter{})
	require.NoError(t, err)
	require.Empty(t, convs, "nothing changed")
}
