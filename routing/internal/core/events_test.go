package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// TestEventsWantedBits: Events.Wanted holds bit k for kind k.
func TestEventsWantedBits(t *testing.T) {
	ev := Events{Wanted: 1<<Assigned | 1<<OffHours}
	require.True(t, ev.Wants(Assigned))
	require.True(t, ev.Wants(OffHours))
	for k := Kind(0); k < KindCount; k++ {
		if k != Assigned && k != OffHours {
			require.False(t, ev.Wants(k), "kind %d", k)
		}
	}
	require.Equal(t, uint64(1<<Queued|1<<AllBusy), wanted(Queued, AllBusy))
}

// TestL1_ReportAssignment: Report tells of an automatic assignment with
// the policy, the candidates it passed over and when the conversation
// entered its queue, only when Assigned is wanted.
func TestL1_ReportAssignment(t *testing.T) {
	r := presence.StatusReady
	ann := loaded(operatorRow("ann", r, "sales"), 0, t0.Add(-time.Minute))
	ann.Skills = []string{"de:3"}
	bob := operatorRow("bob", r, "sales")
	bob.Skills = []string{"de:2"} // first in candidate order, but below the level asked for
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	b := newBook(t, v, []store.Operator{ann, bob}, nil)

	row := newRow("n1", "sales", 0)
	row.Skills = []string{"de:3"}
	p := planNew(t, v, row)
	out := b.commit(v, &p, t0)
	require.Equal(t, "ann", out.Result.Conversation.Assignee)

	want := Event{Kind: Assigned, Conversation: "n1", Group: "sales", Operator: "ann", Policy: "least-loaded",
		Skipped: []policy.Skip{{Operator: "bob", Reason: policy.MissingSkill("de:3")}}, Enqueued: out.Result.Conversation.EnqueuedAt}
	require.False(t, want.Enqueued.IsZero(), "the Router measures the wait from it")
	for _, w := range []uint64{wanted(Assigned), all} {
		ev := Events{Wanted: w}
		require.Empty(t, v.Report(&p, &out, &ev))
		require.Equal(t, []Event{want}, ev.List)
	}
	for _, w := range []uint64{0, wanted(Queued, Offered, OffHours, AllBusy)} {
		ev := Events{Wanted: w}
		v.Report(&p, &out, &ev)
		require.Empty(t, ev.List, "wanted %b", w)
	}
}

// TestR1_ReportOffer: Report tells of the operators newly offered a
// conversation, only when Offered is wanted.
func TestR1_ReportOffer(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", policy.Broadcast(0)))
	b := newBook(t, v, []store.Operator{
		operatorRow("ann", r, "sales"),
		operatorRow("bob", presence.StatusCanHelp, "sales"),
		operatorRow("cat", presence.StatusAway, "sales"),
	}, nil)

	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, store.Offered, p.Row.State)
	require.Equal(t, []string{"ann", "bob"}, p.Row.OfferedTo)
	out := b.commit(v, &p, t0)
	ev := Events{Wanted: wanted(Offered)}
	require.Empty(t, v.Report(&p, &out, &ev))
	require.Equal(t, []Event{{Kind: Offered, Conversation: "n1", Group: "sales", Operators: []string{"ann", "bob"}, Policy: "broadcast"}}, ev.List)
	ev = Events{Wanted: wanted(Assigned, Queued)}
	v.Report(&p, &out, &ev)
	require.Empty(t, ev.List)

	// cat comes on shift: the pump offers n1 to her too, and only she is
	// newly offered it.
	b.absorbStatus(v, "cat", r, t0)
	pump := NewPump("sales")
	c, d, ok, err := v.NextRoute(&pump, t0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []string{"ann", "bob", "cat"}, d.Operators)
	_, evs := b.route(v, c, d, t0, all)
	require.Equal(t, []Event{{Kind: Offered, Conversation: "n1", Group: "sales", Operators: []string{"cat"}, Policy: "broadcast"}}, evs)

	// bob takes it: no withdrawal is reported to him, only to the others
	// (the Router's Take reports them with WithdrawnEvents).
	ch := store.Change{Conversation: "n1", From: []store.State{store.Offered}, To: store.Assigned, NewAssignee: "bob", At: t0}
	tp := PlanApply(ch)
	out = b.commit(v, &tp, t0)
	ev = Events{Wanted: all}
	v.WithdrawnEvents(&ev, out.Result)
	require.Equal(t, []Event{{Kind: OfferWithdrawn, Conversation: "n1", Group: "sales", Operators: []string{"ann", "cat"}}}, ev.List)
	ev = Events{Wanted: wanted(Offered)}
	v.WithdrawnEvents(&ev, out.Result)
	require.Empty(t, ev.List)
}

