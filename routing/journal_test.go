package routing_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// journalRouter opens a Router with group g on st, its clock at scStart.
func journalRouter(t *testing.T, st store.Store, buffer int) *routing.Router {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(scStart)
	r, err := routing.New(context.Background(), routing.Config{Store: st, Clock: clk, ManualDeadlines: true, EventBuffer: buffer,
		Groups: []routing.Group{{ID: "g"}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	return r
}

// newest returns the number of the newest entry of st's journal.
func newest(t *testing.T, st store.Store) uint64 {
	t.Helper()
	b, err := st.JournalBounds(context.Background())
	require.NoError(t, err)
	return b.Newest
}

// next reads one event from sub, failing after a while.
func next(t *testing.T, sub *routing.Subscription) routing.Event {
	t.Helper()
	select {
	case ev, ok := <-sub.Events():
		require.True(t, ok, "the subscription ended: %v", sub.Err())
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
		return routing.Event{}
	}
}

// readN reads n events from sub.
func readN(t *testing.T, sub *routing.Subscription, n int) []routing.Event {
	t.Helper()
	out := make([]routing.Event, n)
	for i := range out {
		out[i] = next(t, sub)
	}
	return out
}

// work adds ann and bob and runs a few conversations past them: events
// of every kind a console sees.
func work(t *testing.T, r *routing.Router, prefix string) {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"ann", "bob"} {
		if _, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"g"}, Status: "ready", Cap: 1}); err != nil {
			require.ErrorIs(t, err, routing.ErrAlreadyExists)
		}
	}
	for i := range 3 {
		id := fmt.Sprintf("%s%d", prefix, i)
		c, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"})
		require.NoError(t, err)
		if c.State == store.Assigned && i == 0 {
			_, err = r.CloseConversation(ctx, routing.ByOperator(c.Assignee), id, "done")
			require.NoError(t, err)
		}
	}
}

// TestJournal_EveryEventIsInTheStore: the events a subscriber receives
// are the store's journal entries, in order, numbered by it, each the
// event's JSON.
func TestJournal_EveryEventIsInTheStore(t *testing.T) {
	st := memory.New()
	r := journalRouter(t, st, 0)
	all := r.Subscribe()
	work(t, r, "c")
	got := readN(t, all, int(newest(t, st)))
	es, err := st.ReadJournal(context.Background(), 0, store.MaxJournalPage)
	require.NoError(t, err)
	require.Len(t, es, len(got))
	for i, e := range es {
		require.Equal(t, e.Seq, got[i].Seq)
		want, err := json.Marshal(got[i])
		require.NoError(t, err)
		var stored routing.Event
		require.NoError(t, json.Unmarshal(e.Body, &stored))
		stored.Seq = e.Seq
		back, err := json.Marshal(stored)
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(back), "entry %d", e.Seq)
	}
	require.Empty(t, all.Events(), "nothing else was delivered")
}

// TestResume_ReplaysThenGoesLive: a subscription resumed after any event
// receives exactly the later ones, replayed from the journal, then the
// live ones; filtered on an operator, only theirs.
func TestResume_ReplaysThenGoesLive(t *testing.T) {
	st := memory.New()
	r := journalRouter(t, st, 0)
	all := r.Subscribe()
	work(t, r, "c")
	last := newest(t, st)
	history := readN(t, all, int(last))

	for after := uint64(0); after <= last; after++ {
		sub, err := r.Resume(context.Background(), routing.EventFilter{}, after)
		require.NoError(t, err)
		require.Equal(t, history[after:], readN(t, sub, len(history)-int(after)), "resumed after %d", after)
		sub.Cancel()
	}

	ann, err := r.Resume(context.Background(), routing.EventFilter{Operator: "ann"}, 0)
	require.NoError(t, err)
	var annsBefore []routing.Event
	for _, ev := range history {
		if mentions(ev, "ann") {
			annsBefore = append(annsBefore, ev)
		}
	}
	require.NotEmpty(t, annsBefore)
	require.Equal(t, annsBefore, readN(t, ann, len(annsBefore)))

	// Live from here on, in order, with no repeat.
	work(t, r, "d")
	live := readN(t, all, int(newest(t, st)-last))
	for _, ev := range live {
		if mentions(ev, "ann") {
			require.Equal(t, ev, next(t, ann))
		}
	}
	require.Empty(t, ann.Events())
}

