package routing_test

// The HelpDeskEddy omnichannel module. Requests from messengers and
// the site chat land in "Unassigned", where an operator takes one with "Take
// request"; inside a chat the operator sees the customer's previous requests
// and their responsible operator; a request is handed to another
// specialist; the supervisor sees who works on what, each operator's status
// and number of active chats, and can transfer or assign; the site chat is
// available only while the group's employees are online; a setting forbids
// switching to "Offline" while holding unfinished requests.
//
// Configuration: admin statuses "online" (everything) and "offline"
// (nothing) with a guard on "offline" while holding assigned or waiting
// requests; group "support" with
// policy.PreviousOperator(policy.Broadcast(0)).

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
	hdeGroup   = "support"
	hdePolicy  = "previous-operator(broadcast)"
	hdeOnline  = "online"
	hdeOffline = "offline"
)

// hdeStatuses are the module's operator statuses with the setting "Forbid
// switching the user's status to 'Offline' while they have requests in
// statuses ..." turned on for unfinished requests.
func hdeStatuses() *presence.Model {
	return presence.MustNew(presence.Definition{
		Statuses: []presence.Status{
			{Name: hdeOnline, Capabilities: presence.All},
			{Name: hdeOffline},
		},
		Initial:  hdeOffline,
		OffShift: hdeOffline,
		Guards: []presence.Guard{{
			To:      []string{hdeOffline},
			Holding: []store.State{store.Assigned, store.Waiting},
		}},
	})
}

func newHelpDeskEddy(t *testing.T) *scenario {
	t.Helper()
	return newScenario(t, routing.Config{
		Presence: hdeStatuses(),
		Groups:   []routing.Group{{ID: hdeGroup, Policy: policy.PreviousOperator(policy.Broadcast(0))}},
	})
}

// "Unassigned: every request that came in and has no executor yet. Clicking
// the request and 'Take request' makes you its executor."
func TestR1_HelpDeskEddy_UnassignedQueueTakeWins(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.addOp("carl", hdeOffline, 0, hdeGroup)
	ev := s.subscribe(routing.Offered, routing.OfferWithdrawn, routing.Assigned)

	s.requireOffered(s.enqueueConv(routing.NewConversation{ID: "c1", Group: hdeGroup, Channel: "vk"}).ID, "ann", "bob")
	ev.expect("offered conv=c1 ops=ann,bob policy=" + hdePolicy)
	// carl is offline: not his to take.
	before := s.freeze("c1")
	_, err := s.r.Take(s.ctx, routing.ByOperator("carl"), "c1")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()

	c1, err := s.r.Take(s.ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	require.Equal(t, "bob", c1.Assignee)
	ev.expect(
		"assigned conv=c1 op=bob policy=manual",
		"offer-withdrawn conv=c1 ops=ann",
	)
	s.requireLateTakeRefused(ev, "c1", "ann")

	s.requireOffered(s.enqueue("c2", hdeGroup).ID, "ann", "bob")
	ev.expect("offered conv=c2 ops=ann,bob policy=" + hdePolicy)
	s.requireOneTakeWins(ev, "c2", "bob", "ann")
}

// "In the chat window you can see the customer's previous requests, when
// they wrote and who was responsible, and bring in the previous responsible
// operator." (R9: a returning customer goes to the operator who served
// them last.)
func TestR9_HelpDeskEddy_ReturningCustomerGoesToPreviousOperator(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.enqueueConv(routing.NewConversation{ID: "c1", Group: hdeGroup, CustomerID: "ivan"})
	_, err := s.r.Take(s.ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("bob"), "c1", "solved")
	require.NoError(t, err)
	ev := s.subscribe(routing.Offered, routing.Assigned, routing.Queued)

	s.clk.Add(24 * time.Hour)
	c2 := s.enqueueConv(routing.NewConversation{ID: "c2", Group: hdeGroup, CustomerID: "ivan", Channel: "telegram"})
	require.Equal(t, store.Assigned, c2.State)
	require.Equal(t, "bob", c2.Assignee)
	require.Equal(t, "bob", c2.LastOperator)
	// A first-time customer goes to the unassigned list as usual.
	s.requireOffered(s.enqueueConv(routing.NewConversation{ID: "c3", Group: hdeGroup, CustomerID: "petr"}).ID, "ann", "bob")
	ev.expect(
		"assigned conv=c2 op=bob policy="+hdePolicy,
		"offered conv=c3 ops=ann,bob policy="+hdePolicy,
	)
}

// Same, when the previous operator is not online: normal routing (the
// unassigned list).
func TestR9_HelpDeskEddy_PreviousOperatorOfflineFallsBackToNormalRouting(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.enqueueConv(routing.NewConversation{ID: "c1", Group: hdeGroup, CustomerID: "ivan"})
	_, err := s.r.Take(s.ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("bob"), "c1", "solved")
	require.NoError(t, err)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", hdeOffline))
	ev := s.subscribe(routing.Offered, routing.Assigned, routing.Queued)

	s.requireOffered(s.enqueueConv(routing.NewConversation{ID: "c2", Group: hdeGroup, CustomerID: "ivan"}).ID, "ann")
	ev.expect("offered conv=c2 ops=ann policy=" + hdePolicy)
	require.Equal(t, "bob", s.conv("c2").LastOperator) // still remembered
}

// "'Forbid switching the user's status to Offline while they have requests
// in statuses ...' — a handy setting so that an employee cannot change the
// status while unprocessed or unfinished customer requests remain."
func TestP8_HelpDeskEddy_ForbidOfflineWithOpenChats(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.enqueue("c1", hdeGroup)
	s.enqueue("c2", hdeGroup)
	for _, id := range []string{"c1", "c2"} {
		_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), id)
		require.NoError(t, err)
	}
	_, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c2")
	require.NoError(t, err)
	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged, routing.GroupAvailability)...)

	refused := func() {
		t.Helper()
		before := s.freeze("c1", "c2")
		err := s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", hdeOffline)
		require.ErrorIs(t, err, routing.ErrHoldsConversations)
		err = s.r.EndShift(s.ctx, routing.ByOperator("ann"), "ann")
		require.ErrorIs(t, err, routing.ErrHoldsConversations)
		s.requireUnchanged(before)
		ev.none()
	}
	refused() // one in work, one waiting for the customer
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "solved")
	require.NoError(t, err)
	ev.take()
	refused() // still one waiting for the customer
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c2", "solved")
	require.NoError(t, err)
	ev.take()

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", hdeOffline))
	ev.expect(
		"status-changed op=ann from=online to=offline",
		"group-availability group=support online=false",
	)
}

