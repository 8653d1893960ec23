package routing_test

// The BPMSoft model, "Chats" tab of the communication panel. An operator in
// status "Active" sees the list of new chats and accepts one with "Accept
// chat"; "Inactive" gets no new chats but still sees and answers the ones
// they accepted; logging out sets Inactive. At most 5 chats at once by
// default. Chats are transferred to another queue or operator; writing into
// a finished chat creates a new chat record; an operator may start a chat
// with a contact; only the responsible operator sees an unfinished chat.
//
// Configuration: presence.ActiveInactive(); queue "chats" with
// policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 5}).

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

const (
	bpmChats   = "chats"
	bpmService = "service"
	bpmPolicy  = "capped(broadcast)"
	active     = presence.StatusActive
	inactive   = presence.StatusInactive
)

// bpmQueue is a chat queue with the "Number of simultaneous chats" system
// setting at its default, 5.
func bpmQueue(id string) routing.Group {
	return routing.Group{ID: id, Policy: policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 5})}
}

// newBPMSoft has two chat queues, "chats" and "service".
func newBPMSoft(t *testing.T) *scenario {
	t.Helper()
	return newScenario(t, routing.Config{
		Presence: presence.ActiveInactive(),
		Groups:   []routing.Group{bpmQueue(bpmChats), bpmQueue(bpmService)},
	})
}

// "The tab has two lists: active chats taken into work and new chats waiting
// to be processed. To start on a new chat press 'Accept chat': the chat moves
// to the Active list and you become its responsible operator."
func TestR1_BPMSoft_NewChatsListFirstAcceptWins(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats)
	s.addOp("carl", inactive, 0, bpmChats)
	ev := s.subscribe(routing.Offered, routing.OfferWithdrawn, routing.Assigned)

	s.requireOffered(s.enqueue("c1", bpmChats).ID, "ann", "bob")
	c1, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.Equal(t, "ann", c1.Assignee)
	ev.expect(
		"offered conv=c1 ops=ann,bob policy="+bpmPolicy,
		"assigned conv=c1 op=ann policy=manual",
		"offer-withdrawn conv=c1 ops=bob",
	)
	s.requireLateTakeRefused(ev, "c1", "bob")

	// Both press "Accept chat" at the same instant.
	s.requireOffered(s.enqueue("c2", bpmChats).ID, "ann", "bob")
	ev.expect("offered conv=c2 ops=ann,bob policy=" + bpmPolicy)
	s.requireOneTakeWins(ev, "c2", "ann", "bob")
}

// "The maximum number of chats available for simultaneous processing is 5 by
// default and is set in the system setting 'Number of simultaneous chats'."
// (R3: caps per operator, with a default per group.)
func TestR3_BPMSoft_DefaultFiveSimultaneousChats(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats) // the default: 5
	s.addOp("bob", active, 2, bpmChats) // his own: 2
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5"} {
		s.enqueue(id, bpmChats)
		_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), id)
		require.NoError(t, err)
	}
	s.requireOp("ann", active, 5)

	ev := s.subscribe(routing.Offered, routing.Queued, routing.Assigned, routing.OfferWithdrawn)
	s.requireOffered(s.enqueue("c6", bpmChats).ID, "bob") // not in ann's new-chats list
	before := s.freeze("c6")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c6")
	require.ErrorIs(t, err, routing.ErrOverCapacity)
	s.requireUnchanged(before)

	_, err = s.r.Take(s.ctx, routing.ByOperator("bob"), "c6")
	require.NoError(t, err)
	s.enqueue("c7", bpmChats)
	_, err = s.r.Take(s.ctx, routing.ByOperator("bob"), "c7")
	require.NoError(t, err)
	s.requireQueued(s.enqueue("c8", bpmChats).ID, bpmChats)
	ev.expect(
		"offered conv=c6 ops=bob policy="+bpmPolicy,
		"assigned conv=c6 op=bob policy=manual",
		"offered conv=c7 ops=bob policy="+bpmPolicy,
		"assigned conv=c7 op=bob policy=manual",
		`queued conv=c8 policy=`+bpmPolicy+` pos=1 reason="every eligible operator is at cap"`,
	)
	s.requireOp("bob", active, 2)

	// ann finishes one: the waiting chat appears in her list again.
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "finished")
	require.NoError(t, err)
	ev.expect("offered conv=c8 ops=ann policy=" + bpmPolicy)
}