// mentions reports whether ev names operator id as its Operator, in its
// Operators or as its From (an operator's subscription's events).
func mentions(ev routing.Event, id string) bool {
	if ev.Operator == id {
		return true
	}
	for _, o := range ev.Operators {
		if o == id {
			return true
		}
	}
	return ev.From == id && ev.Kind != routing.StatusChanged
}

// TestResume_AcrossARestart: a Router opened again on the store goes on
// numbering where the journal ends, and a subscriber of the new Router
// resumes after the last event it had from the old one.
func TestResume_AcrossARestart(t *testing.T) {
	st := memory.New()
	first := journalRouter(t, st, 0)
	sub := first.Subscribe()
	work(t, first, "c")
	had := readN(t, sub, int(newest(t, st))-2) // the subscriber missed the last two
	require.NoError(t, first.Stop(context.Background()))

	second := journalRouter(t, st, 0)
	resumed, err := second.Resume(context.Background(), routing.EventFilter{}, had[len(had)-1].Seq)
	require.NoError(t, err)
	work(t, second, "d")
	rest := readN(t, resumed, int(newest(t, st)-had[len(had)-1].Seq))
	for i, ev := range rest {
		require.Equal(t, had[len(had)-1].Seq+uint64(i)+1, ev.Seq, "no gap, no repeat")
	}
	require.Empty(t, resumed.Events())
}

// TestResume_LiveEventsWaitForTheReplay: live events made while a
// replay waits for its reader are kept, up to the buffer, and delivered
// after the replay; beyond that the subscription ends with a Lagged
// marker at the first event not kept.
func TestResume_LiveEventsWaitForTheReplay(t *testing.T) {
	const buffer = 2
	st := memory.New()
	r := journalRouter(t, st, buffer)
	work(t, r, "c")
	history := journalEvents(t, st, 0)
	require.Greater(t, len(history), buffer+1, "more than the channel holds")

	sub, err := r.Resume(context.Background(), routing.EventFilter{}, 0)
	require.NoError(t, err)
	// Nobody reads sub: its replay waits with a full channel while more
	// happens, more than a buffer's worth.
	var live []routing.Event
	for i := 0; len(live) <= buffer; i++ {
		_, err := r.Enqueue(context.Background(), routing.NewConversation{ID: fmt.Sprint("late", i), Group: "g"})
		require.NoError(t, err)
		live = journalEvents(t, st, history[len(history)-1].Seq)
	}
	got := readN(t, sub, len(history)+buffer)
	require.Equal(t, history, got[:len(history)])
	require.Equal(t, live[:buffer], got[len(history):])
	marker := next(t, sub)
	require.Equal(t, routing.Lagged, marker.Kind)
	require.Equal(t, live[buffer].Seq, marker.Seq, "the first event not kept")
	require.True(t, marker.At.Equal(live[buffer].At), "at its time: %v, not %v", marker.At, live[buffer].At)
	_, open := <-sub.Events()
	require.False(t, open)
	from, lagged := sub.Lagged()
	require.True(t, lagged)
	require.Equal(t, live[buffer].Seq, from)
}

// journalEvents returns the events st's journal holds after after.
func journalEvents(t *testing.T, st store.Store, after uint64) []routing.Event {
	t.Helper()
	es, err := st.ReadJournal(context.Background(), after, store.MaxJournalPage)
	require.NoError(t, err)
	out := make([]routing.Event, len(es))
	for i, e := range es {
		require.NoError(t, json.Unmarshal(e.Body, &out[i]))
		out[i].Seq = e.Seq
	}
	return out
}

