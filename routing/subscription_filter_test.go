package routing_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// subscribeTo subscribes with filter f. Call it before acting.
func (s *scenario) subscribeTo(f routing.EventFilter) *eventLog {
	s.t.Helper()
	sub, err := s.r.SubscribeTo(f)
	require.NoError(s.t, err)
	s.t.Cleanup(sub.Cancel)
	return &eventLog{t: s.t, sub: sub}
}

// concernsOperator reports whether e is an event a console of operator op
// shows, decided kind by kind from what each kind's fields mean (the
// Router's own matching is not used).
func concernsOperator(e routing.Event, op string) bool {
	switch e.Kind {
	case routing.Offered, routing.OfferWithdrawn, routing.Missed:
		return slices.Contains(e.Operators, op)
	case routing.CustomerWrote:
		return e.Operator == op || slices.Contains(e.Operators, op)
	case routing.Assigned, routing.Waiting, routing.Closed, routing.WaitThreshold, routing.Replied, routing.StatusChanged:
		return e.Operator == op
	case routing.Returned:
		return e.From == op
	case routing.Redistributed:
		return e.From == op || e.Operator == op
	case routing.Transferred:
		// Between operators From is the operator who gave it away; to a
		// group Operator is the one who held it and From a group.
		return e.Operator == op || (e.To == "" && e.From == op)
	}
	return false // Queued, AllBusy, GroupAvailability, OffHours, SkillsRelaxed
}

// concernsGroup reports whether e is an event of group g, decided kind by
// kind.
func concernsGroup(e routing.Event, g string) bool {
	switch e.Kind {
	case routing.StatusChanged:
		return slices.Contains(e.Groups, g)
	case routing.Transferred:
		return e.Group == g || (e.To != "" && (e.From == g || e.To == g))
	}
	return e.Group == g
}

// filterEvents returns the events of evs that keep says to keep.
func filterEvents(evs []routing.Event, keep func(routing.Event) bool) []routing.Event {
	var out []routing.Event
	for _, e := range evs {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// kindsOf returns the distinct kinds of evs.
func kindsOf(evs []routing.Event) []routing.EventKind {
	var ks []routing.EventKind
	for _, e := range evs {
		if !slices.Contains(ks, e.Kind) {
			ks = append(ks, e.Kind)
		}
	}
	return ks
}

// filterScenario is a Router with a least-loaded group "ga" (wait levels
// after 2 and 5 minutes), a broadcast group "gb" (accept timeout of a
// minute) and a group "gc", with ann and bob serving ga and gb and cid
// serving gc.
func filterScenario(t *testing.T) *scenario {
	s := newScenario(t, routing.Config{ManualDeadlines: true, Presence: presence.Standard(), Groups: []routing.Group{
		{ID: "ga", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3}),
			WaitLevels: []routing.WaitLevel{{Name: "yellow", After: 2 * time.Minute}}},
		{ID: "gb", Policy: policy.Broadcast(0), AcceptTimeout: time.Minute},
		{ID: "gc", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3})},
	}})
	s.addOp("ann", presence.StatusReady, 0, "ga", "gb")
	s.addOp("bob", presence.StatusPause, 0, "ga", "gb")
	s.addOp("cid", presence.StatusReady, 0, "gc")
	return s
}