// Same setting: a chat already in the new-chats list of an operator who
// reaches 5 by accepting another one leaves their list (R3: an
// operator at cap gets nothing; the chat goes to someone below cap).
func TestR3_BPMSoft_OffersWithdrawnFromOperatorReachingCap(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats)
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		s.enqueue(id, bpmChats)
		_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), id)
		require.NoError(t, err)
	}
	s.requireOffered(s.enqueue("c5", bpmChats).ID, "ann", "bob")
	s.requireOffered(s.enqueue("c6", bpmChats).ID, "ann", "bob")

	ev := s.subscribe(routing.Offered, routing.OfferWithdrawn, routing.Assigned)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c5") // her fifth
	require.NoError(t, err)
	s.requireOp("ann", active, 5)
	ev.expect(
		"assigned conv=c5 op=ann policy=manual",
		"offer-withdrawn conv=c5 ops=bob",
		"offer-withdrawn conv=c6 ops=ann",
	)
	s.requireOffered("c6", "bob")
	require.Equal(t, 0, s.op("ann").Offers)
}

// "To start working with chats select the status 'Active' ... New chats are
// not distributed to an operator with status 'Inactive'."
func TestP2_BPMSoft_ActiveReceivesInactiveDoesNot(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", inactive, 0, bpmChats)
	ev := s.subscribe(routing.Offered, routing.Assigned, routing.StatusChanged, routing.GroupAvailability)

	s.requireOffered(s.enqueue("c1", bpmChats).ID, "ann")
	before := s.freeze("c1")
	_, err := s.r.Take(s.ctx, routing.ByOperator("bob"), "c1")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", active))
	s.requireOffered("c1", "ann", "bob")
	ev.expect(
		"offered conv=c1 ops=ann policy="+bpmPolicy,
		"status-changed op=bob from=inactive to=active",
		"offered conv=c1 ops=bob policy="+bpmPolicy,
	)
}

// "An operator with status 'Inactive' sees only the old chats they once
// accepted, but can still send replies in them."
func TestP3_BPMSoft_InactiveOperatorKeepsAndAnswersOldChats(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats)
	for _, id := range []string{"c1", "c2"} {
		s.enqueue(id, bpmChats)
		_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), id)
		require.NoError(t, err)
	}
	ev := s.subscribe(lifecycleKinds...)

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", inactive))
	ev.none()
	s.requireOp("ann", inactive, 2)
	require.Equal(t, []string{"c1", "c2"}, s.op("ann").Conversations)
	c1, err := s.r.CustomerReplied(s.ctx, "c1") // the customer writes: still hers
	require.NoError(t, err)
	require.Equal(t, "ann", c1.Assignee)
	s.requireOffered(s.enqueue("c3", bpmChats).ID, "bob")
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c2", "finished") // she still works it
	require.NoError(t, err)
	ev.expect(
		"offered conv=c3 ops=bob policy="+bpmPolicy,
		`closed conv=c2 op=ann reason="finished"`,
	)
	s.requireAssigned("c1", "ann")
	s.requireOp("ann", inactive, 1)
}

// "After the operator logs out, their status automatically becomes
// 'Inactive' so that new chats are not distributed to them. At the next log
// in, to start working with chats the operator must set 'Active' again."
func TestP7_BPMSoft_LogOutSetsInactiveKeepingChats(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats)
	s.enqueue("c1", bpmChats)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(routing.StatusChanged, routing.Offered, routing.Assigned, routing.Returned, routing.Redistributed)

	require.NoError(t, s.r.LogOut(s.ctx, routing.ByOperator("ann"), "ann"))
	s.requireOp("ann", inactive, 1)
	s.requireAssigned("c1", "ann")
	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("ann"), "ann"))
	s.requireOp("ann", inactive, 1) // log in does not activate
	s.requireOffered(s.enqueue("c2", bpmChats).ID, "bob")
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", active))
	s.requireOffered("c2", "ann", "bob")
	ev.expect(
		"status-changed op=ann from=active to=inactive",
		"offered conv=c2 ops=bob policy="+bpmPolicy,
		"status-changed op=ann from=inactive to=active",
		"offered conv=c2 ops=ann policy="+bpmPolicy,
	)
}

