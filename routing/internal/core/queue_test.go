package core

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// readyOperators returns ready operators of group with the given ids.
func readyOperators(group string, ids ...string) []store.Operator {
	var ops []store.Operator
	for _, id := range ids {
		ops = append(ops, operatorRow(id, presence.StatusReady, group))
	}
	return ops
}

// TestInvariant5_PumpServesPriorityThenSeq: a pump serves the queue by
// priority, then by the store's Seq, whatever the arrival times say (a
// clock stepped back between two enqueues, R7).
func TestInvariant5_PumpServesPriorityThenSeq(t *testing.T) {
	q1 := queuedRow("q1", "sales", 1)
	q3 := queuedRow("q3", "sales", 2)
	q3.EnqueuedAt = q1.EnqueuedAt.Add(-time.Hour) // stepped back
	q2 := queuedRow("q2", "sales", 3)
	q2.Priority = 5
	q4 := queuedRow("q4", "sales", 4)
	q4.Priority = 5
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	b := newBook(t, v, readyOperators("sales", "ann", "bob", "cat", "dan"), []store.Conversation{q1, q2, q3, q4})

	for id, pos := range map[string]int{"q2": 1, "q4": 2, "q1": 3, "q3": 4} {
		c, ok := v.Conversation(id)
		require.True(t, ok)
		require.Equal(t, pos, v.Position(&c), id)
	}
	g := groupInfo(t, v, "sales")
	require.Equal(t, 4, g.Queued)
	require.Equal(t, "q3", g.Oldest, "the longest wait is by the clock")
	require.Equal(t, q3.EnqueuedAt, g.OldestArrival)
	require.Equal(t, []string{"sales"}, v.WaitingGroups([]string{"sales", "nope"}, nil))

	require.Equal(t, []string{"q2>ann", "q4>bob", "q1>cat", "q3>dan"}, b.drain(v, "sales", t0))
	require.Zero(t, groupInfo(t, v, "sales").Queued)
	require.Empty(t, v.WaitingGroups([]string{"sales"}, nil))
}

// TestR7_PumpStopsAtCapInOrder: with one slot left, the pump gives it to
// the first in serving order, and the others wait in order.
func TestR7_PumpStopsAtCapInOrder(t *testing.T) {
	q2 := queuedRow("q2", "sales", 2)
	q2.Priority = 1
	v := newView(t, groupOf("sales", capped(1)))
	b := newBook(t, v, readyOperators("sales", "ann"), []store.Conversation{queuedRow("q1", "sales", 1), q2, queuedRow("q3", "sales", 3)})

	require.Equal(t, []string{"q2>ann"}, b.drain(v, "sales", t0))
	q1, ok := v.Conversation("q1")
	require.True(t, ok)
	require.Equal(t, 1, v.Position(&q1))
	require.Equal(t, store.Queued, q1.State)

	// The slot frees: the next in order goes.
	ch := store.Change{Conversation: "q2", From: []store.State{store.Assigned}, To: store.Closed, At: t0}
	p := PlanApply(ch)
	b.commit(v, &p, t0)
	require.Equal(t, []string{"q1>ann"}, b.drain(v, "sales", t0))
}

// TestR7_KeptConversationDoesNotBlock: a conversation the policy keeps
// although operators are free (it needs a skill none has) does not block
// those behind it, and stays at the head of the queue.
func TestR7_KeptConversationDoesNotBlock(t *testing.T) {
	q1 := queuedRow("q1", "sales", 1)
	q1.Skills = []string{"de"}
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	b := newBook(t, v, readyOperators("sales", "ann"), []store.Conversation{q1, queuedRow("q2", "sales", 2)})

	require.Equal(t, []string{"q2>ann"}, b.drain(v, "sales", t0))
	c, ok := v.Conversation("q1")
	require.True(t, ok)
	require.Equal(t, store.Queued, c.State)
	require.Equal(t, 1, v.Position(&c))
	require.Equal(t, []string{"q2"}, v.Held("ann"))
}

