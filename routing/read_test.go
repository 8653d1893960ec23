package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// convIDs returns the ids of cs, in order.
func convIDs(cs []store.Conversation) []string {
	ids := []string{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// queueIDs returns the ids of q's entries, in order.
func queueIDs(q routing.QueueView) []string {
	ids := []string{}
	for _, e := range q.Entries {
		ids = append(ids, e.Conversation.ID)
	}
	return ids
}

// A console lists what an operator holds and is offered, by the filters
// a help desk needs, and walks long listings in pages.
func TestRead_ConversationsByAssigneeGroupCustomerChannel(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{
		{ID: "support", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})},
		{ID: "sales", Policy: policy.Broadcast(0)},
	}})
	s.addOp("ann", presence.StatusReady, 0, "support")
	s.addOp("bob", presence.StatusReady, 0, "support", "sales")
	for _, nc := range []routing.NewConversation{
		{ID: "s1", Group: "support", CustomerID: "kim", Channel: "web"},
		{ID: "s2", Group: "support", CustomerID: "lee", Channel: "telegram"},
		{ID: "s3", Group: "support", CustomerID: "kim", Channel: "web"},
		{ID: "s4", Group: "support", Channel: "web"},
		{ID: "s5", Group: "support", Channel: "web"},
		{ID: "b1", Group: "sales", CustomerID: "kim", Channel: "web"},
	} {
		s.enqueueConv(nc)
	}
	list := func(f routing.ConversationFilter) []string {
		t.Helper()
		page, err := s.r.Conversations(s.ctx, f)
		require.NoError(t, err)
		require.Empty(t, page.Next)
		return convIDs(page.Conversations)
	}
	// Least loaded: ann s1, bob s2, ann s3, bob s4; s5 waits (both at
	// cap 2); b1 is offered to bob.
	require.Equal(t, []string{"s1", "s3"}, list(routing.ConversationFilter{Assignee: "ann"}))
	require.Equal(t, []string{"s2", "s4"}, list(routing.ConversationFilter{Assignee: "bob"}))
	require.Equal(t, []string{"s1", "s2", "s3", "s4", "s5"}, list(routing.ConversationFilter{Group: "support"}))
	require.Equal(t, []string{"s5"}, list(routing.ConversationFilter{Group: "support", State: store.Queued}))
	require.Equal(t, []string{"s1", "s3", "b1"}, list(routing.ConversationFilter{Customer: "kim"}))
	require.Equal(t, []string{"s1", "s3"}, list(routing.ConversationFilter{Customer: "kim", Group: "support"}))
	require.Equal(t, []string{"s2"}, list(routing.ConversationFilter{Channel: "telegram"}))
	require.Equal(t, []string{"b1"}, list(routing.ConversationFilter{State: store.Offered}))

	offers, err := s.r.Offers("bob")
	require.NoError(t, err)
	require.Equal(t, []string{"b1"}, convIDs(offers))
	offers, err = s.r.Offers("ann")
	require.NoError(t, err)
	require.Empty(t, offers)

	// Pages of two walk the six open conversations once each.
	var all []string
	f := routing.ConversationFilter{Limit: 2}
	for {
		page, err := s.r.Conversations(s.ctx, f)
		require.NoError(t, err)
		all = append(all, convIDs(page.Conversations)...)
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	require.Equal(t, []string{"s1", "s2", "s3", "s4", "s5", "b1"}, all)

	// A conversation is answered from the view while open, from the
	// store once closed; the store's closed rows are listed too, by the
	// operator who held them last.
	c, err := s.r.Conversation(s.ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, "ann", c.Assignee)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "s1", "solved")
	require.NoError(t, err)
	c, err = s.r.Conversation(s.ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c.State)
	require.Equal(t, []string{"s3", "s5"}, list(routing.ConversationFilter{Assignee: "ann"}), "s5 took the freed slot")
	require.Equal(t, []string{"s1"}, list(routing.ConversationFilter{Assignee: "ann", State: store.Closed}))
	require.Equal(t, []string{"s1"}, list(routing.ConversationFilter{Customer: "kim", State: store.Closed}))
	require.Empty(t, list(routing.ConversationFilter{Assignee: "bob", State: store.Closed}))
}