// TestResume_BadInputChangesNothing: a point beyond the newest event, one
// already pruned, an unknown operator, and a Router without a journal
// are refused with errors that say which, and subscribe nothing.
func TestResume_BadInputChangesNothing(t *testing.T) {
	st := memory.New(memory.WithJournalLimit(3))
	r := journalRouter(t, st, 0)
	work(t, r, "c")
	b, err := st.JournalBounds(context.Background())
	require.NoError(t, err)
	require.Greater(t, b.Oldest, uint64(1))
	before := r.SubscriptionStats()

	_, err = r.Resume(context.Background(), routing.EventFilter{}, b.Newest+1)
	require.ErrorIs(t, err, routing.ErrFutureSeq)
	require.ErrorContains(t, err, fmt.Sprintf("the newest event is %d", b.Newest))
	_, err = r.Resume(context.Background(), routing.EventFilter{}, 0)
	require.ErrorIs(t, err, routing.ErrPruned)
	require.ErrorContains(t, err, fmt.Sprintf("the oldest kept is %d", b.Oldest))
	_, err = r.Resume(context.Background(), routing.EventFilter{Operator: "nobody"}, b.Newest)
	require.ErrorIs(t, err, routing.ErrNotFound)
	require.Equal(t, before, r.SubscriptionStats())

	sub, err := r.Resume(context.Background(), routing.EventFilter{}, b.Oldest-1)
	require.NoError(t, err, "from just before the oldest kept")
	require.Equal(t, b.Oldest, next(t, sub).Seq)
	sub.Cancel()

	clk := clock.NewMock()
	plain, err := routing.New(context.Background(), routing.Config{Store: memory.New(), Clock: clk, ManualDeadlines: true, NoJournal: true})
	require.NoError(t, err)
	defer plain.Stop(context.Background())
	_, err = plain.Resume(context.Background(), routing.EventFilter{}, 0)
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.Equal(t, routing.SubscriptionStats{}, plain.SubscriptionStats())
}

// TestJournal_EveryRouterDeliversEveryRoutersEvents: two Routers on one
// store, each with a console of ann's: both consoles see every event of
// ann's, whichever Router made it, once each and in journal order.
func TestJournal_EveryRouterDeliversEveryRoutersEvents(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	withJournal := func(cfg *routing.Config) { cfg.NoJournal = false }
	a, b := c.startWith(withJournal), c.startWith(withJournal)
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	c.deliver(b)
	onA, err := a.SubscribeTo(routing.EventFilter{Operator: "ann"})
	require.NoError(t, err)
	onB, err := b.SubscribeTo(routing.EventFilter{Operator: "ann"})
	require.NoError(t, err)

	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	c.deliver(b)
	_, err = b.Enqueue(c.ctx, routing.NewConversation{ID: "c2", Group: "support"})
	require.NoError(t, err)
	c.deliver(a)
	_, err = b.CloseConversation(c.ctx, routing.ByOperator("ann"), "c1", "done")
	require.NoError(t, err)
	c.deliver(a)

	var want []routing.Event
	for _, ev := range journalEvents(t, c.st, 0) {
		if mentions(ev, "ann") {
			want = append(want, ev)
		}
	}
	require.GreaterOrEqual(t, len(want), 3, "c1 assigned and closed, c2 assigned")
	require.Equal(t, want, readN(t, onA, len(want)), "a's console")
	require.Equal(t, want, readN(t, onB, len(want)), "b's console")
	require.Empty(t, onA.Events())
	require.Empty(t, onB.Events())
}