// TestSubscribeToOperator: a subscription filtered on an operator gets
// exactly the events a console of theirs shows, across the life of their
// conversations, offers and status, and none of a colleague's; the
// colleague's subscription gets the colleague's.
func TestSubscribeToOperator(t *testing.T) {
	s := filterScenario(t)
	all := s.subscribeTo(routing.EventFilter{})
	ann := s.subscribeTo(routing.EventFilter{Operator: "ann"})
	bob := s.subscribeTo(routing.EventFilter{Operator: "bob"})
	admin := routing.ByAdmin("boss")
	do := func(_ store.Conversation, err error) {
		t.Helper()
		require.NoError(t, err)
	}

	s.enqueue("c1", "ga") // bob pauses: ann gets it
	s.requireAssigned("c1", "ann")
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", presence.StatusReady))
	s.enqueue("c2", "gb") // offered to both
	s.requireOffered("c2", "ann", "bob")
	do(s.r.Take(s.ctx, routing.ByOperator("bob"), "c2")) // ann's offer withdrawn
	do(s.r.TransferToOperator(s.ctx, admin, "c2", "ann"))
	do(s.r.TransferToOperator(s.ctx, admin, "c1", "bob"))
	do(s.r.Release(s.ctx, routing.ByOperator("ann"), "c2")) // offered to both again
	do(s.r.Take(s.ctx, routing.ByOperator("ann"), "c2"))
	do(s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c2"))
	do(s.r.CustomerReplied(s.ctx, "c2"))
	do(s.r.OperatorReplied(s.ctx, routing.ByOperator("ann"), "c2"))
	do(s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c2", "resolved"))
	s.enqueue("c3", "ga") // to ann, the least loaded; bob holds c1
	s.requireAssigned("c3", "ann")
	s.clk.Add(2 * time.Minute) // c1 and c3 cross yellow
	require.NoError(t, s.r.ProcessDue(s.ctx))
	s.enqueue("c4", "gb") // offered to both, taken by nobody
	s.clk.Add(time.Minute)
	require.NoError(t, s.r.ProcessDue(s.ctx)) // missed by both
	// From ann to gc: cid gets it.
	do(s.r.TransferToGroup(s.ctx, admin, "c3", "gc"))
	s.requireAssigned("c3", "cid")
	s.enqueue("c5", "ga")
	s.requireAssigned("c5", "ann")
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", presence.StatusReady))
	require.NoError(t, s.r.EndShift(s.ctx, routing.ByOperator("ann"), "ann")) // c5 redistributed to bob
	s.requireAssigned("c5", "bob")

	evs := all.raw()
	annEvs, bobEvs := ann.raw(), bob.raw()
	require.Equal(t, fmtEvents(filterEvents(evs, func(e routing.Event) bool { return concernsOperator(e, "ann") })), fmtEvents(annEvs))
	require.Equal(t, fmtEvents(filterEvents(evs, func(e routing.Event) bool { return concernsOperator(e, "bob") })), fmtEvents(bobEvs))
	// EventFilter.Selects keeps, of every event, what the subscription got.
	require.Equal(t, fmtEvents(annEvs), fmtEvents(filterEvents(evs, routing.EventFilter{Operator: "ann"}.Selects)))
	require.Equal(t, fmtEvents(bobEvs), fmtEvents(filterEvents(evs, routing.EventFilter{Operator: "bob"}.Selects)))
	for _, k := range []routing.EventKind{
		routing.Assigned, routing.Offered, routing.OfferWithdrawn, routing.Transferred, routing.Returned, routing.Waiting,
		routing.Replied, routing.Closed, routing.WaitThreshold, routing.Missed, routing.StatusChanged, routing.Redistributed,
		routing.CustomerWrote,
	} {
		require.Contains(t, kindsOf(annEvs), k, "ann's console sees no %v event", k)
	}
	// Written out, for the cases that need care: bob's take and ann's
	// withdrawal, the two transfers, the transfer to a group, and the end
	// of shift.
	require.Equal(t, []string{
		"assigned conv=c1 op=ann policy=capped(least-loaded)",
		"offered conv=c2 ops=ann,bob policy=broadcast",
		"offer-withdrawn conv=c2 ops=ann",
		"transferred conv=c2 op=ann from=bob",
		"transferred conv=c1 op=bob from=ann",
		"returned conv=c2 from=ann pos=1 reason=\"released\"",
		"offered conv=c2 ops=ann,bob policy=broadcast",
		"assigned conv=c2 op=ann policy=manual",
		"waiting conv=c2 op=ann",
		"customer-wrote conv=c2 op=ann",
	}, fmtEvents(annEvs)[:10])
	for _, e := range annEvs {
		require.NotEqual(t, "assigned conv=c2 op=bob policy=manual", fmtEvent(e), "bob's take reached ann")
	}
	require.Contains(t, fmtEvents(annEvs), "transferred conv=c3 op=ann from=ga to=gc")
	require.NotContains(t, fmtEvents(annEvs), "assigned conv=c3 op=cid policy=capped(least-loaded)")
	require.Equal(t, []string{
		"status-changed op=ann from=ready to=offline",
		"offer-withdrawn conv=c4 ops=ann",
		"redistributed conv=c5 op=bob from=ann",
	}, fmtEvents(annEvs)[len(annEvs)-3:])
	require.Contains(t, fmtEvents(bobEvs), "redistributed conv=c5 op=bob from=ann")
	require.Contains(t, fmtEvents(bobEvs), "assigned conv=c5 op=bob from=ann policy=capped(least-loaded)")
	require.NotContains(t, fmtEvents(bobEvs), "status-changed op=ann from=ready to=offline")
}

// TestSubscribeToGroup: a subscription filtered on a group gets the
// events of its conversations, a transfer into and out of it, and the
// status changes of its members, whose Groups name their groups.
func TestSubscribeToGroup(t *testing.T) {
	s := filterScenario(t)
	all := s.subscribeTo(routing.EventFilter{})
	gc := s.subscribeTo(routing.EventFilter{Group: "gc"})
	admin := routing.ByAdmin("boss")

	s.enqueue("c1", "ga")
	s.enqueue("c2", "gc")
	_, err := s.r.TransferToGroup(s.ctx, admin, "c1", "gc") // ann's c1 into gc: cid gets it
	require.NoError(t, err)
	_, err = s.r.TransferToGroup(s.ctx, admin, "c2", "ga") // out of gc: ann gets it
	require.NoError(t, err)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("cid"), "cid", presence.StatusPause))
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", presence.StatusReady)) // not a member
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("cid"), "c1", "resolved")
	require.NoError(t, err)

	evs := all.raw()
	got := gc.raw()
	require.Equal(t, fmtEvents(filterEvents(evs, func(e routing.Event) bool { return concernsGroup(e, "gc") })), fmtEvents(got))
	require.Equal(t, fmtEvents(got), fmtEvents(filterEvents(evs, routing.EventFilter{Group: "gc"}.Selects)))
	require.Equal(t, []string{
		"assigned conv=c2 op=cid policy=capped(least-loaded)",
		"transferred conv=c1 op=ann from=ga to=gc",
		"assigned conv=c1 op=cid from=ann policy=capped(least-loaded)",
		"transferred conv=c2 op=cid from=gc to=ga",
		"status-changed op=cid from=ready to=pause",
		"group-availability group=gc online=false",
		"closed conv=c1 op=cid reason=\"resolved\"",
		"status-changed op=cid from=pause to=away",
	}, fmtEvents(got))
	for _, e := range evs {
		if e.Kind == routing.StatusChanged {
			want := map[string][]string{"cid": {"gc"}, "bob": {"ga", "gb"}}[e.Operator]
			require.Equal(t, want, e.Groups, "groups of %s", e.Operator)
		}
	}
}

