package routing_test

// The Pyrus model, "streaming processing". One form's requests are
// distributed automatically to the least loaded operator whose toggle is
// green; each operator has a cap on active chats (e.g. 5); when everybody is
// at cap the customer is told all operators are busy; the grey toggle stops
// new chats but keeps the ones in work; "exit" hands the chats to colleagues
// (an admin can force it); a chat marked "waiting" leaves the list and comes
// back to the same operator when the customer answers.
//
// Configuration: presence.Toggle(), one group "support" with
// policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5}).

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

const (
	pyrusGroup  = "support"
	pyrusPolicy = "capped(least-loaded)"
	green       = presence.StatusGreen
	grey        = presence.StatusGrey
)

// newPyrus is the Pyrus extension: the green/grey toggle, least-loaded
// distribution, "no more than 5 active chats per person".
func newPyrus(t *testing.T) *scenario {
	t.Helper()
	return newScenario(t, routing.Config{
		Presence: presence.Toggle(),
		Groups: []routing.Group{{
			ID:     pyrusGroup,
			Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5}),
		}},
	})
}

// "Pyrus looks at which operators are ready to accept requests right now and
// gives the new request to the one who has the fewest requests at the
// moment."
func TestR2_Pyrus_LeastLoadedGetsNewChat(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.addOp("carl", grey, 0, pyrusGroup) // fewest chats, but not ready
	s.enqueue("c1", pyrusGroup)
	s.enqueue("c2", pyrusGroup)
	s.requireOp("ann", green, 2)
	s.addOp("bob", green, 0, pyrusGroup)

	ev := s.subscribe(routing.Assigned, routing.Queued)
	c3 := s.enqueue("c3", pyrusGroup)
	require.Equal(t, store.Assigned, c3.State)
	require.Equal(t, "bob", c3.Assignee)
	s.clk.Add(time.Minute)
	c4 := s.enqueue("c4", pyrusGroup)
	require.Equal(t, "bob", c4.Assignee)

	ev.expect(
		"assigned conv=c3 op=bob policy="+pyrusPolicy,
		"assigned conv=c4 op=bob policy="+pyrusPolicy,
	)
	s.requireOp("ann", green, 2)
	s.requireOp("bob", green, 2)
	s.requireOp("carl", grey, 0)
}

// Same rule, equal loads: the load is distributed "competently", so of two
// operators with equally few chats the one who has waited longest since
// their last chat gets the next one (R2 fair rotation).
func TestR2_Pyrus_LeastLoadedTieGoesToLongestWaiting(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.addOp("bob", green, 0, pyrusGroup)

	s.requireAssigned(s.enqueue("c1", pyrusGroup).ID, "ann") // 09:00, nobody assigned yet: by id
	s.clk.Add(time.Minute)
	s.requireAssigned(s.enqueue("c2", pyrusGroup).ID, "bob") // 09:01
	s.clk.Add(time.Minute)
	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "resolved")
	require.NoError(t, err)
	s.requireAssigned(s.enqueue("c3", pyrusGroup).ID, "ann") // 09:02, ann was less loaded
	s.clk.Add(time.Minute)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("bob"), "c2", "resolved")
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c3", "resolved")
	require.NoError(t, err)
	s.requireOp("ann", green, 0)
	s.requireOp("bob", green, 0)

	// Both idle; bob's last chat came at 09:01, ann's at 09:02.
	ev := s.subscribe(routing.Assigned)
	s.clk.Add(time.Minute)
	c4 := s.enqueue("c4", pyrusGroup)
	require.Equal(t, "bob", c4.Assignee)
	ev.expect("assigned conv=c4 op=bob policy=" + pyrusPolicy)
}