// The queue is listed in serving order, priority first, each entry with
// its position; Enqueue's result carries the same position, and the
// operator who comes on shift is given the conversations in that order.
func TestRead_QueueInServingOrderWithPositions(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	s.addOp("ann", presence.StatusOffline, 1, "support")
	var positions []int
	for _, nc := range []routing.NewConversation{
		{ID: "c1", Group: "support"},
		{ID: "c2", Group: "support", Priority: 5},
		{ID: "c3", Group: "support"},
		{ID: "c4", Group: "support", Priority: 5},
	} {
		s.clk.Add(time.Second)
		e, err := s.r.Enqueue(s.ctx, nc)
		require.NoError(t, err)
		positions = append(positions, e.Position)
	}
	require.Equal(t, []int{1, 1, 3, 2}, positions, "each arrival's place when it arrived")

	q, err := s.r.Queue("support", 0)
	require.NoError(t, err)
	require.Equal(t, 4, q.Length)
	require.Equal(t, []string{"c2", "c4", "c1", "c3"}, queueIDs(q))
	for i, e := range q.Entries {
		require.Equal(t, i+1, e.Position)
		require.Equal(t, store.Queued, e.Conversation.State)
		require.False(t, e.Estimated, "nobody was served yet")
	}
	require.Equal(t, 3*time.Second, q.Entries[2].Waited, "c1 arrived first, at 1 s; it is 4 s")
	top, err := s.r.Queue("support", 2)
	require.NoError(t, err)
	require.Equal(t, 4, top.Length)
	require.Equal(t, []string{"c2", "c4"}, queueIDs(top))

	// The queue is served in the order listed.
	log := s.subscribe(routing.Assigned)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", presence.StatusReady))
	for _, want := range []string{"c2", "c4", "c1", "c3"} {
		evs := log.raw()
		require.Len(t, evs, 1)
		require.Equal(t, want, evs[0].Conversation)
		_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), want, "done")
		require.NoError(t, err)
	}
}

// The estimated wait goes by how fast the group served its queue lately:
// position p waits p times the average interval between its recent
// services, or the time since the last one when the queue stalled.
func TestRead_QueueEstimatedWaitFromRecentServiceRate(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	s.addOp("ann", presence.StatusReady, 1, "support")
	// Four conversations served one a minute: each waits for the one
	// before it to close.
	s.enqueue("c0", "support")
	for i := 1; i <= 4; i++ {
		s.enqueue("c"+string(rune('0'+i)), "support")
		s.clk.Add(time.Minute)
		_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c"+string(rune('0'+i-1)), "done")
		require.NoError(t, err)
		s.requireAssigned("c"+string(rune('0'+i)), "ann")
	}
	// Served: c1..c4 from the queue, at 1, 2, 3 and 4 minutes: one a
	// minute. Now it is 4 minutes.
	s.enqueue("w1", "support")
	s.enqueue("w2", "support")
	q, err := s.r.Queue("support", 0)
	require.NoError(t, err)
	require.Equal(t, []string{"w1", "w2"}, queueIDs(q))
	require.True(t, q.Entries[0].Estimated)
	require.Equal(t, time.Minute, q.Entries[0].EstimatedWait)
	require.Equal(t, 2*time.Minute, q.Entries[1].EstimatedWait)

	// Ten minutes without a service: the queue has stalled at least
	// that long between two services.
	s.clk.Add(10 * time.Minute)
	q, err = s.r.Queue("support", 0)
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, q.Entries[0].EstimatedWait)
	require.Equal(t, 20*time.Minute, q.Entries[1].EstimatedWait)

	// An hour without service leaves no estimate.
	s.clk.Add(time.Hour)
	q, err = s.r.Queue("support", 0)
	require.NoError(t, err)
	require.False(t, q.Entries[0].Estimated)
	require.Zero(t, q.Entries[0].EstimatedWait)
}