// TestR5_ReportQueuedAndAllBusyOnce: a new conversation kept because
// every operator on shift is at cap is reported queued, with its place in
// the queue, and with one AllBusy notice; routed again and queued again
// later, it is reported queued without a second notice.
func TestR5_ReportQueuedAndAllBusyOnce(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1})))
	b := newBook(t, v, []store.Operator{loaded(operatorRow("ann", r, "sales"), 1, t0.Add(-time.Hour))},
		[]store.Conversation{assignedRow("a0", "sales", 1, "ann"), queuedRow("q1", "sales", 2)})

	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, policy.Keep, p.Decision.Action)
	require.Equal(t, policy.ReasonAllAtCap, p.Decision.Reason)
	require.True(t, p.Row.AllBusyNotified)
	out := b.commit(v, &p, t0)
	require.True(t, out.Result.Conversation.AllBusyNotified)

	queued := Event{Kind: Queued, Conversation: "n1", Group: "sales", Position: 2, Policy: "capped(broadcast)", Reason: string(policy.ReasonAllAtCap)}
	busy := Event{Kind: AllBusy, Conversation: "n1", Group: "sales", Position: 2}
	for _, tc := range []struct {
		wanted uint64
		events []Event
	}{
		{all, []Event{queued, busy}},
		{wanted(Queued), []Event{queued}},
		{wanted(AllBusy), []Event{busy}},
		{wanted(Assigned, Offered), nil},
	} {
		ev := Events{Wanted: tc.wanted}
		require.Empty(t, v.Report(&p, &out, &ev))
		require.Equal(t, tc.events, ev.List, "wanted %b", tc.wanted)
	}

	// a0 closes: ann is below cap, and the pump offers her q1 and n1.
	ch := store.Change{Conversation: "a0", From: []store.State{store.Assigned}, To: store.Closed, At: t0}
	cp := PlanApply(ch)
	b.commit(v, &cp, t0)
	require.Equal(t, []string{"q1>[ann]", "n1>[ann]"}, b.drain(v, "sales", t0))

	// ann takes q1, and is at cap again: n1's offer is withdrawn, and it
	// is queued again, without a second AllBusy.
	ch = store.Change{Conversation: "q1", From: []store.State{store.Offered}, To: store.Assigned, NewAssignee: "ann", At: t0}
	tp := PlanApply(ch)
	b.commit(v, &tp, t0)
	cs, ds := v.WithdrawalsOf("ann", nil)
	require.Equal(t, []string{"n1"}, ids(cs))
	require.True(t, cs[0].AllBusyNotified)
	_, evs := b.route(v, cs[0], ds[0], t0, all)
	require.Equal(t, []Event{
		{Kind: Queued, Conversation: "n1", Group: "sales", Position: 1, Reason: "offers withdrawn"},
		{Kind: OfferWithdrawn, Conversation: "n1", Group: "sales", Operators: []string{"ann"}},
	}, evs)
}

// TestP10_AvailabilityEventsFlip: AvailabilityEvents reports each group
// whose availability flipped since last reported, in the order given,
// once per flip; a flip nobody wants reported is recorded all the same.
func TestP10_AvailabilityEventsFlip(t *testing.T) {
	v := newView(t, groupOf("sales", policy.LeastLoaded()), groupOf("support", policy.LeastLoaded()))
	b := newBook(t, v, []store.Operator{operatorRow("ann", presence.StatusAway, "sales", "support")}, nil)
	require.False(t, groupInfo(t, v, "sales").Online)
	groups := []string{"support", "nope", "sales"}

	flip := func(status string, w uint64) []Event {
		b.absorbStatus(v, "ann", status, t0)
		ev := Events{Wanted: w}
		v.AvailabilityEvents(groups, &ev)
		return ev.List
	}
	require.Equal(t, []Event{
		{Kind: GroupAvailability, Group: "support", Online: true},
		{Kind: GroupAvailability, Group: "sales", Online: true},
	}, flip(presence.StatusReady, wanted(GroupAvailability)))
	require.Empty(t, flip(presence.StatusCanHelp, all), "can-help accepts offers: still online")
	require.Empty(t, flip(presence.StatusPause, wanted(Queued)), "not wanted")
	require.False(t, groupInfo(t, v, "sales").Online)
	ev := Events{Wanted: all}
	v.AvailabilityEvents(groups, &ev)
	require.Empty(t, ev.List, "the flip was recorded")
	require.Equal(t, []Event{
		{Kind: GroupAvailability, Group: "support", Online: true},
		{Kind: GroupAvailability, Group: "sales", Online: true},
	}, flip(presence.StatusReady, all))
}