// "The number of active chats for each operator can be regulated, e.g. no
// more than 5 per person. Above it new requests stop coming to them and are
// distributed to operators whose load is lower."
func TestR3_Pyrus_OperatorAtCapGetsNoMoreChats(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 2, pyrusGroup) // her own cap: 2
	s.addOp("bob", green, 0, pyrusGroup) // the form's rule: 5

	ev := s.subscribe(routing.Assigned)
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7"} {
		s.enqueue(id, pyrusGroup)
		require.LessOrEqual(t, s.op("ann").Load, 2, "ann above her cap after %s", id)
		require.LessOrEqual(t, s.op("bob").Load, 5, "bob above the default cap after %s", id)
	}
	s.requireOp("ann", green, 2)
	s.requireOp("bob", green, 5)

	// Once ann held 2, every chat went to bob; where the policy examined her
	// first (equal or lower load) she was passed over for being at cap.
	var got []string
	for _, e := range ev.raw() {
		line := fmtEvent(e)
		for _, sk := range e.Skipped {
			line += " skipped=" + sk.Operator + ":" + string(sk.Reason)
		}
		got = append(got, line)
	}
	require.Equal(t, []string{
		"assigned conv=c1 op=ann policy=" + pyrusPolicy,
		"assigned conv=c2 op=bob policy=" + pyrusPolicy,
		"assigned conv=c3 op=ann policy=" + pyrusPolicy,
		"assigned conv=c4 op=bob policy=" + pyrusPolicy,
		"assigned conv=c5 op=bob policy=" + pyrusPolicy + " skipped=ann:at cap",
		"assigned conv=c6 op=bob policy=" + pyrusPolicy + " skipped=ann:at cap",
		"assigned conv=c7 op=bob policy=" + pyrusPolicy + " skipped=ann:at cap",
	}, got)

	// Both at cap: the next chat waits.
	s.requireQueued(s.enqueue("c8", pyrusGroup).ID, pyrusGroup)
}

// "If the load is exceeded for everyone, the customer gets a message that
// all operators are busy right now."
func TestR5_Pyrus_AllBusyNoticeOnceWithQueuePosition(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 1, pyrusGroup)
	s.addOp("bob", green, 1, pyrusGroup)
	s.enqueue("c1", pyrusGroup)
	s.enqueue("c2", pyrusGroup)

	ev := s.subscribe(routing.Queued, routing.AllBusy, routing.Assigned)
	c3 := s.enqueue("c3", pyrusGroup)
	require.Equal(t, store.Queued, c3.State)
	require.True(t, c3.AllBusyNotified)
	s.clk.Add(time.Minute)
	s.enqueue("c4", pyrusGroup)
	ev.expect(
		`queued conv=c3 policy=`+pyrusPolicy+` pos=1 reason="every eligible operator is at cap"`,
		`all-busy conv=c3 pos=1`,
		`queued conv=c4 policy=`+pyrusPolicy+` pos=2 reason="every eligible operator is at cap"`,
		`all-busy conv=c4 pos=2`,
	)
	require.Equal(t, 2, s.group(pyrusGroup).Queued)

	// Slots free one by one: the waiting chats are served, and nobody is
	// told "all busy" a second time.
	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("bob"), "c2", "resolved")
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "resolved")
	require.NoError(t, err)
	ev.expect(
		"assigned conv=c3 op=bob policy="+pyrusPolicy,
		"assigned conv=c4 op=ann policy="+pyrusPolicy,
	)
	require.Equal(t, 0, s.group(pyrusGroup).Queued)
}

// Requests wait in the form's queue; a waiting request is given out as soon
// as an operator frees a slot or switches to green. (R7: higher
// priority first, then earlier arrival.)
func TestR7_Pyrus_QueueServesPriorityThenArrivalAsSoonAsSlotFrees(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", grey, 1, pyrusGroup)
	s.addOp("bob", grey, 1, pyrusGroup)

	ev := s.subscribe(routing.Queued, routing.AllBusy, routing.Assigned)
	s.enqueueConv(routing.NewConversation{ID: "c1", Group: pyrusGroup})
	s.clk.Add(time.Minute)
	s.enqueueConv(routing.NewConversation{ID: "c2", Group: pyrusGroup, Priority: 1})
	s.clk.Add(time.Minute)
	s.enqueueConv(routing.NewConversation{ID: "c3", Group: pyrusGroup})
	ev.expect(
		`queued conv=c1 policy=`+pyrusPolicy+` pos=1 reason="no eligible operator"`,
		`queued conv=c2 policy=`+pyrusPolicy+` pos=1 reason="no eligible operator"`,
		`queued conv=c3 policy=`+pyrusPolicy+` pos=3 reason="no eligible operator"`,
	)

	// ann switches to green: she gets the urgent one at once.
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", green))
	ev.expect("assigned conv=c2 op=ann policy=" + pyrusPolicy)
	// She finishes it: the earliest of the rest is next.
	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c2", "resolved")
	require.NoError(t, err)
	ev.expect("assigned conv=c1 op=ann policy=" + pyrusPolicy)
	// bob comes on: the last one does not starve.
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", green))
	ev.expect("assigned conv=c3 op=bob policy=" + pyrusPolicy)
	require.Equal(t, 0, s.group(pyrusGroup).Queued)
}