// Operators are listed by group, status and shift, as Snapshot shows
// them.
func TestRead_OperatorsByGroupStatusAndShift(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support"}, {ID: "sales"}}})
	s.addOp("ann", presence.StatusReady, 0, "support")
	s.addOp("bob", presence.StatusPause, 0, "support", "sales")
	s.addOp("cid", presence.StatusOffline, 0, "sales")
	ids := func(f routing.OperatorFilter) []string {
		t.Helper()
		ops, err := s.r.Operators(f)
		require.NoError(t, err)
		return idsOf(ops)
	}
	require.Equal(t, []string{"ann", "bob", "cid"}, ids(routing.OperatorFilter{}))
	require.Equal(t, []string{"ann", "bob"}, ids(routing.OperatorFilter{Group: "support"}))
	require.Equal(t, []string{"bob"}, ids(routing.OperatorFilter{Group: "sales", Shift: routing.OnShift}))
	require.Equal(t, []string{"cid"}, ids(routing.OperatorFilter{Shift: routing.OffShift}))
	require.Equal(t, []string{"bob"}, ids(routing.OperatorFilter{Status: presence.StatusPause}))
	ops, err := s.r.Operators(routing.OperatorFilter{Group: "support"})
	require.NoError(t, err)
	require.Equal(t, s.op("ann"), ops[0], "the same as Snapshot")
}

// Bad filters are refused with the error that says what is wrong; a read
// changes nothing anyway.
func TestRead_BadFiltersAreRefused(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	s.addOp("ann", presence.StatusReady, 0, "support")
	long := string(make([]byte, store.MaxIDLength+1))
	for _, tc := range []struct {
		name string
		f    routing.ConversationFilter
		want error
	}{
		{"unknown assignee", routing.ConversationFilter{Assignee: "zed"}, routing.ErrNotFound},
		{"unknown group", routing.ConversationFilter{Group: "billing"}, routing.ErrNotFound},
		{"unknown group, closed", routing.ConversationFilter{Group: "billing", State: store.Closed}, routing.ErrNotFound},
		{"bad state", routing.ConversationFilter{State: store.State(9)}, routing.ErrInvalid},
		{"negative limit", routing.ConversationFilter{Limit: -1}, routing.ErrInvalid},
		{"limit too large", routing.ConversationFilter{Limit: routing.MaxPageSize + 1}, routing.ErrInvalid},
		{"bad cursor", routing.ConversationFilter{Cursor: "x"}, routing.ErrInvalid},
		{"zero cursor", routing.ConversationFilter{Cursor: "0"}, routing.ErrInvalid},
		{"long customer", routing.ConversationFilter{Customer: long}, routing.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.r.Conversations(s.ctx, tc.f)
			require.ErrorIs(t, err, tc.want)
		})
	}
	_, err := s.r.Queue("billing", 0)
	require.ErrorIs(t, err, routing.ErrNotFound)
	_, err = s.r.Queue("", 0)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.r.Queue("support", -1)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.r.Offers("zed")
	require.ErrorIs(t, err, routing.ErrNotFound)
	_, err = s.r.Offers("")
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.r.Operators(routing.OperatorFilter{Group: "billing"})
	require.ErrorIs(t, err, routing.ErrNotFound)
	_, err = s.r.Operators(routing.OperatorFilter{Status: "lunch"})
	require.ErrorIs(t, err, routing.ErrUnknownStatus)
	_, err = s.r.Operators(routing.OperatorFilter{Shift: 7})
	require.ErrorIs(t, err, routing.ErrInvalid)
}

// An operator's closed conversations are those they held last, not a
// returning customer's conversation that was only meant for them (the
// previous operator routing prefers) and closed before anyone took it.
func TestRead_ClosedByOperatorAreThoseTheyHeld(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support", Policy: policy.PreviousOperator(policy.LeastLoaded())}}})
	s.addOp("ann", presence.StatusReady, 0, "support")
	s.enqueueConv(routing.NewConversation{ID: "c1", Group: "support", CustomerID: "kim"})
	s.requireAssigned("c1", "ann")
	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "done")
	require.NoError(t, err)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", presence.StatusOffline))
	c2 := s.enqueueConv(routing.NewConversation{ID: "c2", Group: "support", CustomerID: "kim"})
	require.Equal(t, "ann", c2.LastOperator, "preset for routing")
	_, err = s.r.CloseConversation(s.ctx, routing.ByAdmin("boss"), "c2", "left")
	require.NoError(t, err)

	page, err := s.r.Conversations(s.ctx, routing.ConversationFilter{Assignee: "ann", State: store.Closed})
	require.NoError(t, err)
	require.Equal(t, []string{"c1"}, convIDs(page.Conversations))
}