// TestR7_OffersDecidedAgainOnlyWhenSomeoneBecameEligible: an offered
// conversation is not decided again as loads move; it is once a member
// becomes eligible for offers (comes on shift), and its offers then
// follow the policy (R1).
func TestR7_OffersDecidedAgainOnlyWhenSomeoneBecameEligible(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", policy.Broadcast(1)))
	b := newBook(t, v, []store.Operator{
		operatorRow("ann", r, "sales"),
		loaded(operatorRow("bob", r, "sales"), 1, t0.Add(-time.Hour)),
		operatorRow("cat", presence.StatusAway, "sales"),
	}, []store.Conversation{offeredRow("o1", "sales", 1, "ann")})

	// The first pump decides it again (everyone is new to the view), and
	// finds the offer as the policy would make it.
	require.Empty(t, b.drain(v, "sales", t0))

	// ann's load moves above bob's: a new decision would offer to bob,
	// but offers are not reshuffled as loads move.
	b.ops["ann"] = loaded(b.ops["ann"], 2, t0)
	v.AbsorbOperator(b.ops["ann"], false)
	require.Empty(t, b.drain(v, "sales", t0))
	c, _ := v.Conversation("o1")
	require.Equal(t, []string{"ann"}, c.OfferedTo)

	// cat comes on shift: the offer is decided again, and goes to cat,
	// now the least loaded.
	b.absorbStatus(v, "cat", r, t0)
	p := NewPump("sales")
	c, d, ok, err := v.NextRoute(&p, t0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "o1", c.ID)
	require.Equal(t, policy.Offer, d.Action)
	require.Equal(t, []string{"cat"}, d.Operators)
	_, evs := b.route(v, c, d, t0, all)
	require.Equal(t, []Event{
		{Kind: Offered, Conversation: "o1", Group: "sales", Operators: []string{"cat"}, Policy: "broadcast(1)"},
		{Kind: OfferWithdrawn, Conversation: "o1", Group: "sales", Operators: []string{"ann"}},
	}, evs)
	p.Done(c.ID)
	_, _, ok, err = v.NextRoute(&p, t0)
	require.NoError(t, err)
	require.False(t, ok)
	require.Empty(t, b.drain(v, "sales", t0), "nobody became eligible since")
}

// TestInvariant5_NewConversationJoinsBehindQueue: while others wait and
// someone could serve them, a new conversation joins the queue behind
// them rather than overtake them; its first wait level is armed (L10) on
// the first attempt only; the pump then serves it behind those kept.
func TestInvariant5_NewConversationJoinsBehindQueue(t *testing.T) {
	q1 := queuedRow("q1", "sales", 1)
	q1.Skills = []string{"de"}
	cfg := groupOf("sales", policy.LeastLoaded())
	cfg.WaitLevels = []WaitLevel{{Name: "yellow", After: 2 * time.Minute}, {Name: "red", After: 5 * time.Minute}}
	v := newView(t, cfg)
	b := newBook(t, v, readyOperators("sales", "ann"), []store.Conversation{q1})

	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, policy.Keep, p.Decision.Action)
	require.Equal(t, ReasonBehindQueue, p.Decision.Reason)
	require.Equal(t, "least-loaded", p.Decision.Policy)
	require.True(t, p.Routed)
	require.True(t, p.New)
	require.False(t, p.Retry)
	require.Equal(t, CreateConversation, p.Write)
	require.Equal(t, t0, p.At)
	require.Equal(t, store.Queued, p.Row.State)
	require.Empty(t, p.Row.Assignee)
	require.Equal(t, []store.Deadline{{Kind: store.WaitLevel, Due: t0.Add(2 * time.Minute)}}, p.Row.Deadlines)
	require.False(t, p.Row.AllBusyNotified, "ann is free")

	out := b.commit(v, &p, t0)
	ev := Events{Wanted: all}
	require.Empty(t, v.Report(&p, &out, &ev))
	require.Equal(t, []Event{{Kind: Queued, Conversation: "n1", Group: "sales", Position: 2, Policy: "least-loaded", Reason: string(ReasonBehindQueue)}}, ev.List)
	due, ok := v.NextDue()
	require.True(t, ok)
	require.Equal(t, at(2*time.Minute), due, "the wait level is in the due index")

	// A later attempt does not arm it again; after too many refusals the
	// conversation is kept queued.
	row := newRow("n2", "sales", time.Second)
	p2, err := v.PlanNew(&row, false, true, false)
	require.NoError(t, err)
	require.Empty(t, p2.Row.Deadlines)
	require.Equal(t, ReasonViewChanging, p2.Decision.Reason)

	require.Equal(t, []string{"n1>ann"}, b.drain(v, "sales", t0.Add(time.Second)))
	n1, _ := v.Conversation("n1")
	require.Equal(t, []store.Deadline{{Kind: store.WaitLevel, Due: t0.Add(2 * time.Minute)}}, n1.Deadlines, "the wait level outlives the assignment")

	row = newRow("n3", "nope", 0)
	_, err = v.PlanNew(&row, true, false, false)
	require.ErrorIs(t, err, store.ErrNotFound)
}

