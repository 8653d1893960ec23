package routing_test

// Shared helpers for the product-model scenario tests
// (scenario_pyrus_test.go … scenario_dispatcher_test.go). Each scenario
// builds a Router by configuration only (Config, Group policies, presence
// presets or admin-defined statuses), drives it with commands under a mock
// clock, and asserts the returned rows, typed errors, Snapshot contents and
// the exact events.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// scStart is when every scenario begins: a Monday morning.
var scStart = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)

// scenario is a Router under test, driven by a mock clock.
type scenario struct {
	t   *testing.T
	ctx context.Context
	clk *clock.Mock
	r   *routing.Router
}

// newScenario builds a Router from cfg with a mock clock set to scStart.
func newScenario(t *testing.T, cfg routing.Config) *scenario {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(scStart)
	cfg.Clock = clk
	ctx := context.Background()
	r, err := routing.New(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	return &scenario{t: t, ctx: ctx, clk: clk, r: r}
}

// addOp adds operator id in the given status, with their own cap (0: the
// group default), serving groups.
func (s *scenario) addOp(id, status string, cap int, groups ...string) store.Operator {
	s.t.Helper()
	op, err := s.r.AddOperator(s.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: groups, Cap: cap, Status: status})
	require.NoError(s.t, err)
	return op
}

// enqueue adds a new conversation to group and returns its row after
// routing.
func (s *scenario) enqueue(id, group string) store.Conversation {
	s.t.Helper()
	return s.enqueueConv(routing.NewConversation{ID: id, Group: group})
}

// enqueueConv is enqueue with every field of the new conversation.
func (s *scenario) enqueueConv(nc routing.NewConversation) store.Conversation {
	s.t.Helper()
	c, err := s.r.Enqueue(s.ctx, nc)
	require.NoError(s.t, err)
	return c.Conversation
}

// conv returns the stored row of conversation id.
func (s *scenario) conv(id string) store.Conversation {
	s.t.Helper()
	c, err := s.r.Conversation(s.ctx, id)
	require.NoError(s.t, err)
	return c
}

// requireAssigned checks that conversation id is assigned to op.
func (s *scenario) requireAssigned(id, op string) {
	s.t.Helper()
	c := s.conv(id)
	require.Equal(s.t, store.Assigned, c.State, "conversation %s", id)
	require.Equal(s.t, op, c.Assignee, "conversation %s", id)
	require.Empty(s.t, c.OfferedTo, "conversation %s", id)
}

// requireQueued checks that conversation id waits in the queue of group,
// neither offered nor assigned.
func (s *scenario) requireQueued(id, group string) {
	s.t.Helper()
	c := s.conv(id)
	require.Equal(s.t, store.Queued, c.State, "conversation %s", id)
	require.Equal(s.t, group, c.Group, "conversation %s", id)
	require.Empty(s.t, c.Assignee, "conversation %s", id)
	require.Empty(s.t, c.OfferedTo, "conversation %s", id)
}

// requireOffered checks that conversation id is offered to exactly ops.
func (s *scenario) requireOffered(id string, ops ...string) {
	s.t.Helper()
	c := s.conv(id)
	require.Equal(s.t, store.Offered, c.State, "conversation %s", id)
	require.Empty(s.t, c.Assignee, "conversation %s", id)
	require.ElementsMatch(s.t, ops, c.OfferedTo, "conversation %s", id)
}

// op returns operator id as the Snapshot shows them.
func (s *scenario) op(id string) routing.OperatorSnapshot {
	s.t.Helper()
	for _, o := range s.r.Snapshot().Operators {
		if o.ID == id {
			return o
		}
	}
	require.FailNow(s.t, "operator not in snapshot", id)
	return routing.OperatorSnapshot{}
}

// group returns group id as the Snapshot shows it.
func (s *scenario) group(id string) routing.GroupSnapshot {
	s.t.Helper()
	for _, g := range s.r.Snapshot().Groups {
		if g.ID == id {
			return g
		}
	}
	require.FailNow(s.t, "group not in snapshot", id)
	return routing.GroupSnapshot{}
}

// requireOp checks the Snapshot's status and load of operator id.
func (s *scenario) requireOp(id, status string, load int) {
	s.t.Helper()
	o := s.op(id)
	require.Equal(s.t, status, o.Status, "status of %s", id)
	require.Equal(s.t, load, o.Load, "load of %s", id)
}

// state is everything a refused command must leave as it was.
type state struct {
	snap  routing.Snapshot
	ops   []store.Operator
	convs []store.Conversation
}

// freeze captures the Snapshot, every operator row and the rows of the
// given conversations. The clock must not move before requireUnchanged.
func (s *scenario) freeze(convIDs ...string) state {
	s.t.Helper()
	st := state{snap: s.r.Snapshot()}
	for _, o := range st.snap.Operators {
		row, err := s.r.Operator(s.ctx, o.ID)
		require.NoError(s.t, err)
		st.ops = append(st.ops, row)
	}
	for _, id := range convIDs {
		st.convs = append(st.convs, s.conv(id))
	}
	return st
}