// "Group — the live chat is available depending on whether the group's
// employees are online. If nobody is online the visitor can be offered to
// leave a request through the feedback form."
func TestP10_HelpDeskEddy_ChatOfflineFormWhenGroupOffline(t *testing.T) {
	s := newHelpDeskEddy(t)
	ev := s.subscribe(routing.GroupAvailability)
	s.addOp("ann", hdeOffline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.addOp("carl", hdeOnline, 0, hdeGroup)
	require.True(t, s.group(hdeGroup).Online)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", hdeOffline))
	require.True(t, s.group(hdeGroup).Online)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("carl"), "carl", hdeOffline))
	g := s.group(hdeGroup)
	require.False(t, g.Online)
	require.Equal(t, 0, g.Accepting)
	ev.expect(
		"group-availability group=support online=true",
		"group-availability group=support online=false",
	)

	// The feedback form's request waits for the first one back.
	s.requireQueued(s.enqueue("c1", hdeGroup).ID, hdeGroup)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", hdeOnline))
	ev.expect("group-availability group=support online=true")
	s.requireOffered("c1", "ann")
}

// A request's life: unassigned, taken, waiting for the customer, answered,
// "Finish conversation" (L1).
func TestL1_HelpDeskEddy_ConversationLifecycleEvents(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	ev := s.subscribe(lifecycleKinds...)

	s.requireOffered(s.enqueue("c1", hdeGroup).ID, "ann")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	c, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.Equal(t, store.Waiting, c.State)
	_, err = s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	s.requireAssigned("c1", "ann")
	c, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "finished")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c.State)
	ev.expect(
		"offered conv=c1 ops=ann policy="+hdePolicy,
		"assigned conv=c1 op=ann policy=manual",
		"waiting conv=c1 op=ann",
		"assigned conv=c1 op=ann policy=returned",
		`closed conv=c1 op=ann reason="finished"`,
	)
}