// TestR6_OffHours: a conversation arriving outside the group's business
// hours is queued all the same, with ReasonOffHours, and Report tells of
// it with an OffHours event; the queue waits until the hours open, when
// TurnHours reports the group online (P10) and returns it to be routed.
func TestR6_OffHours(t *testing.T) {
	cfg := groupOf("sales", policy.LeastLoaded())
	cfg.Hours = presence.Hours{Location: time.UTC, Weekly: [7][]presence.Span{time.Monday: {{Start: 10 * 60, End: 18 * 60}}}}
	v := newView(t, cfg)
	b := newBook(t, v, readyOperators("sales", "ann"), nil)
	require.False(t, groupInfo(t, v, "sales").Online, "closed at 09:00")
	require.Equal(t, 1, groupInfo(t, v, "sales").Accepting)

	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, policy.Keep, p.Decision.Action)
	require.Equal(t, ReasonOffHours, p.Decision.Reason)
	require.Equal(t, "least-loaded", p.Decision.Policy)
	require.False(t, p.Row.AllBusyNotified, "nobody is busy: the group is closed")
	out := b.commit(v, &p, t0)

	ev := Events{Wanted: all}
	require.Empty(t, v.Report(&p, &out, &ev))
	require.Equal(t, []Event{
		{Kind: Queued, Conversation: "n1", Group: "sales", Position: 1, Policy: "least-loaded", Reason: string(ReasonOffHours)},
		{Kind: OffHours, Conversation: "n1", Group: "sales", Position: 1},
	}, ev.List)
	ev = Events{Wanted: wanted(Queued)}
	v.Report(&p, &out, &ev)
	require.Len(t, ev.List, 1, "OffHours only when wanted")
	ev = Events{Wanted: wanted(OffHours)}
	v.Report(&p, &out, &ev)
	require.Equal(t, []Event{{Kind: OffHours, Conversation: "n1", Group: "sales", Position: 1}}, ev.List)

	// A second conversation while closed: off hours, not behind the queue.
	p2 := planNew(t, v, newRow("n2", "sales", time.Second))
	require.Equal(t, ReasonOffHours, p2.Decision.Reason)
	b.commit(v, &p2, t0.Add(time.Second))

	require.Empty(t, b.drain(v, "sales", t0.Add(time.Minute)), "nothing is routed while closed")
	due, ok := v.NextDue()
	require.True(t, ok)
	require.Equal(t, at(time.Hour), due, "the hours open at 10:00")

	ev = Events{Wanted: all}
	require.Empty(t, v.TurnHours(t0.Add(59*time.Minute), &ev))
	require.Empty(t, ev.List)
	require.Equal(t, []string{"sales"}, v.TurnHours(t0.Add(time.Hour+5*time.Second), &ev))
	require.Equal(t, []Event{{Kind: GroupAvailability, Group: "sales", Online: true,
		Key: AvailabilityKey("sales", "hours "+strconv.FormatInt(at(time.Hour), 10), true)}}, ev.List,
		"keyed by the instant the hours turned, not when they were turned")
	require.Equal(t, []string{"n1>ann", "n2>ann"}, b.drain(v, "sales", t0.Add(time.Hour)))

	// The next change is the close at 18:00.
	due, ok = v.NextDue()
	require.True(t, ok)
	require.Equal(t, at(9*time.Hour), due)
	ev = Events{Wanted: all}
	require.Empty(t, v.TurnHours(t0.Add(9*time.Hour), &ev), "closing opens nothing")
	require.Equal(t, []Event{{Kind: GroupAvailability, Group: "sales", Online: false,
		Key: AvailabilityKey("sales", "hours "+strconv.FormatInt(at(9*time.Hour), 10), false)}}, ev.List)
}