// "To enter active processing the operator moves the toggle to green: Pyrus
// now knows they are ready to accept requests. When they leave green (the
// toggle turns grey), new requests stop coming to them."
func TestP2_Pyrus_GreenToggleReceivesGreyDoesNot(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", grey, 0, pyrusGroup)
	s.addOp("bob", grey, 0, pyrusGroup)
	ev := s.subscribe(routing.StatusChanged, routing.GroupAvailability, routing.Queued, routing.Assigned)

	s.requireQueued(s.enqueue("c1", pyrusGroup).ID, pyrusGroup)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", green))
	s.requireAssigned("c1", "ann")
	// bob (load 0) stays grey: the next chat goes to ann although she has one.
	s.requireAssigned(s.enqueue("c2", pyrusGroup).ID, "ann")
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", grey))
	s.requireQueued(s.enqueue("c3", pyrusGroup).ID, pyrusGroup)

	ev.expect(
		`queued conv=c1 policy=`+pyrusPolicy+` pos=1 reason="no eligible operator"`,
		"status-changed op=ann from=grey to=green",
		"group-availability group=support online=true",
		"assigned conv=c1 op=ann policy="+pyrusPolicy,
		"assigned conv=c2 op=ann policy="+pyrusPolicy,
		"status-changed op=ann from=green to=grey",
		"group-availability group=support online=false",
		`queued conv=c3 policy=`+pyrusPolicy+` pos=1 reason="no eligible operator"`,
	)
	require.False(t, s.group(pyrusGroup).Online)
}

// "When the toggle turns grey ... their status is shown in the list, and new
// messages from customers they already talk to keep arriving."
func TestP3_Pyrus_GreyOperatorKeepsChatsInWork(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.enqueue("c1", pyrusGroup)
	s.enqueue("c2", pyrusGroup)
	s.addOp("bob", green, 0, pyrusGroup)

	ev := s.subscribe(lifecycleKinds...)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", grey))
	ev.none() // nothing was taken from her
	s.requireAssigned("c1", "ann")
	s.requireAssigned("c2", "ann")
	s.requireOp("ann", grey, 2)
	require.Equal(t, []string{"c1", "c2"}, s.op("ann").Conversations)

	// The customer writes again into c1: it stays hers.
	c1, err := s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, "ann", c1.Assignee)
	// New chats go to bob.
	s.requireAssigned(s.enqueue("c3", pyrusGroup).ID, "bob")
	// ann still works her chats: she closes one.
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c2", "resolved")
	require.NoError(t, err)
	ev.expect(
		"assigned conv=c3 op=bob policy="+pyrusPolicy,
		`closed conv=c2 op=ann reason="resolved"`,
	)
	s.requireOp("ann", grey, 1)
}

// "To leave streaming processing completely, press the button at the top of
// the chat panel: your tasks are handed to other available support staff."
func TestP4_Pyrus_ExitShiftHandsChatsToAvailableColleagues(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.enqueue("c1", pyrusGroup)
	s.enqueue("c2", pyrusGroup)
	s.addOp("bob", green, 0, pyrusGroup)
	s.addOp("carl", green, 0, pyrusGroup)

	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged)...)
	require.NoError(t, s.r.EndShift(s.ctx, routing.ByOperator("ann"), "ann"))
	ev.expect(
		"status-changed op=ann from=green to=offline",
		"redistributed conv=c1 op=bob from=ann",
		"assigned conv=c1 op=bob from=ann policy="+pyrusPolicy,
		"redistributed conv=c2 op=carl from=ann",
		"assigned conv=c2 op=carl from=ann policy="+pyrusPolicy,
	)
	s.requireAssigned("c1", "bob")
	s.requireAssigned("c2", "carl")
	s.requireOp("ann", presence.StatusOffline, 0)
	require.Empty(t, s.op("ann").Conversations)
}