// requireUnchanged checks that nothing changed since before was frozen.
func (s *scenario) requireUnchanged(before state) {
	s.t.Helper()
	ids := make([]string, len(before.convs))
	for i, c := range before.convs {
		ids[i] = c.ID
	}
	after := s.freeze(ids...)
	require.Equal(s.t, before.snap, after.snap, "snapshot changed")
	require.Equal(s.t, before.ops, after.ops, "operator rows changed")
	require.Equal(s.t, before.convs, after.convs, "conversation rows changed")
}

// eventLog is a subscription whose events a test reads without blocking.
type eventLog struct {
	t   *testing.T
	sub *routing.Subscription
}

// subscribe subscribes to kinds. Call it before acting.
func (s *scenario) subscribe(kinds ...routing.EventKind) *eventLog {
	s.t.Helper()
	require.NotEmpty(s.t, kinds, "list the event kinds explicitly")
	sub := s.r.Subscribe(kinds...)
	s.t.Cleanup(sub.Cancel)
	return &eventLog{t: s.t, sub: sub}
}

// lifecycleKinds are the kinds a conversation's own transitions produce.
var lifecycleKinds = []routing.EventKind{
	routing.Queued, routing.Offered, routing.OfferWithdrawn, routing.Assigned, routing.AllBusy,
	routing.Returned, routing.Transferred, routing.Waiting, routing.Closed, routing.Redistributed,
}

// raw returns the events emitted since the last read. The router emits
// synchronously before a command returns, so nothing is still in flight.
func (l *eventLog) raw() []routing.Event {
	l.t.Helper()
	var out []routing.Event
	for {
		select {
		case e, ok := <-l.sub.Events():
			if !ok {
				return out
			}
			require.NotEqual(l.t, routing.Lagged, e.Kind, "the subscription lagged")
			out = append(out, e)
		default:
			return out
		}
	}
}

// take returns the events emitted since the last read, formatted by
// fmtEvent.
func (l *eventLog) take() []string {
	l.t.Helper()
	return fmtEvents(l.raw())
}

// fmtEvents formats evs with fmtEvent.
func fmtEvents(evs []routing.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = fmtEvent(e)
	}
	return out
}

// expect checks that exactly the given events were emitted since the last
// read, in order.
func (l *eventLog) expect(want ...string) {
	l.t.Helper()
	if want == nil {
		want = []string{}
	}
	require.Equal(l.t, want, l.take())
}

// none checks that no event was emitted since the last read.
func (l *eventLog) none() {
	l.t.Helper()
	l.expect()
}

// fmtEvent formats the fields a scenario compares: kind, conversation,
// group (availability only), operator, operators (sorted), from, to,
// policy, position, reason, online (availability only).
func fmtEvent(e routing.Event) string {
	parts := []string{e.Kind.String()}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("conv", e.Conversation)
	if e.Kind == routing.GroupAvailability {
		add("group", e.Group)
		parts = append(parts, fmt.Sprintf("online=%t", e.Online))
	}
	add("op", e.Operator)
	if len(e.Operators) > 0 {
		ops := slices.Clone(e.Operators)
		slices.Sort(ops)
		parts = append(parts, "ops="+strings.Join(ops, ","))
	}
	add("from", e.From)
	add("to", e.To)
	add("policy", e.Policy)
	if e.Position != 0 {
		parts = append(parts, fmt.Sprintf("pos=%d", e.Position))
	}
	if e.Reason != "" {
		parts = append(parts, fmt.Sprintf("reason=%q", e.Reason))
	}
	return strings.Join(parts, " ")
}

// raceTake lets every operator in ops take conversation id at the same
// instant and returns the winner and the errors of the others.
func (s *scenario) raceTake(id string, ops ...string) (winner string, losers []error) {
	s.t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, len(ops))
	)
	for i, op := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = s.r.Take(s.ctx, routing.ByOperator(op), id)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			require.Empty(s.t, winner, "two operators won conversation %s", id)
			winner = ops[i]
			continue
		}
		losers = append(losers, err)
	}
	return winner, losers
}

// requireOneTakeWins lets every operator in ops take offered conversation
// id at the same instant and asserts that exactly one wins, the others get
// ErrAlreadyTaken, and the events are the winner's assignment and the
// withdrawal of every other offer (R1).
func (s *scenario) requireOneTakeWins(ev *eventLog, id string, ops ...string) {
	s.t.Helper()
	winner, losers := s.raceTake(id, ops...)
	require.NotEmpty(s.t, winner)
	require.Len(s.t, losers, len(ops)-1)
	for _, err := range losers {
		require.ErrorIs(s.t, err, routing.ErrAlreadyTaken)
	}
	s.requireAssigned(id, winner)
	evs := ev.raw()
	require.Len(s.t, evs, 2)
	require.Equal(s.t, "assigned conv="+id+" op="+winner+" policy=manual", fmtEvent(evs[0]))
	require.Equal(s.t, routing.OfferWithdrawn, evs[1].Kind)
	require.ElementsMatch(s.t, without(ops, winner), evs[1].Operators)
}

// requireLateTakeRefused asserts that op's take of conversation id, already
// taken, fails with ErrAlreadyTaken and changes nothing.
func (s *scenario) requireLateTakeRefused(ev *eventLog, id, op string) {
	s.t.Helper()
	before := s.freeze(id)
	_, err := s.r.Take(s.ctx, routing.ByOperator(op), id)
	require.ErrorIs(s.t, err, routing.ErrAlreadyTaken)
	s.requireUnchanged(before)
	ev.none()
}