// TestR1_OfferReachesOperatorWhoCameOnShiftWhileClosed: a conversation
// offered before the group's hours closed, when a member comes on shift
// while it is closed, is decided again once the hours open, and offered
// to them too (the Pump's rule: offered conversations are decided again
// when a member may have become eligible since, R7).
func TestR1_OfferReachesOperatorWhoCameOnShiftWhileClosed(t *testing.T) {
	cfg := groupOf("sales", policy.Broadcast(0))
	day := []presence.Span{{Start: 10 * 60, End: 18 * 60}}
	cfg.Hours = presence.Hours{Location: time.UTC, Weekly: [7][]presence.Span{time.Monday: day, time.Tuesday: day}}
	v := newView(t, cfg)
	b := newBook(t, v, []store.Operator{
		operatorRow("ann", presence.StatusReady, "sales"),
		operatorRow("bob", presence.StatusAway, "sales"),
	}, []store.Conversation{offeredRow("o1", "sales", 1, "ann")})

	require.Equal(t, []string{"sales"}, v.TurnHours(t0.Add(time.Hour), &Events{})) // Monday 10:00
	require.Empty(t, b.drain(v, "sales", t0.Add(time.Hour)), "o1 is offered as the policy would offer it")
	require.Empty(t, v.TurnHours(t0.Add(9*time.Hour), &Events{})) // 18:00: closed

	// bob comes on shift while the group is closed; the Router routes his
	// groups' queues, and nothing can be routed while closed.
	b.absorbStatus(v, "bob", presence.StatusReady, t0.Add(10*time.Hour))
	require.Empty(t, b.drain(v, "sales", t0.Add(10*time.Hour)))

	// Tuesday 10:00: the hours open and the queue is routed.
	tuesday := t0.Add(25 * time.Hour)
	require.Equal(t, []string{"sales"}, v.TurnHours(tuesday, &Events{}))
	require.Equal(t, []string{"o1>[ann bob]"}, b.drain(v, "sales", tuesday), "bob became eligible since o1 was offered")
}

// TestAvailabilityKeyFitsAStore: a key names its group, cause and
// availability; one too long for a store is its SHA-256, the same for
// every Router.
func TestAvailabilityKeyFitsAStore(t *testing.T) {
	require.Equal(t, "availability true hours 42 sales", AvailabilityKey("sales", "hours 42", true))
	require.NotEqual(t, AvailabilityKey("sales", "hours 42", true), AvailabilityKey("sales", "hours 42", false))
	long := strings.Repeat("g", store.MaxIDLength)
	k := AvailabilityKey(long, "version 3", true)
	require.Len(t, k, len("availability ")+64)
	require.Equal(t, k, AvailabilityKey(long, "version 3", true))
	require.NotEqual(t, k, AvailabilityKey(long, "version 4", true))
}