// "If the operator forgot to exit, the form's administrator can do it
// forcibly by clicking the cross next to their name."
func TestP4_Pyrus_AdminForcesForgottenOperatorOffShift(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.enqueue("c1", pyrusGroup)
	s.addOp("bob", green, 0, pyrusGroup)

	// A colleague may not do it.
	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged)...)
	before := s.freeze("c1")
	err := s.r.EndShift(s.ctx, routing.ByOperator("bob"), "ann")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()

	require.NoError(t, s.r.EndShift(s.ctx, routing.ByAdmin("lead"), "ann"))
	ev.expect(
		`status-changed op=ann from=green to=offline reason="forced off shift"`,
		"redistributed conv=c1 op=bob from=ann",
		"assigned conv=c1 op=bob from=ann policy="+pyrusPolicy,
	)
	s.requireAssigned("c1", "bob")
	s.requireOp("ann", presence.StatusOffline, 0)
}

// Exit with nobody else available: the chats are not lost, they go back to
// the form's queue (P4) and are served as soon as someone turns green.
func TestP4_Pyrus_ExitShiftWithNobodyAvailableReturnsChatsToQueue(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.addOp("bob", grey, 0, pyrusGroup)
	s.enqueue("c1", pyrusGroup)

	ev := s.subscribe(lifecycleKinds...)
	require.NoError(t, s.r.EndShift(s.ctx, routing.ByOperator("ann"), "ann"))
	ev.expect(
		"redistributed conv=c1 from=ann",
		`queued conv=c1 policy=`+pyrusPolicy+` pos=1 reason="no eligible operator"`,
	)
	s.requireQueued("c1", pyrusGroup)
	s.requireOp("ann", presence.StatusOffline, 0)
	require.Equal(t, 1, s.group(pyrusGroup).Queued)

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", green))
	ev.expect("assigned conv=c1 op=bob from=ann policy=" + pyrusPolicy)
	s.requireAssigned("c1", "bob")
}

// A chat's whole life in the form: new, in work, waiting for the customer,
// in work again, done. Every transition is an event (L1).
func TestL1_Pyrus_ChatLifecycleEvents(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", grey, 0, pyrusGroup)
	ev := s.subscribe(lifecycleKinds...)

	c := s.enqueue("c1", pyrusGroup)
	require.Equal(t, store.Queued, c.State)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", green))
	s.requireAssigned("c1", "ann")
	c, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.Equal(t, store.Waiting, c.State)
	c, err = s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Assigned, c.State)
	c, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "resolved")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c.State)
	require.Equal(t, "resolved", c.CloseReason)

	ev.expect(
		`queued conv=c1 policy=`+pyrusPolicy+` pos=1 reason="no eligible operator"`,
		"assigned conv=c1 op=ann policy="+pyrusPolicy,
		"waiting conv=c1 op=ann",
		"assigned conv=c1 op=ann policy=returned",
		`closed conv=c1 op=ann reason="resolved"`,
	)
}

// "Reply to the customer and set the status Waiting. Such a request leaves
// the queue and comes back only when the customer answers. If the operator
// the customer started with is still on shift, the task returns to them."
func TestL3_Pyrus_WaitingChatLeavesLoadAndReturnsToSameOperator(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 1, pyrusGroup)
	s.addOp("bob", green, 1, pyrusGroup)
	s.enqueue("c1", pyrusGroup) // ann
	s.enqueue("c2", pyrusGroup) // bob
	s.requireQueued(s.enqueue("c3", pyrusGroup).ID, pyrusGroup)

	ev := s.subscribe(lifecycleKinds...)
	c1, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.Equal(t, store.Waiting, c1.State)
	require.Equal(t, "ann", c1.Assignee)
	// c1 left her load and is in no queue; her freed slot took c3.
	ev.expect(
		"waiting conv=c1 op=ann",
		"assigned conv=c3 op=ann policy="+pyrusPolicy,
	)
	require.Equal(t, 0, s.group(pyrusGroup).Queued)
	s.requireOp("ann", green, 1)
	require.Equal(t, []string{"c1", "c3"}, s.op("ann").Conversations)

	// The customer answers: back to ann, although bob is as loaded as she is.
	c1, err = s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Assigned, c1.State)
	require.Equal(t, "ann", c1.Assignee)
	ev.expect("assigned conv=c1 op=ann policy=returned")
	s.requireOp("ann", green, 2)
}