// "The closing action of a dialog may be handing the request to another
// employee-specialist (e.g. for further discussion and solution)."
func TestL6_HelpDeskEddy_TransferToColleague(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.addOp("carl", hdeOffline, 0, hdeGroup)
	s.enqueue("c1", hdeGroup)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(lifecycleKinds...)

	before := s.freeze("c1")
	_, err = s.r.TransferToOperator(s.ctx, routing.ByOperator("ann"), "c1", "carl") // offline
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()

	c1, err := s.r.TransferToOperator(s.ctx, routing.ByOperator("ann"), "c1", "bob")
	require.NoError(t, err)
	require.Equal(t, "bob", c1.Assignee)
	ev.expect("transferred conv=c1 op=bob from=ann")
	s.requireOp("ann", hdeOnline, 0)
	s.requireOp("bob", hdeOnline, 1)
}

// "The supervisor or manager can see which operator works on which
// requests, read the conversation, transfer it, assign an executor."
func TestL7_HelpDeskEddy_SupervisorAssignsExecutor(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.requireOffered(s.enqueue("c1", hdeGroup).ID, "ann", "bob")
	ev := s.subscribe(lifecycleKinds...)

	before := s.freeze("c1")
	_, err := s.r.Assign(s.ctx, routing.ByOperator("bob"), "c1", "bob") // not a supervisor
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	_, err = s.r.Assign(s.ctx, routing.ByAdmin("supervisor"), "c1", "nobody")
	require.ErrorIs(t, err, routing.ErrNotFound)
	s.requireUnchanged(before)
	ev.none()

	c1, err := s.r.Assign(s.ctx, routing.ByAdmin("supervisor"), "c1", "bob")
	require.NoError(t, err)
	require.Equal(t, "bob", c1.Assignee)
	ev.expect(
		"assigned conv=c1 op=bob policy=admin",
		"offer-withdrawn conv=c1 ops=ann",
	)
}

// Same passage: the supervisor transfers a conversation in work.
func TestL7_HelpDeskEddy_SupervisorTransfersActiveConversation(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.enqueue("c1", hdeGroup)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(lifecycleKinds...)

	c1, err := s.r.TransferToOperator(s.ctx, routing.ByAdmin("supervisor"), "c1", "bob")
	require.NoError(t, err)
	require.Equal(t, "bob", c1.Assignee)
	ev.expect("transferred conv=c1 op=bob from=ann")
	require.Equal(t, []string{"c1"}, s.op("bob").Conversations)
	require.Empty(t, s.op("ann").Conversations)
}

// "Operators: all operators working in the system, their current status,
// the number of active chats ..."; "Active conversations: which operator
// works on which requests"; "Unassigned": what nobody has yet.
func TestS1_HelpDeskEddy_SupervisorOperatorsView(t *testing.T) {
	s := newHelpDeskEddy(t)
	s.addOp("ann", hdeOnline, 0, hdeGroup)
	s.addOp("bob", hdeOnline, 0, hdeGroup)
	s.addOp("carl", hdeOffline, 0, hdeGroup)
	for _, id := range []string{"c1", "c2", "c3"} {
		s.enqueue(id, hdeGroup)
	}
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	_, err = s.r.Take(s.ctx, routing.ByOperator("ann"), "c2")
	require.NoError(t, err)
	s.clk.Add(30 * time.Second)
	s.enqueue("c4", hdeGroup)
	s.clk.Add(90 * time.Second)

	snap := s.r.Snapshot()
	type row struct {
		ID, Status string
		Load       int
		Convs      []string
		Offers     int
	}
	var got []row
	for _, o := range snap.Operators {
		got = append(got, row{o.ID, o.Status, o.Load, o.Conversations, o.Offers})
	}
	require.Equal(t, []row{
		{"ann", hdeOnline, 2, []string{"c1", "c2"}, 2},
		{"bob", hdeOnline, 0, nil, 2},
		{"carl", hdeOffline, 0, nil, 0},
	}, got)
	g := s.group(hdeGroup)
	require.Equal(t, 2, g.Queued) // c3 and c4 unassigned
	require.Equal(t, "c3", g.Oldest)
	require.Equal(t, 2*time.Minute, g.OldestWait)
	require.Equal(t, hdePolicy, g.Policy)
}
