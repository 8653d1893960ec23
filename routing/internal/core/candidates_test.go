package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// fiveOperators are ready operators of sales whose candidate order is
// dan (load 0, never assigned), cat (load 0, 5m ago), fay (load 0, 5m
// ago, after cat by id), bob (load 0, 1m ago), ann (load 1); eve is away
// and no candidate at all.
func fiveOperators() []store.Operator {
	r := presence.StatusReady
	return []store.Operator{
		loaded(operatorRow("ann", r, "sales"), 1, t0.Add(-10*time.Minute)),
		loaded(operatorRow("bob", r, "sales"), 0, t0.Add(-time.Minute)),
		loaded(operatorRow("cat", r, "sales"), 0, t0.Add(-5*time.Minute)),
		operatorRow("dan", r, "sales"),
		operatorRow("eve", presence.StatusAway, "sales"),
		loaded(operatorRow("fay", r, "sales"), 0, t0.Add(-5*time.Minute)),
	}
}

// TestR2_CandidateOrder: candidates come lowest load first, then oldest
// last assignment (never assigned first), then lowest id; an operator
// whose status allows neither automatic assignment nor offers is none.
func TestR2_CandidateOrder(t *testing.T) {
	v := newView(t, groupOf("sales", policy.Broadcast(0)))
	b := newBook(t, v, fiveOperators(), nil)

	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, policy.Offer, p.Decision.Action)
	require.Equal(t, []string{"dan", "cat", "fay", "bob", "ann"}, p.Decision.Operators)
	require.Equal(t, "broadcast", p.Decision.Policy)
	out := b.commit(v, &p, t0)
	require.Equal(t, store.Offered, out.Result.Conversation.State)
	c, ok := v.Conversation("n1")
	require.True(t, ok)
	require.Equal(t, []string{"dan", "cat", "fay", "bob", "ann"}, c.OfferedTo)
}

// TestR2_LeastLoadedRotates: least-loaded routing gives each new
// conversation to the first candidate, and the load and last assignment
// the store reports move the operator to their new place: equal loads
// rotate.
func TestR2_LeastLoadedRotates(t *testing.T) {
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	b := newBook(t, v, fiveOperators(), nil)

	var got []string
	for i, id := range []string{"n1", "n2", "n3", "n4", "n5", "n6"} {
		when := time.Duration(i) * time.Second
		p := planNew(t, v, newRow(id, "sales", when))
		require.Equal(t, policy.Assign, p.Decision.Action, id)
		require.Equal(t, store.Assigned, p.Row.State)
		require.Equal(t, p.Decision.Operator, p.Row.Assignee)
		require.Equal(t, []string{presence.StatusReady}, p.Decision.Require.AssigneeStatuses)
		require.Zero(t, p.Decision.Require.AssigneeCap, "least-loaded on its own has no cap")
		out := b.commit(v, &p, t0.Add(when))
		require.Equal(t, store.Load{Operator: p.Decision.Operator, Load: b.ops[p.Decision.Operator].Load, LastAssigned: t0.Add(when), Version: b.ops[p.Decision.Operator].Version}, out.Result.Gained)
		got = append(got, p.Decision.Operator)
	}
	// dan, cat, fay and bob each reach load 1 after their assignment at
	// t0 and later, so ann (load 1 since 10m ago) comes next, then dan
	// again.
	require.Equal(t, []string{"dan", "cat", "fay", "bob", "ann", "dan"}, got)

	o, err := v.Operator("dan")
	require.NoError(t, err)
	require.Equal(t, 2, o.Load)
	require.Equal(t, t0.Add(5*time.Second), o.LastAssigned)
	require.Equal(t, []string{"n1", "n6"}, v.Held("dan"))
	require.Empty(t, v.Held("eve"))
}