// A chat from arrival to "Finish chat": waiting in the queue while nobody is
// active, in the new-chats list, accepted, finished (L1).
func TestL1_BPMSoft_ChatLifecycleEvents(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", inactive, 0, bpmChats)
	ev := s.subscribe(lifecycleKinds...)

	s.requireQueued(s.enqueue("c1", bpmChats).ID, bpmChats)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", active))
	s.requireOffered("c1", "ann")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	s.requireAssigned("c1", "ann")
	c1, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "finished")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c1.State)
	ev.expect(
		`queued conv=c1 policy=`+bpmPolicy+` pos=1 reason="no eligible operator"`,
		"offered conv=c1 ops=ann policy="+bpmPolicy,
		"assigned conv=c1 op=ann policy=manual",
		`closed conv=c1 op=ann reason="finished"`,
	)
}

// "If the customer writes into a finished chat, the chat with the history of
// the conversation appears again in the new-chats list, and a new chat
// record is created." (L5: linked to the old one, routed with
// previous-operator preference.)
func TestL5_BPMSoft_WritingIntoFinishedChatOpensLinkedChat(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats)
	s.enqueueConv(routing.NewConversation{ID: "c1", Group: bpmChats, Channel: "telegram", CustomerID: "cust-1"})
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	s.enqueue("c2", bpmChats)
	_, err = s.r.Take(s.ctx, routing.ByOperator("ann"), "c2") // ann is busier than bob
	require.NoError(t, err)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "finished")
	require.NoError(t, err)
	ev := s.subscribe(lifecycleKinds...)

	// Writing into the finished chat is not a reply to it.
	before := s.freeze("c1", "c2")
	_, err = s.r.CustomerReplied(s.ctx, "c1")
	require.ErrorIs(t, err, routing.ErrWrongState)
	_, err = s.r.Reopen(s.ctx, "c2", routing.NewConversation{ID: "c2-again"}) // c2 is not finished
	require.ErrorIs(t, err, routing.ErrWrongState)
	s.requireUnchanged(before)
	ev.none()

	c3, err := s.r.Reopen(s.ctx, "c1", routing.NewConversation{ID: "c3"})
	require.NoError(t, err)
	require.Equal(t, "c1", c3.LinkedTo)
	require.Equal(t, bpmChats, c3.Group)
	require.Equal(t, "telegram", c3.Channel)
	require.Equal(t, "cust-1", c3.CustomerID)
	require.Equal(t, store.Assigned, c3.State)
	require.Equal(t, "ann", c3.Assignee)
	ev.expect("assigned conv=c3 op=ann policy=previous-operator(" + bpmPolicy + ")")
	old := s.conv("c1")
	require.Equal(t, store.Closed, old.State)

	// The previous operator is inactive: the new chat goes to the list.
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c3", "finished")
	require.NoError(t, err)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", inactive))
	ev.take()
	c4, err := s.r.Reopen(s.ctx, "c3", routing.NewConversation{ID: "c4"})
	require.NoError(t, err)
	require.Equal(t, "c3", c4.LinkedTo)
	require.Equal(t, store.Offered, c4.State)
	require.Equal(t, []string{"bob"}, c4.OfferedTo)
	ev.expect("offered conv=c4 ops=bob policy=previous-operator(" + bpmPolicy + ")")
}

// "If the customer asks about something outside the channel's topic you can
// hand the chat to another queue."
func TestL6_BPMSoft_TransferToAnotherQueue(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("dan", active, 0, bpmService)
	s.enqueue("c1", bpmChats)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(lifecycleKinds...)

	c1, err := s.r.TransferToGroup(s.ctx, routing.ByOperator("ann"), "c1", bpmService)
	require.NoError(t, err)
	require.Equal(t, bpmService, c1.Group)
	require.Equal(t, store.Offered, c1.State)
	require.Equal(t, []string{"dan"}, c1.OfferedTo)
	ev.expect(
		"transferred conv=c1 op=ann from=chats to=service",
		"offered conv=c1 ops=dan policy="+bpmPolicy,
	)
	s.requireOp("ann", active, 0)
}