// TestJournal_RetentionPrunesTheOldest: the Router prunes events beyond
// the count it keeps, and those older than the age, every minute of its
// clock; a subscriber resuming from before them is told they are gone.
func TestJournal_RetentionPrunesTheOldest(t *testing.T) {
	st := memory.New()
	clk := clock.NewMock()
	clk.Set(scStart)
	r, err := routing.New(context.Background(), routing.Config{Store: st, Clock: clk, ManualDeadlines: true,
		JournalRetention: routing.JournalRetention{MaxAge: time.Hour, MaxEvents: 4}, Groups: []routing.Group{{ID: "g"}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	work(t, r, "c")
	require.Greater(t, newest(t, st), uint64(4))

	require.NoError(t, r.PruneJournal())
	b, err := st.JournalBounds(context.Background())
	require.NoError(t, err)
	require.Equal(t, b.Newest-3, b.Oldest, "the 4 newest kept")
	_, err = r.Resume(context.Background(), routing.EventFilter{}, 0)
	require.ErrorIs(t, err, routing.ErrPruned)

	// An hour later every event is older than the age, and the minute's
	// pruning leaves the newest alone.
	clk.Add(time.Hour + time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b2, err := st.JournalBounds(context.Background())
		require.NoError(t, err)
		if b2.Oldest == b2.Newest {
			break
		}
		require.True(t, time.Now().Before(deadline), "not pruned by the minute's pruning: %+v", b2)
		clk.Add(time.Minute)
	}
}

// TestSSE_Refusals: the example SSE endpoint answers an unknown operator
// with 404, a Last-Event-ID beyond the newest event with 409 and a
// malformed one with 400.
func TestSSE_Refusals(t *testing.T) {
	r := journalRouter(t, memory.New(), 0)
	var current atomic.Pointer[routing.Router]
	current.Store(r)
	srv := httptest.NewServer(operatorEvents(&current))
	defer srv.Close()
	get := func(query, lastID string) int {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/events?"+query, nil)
		require.NoError(t, err)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	work(t, r, "c")
	require.Equal(t, http.StatusNotFound, get("operator=nobody", ""))
	require.Equal(t, http.StatusConflict, get("operator=ann", "1000"))
	require.Equal(t, http.StatusBadRequest, get("operator=ann", "x"))
	require.Equal(t, routing.SubscriptionStats{}, r.SubscriptionStats())
}

// unreadableJournal is a store whose journal cannot be read once broken
// is set.
type unreadableJournal struct {
	store.Store
	broken atomic.Bool
}

func (s *unreadableJournal) ReadJournal(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	if s.broken.Load() {
		return nil, errors.New("the journal's disk is gone")
	}
	return s.Store.ReadJournal(ctx, after, limit)
}

// TestResume_FailedReplayEndsWithLagged: a replay the store cannot read
// ends the subscription with a Lagged marker at the first event not
// delivered, at the Router's time.
func TestResume_FailedReplayEndsWithLagged(t *testing.T) {
	st := &unreadableJournal{Store: memory.New()}
	r := journalRouter(t, st, 0)
	work(t, r, "c")
	st.broken.Store(true)
	sub, err := r.Resume(context.Background(), routing.EventFilter{}, 0)
	require.NoError(t, err, "the bounds are read")
	marker := next(t, sub)
	require.Equal(t, routing.Lagged, marker.Kind)
	require.Equal(t, uint64(1), marker.Seq)
	require.True(t, marker.At.Equal(scStart), "at the Router's time: %v", marker.At)
	_, open := <-sub.Events()
	require.False(t, open)
	require.ErrorIs(t, sub.Err(), routing.ErrLagged)
}

// appendFails is a store whose AppendJournal fails: only the events that
// go in with a write reach the journal.
type appendFails struct{ store.Store }

func (appendFails) AppendJournal(context.Context, []store.Entry) ([]store.Entry, error) {
	return nil, errors.New("no room for lone entries")
}

// TestJournal_ReplyGoesInWithItsWrite: a reply that changes the
// conversation's deadlines (here the auto-close, re-armed) is journaled
// in that write's transaction, not on its own after it.
func TestJournal_ReplyGoesInWithItsWrite(t *testing.T) {
	ctx := context.Background()
	st := appendFails{memory.New()}
	clk := clock.NewMock()
	clk.Set(scStart)
	r, err := routing.New(ctx, routing.Config{Store: st, Clock: clk, ManualDeadlines: true, OnError: func(error) {},
		Groups: []routing.Group{{ID: "g", AutoClose: time.Hour}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Status: "ready"})
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"})
	require.NoError(t, err)
	sub, err := r.SubscribeTo(routing.EventFilter{Kinds: []routing.EventKind{routing.Replied}})
	require.NoError(t, err)
	clk.Add(time.Minute)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := next(t, sub)
	require.Equal(t, routing.Replied, ev.Kind)
	require.Equal(t, time.Minute, ev.Wait, "the conversation's age")
	require.Equal(t, newest(t, st), ev.Seq, "journaled with the write of the deadline")
}