// TestR3_OperatorAtCapIsNoCandidate: an operator whose load reached
// their cap is given nothing automatically and offered nothing; the
// snapshot counts who is below cap; when everyone is at cap the new
// conversation is kept, and the store's check carries the cap
// (invariant 2).
func TestR3_OperatorAtCapIsNoCandidate(t *testing.T) {
	r := presence.StatusReady
	ann := loaded(operatorRow("ann", r, "sales"), 1, t0.Add(-10*time.Minute))
	ann.Cap = 1 // own cap, reached
	bob := loaded(operatorRow("bob", r, "sales"), 1, t0.Add(-time.Minute))
	v := newView(t, groupOf("sales", capped(2)))
	b := newBook(t, v, []store.Operator{ann, bob}, nil)

	g := groupInfo(t, v, "sales")
	require.Equal(t, GroupInfo{ID: "sales", Policy: "capped(least-loaded)", Online: true, Accepting: 2, AutoAvailable: 1, OfferAvailable: 1}, g)
	require.Equal(t, 1, operatorInfo(t, v, "ann").Cap)
	require.Equal(t, 1, operatorInfo(t, v, "ann").OwnCap)
	require.Equal(t, 2, operatorInfo(t, v, "bob").Cap, "the group's default")
	require.Zero(t, operatorInfo(t, v, "bob").OwnCap)
	require.True(t, v.HasAvailable("sales"))

	// ann comes first in candidate order, but is at cap.
	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, policy.Assign, p.Decision.Action)
	require.Equal(t, "bob", p.Decision.Operator)
	require.Equal(t, []policy.Skip{{Operator: "ann", Reason: policy.ReasonAtCap}}, p.Decision.Skipped)
	require.Equal(t, 2, p.Require.AssigneeCap)
	b.commit(v, &p, t0)

	// Now bob is at cap too.
	g = groupInfo(t, v, "sales")
	require.Zero(t, g.AutoAvailable)
	require.Zero(t, g.OfferAvailable)
	require.Equal(t, 2, g.Accepting)
	require.True(t, g.Online, "at cap is still online")
	require.False(t, v.HasAvailable("sales"))
	require.Equal(t, 2, operatorInfo(t, v, "bob").Load)
	require.Equal(t, []string{"n1"}, operatorInfo(t, v, "bob").Conversations)

	p = planNew(t, v, newRow("n2", "sales", time.Second))
	require.Equal(t, policy.Keep, p.Decision.Action)
	require.Equal(t, policy.ReasonAllAtCap, p.Decision.Reason)
	require.Equal(t, store.Queued, p.Row.State)
	require.True(t, p.Row.AllBusyNotified, "R5: every operator on shift is at cap")
	require.False(t, p.Retry, "a conversation kept queued is not refused as stale")
}

// TestR3_AtCapIsOfferedNothing: a capped broadcast offers nothing to an
// operator at cap, and lists them as skipped.
func TestR3_AtCapIsOfferedNothing(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1})))
	newBook(t, v, []store.Operator{
		loaded(operatorRow("ann", r, "sales"), 1, t0.Add(-time.Hour)),
		operatorRow("bob", r, "sales"),
		operatorRow("cat", presence.StatusCanHelp, "sales"),
	}, nil)

	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, policy.Offer, p.Decision.Action)
	require.Equal(t, []string{"bob", "cat"}, p.Decision.Operators, "can-help takes offers (presence model)")
	require.Equal(t, []policy.Skip{{Operator: "ann", Reason: policy.ReasonAtCap}}, p.Decision.Skipped)
	require.Equal(t, []string{presence.StatusReady, presence.StatusCanHelp}, p.Require.OfferStatuses)

	g := groupInfo(t, v, "sales")
	require.Equal(t, 1, g.AutoAvailable, "bob; cat takes no automatic assignment")
	require.Equal(t, 2, g.OfferAvailable)
	require.Equal(t, 3, g.Accepting)
}