// TestSubscribeToConversation: a subscription filtered on a conversation
// gets exactly the events that name it, through a transfer, a return and
// its close, taken before the conversation exists; with an operator too,
// only those of the conversation that concern that operator; a replay
// from the journal selects the same.
func TestSubscribeToConversation(t *testing.T) {
	s := filterScenario(t)
	all := s.subscribeTo(routing.EventFilter{})
	c1 := s.subscribeTo(routing.EventFilter{Conversation: "c1"})
	c1ByCid := s.subscribeTo(routing.EventFilter{Conversation: "c1", Operator: "cid"})
	c1InGC := s.subscribeTo(routing.EventFilter{Conversation: "c1", Group: "gc"})
	admin := routing.ByAdmin("boss")

	s.enqueue("c1", "ga") // ann
	s.enqueue("c2", "ga")
	_, err := s.r.TransferToGroup(s.ctx, admin, "c1", "gc") // cid gets it
	require.NoError(t, err)
	_, err = s.r.Release(s.ctx, routing.ByOperator("cid"), "c1") // back to cid, the only one in gc
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("cid"), "c1", "resolved")
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c2", "resolved")
	require.NoError(t, err)

	evs := all.raw()
	got := c1.raw()
	require.Equal(t, fmtEvents(filterEvents(evs, func(e routing.Event) bool { return e.Conversation == "c1" })), fmtEvents(got))
	require.Len(t, got, 6, "assigned, transferred, assigned, returned, assigned, closed: %v", fmtEvents(got))
	require.Equal(t, fmtEvents(filterEvents(got, func(e routing.Event) bool { return concernsOperator(e, "cid") })), fmtEvents(c1ByCid.raw()))
	require.Equal(t, fmtEvents(filterEvents(got, func(e routing.Event) bool { return concernsGroup(e, "gc") })), fmtEvents(c1InGC.raw()))
	require.Equal(t, fmtEvents(got), fmtEvents(filterEvents(evs, routing.EventFilter{Conversation: "c1"}.Selects)))
	require.Equal(t, fmtEvents(filterEvents(got, func(e routing.Event) bool { return concernsOperator(e, "cid") })),
		fmtEvents(filterEvents(evs, routing.EventFilter{Conversation: "c1", Operator: "cid"}.Selects)))

	resumed, err := s.r.Resume(s.ctx, routing.EventFilter{Conversation: "c1"}, 0)
	require.NoError(t, err)
	t.Cleanup(resumed.Cancel)
	var replayed []routing.Event
	for len(replayed) < len(got) {
		select {
		case e := <-resumed.Events():
			replayed = append(replayed, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("the replay sent %v", fmtEvents(replayed))
		}
	}
	require.Equal(t, fmtEvents(got), fmtEvents(replayed))
}