// "... or transfer the chat to a particular employee: a list of operators
// opens, with each operator's status." An inactive operator does not take
// new chats, transfers included.
func TestL6_BPMSoft_TransferToOperatorNotToInactive(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats)
	s.addOp("carl", inactive, 0, bpmChats)
	s.enqueue("c1", bpmChats)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(lifecycleKinds...)

	before := s.freeze("c1")
	_, err = s.r.TransferToOperator(s.ctx, routing.ByOperator("ann"), "c1", "carl")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	_, err = s.r.TransferToOperator(s.ctx, routing.ByOperator("ann"), "c1", "nobody")
	require.ErrorIs(t, err, routing.ErrNotFound)
	s.requireUnchanged(before)
	ev.none()

	c1, err := s.r.TransferToOperator(s.ctx, routing.ByOperator("ann"), "c1", "bob")
	require.NoError(t, err)
	require.Equal(t, "bob", c1.Assignee)
	ev.expect("transferred conv=c1 op=bob from=ann")
	s.requireOp("ann", active, 0)
	s.requireOp("bob", active, 1)
}

// "The operator can not only answer incoming messages but also be the first
// to start a new conversation with a customer", from the contact's page.
func TestL8_BPMSoft_OperatorStartsChat(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats)
	s.enqueue("c1", bpmChats)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(lifecycleKinds...)

	before := s.freeze("c1")
	_, err = s.r.StartOutbound(s.ctx, routing.ByOperator("nobody"), routing.NewConversation{ID: "o1", Group: bpmChats}, "nobody")
	require.ErrorIs(t, err, routing.ErrNotFound)
	s.requireUnchanged(before)
	ev.none()

	o1, err := s.r.StartOutbound(s.ctx, routing.ByOperator("ann"), routing.NewConversation{ID: "o1", Group: bpmChats, Channel: "whatsapp", CustomerID: "cust-7"}, "ann")
	require.NoError(t, err)
	require.Equal(t, store.Assigned, o1.State)
	require.Equal(t, "ann", o1.Assignee) // not bob, who is less loaded
	require.Empty(t, o1.OfferedTo)
	ev.expect("assigned conv=o1 op=ann policy=outbound")
	s.requireOp("ann", active, 2)
	require.Equal(t, 0, s.group(bpmChats).Queued)
}

// "Messages of unfinished chats can be viewed on the Chats tab only by the
// operator who is currently responsible for the chat." (L11: others get
// a permission error; supervisors may act.)
func TestL11_BPMSoft_OnlyResponsibleOperatorActsOnChat(t *testing.T) {
	s := newBPMSoft(t)
	s.addOp("ann", active, 0, bpmChats)
	s.addOp("bob", active, 0, bpmChats, bpmService)
	s.enqueue("c1", bpmChats)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged)...)

	before := s.freeze("c1")
	bob := routing.ByOperator("bob")
	_, err = s.r.CloseConversation(s.ctx, bob, "c1", "finished")
	require.ErrorIs(t, err, routing.ErrNotAssignee)
	_, err = s.r.MarkWaiting(s.ctx, bob, "c1")
	require.ErrorIs(t, err, routing.ErrNotAssignee)
	_, err = s.r.TransferToOperator(s.ctx, bob, "c1", "bob")
	require.ErrorIs(t, err, routing.ErrNotAssignee)
	_, err = s.r.TransferToGroup(s.ctx, bob, "c1", bpmService)
	require.ErrorIs(t, err, routing.ErrNotAssignee)
	_, err = s.r.Release(s.ctx, bob, "c1")
	require.ErrorIs(t, err, routing.ErrNotAssignee)
	s.requireUnchanged(before)
	ev.none()

	// A supervisor may.
	c1, err := s.r.CloseConversation(s.ctx, routing.ByAdmin("supervisor"), "c1", "finished by supervisor")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c1.State)
	ev.expect(`closed conv=c1 op=ann reason="finished by supervisor"`)
}