// TestR3_OwnCapOrGroupDefault: an operator's own cap wins over the
// group's default; without one, the lowest default of their groups
// applies in every group (invariant 2); a group whose policy has no
// limiter caps nobody; replacing the policy (R8) moves the caps.
func TestR3_OwnCapOrGroupDefault(t *testing.T) {
	r := presence.StatusReady
	ann := loaded(operatorRow("ann", r, "sales"), 2, t0.Add(-time.Hour))
	ann.Cap = 3
	bob := operatorRow("bob", r, "sales", "support")
	cat := loaded(operatorRow("cat", r, "sales"), 2, t0.Add(-2*time.Hour))
	dan := operatorRow("dan", r, "free")
	dan.Cap = 4
	v := newView(t, groupOf("sales", capped(2)), groupOf("support", capped(5)), groupOf("free", policy.LeastLoaded()))
	b := newBook(t, v, []store.Operator{ann, bob, cat, dan}, nil)

	require.Equal(t, 3, operatorInfo(t, v, "ann").Cap)
	require.Equal(t, 2, operatorInfo(t, v, "bob").Cap, "the lowest default of sales and support")
	require.Equal(t, 2, operatorInfo(t, v, "cat").Cap)
	require.Zero(t, operatorInfo(t, v, "dan").Cap, "no policy of dan's caps anyone")
	require.Equal(t, 4, operatorInfo(t, v, "dan").OwnCap)

	// support's default is 5, but bob's cap is 2 there too.
	b.ops["bob"] = loaded(b.ops["bob"], 2, t0.Add(-time.Minute))
	v.AbsorbOperator(b.ops["bob"], false)
	p := planNew(t, v, newRow("s1", "support", 0))
	require.Equal(t, policy.Keep, p.Decision.Action)
	require.Equal(t, policy.ReasonAllAtCap, p.Decision.Reason)

	// In sales, cat (load 2, default cap 2) is at cap, ann (load 2, own
	// cap 3) is not, though cat comes first in candidate order.
	p = planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, "ann", p.Decision.Operator)
	require.Equal(t, 3, p.Require.AssigneeCap)
	require.Contains(t, p.Decision.Skipped, policy.Skip{Operator: "cat", Reason: policy.ReasonAtCap})
	v.Absorb(&p, &Outcome{}, false, at(0)) // refused: nothing changes

	// Raising sales' default to 3 (R8) frees cat, and re-routes the
	// queues of sales and of the groups its members serve.
	cfg, _ := v.Group("sales")
	cfg.Policy = capped(3)
	groups, err := v.UpdateGroup(cfg, t0)
	require.NoError(t, err)
	require.Contains(t, groups, "sales")
	require.Contains(t, groups, "support")
	require.Equal(t, 3, operatorInfo(t, v, "cat").Cap)
	require.Equal(t, 3, operatorInfo(t, v, "bob").Cap, "the lowest default of sales and support is 3 now")
	p = planNew(t, v, newRow("n2", "sales", time.Second))
	require.Equal(t, "cat", p.Decision.Operator, "cat is below cap now and first in order")
	cfg.ID = "nope"
	_, err = v.UpdateGroup(cfg, t0)
	require.ErrorIs(t, err, store.ErrNotFound)
}

// TestR2_ReservationSpreadsArrivals: an assignment decided and not yet
// stored reserves its operator: the next decision counts it in their
// place in candidate order, and picks someone else, until the store's
// answer is absorbed (taken or refused).
func TestR2_ReservationSpreadsArrivals(t *testing.T) {
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	b := newBook(t, v, fiveOperators(), nil)

	p1 := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, "dan", p1.Decision.Operator)
	p2 := planNew(t, v, newRow("n2", "sales", 0))
	require.Equal(t, "cat", p2.Decision.Operator, "dan is reserved for n1")

	// n1's write is refused: dan is first again.
	v.Absorb(&p1, &Outcome{}, false, at(0))
	p3 := planNew(t, v, newRow("n3", "sales", 0))
	require.Equal(t, "dan", p3.Decision.Operator, "n1's reservation is released")

	// The store takes n2 and n3: their loads replace the reservations.
	b.commit(v, &p2, t0)
	b.commit(v, &p3, t0)
	for _, id := range []string{"cat", "dan"} {
		o, err := v.Operator(id)
		require.NoError(t, err)
		require.Equal(t, 1, o.Load, id)
	}
	p4 := planNew(t, v, newRow("n4", "sales", 0))
	require.Equal(t, "fay", p4.Decision.Operator)
	b.commit(v, &p4, t0)
	p5 := planNew(t, v, newRow("n5", "sales", 0))
	require.Equal(t, "bob", p5.Decision.Operator, "neither cat nor dan is counted twice")
}

