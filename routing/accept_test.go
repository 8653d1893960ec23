package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// TestL2_BPMSoft_AcceptTimeoutReroutes: "if the operator does not accept the
// chat within the set time, it goes to another operator" and counts as
// missed for the first; accepting in time, or answering, keeps it.
func TestL2_BPMSoft_AcceptTimeoutReroutes(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.ActiveInactive(), routing.Group{ID: "chats", AcceptTimeout: 2 * time.Minute,
		Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})})
	for _, id := range []string{"ann", "bob"} {
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"chats"}, Status: presence.StatusActive})
		require.NoError(t, err)
		clk.Add(time.Second) // ann has waited longest
	}
	sub := r.Subscribe(routing.Missed, routing.Assigned)

	c1, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "chats"})
	require.NoError(t, err)
	require.Equal(t, "ann", c1.Assignee)
	c2, err := r.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "chats"})
	require.NoError(t, err)
	require.Equal(t, "bob", c2.Assignee)
	_, err = r.Accept(ctx, routing.ByOperator("bob"), "c2")
	require.NoError(t, err)
	drainStrings(sub)

	clk.Add(2 * time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{
		"missed conv=c1 group=chats ops=[ann]",
		"assigned conv=c1 group=chats op=bob policy=capped(least-loaded)",
	}, drainStrings(sub))
	c1.Conversation, err = r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []string{"ann"}, c1.MissedBy)

	// bob answers instead of pressing accept: accepted too.
	_, err = r.OperatorReplied(ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	clk.Add(time.Hour)
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	snap := r.Snapshot()
	require.Equal(t, 0, snap.Operators[0].Load) // ann
	require.Equal(t, 2, snap.Operators[1].Load) // bob
}

// TestL2_AcceptTimeoutBackToTheOnlyOperator: when nobody else is eligible
// the conversation goes back to the operator who missed it, with a new
// time to accept, rather than wait in the queue.
func TestL2_AcceptTimeoutBackToTheOnlyOperator(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.Standard(), routing.Group{ID: "site", AcceptTimeout: time.Minute})
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"site"}, Status: presence.StatusReady})
	require.NoError(t, err)
	sub := r.Subscribe(routing.Missed, routing.Assigned, routing.Queued)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "site"})
	require.NoError(t, err)
	clk.Add(time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{
		"assigned conv=c1 group=site op=ann policy=capped(least-loaded)",
		"missed conv=c1 group=site ops=[ann]",
		"assigned conv=c1 group=site op=ann policy=capped(least-loaded)",
	}, drainStrings(sub))
	c1, err := r.Conversation(ctx, "c1")
	require.NoError(t, err)
	d, ok := store.DeadlineOf(c1.Deadlines, store.AcceptTimeout)
	require.True(t, ok)
	require.Equal(t, clk.Now().Add(time.Minute), d.Due)
	require.Equal(t, 1, r.Snapshot().Operators[0].Load)
}

// TestL2_Cleversite_OfferNotTakenGoesToOthers: in general mode a dialog
// nobody took in time is offered to operators who came on shift since, not
// again to those who let it pass; a take is an acceptance.
func TestL2_Cleversite_OfferNotTakenGoesToOthers(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.Standard(), routing.Group{ID: "site", Policy: policy.Broadcast(0), AcceptTimeout: 10 * time.Minute})
	for _, id := range []string{"ann", "bob"} {
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"site"}, Status: presence.StatusReady})
		require.NoError(t, err)
	}
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "site"})
	require.NoError(t, err)
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "cat", Groups: []string{"site"}, Status: presence.StatusReady})
	require.NoError(t, err)
	c1, err := r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"ann", "bob", "cat"}, c1.OfferedTo)
	sub := r.Subscribe(routing.Missed, routing.OfferWithdrawn, routing.Offered)

	clk.Add(10 * time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	// The miss took the offers back; the offers made again are reported
	// as such, to every operator's console.
	require.Equal(t, []string{
		"missed conv=c1 group=site ops=[ann bob cat]",
		"offered conv=c1 group=site ops=[ann bob cat] policy=broadcast",
	}, drainStrings(sub))
	c1, err = r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, store.Offered, c1.State)
	require.ElementsMatch(t, []string{"ann", "bob", "cat"}, c1.MissedBy)
	// Everyone missed it: offered to all of them again.
	require.ElementsMatch(t, []string{"ann", "bob", "cat"}, c1.OfferedTo)

	// Someone new comes on shift: the offer moves to them at once.
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "dan", Groups: []string{"site"}, Status: presence.StatusReady})
	require.NoError(t, err)
	c1, err = r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []string{"dan"}, c1.OfferedTo, "those who missed it are passed over")

	_, err = r.Take(ctx, routing.ByOperator("dan"), "c1")
	require.NoError(t, err)
	clk.Add(time.Hour)
	require.NoError(t, r.ProcessDue(ctx))
	c1, err = r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, "dan", c1.Assignee)
	require.Empty(t, c1.Deadlines)
}

// TestL2_OffersLeftAfterAWithdrawalAreStillTakenBack: a broadcast offer to
// two operators, one of whom goes away, stays offered to the other, and is
// still taken back when nobody accepts it by the time set when it was
// offered.
func TestL2_OffersLeftAfterAWithdrawalAreStillTakenBack(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.Standard(), routing.Group{ID: "sales", AcceptTimeout: time.Minute, Policy: policy.Broadcast(0)})
	for _, id := range []string{"ann", "bob"} {
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"sales"}, Status: presence.StatusReady})
		require.NoError(t, err)
	}
	c1, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "sales"})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"ann", "bob"}, c1.OfferedTo)
	sub := r.Subscribe(routing.Missed, routing.OfferWithdrawn)

	clk.Add(30 * time.Second)
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("bob"), "bob", presence.StatusAway))
	require.Equal(t, []string{"offer-withdrawn conv=c1 group=sales ops=[bob]"}, drainStrings(sub))
	c1.Conversation, err = r.Conversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []string{"ann"}, c1.OfferedTo)

	clk.Add(30 * time.Second)
	require.NoError(t, r.ProcessDue(ctx))
	got := drainStrings(sub)
	require.NotEmpty(t, got, "the offer left to ann was not taken back")
	require.Equal(t, "missed conv=c1 group=sales ops=[ann]", got[0])
}
