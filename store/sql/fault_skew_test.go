package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// dbClockStore is a store whose database clock is a mock, so that a test
// controls the three clocks of two Routers and their database. Embedding
// keeps the store's feed.
type dbClockStore struct {
	*sqlstore.Store
	clk *clock.Mock
}

func (s dbClockStore) Now(context.Context) (time.Time, error) { return s.clk.Now(), nil }

// Two Routers whose clocks are 10 minutes apart, on one PostgreSQL: the
// one ahead corrects its clock and reports the skew, so a's 30 s accept
// timeout fires once, on a, and the conversation is not taken back and
// forth between them (a single pair of load changes in its history).
func TestFaultClockSkew(t *testing.T) {
	const (
		skew     = 10 * time.Minute
		accept   = 30 * time.Second
		takeover = 2 * time.Second
	)
	pt := newPartition(t)
	dbClock, clkA, clkB := clock.NewMock(), clock.NewMock(), clock.NewMock()
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	dbClock.Set(start)
	clkA.Set(start)
	clkB.Set(start.Add(skew))
	var mu sync.Mutex
	var reported []error
	open := func(clk *clock.Mock) *routing.Router {
		r, err := routing.New(t.Context(), routing.Config{
			Store: dbClockStore{Store: pt.open(false), clk: dbClock}, Clock: clk, ManualDeadlines: true, Takeover: takeover,
			// Each Router's subscriptions show its own events alone, which
			// tells who fired the timeout: with the journal both would
			// show every Router's.
			NoJournal: true,
			Groups:    []routing.Group{{ID: "support", AcceptTimeout: accept, Policy: policy.LeastLoaded()}},
			OnError: func(err error) {
				mu.Lock()
				reported = append(reported, err)
				mu.Unlock()
			},
		})
		require.NoError(t, err)
		t.Cleanup(func() { _ = r.Stop(context.Background()) })
		return r
	}
	a, b := open(clkA), open(clkB)
	mu.Lock()
	require.Len(t, reported, 1)
	require.ErrorIs(t, reported[0], routing.ErrClockSkew, "b's skew is reported")
	mu.Unlock()
	require.Equal(t, -skew, b.ClockOffset())

	ctx := t.Context()
	for _, id := range []string{"ann", "bob"} {
		_, err := a.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support"}, Status: "ready"})
		require.NoError(t, err)
	}
	missedA, missedB := a.Subscribe(routing.Missed), b.Subscribe(routing.Missed)
	c1, err := a.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	eventually(t, "b knows c1", func() bool {
		cv, err := b.Conversation(ctx, "c1")
		return err == nil && cv.Assignee == c1.Assignee && len(b.Snapshot().Operators) == 2
	})

	// A second at a time, past the timeout and Takeover twice over; b
	// first each time, so that an early firing would be b's.
	for range int((accept + 2*takeover) / time.Second) {
		for _, c := range []*clock.Mock{dbClock, clkA, clkB} {
			c.Add(time.Second)
		}
		require.NoError(t, b.ProcessDue(ctx))
		require.NoError(t, a.ProcessDue(ctx))
	}
	require.Len(t, drain(missedA), 1, "a fired its timeout")
	require.Empty(t, drain(missedB), "b did not")
	cv, err := a.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []string{c1.Assignee}, cv.MissedBy)
	require.NotEqual(t, c1.Assignee, cv.Assignee)

	loads, err := pt.open(false).LoadHistory(ctx, "")
	require.NoError(t, err)
	var deltas []int
	for _, l := range loads {
		if l.Conversation == "c1" {
			deltas = append(deltas, l.Delta)
		}
	}
	require.Equal(t, []int{1, -1, 1}, deltas, "assigned, taken back once, assigned to the other: no ping-pong")
}

// drain returns the events waiting in sub.
func drain(sub *routing.Subscription) []routing.Event {
	var out []routing.Event
	for {
		select {
		case e := <-sub.Events():
			out = append(out, e)
		default:
			return out
		}
	}
}