// TestR3_ReservationDoesNotCountTowardCap: caps count the stored load
// only: a reservation may still be refused, so the operator is not held
// at cap by it; the store's check (invariant 2) refuses the one too many.
func TestR3_ReservationDoesNotCountTowardCap(t *testing.T) {
	v := newView(t, groupOf("sales", capped(1)))
	b := newBook(t, v, []store.Operator{operatorRow("ann", presence.StatusReady, "sales")}, nil)

	p1 := planNew(t, v, newRow("n1", "sales", 0))
	p2 := planNew(t, v, newRow("n2", "sales", 0))
	require.Equal(t, "ann", p1.Decision.Operator)
	require.Equal(t, "ann", p2.Decision.Operator)
	require.Equal(t, 1, groupInfo(t, v, "sales").AutoAvailable)

	b.commit(v, &p1, t0)
	_, err := b.write(&p2)
	require.ErrorIs(t, err, store.ErrOverCapacity)
	v.Absorb(&p2, &Outcome{}, false, at(0))

	o, err := v.Operator("ann")
	require.NoError(t, err)
	require.Equal(t, 1, o.Load)
	require.Zero(t, groupInfo(t, v, "sales").AutoAvailable)
	p3 := planNew(t, v, newRow("n3", "sales", 0))
	require.Equal(t, policy.Keep, p3.Decision.Action)
	require.Equal(t, policy.ReasonAllAtCap, p3.Decision.Reason)
}

// TestR2_PumpReservationIsSeenByOtherGroups: the assignment NextRoute
// returns reserves its operator for every group they serve until it is
// absorbed.
func TestR2_PumpReservationIsSeenByOtherGroups(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", policy.LeastLoaded()), groupOf("support", policy.LeastLoaded()))
	b := newBook(t, v, []store.Operator{
		operatorRow("cat", r, "sales", "support"),
		operatorRow("dan", r, "sales", "support"),
	}, []store.Conversation{queuedRow("s1", "sales", 1), queuedRow("u1", "support", 2)})

	ps, pu := NewPump("sales"), NewPump("support")
	c, d, ok, err := v.NextRoute(&ps, t0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "s1", c.ID)
	require.Equal(t, "cat", d.Operator)

	c2, d2, ok, err := v.NextRoute(&pu, t0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "u1", c2.ID)
	require.Equal(t, "dan", d2.Operator, "cat is reserved for s1")

	// s1's write is refused; its reservation goes, and dan's stays.
	p := PlanRoute(c, d, t0)
	v.Absorb(&p, &Outcome{}, false, at(0))
	_, d, ok, err = v.NextRoute(&ps, t0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "cat", d.Operator)
	p = PlanRoute(c, d, t0)
	b.commit(v, &p, t0)
	p2 := PlanRoute(c2, d2, t0)
	b.commit(v, &p2, t0)
	require.Equal(t, []string{"s1"}, v.Held("cat"))
	require.Equal(t, []string{"u1"}, v.Held("dan"))
	_, _, ok, err = v.NextRoute(&ps, t0)
	require.NoError(t, err)
	require.False(t, ok)
	unknown := NewPump("nope")
	_, _, _, err = v.NextRoute(&unknown, t0)
	require.ErrorIs(t, err, store.ErrNotFound)
}