// TestSubscribeToKindsAndOperator: the conditions of a filter combine:
// kinds and an operator give that operator's events of those kinds; an
// operator and a group give that operator's events of that group.
func TestSubscribeToKindsAndOperator(t *testing.T) {
	s := filterScenario(t)
	all := s.subscribeTo(routing.EventFilter{})
	assignedToAnn := routing.EventFilter{Kinds: []routing.EventKind{routing.Assigned}, Operator: "ann"}
	assigned := s.subscribeTo(assignedToAnn)
	annInGB := s.subscribeTo(routing.EventFilter{Operator: "ann", Group: "gb"})
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", presence.StatusReady))

	s.enqueue("c1", "ga") // ann: equal loads, ann first
	s.enqueue("c2", "ga") // bob
	s.enqueue("c3", "gb") // offered to both
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c3")
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "resolved")
	require.NoError(t, err)

	evs := all.raw()
	got := assigned.take()
	require.NotEmpty(t, got)
	require.Equal(t, got, fmtEvents(filterEvents(evs, assignedToAnn.Selects)))
	require.Equal(t, []string{"offered conv=c3 ops=ann,bob policy=broadcast", "assigned conv=c3 op=ann policy=manual"},
		fmtEvents(filterEvents(evs, routing.EventFilter{Operator: "ann", Group: "gb"}.Selects)))
	require.False(t, routing.EventFilter{}.Selects(routing.Event{Kind: routing.Lagged}), "Lagged is no event a filter selects")
	require.False(t, routing.EventFilter{}.Selects(routing.Event{Kind: routing.EventKind(200)}))
	for _, e := range got {
		require.True(t, strings.HasPrefix(e, "assigned ") && strings.Contains(e, " op=ann "), e)
	}
	require.Contains(t, got, "assigned conv=c3 op=ann policy=manual")
	annInGB.expect(
		"offered conv=c3 ops=ann,bob policy=broadcast",
		"assigned conv=c3 op=ann policy=manual",
	)
}

// TestSubscribeToBadInput: a filter naming an unknown operator or group,
// a kind out of range or Lagged, or an id too long, is refused with its
// sentinel and subscribes nothing.
func TestSubscribeToBadInput(t *testing.T) {
	s := filterScenario(t)
	long := strings.Repeat("x", store.MaxIDLength+1)
	for _, tc := range []struct {
		name   string
		filter routing.EventFilter
		want   error
		names  string
	}{
		{"unknown operator", routing.EventFilter{Operator: "zoe"}, routing.ErrNotFound, `"zoe"`},
		{"unknown group", routing.EventFilter{Group: "gz"}, routing.ErrNotFound, `"gz"`},
		{"a group is not an operator", routing.EventFilter{Operator: "ga"}, routing.ErrNotFound, `"ga"`},
		{"kind zero", routing.EventFilter{Kinds: []routing.EventKind{0}}, routing.ErrInvalid, "event(0)"},
		{"kind out of range", routing.EventFilter{Kinds: []routing.EventKind{routing.Queued, 99}}, routing.ErrInvalid, "event(99)"},
		{"the lag marker", routing.EventFilter{Kinds: []routing.EventKind{routing.Lagged}}, routing.ErrInvalid, "lagged"},
		{"operator id too long", routing.EventFilter{Operator: long}, routing.ErrInvalid, "MaxIDLength"},
		{"group id too long", routing.EventFilter{Group: long}, routing.ErrInvalid, "MaxIDLength"},
		{"conversation id too long", routing.EventFilter{Conversation: long}, routing.ErrInvalid, "MaxIDLength"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := s.r.SubscribeTo(tc.filter)
			require.ErrorIs(t, err, tc.want)
			require.Contains(t, err.Error(), tc.names)
			require.Nil(t, sub)
			require.Equal(t, routing.SubscriptionStats{}, s.r.SubscriptionStats())
		})
	}
}

// TestSubscribeToAfterStop: after Stop a filter gets a closed
// subscription, as Subscribe does.
func TestSubscribeToAfterStop(t *testing.T) {
	s := filterScenario(t)
	require.NoError(t, s.r.Stop(s.ctx))
	sub, err := s.r.SubscribeTo(routing.EventFilter{Operator: "ann"})
	require.NoError(t, err)
	_, open := <-sub.Events()
	require.False(t, open)
	require.NoError(t, sub.Err())
	sub.Cancel()
	require.Zero(t, s.r.SubscriptionStats().Active)
}
