package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// offersView returns a broadcast view of sales and support, where ann
// serves both and bob sales, with o1 offered to ann and bob, o2 to ann,
// o3 to bob (all in sales), and u1 to ann in support.
func offersView(t *testing.T, p policy.Policy) (*View, *book) {
	t.Helper()
	r := presence.StatusReady
	v := newView(t, groupOf("sales", p), groupOf("support", policy.Broadcast(0)))
	b := newBook(t, v, []store.Operator{
		operatorRow("ann", r, "sales", "support"),
		operatorRow("bob", r, "sales"),
	}, []store.Conversation{
		offeredRow("o3", "sales", 3, "bob"),
		offeredRow("o1", "sales", 1, "ann", "bob"),
		offeredRow("o2", "sales", 2, "ann"),
		offeredRow("u1", "support", 4, "ann"),
	})
	return v, b
}

// ids returns the ids of cs.
func ids(cs []store.Conversation) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// TestR3_WithdrawalsAfterLeavingOfferStatus: once an operator's status
// no longer allows offers, WithdrawalsOf returns, in Seq order, the
// conversations offered to them, each with the offers still eligible
// kept; one left with none goes back to the queue. Once stored, the
// withdrawals are reported (R1) and nothing is left to withdraw.
func TestR3_WithdrawalsAfterLeavingOfferStatus(t *testing.T) {
	v, b := offersView(t, policy.Broadcast(0))
	cs, ds := v.WithdrawalsOf("ann", nil)
	require.Empty(t, cs, "ann may hold her offers")
	require.Empty(t, ds)
	require.Equal(t, 3, operatorInfo(t, v, "ann").Offers)

	b.absorbStatus(v, "ann", presence.StatusAway, t0)
	require.False(t, v.Accepting("ann"))
	cs, ds = v.WithdrawalsOf("ann", nil)
	require.Equal(t, []string{"o1", "o2", "u1"}, ids(cs))
	require.Equal(t, policy.Offer, ds[0].Action)
	require.Equal(t, []string{"bob"}, ds[0].Operators, "bob's offer is kept")
	require.Equal(t, []string{presence.StatusReady, presence.StatusCanHelp}, ds[0].Require.OfferStatuses)
	require.Equal(t, policy.Keep, ds[1].Action)
	require.Equal(t, policy.Keep, ds[2].Action)

	_, evs := b.route(v, cs[0], ds[0], t0, all)
	require.Equal(t, []Event{{Kind: OfferWithdrawn, Conversation: "o1", Group: "sales", Operators: []string{"ann"}}}, evs)
	_, evs = b.route(v, cs[1], ds[1], t0, all)
	require.Equal(t, []Event{
		{Kind: Queued, Conversation: "o2", Group: "sales", Position: 2, Reason: "offers withdrawn"},
		{Kind: OfferWithdrawn, Conversation: "o2", Group: "sales", Operators: []string{"ann"}},
	}, evs)
	b.route(v, cs[2], ds[2], t0, 0)

	o1, _ := v.Conversation("o1")
	require.Equal(t, store.Offered, o1.State)
	require.Equal(t, []string{"bob"}, o1.OfferedTo)
	o2, _ := v.Conversation("o2")
	require.Equal(t, store.Queued, o2.State)
	require.Empty(t, o2.OfferedTo)
	cs, _ = v.WithdrawalsOf("ann", nil)
	require.Empty(t, cs)
	require.Zero(t, operatorInfo(t, v, "ann").Offers)
	require.Equal(t, 2, operatorInfo(t, v, "bob").Offers)
}