// "If the operator has left the shift, the request goes to the common
// queue."
func TestL3_Pyrus_WaitingChatGoesToQueueWhenOperatorLeftShift(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.enqueue("c1", pyrusGroup)
	_, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.NoError(t, s.r.EndShift(s.ctx, routing.ByOperator("ann"), "ann"))
	s.addOp("bob", green, 0, pyrusGroup)

	ev := s.subscribe(lifecycleKinds...)
	c1, err := s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	ev.expect(
		`returned conv=c1 from=ann pos=1 reason="operator off shift"`,
		"assigned conv=c1 op=bob from=ann policy="+pyrusPolicy,
	)
	s.requireAssigned("c1", "bob")
	require.Empty(t, s.op("ann").Conversations)
	// The row CustomerReplied returns is the conversation as stored after
	// the call.
	require.Equal(t, s.conv("c1"), c1, "CustomerReplied returned a stale row")
}

// Grey is not "left the shift": "when the toggle turns grey ... their status
// is shown in the list, and new messages from customers they already talk
// to keep arriving"; only the exit button ends the shift. So a waiting chat
// of an operator who merely turned grey comes back to them (L3, P3).
func TestL3_Pyrus_WaitingChatReturnsToOperatorWhoOnlyTurnedGrey(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup)
	s.enqueue("c1", pyrusGroup)
	_, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", grey)) // toggle, not exit
	s.addOp("bob", green, 0, pyrusGroup)

	ev := s.subscribe(lifecycleKinds...)
	_, err = s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	ev.expect("assigned conv=c1 op=ann policy=returned")
	s.requireAssigned("c1", "ann")
}

// "The manager always sees how many operators are on shift, how busy they
// are and whether there is a queue."
func TestS1_Pyrus_SupervisorSeesShiftLoadAndQueue(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 1, pyrusGroup)
	s.addOp("bob", green, 2, pyrusGroup)
	s.addOp("carl", grey, 3, pyrusGroup)
	for _, id := range []string{"c1", "c2", "c3"} {
		s.enqueue(id, pyrusGroup)
	}
	s.clk.Add(time.Minute)
	s.enqueue("c4", pyrusGroup) // 09:01, waits
	s.clk.Add(time.Minute)
	s.enqueue("c5", pyrusGroup) // 09:02, waits
	s.clk.Add(3 * time.Minute)  // 09:05

	snap := s.r.Snapshot()
	require.Equal(t, scStart.Add(5*time.Minute), snap.At)
	type opView struct {
		ID, Status string
		Load, Cap  int
		Convs      []string
	}
	var ops []opView
	for _, o := range snap.Operators {
		ops = append(ops, opView{o.ID, o.Status, o.Load, o.Cap, o.Conversations})
	}
	require.Equal(t, []opView{
		{"ann", green, 1, 1, []string{"c1"}},
		{"bob", green, 2, 2, []string{"c2", "c3"}},
		{"carl", grey, 0, 3, nil},
	}, ops)
	g := s.group(pyrusGroup)
	require.True(t, g.Online)
	require.Equal(t, 2, g.Queued)
	require.Equal(t, "c4", g.Oldest)
	require.Equal(t, 4*time.Minute, g.OldestWait)
}

// The form's rule "no more than 5 active chats per person" is the cap of
// every operator without their own; the supervisor's view shows it
// (S1: operators with status, load, cap).
func TestS1_Pyrus_SnapshotShowsCapFromFormRule(t *testing.T) {
	s := newPyrus(t)
	s.addOp("ann", green, 0, pyrusGroup) // the form's rule applies: 5
	s.addOp("bob", green, 3, pyrusGroup)
	s.enqueue("c1", pyrusGroup)

	require.Equal(t, 3, s.op("bob").Cap)
	require.Equal(t, 5, s.op("ann").Cap, "snapshot cap of an operator under the group default")
}