// TestR3_WithdrawalsAfterLeavingGroup: an operator who leaves a group
// (an UpdateOperator row) may hold no offer of it; the group they left
// is looked at only when given as extra, as the Router does.
func TestR3_WithdrawalsAfterLeavingGroup(t *testing.T) {
	v, b := offersView(t, policy.Broadcast(0))
	row := b.setGroups("ann", "support")
	p := Plan{Write: UpdateOperator, Operator: row}
	v.Absorb(&p, &Outcome{Operator: row}, true, at(0))
	require.True(t, v.Accepting("ann"))

	cs, _ := v.WithdrawalsOf("ann", nil)
	require.Empty(t, cs, "support is ann's, and her offer there holds")
	cs, ds := v.WithdrawalsOf("ann", []string{"sales"})
	require.Equal(t, []string{"o1", "o2"}, ids(cs))
	require.Equal(t, []string{"bob"}, ds[0].Operators)
	require.Equal(t, policy.Keep, ds[1].Action)

	// A group given twice yields its conversations once.
	cs, _ = v.WithdrawalsOf("ann", []string{"sales", "sales"})
	require.Equal(t, []string{"o1", "o2"}, ids(cs))

	for i := range cs {
		b.route(v, cs[i], ds[i], t0, 0)
	}
	cs, _ = v.WithdrawalsOf("ann", []string{"sales"})
	require.Empty(t, cs)
	u1, _ := v.Conversation("u1")
	require.Equal(t, []string{"ann"}, u1.OfferedTo)
}

// TestR3_WithdrawalsAtCap: an operator who reaches their cap may hold no
// offer under a capped policy; their other offerees keep theirs.
func TestR3_WithdrawalsAtCap(t *testing.T) {
	v, b := offersView(t, policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1}))

	// ann takes o2 by hand: load 1, her cap.
	ch := store.Change{Conversation: "o2", From: []store.State{store.Offered}, To: store.Assigned, NewAssignee: "ann", At: t0}
	p := PlanApply(ch)
	out := b.commit(v, &p, t0)
	require.Equal(t, "ann", out.Result.Gained.Operator)
	ev := Events{Wanted: all}
	require.Empty(t, v.Report(&p, &out, &ev), "a plan that routes nothing")
	require.Empty(t, ev.List)

	cs, ds := v.WithdrawalsOf("ann", nil)
	require.Equal(t, []string{"o1"}, ids(cs), "u1's group does not cap ann")
	require.Equal(t, []string{"bob"}, ds[0].Operators)
	require.Equal(t, []string{"o2"}, operatorInfo(t, v, "ann").Conversations)
}

// TestL2_DecideMissedPassesOverThoseWhoMissed: an assignment nobody
// accepted in time goes to someone else, and the one who missed it is
// recorded; with nobody else eligible it goes back to them.
func TestL2_DecideMissedPassesOverThoseWhoMissed(t *testing.T) {
	r := presence.StatusReady
	cfg := groupOf("sales", policy.LeastLoaded())
	cfg.AcceptTimeout = 30 * time.Second
	c1 := assignedRow("c1", "sales", 1, "ann")
	c1.Deadlines = []store.Deadline{{Kind: store.AcceptTimeout, Due: t0}}
	v := newView(t, cfg)
	b := newBook(t, v, []store.Operator{
		loaded(operatorRow("ann", r, "sales"), 1, t0.Add(-10*time.Minute)),
		loaded(operatorRow("bob", r, "sales"), 1, t0.Add(-time.Minute)),
	}, []store.Conversation{c1})
	it, dc, _, ok := v.Due(at(0))
	require.True(t, ok)
	require.Equal(t, store.AcceptTimeout, it.Kind)
	require.Equal(t, "c1", dc.ID)

	// ann comes first in candidate order, but she missed it.
	d, missed, ok := v.DecideMissed(c1, t0)
	require.True(t, ok)
	require.Equal(t, []string{"ann"}, missed)
	require.Equal(t, []string{"ann"}, d.Missed)
	require.Equal(t, policy.Assign, d.Action)
	require.Equal(t, "bob", d.Operator)
	ch := d.Change(c1, t0)
	require.Equal(t, []string{"ann"}, ch.AddMissed)
	require.Equal(t, c1.Version, ch.Version)
	require.Equal(t, "bob", ch.NewAssignee)
	require.True(t, ch.SetDeadlines)
	require.Equal(t, []store.Deadline{{Kind: store.AcceptTimeout, Due: t0.Add(30 * time.Second)}}, ch.Deadlines, "bob has 30s to accept")

	b.route(v, c1, d, t0, 0)
	c, _ := v.Conversation("c1")
	require.Equal(t, "bob", c.Assignee)
	require.Equal(t, []string{"ann"}, c.MissedBy)
	require.Empty(t, v.Held("ann"))
	require.Equal(t, []string{"c1"}, v.Held("bob"))

	// bob misses it too, and only he is left eligible besides ann, who
	// goes away: bob gets it again.
	b.absorbStatus(v, "ann", presence.StatusAway, t0)
	d, missed, ok = v.DecideMissed(c, t0.Add(30*time.Second))
	require.True(t, ok)
	require.Equal(t, []string{"bob"}, missed)
	require.Equal(t, policy.Assign, d.Action)
	require.Equal(t, "bob", d.Operator, "nobody else is eligible")
	v.Absorb(&Plan{Routed: true, Decision: d}, &Outcome{}, false, at(0))

	q := queuedRow("q", "sales", 9)
	_, _, ok = v.DecideMissed(q, t0)
	require.False(t, ok, "a queued conversation missed nothing")
	_, _, ok = v.DecideMissed(assignedRow("x", "nope", 10, "bob"), t0)
	require.False(t, ok, "unknown group")
}

// TestL2_DecideMissedOffer: an offer everyone let time out goes to the
// others eligible, passing over those who missed it before too; with
// nobody else, to everyone eligible again.
func TestL2_DecideMissedOffer(t *testing.T) {
	cfg := groupOf("sales", policy.Broadcast(0))
	cfg.AcceptTimeout = time.Minute
	v := newView(t, cfg)
	o1 := offeredRow("o1", "sales", 1, "ann", "bob")
	b := newBook(t, v, readyOperators("sales", "ann", "bob", "cat"), []store.Conversation{o1})

	d, missed, ok := v.DecideMissed(o1, t0)
	require.True(t, ok)
	require.Equal(t, []string{"ann", "bob"}, missed)
	require.Equal(t, policy.Offer, d.Action)
	require.Equal(t, []string{"cat"}, d.Operators)
	_, evs := b.route(v, o1, d, t0, all)
	require.Equal(t, []Event{
		{Kind: Offered, Conversation: "o1", Group: "sales", Operators: []string{"cat"}, Policy: "broadcast"},
		{Kind: OfferWithdrawn, Conversation: "o1", Group: "sales", Operators: []string{"ann", "bob"}},
	}, evs)

	c, _ := v.Conversation("o1")
	require.Equal(t, []string{"ann", "bob"}, c.MissedBy)
	d, missed, ok = v.DecideMissed(c, t0.Add(time.Minute))
	require.True(t, ok)
	require.Equal(t, []string{"cat"}, missed)
	require.Equal(t, []string{"ann", "bob", "cat"}, d.Operators, "everyone missed it: everyone is offered it again")
}

// TestR3_ReportReturnsOffereesWhoLostEligibilityMeanwhile: an offer
// stored before an offeree's status change, but absorbed after it, was
// not seen by the withdrawal that followed the change: Report returns
// that offeree, whose offer WithdrawalsOf now finds.
func TestR3_ReportReturnsOffereesWhoLostEligibilityMeanwhile(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", policy.Broadcast(0)))
	b := newBook(t, v, readyOperators("sales", "ann", "bob"), nil)

	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, []string{"ann", "bob"}, p.Decision.Operators)
	out, err := b.write(&p) // stored, its answer not absorbed yet
	require.NoError(t, err)
	b.absorbStatus(v, "ann", presence.StatusAway, t0)
	cs, _ := v.WithdrawalsOf("ann", nil)
	require.Empty(t, cs, "the view does not hold n1 yet")

	v.Absorb(&p, &out, true, at(0))
	ev := Events{Wanted: all}
	require.Equal(t, []string{"ann"}, v.Report(&p, &out, &ev))
	require.Equal(t, []Event{{Kind: Offered, Conversation: "n1", Group: "sales", Operators: []string{"ann", "bob"}, Policy: "broadcast"}}, ev.List)
	cs, ds := v.WithdrawalsOf("ann", nil)
	require.Equal(t, []string{"n1"}, ids(cs))
	require.Equal(t, []string{"bob"}, ds[0].Operators)

	// Without a loss of eligibility meanwhile, nothing is stale.
	b.absorbStatus(v, "ann", r, t0)
	p = planNew(t, v, newRow("n2", "sales", time.Second))
	out = b.commit(v, &p, t0)
	require.Empty(t, v.Report(&p, &out, &Events{}))
}
