package routing_test

// The Cleversite model, "long dialogs" release. Two routing modes: "general"
// (every operator sees the new dialog, the first to take it keeps it) and
// "balanced" (the least loaded "Ready" operator gets it automatically, with
// an optional per-operator limit above which the system assigns nothing but
// the operator may still take by hand). Statuses Ready / Can help / Pause /
// Away decide who gets what and whether the site widget is online; the
// app can set Ready on start and Pause on close; dialogs can be transferred
// to colleagues and departments of the same site; the admin monitors load
// and queues, assigns, switches operators off and closes dialogs.
//
// Configuration: presence.Standard(); general mode is policy.Broadcast(0),
// balanced mode policy.Capped(policy.LeastLoaded(), policy.CapOptions{
// ManualOverCap: true}) with per-operator caps.

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
	cvSite     = "site"
	ready      = presence.StatusReady
	canHelp    = presence.StatusCanHelp
	pause      = presence.StatusPause
	away       = presence.StatusAway
	offline    = presence.StatusOffline
	cvGeneral  = "broadcast"
	cvBalanced = "capped(fallback(least-loaded,broadcast))"
)

// cvGeneralMode is the "general" distribution mode.
func cvGeneralMode() policy.Policy { return policy.Broadcast(0) }

// cvBalancedMode is the "balanced" mode with per-operator limits that a
// manual take may exceed. Ready operators are assigned automatically, least
// loaded first; when none is below their limit, the dialog is offered to
// those who may take it by hand, as in general mode ("Can help" operators
// are left out of auto-assignment but otherwise work as in general mode).
func cvBalancedMode() policy.Policy {
	return policy.Capped(policy.Fallback(policy.LeastLoaded(), policy.Broadcast(0)), policy.CapOptions{ManualOverCap: true})
}

// newCleversite is one site served by one department in the given mode.
func newCleversite(t *testing.T, mode policy.Policy) *scenario {
	t.Helper()
	return newScenario(t, routing.Config{
		Presence: presence.Standard(),
		Groups:   []routing.Group{{ID: cvSite, Policy: mode, Site: "shop.example"}},
	})
}

// "General mode: a new dialog is shown to all operators. Whoever takes it
// first talks to the customer."
func TestR1_Cleversite_GeneralModeFirstTakeWins(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", ready, 0, cvSite)
	s.addOp("bob", ready, 0, cvSite)
	s.addOp("carl", canHelp, 0, cvSite)
	s.addOp("dan", pause, 0, cvSite) // no queue in Pause
	ev := s.subscribe(routing.Offered, routing.OfferWithdrawn, routing.Assigned)

	c1 := s.enqueue("c1", cvSite)
	require.Equal(t, store.Offered, c1.State)
	require.ElementsMatch(t, []string{"ann", "bob", "carl"}, c1.OfferedTo)
	c1, err := s.r.Take(s.ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	require.Equal(t, "bob", c1.Assignee)
	ev.expect(
		"offered conv=c1 ops=ann,bob,carl policy="+cvGeneral,
		"assigned conv=c1 op=bob policy=manual",
		"offer-withdrawn conv=c1 ops=ann,carl",
	)

	// ann clicks a moment later: "already taken", nothing changes.
	s.requireLateTakeRefused(ev, "c1", "ann")

	// Three click at the same instant: exactly one wins.
	s.enqueue("c2", cvSite)
	ev.expect("offered conv=c2 ops=ann,bob,carl policy=" + cvGeneral)
	s.requireOneTakeWins(ev, "c2", "ann", "bob", "carl")
}

// without returns ids without x.
func without(ids []string, x string) []string {
	var out []string
	for _, id := range ids {
		if id != x {
			out = append(out, id)
		}
	}
	return out
}

// "Balanced mode: the dialog is assigned automatically to the least loaded
// operator. The system considers employees in status 'Ready' and
// distributes among them." ('Can help': "not counted in auto-distribution".)
func TestR2_Cleversite_BalancedModeAssignsLeastLoadedReady(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", ready, 0, cvSite)
	s.addOp("carl", canHelp, 0, cvSite)
	s.requireAssigned(s.enqueue("c1", cvSite).ID, "ann")
	s.addOp("bob", ready, 0, cvSite)

	ev := s.subscribe(routing.Assigned, routing.Offered, routing.Queued)
	s.clk.Add(time.Minute)
	s.requireAssigned(s.enqueue("c2", cvSite).ID, "bob")
	ev.expect("assigned conv=c2 op=bob policy=" + cvBalanced)
	s.requireOp("ann", ready, 1)
	s.requireOp("bob", ready, 1)
	s.requireOp("carl", canHelp, 0)
}

// "In balanced mode you can set a limit on the number of simultaneous
// dialogs for each employee — above the limit the system will not assign a
// chat."
func TestR3_Cleversite_BalancedModeRespectsPerOperatorLimit(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", ready, 1, cvSite)
	s.addOp("bob", ready, 2, cvSite)

	ev := s.subscribe(routing.Assigned, routing.Queued)
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		s.enqueue(id, cvSite)
	}
	ev.expect(
		"assigned conv=c1 op=ann policy="+cvBalanced,
		"assigned conv=c2 op=bob policy="+cvBalanced,
		"assigned conv=c3 op=bob policy="+cvBalanced,
		`queued conv=c4 policy=`+cvBalanced+` pos=1 reason="every eligible operator is at cap"`,
	)
	s.requireOp("ann", ready, 1)
	s.requireOp("bob", ready, 2)
	s.requireQueued("c4", cvSite)
}

// "... above the limit the system will not assign a chat, but the operator
// can take it manually from the queue."
func TestR4_Cleversite_ManualTakeAboveLimit(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", ready, 1, cvSite)
	s.addOp("bob", ready, 1, cvSite)
	s.enqueue("c1", cvSite)
	s.enqueue("c2", cvSite)
	s.requireQueued(s.enqueue("c3", cvSite).ID, cvSite)

	ev := s.subscribe(routing.Assigned, routing.OfferWithdrawn)
	c3, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c3")
	require.NoError(t, err)
	require.Equal(t, store.Assigned, c3.State)
	require.Equal(t, "ann", c3.Assignee)
	ev.expect("assigned conv=c3 op=ann policy=manual")
	o := s.op("ann")
	require.Equal(t, 2, o.Load)
	require.Equal(t, 1, o.Cap)
	require.Equal(t, 0, s.group(cvSite).Queued)
}

// The manual take above the limit is configurable (R4): without it, an
// operator at their limit is refused and nothing changes.
func TestR4_Cleversite_ManualTakeAboveLimitRefusedWhenNotConfigured(t *testing.T) {
	s := newCleversite(t, policy.Capped(policy.LeastLoaded(), policy.CapOptions{}))
	s.addOp("ann", ready, 1, cvSite)
	s.enqueue("c1", cvSite)
	s.requireQueued(s.enqueue("c2", cvSite).ID, cvSite)

	ev := s.subscribe(lifecycleKinds...)
	before := s.freeze("c1", "c2")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c2")
	require.ErrorIs(t, err, routing.ErrOverCapacity)
	s.requireUnchanged(before)
	ev.none()
}

// The account chooses the distribution mode — general or balanced — and may
// switch it while operators work (R8: policies are pluggable per group
// and can change at run time).
func TestR8_Cleversite_SwitchGeneralToBalancedAtRunTime(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", ready, 0, cvSite)
	s.addOp("bob", ready, 0, cvSite)
	ev := s.subscribe(routing.Offered, routing.OfferWithdrawn, routing.Assigned)

	s.requireOffered(s.enqueue("c1", cvSite).ID, "ann", "bob")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev.expect(
		"offered conv=c1 ops=ann,bob policy="+cvGeneral,
		"assigned conv=c1 op=ann policy=manual",
		"offer-withdrawn conv=c1 ops=bob",
	)

	// A dialog still waiting in the list when the mode changes is routed by
	// the new mode at once (R7: assigned as soon as someone can).
	s.requireOffered(s.enqueue("c2", cvSite).ID, "ann", "bob")
	ev.expect("offered conv=c2 ops=ann,bob policy=" + cvGeneral)

	s.clk.Add(time.Minute)
	require.NoError(t, s.r.SetPolicy(s.ctx, routing.ByAdmin("admin"), cvSite, cvBalancedMode()))
	require.Equal(t, cvBalanced, s.group(cvSite).Policy)
	ev.expect(
		"assigned conv=c2 op=bob policy="+cvBalanced, // least loaded
		"offer-withdrawn conv=c2 ops=ann",
	)
	s.requireAssigned("c2", "bob")
	s.requireAssigned(s.enqueue("c2b", cvSite).ID, "ann") // 1–1: ann (09:00) waited longer than bob (09:01)
	ev.expect("assigned conv=c2b op=ann policy=" + cvBalanced)

	require.NoError(t, s.r.SetPolicy(s.ctx, routing.ByAdmin("admin"), cvSite, cvGeneralMode()))
	require.Equal(t, cvGeneral, s.group(cvSite).Policy)
	s.requireOffered(s.enqueue("c3", cvSite).ID, "ann", "bob")
	ev.expect("offered conv=c3 ops=ann,bob policy=" + cvGeneral)

	// Bad input: a nil policy or an unknown department changes nothing.
	before := s.freeze("c1", "c2", "c2b", "c3")
	require.ErrorIs(t, s.r.SetPolicy(s.ctx, routing.ByAdmin("admin"), cvSite, nil), routing.ErrInvalid)
	require.ErrorIs(t, s.r.SetPolicy(s.ctx, routing.ByAdmin("admin"), "nope", cvBalancedMode()), routing.ErrNotFound)
	s.requireUnchanged(before)
	ev.none()
}

// "Ready": in general mode "dialogs go to the queue, notifications come and
// the operator takes them by hand; the admin can assign a dialog"; in
// balanced mode "dialogs are assigned automatically"; a dialog can be
// transferred to an employee in Ready. (P1: a status says which of the
// four kinds of work the operator can receive.)
func TestP1_Cleversite_ReadyReceivesEveryKindOfWork(t *testing.T) {
	s := newScenario(t, routing.Config{
		Presence: presence.Standard(),
		Groups: []routing.Group{
			{ID: "general", Policy: cvGeneralMode()},
			{ID: "balanced", Policy: cvBalancedMode()},
		},
	})
	s.addOp("ann", ready, 0, "general", "balanced")
	s.addOp("bob", ready, 0, "general")
	ev := s.subscribe(routing.Offered, routing.OfferWithdrawn, routing.Assigned, routing.Transferred)

	// Automatic assignment.
	s.requireAssigned(s.enqueue("b1", "balanced").ID, "ann")
	// Queue offer and manual take.
	s.requireOffered(s.enqueue("g1", "general").ID, "ann", "bob")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "g1")
	require.NoError(t, err)
	// Assignment by the admin.
	s.enqueue("g2", "general")
	_, err = s.r.Assign(s.ctx, routing.ByAdmin("admin"), "g2", "ann")
	require.NoError(t, err)
	// Transfer from a colleague.
	s.enqueue("g3", "general")
	_, err = s.r.Take(s.ctx, routing.ByOperator("bob"), "g3")
	require.NoError(t, err)
	_, err = s.r.TransferToOperator(s.ctx, routing.ByOperator("bob"), "g3", "ann")
	require.NoError(t, err)

	ev.expect(
		"assigned conv=b1 op=ann policy="+cvBalanced,
		"offered conv=g1 ops=ann,bob policy="+cvGeneral,
		"assigned conv=g1 op=ann policy=manual",
		"offer-withdrawn conv=g1 ops=bob",
		"offered conv=g2 ops=ann,bob policy="+cvGeneral,
		"assigned conv=g2 op=ann policy=admin",
		"offer-withdrawn conv=g2 ops=bob",
		"offered conv=g3 ops=ann,bob policy="+cvGeneral,
		"assigned conv=g3 op=bob policy=manual",
		"offer-withdrawn conv=g3 ops=ann",
		"transferred conv=g3 op=ann from=bob",
	)
	require.Equal(t, []string{"b1", "g1", "g2", "g3"}, s.op("ann").Conversations)
}

// "Can help: dialogs go to the queue, notifications come and the operator
// takes them by hand. ... In balanced mode the system does not count the
// operator in this status in auto-distribution."
func TestP2_Cleversite_CanHelpTakesFromQueueButIsNotAutoAssigned(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", canHelp, 0, cvSite)
	ev := s.subscribe(routing.Queued, routing.Offered, routing.Assigned)

	// Not assigned automatically: offered, for a take by hand.
	s.requireOffered(s.enqueue("c1", cvSite).ID, "ann")
	c1, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.Equal(t, "ann", c1.Assignee)
	ev.expect(
		`offered conv=c1 ops=ann policy=`+cvBalanced,
		"assigned conv=c1 op=ann policy=manual",
	)
	s.requireOp("ann", canHelp, 1)
}

// "Can help: ... the administrator cannot assign chats from the personal
// account."
func TestP2_Cleversite_AdminCannotAssignToCanHelp(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", canHelp, 0, cvSite)
	s.requireOffered(s.enqueue("c1", cvSite).ID, "ann")

	ev := s.subscribe(lifecycleKinds...)
	before := s.freeze("c1")
	_, err := s.r.Assign(s.ctx, routing.ByAdmin("admin"), "c1", "ann")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()
}

// "Can help — balanced mode: the system does not count the operator in this
// status in auto-distribution. Otherwise the behaviour is identical to the
// general mode" — i.e. queued dialogs come with notifications to them, and
// they take them by hand. So in balanced mode a dialog no Ready operator
// can get is offered to the Can-help operators.
func TestP2_Cleversite_CanHelpNotifiedOfQueueInBalancedMode(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("bob", ready, 1, cvSite)
	s.addOp("ann", canHelp, 0, cvSite)
	s.requireAssigned(s.enqueue("c1", cvSite).ID, "bob")

	ev := s.subscribe(routing.Offered, routing.Queued, routing.Assigned)
	c2 := s.enqueue("c2", cvSite)
	var offeredToAnn bool
	for _, e := range ev.raw() {
		if e.Kind == routing.Offered && e.Conversation == "c2" {
			require.Contains(t, e.Operators, "ann")
			offeredToAnn = true
		}
	}
	require.True(t, offeredToAnn, "no queue notification (Offered event) for the Can-help operator")
	require.Equal(t, store.Offered, c2.State)
	require.Contains(t, c2.OfferedTo, "ann")
}

// "Pause: the operator gets notifications only from chats in their work.
// Can accept a dialog from a colleague. No notifications from the queue and
// no way to take a chat from it."
func TestP2_Cleversite_PauseGetsNoQueueButAcceptsTransfers(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", ready, 0, cvSite)
	s.addOp("bob", ready, 0, cvSite)
	s.requireOffered(s.enqueue("c0", cvSite).ID, "ann", "bob")
	ev := s.subscribe(routing.Offered, routing.OfferWithdrawn, routing.Assigned, routing.Transferred, routing.StatusChanged)

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", pause))
	ev.expect(
		"status-changed op=ann from=ready to=pause",
		"offer-withdrawn conv=c0 ops=ann",
	)
	s.requireOffered("c0", "bob")
	s.requireOffered(s.enqueue("c1", cvSite).ID, "bob")
	ev.expect("offered conv=c1 ops=bob policy=" + cvGeneral)

	before := s.freeze("c0", "c1")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()

	_, err = s.r.Take(s.ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	c1, err := s.r.TransferToOperator(s.ctx, routing.ByOperator("bob"), "c1", "ann")
	require.NoError(t, err)
	require.Equal(t, "ann", c1.Assignee)
	ev.expect(
		"assigned conv=c1 op=bob policy=manual",
		"transferred conv=c1 op=ann from=bob",
	)
	s.requireOp("ann", pause, 1)
}

// "Away": nothing new — no queue, no manual take, no admin assignment.
func TestP2_Cleversite_AwayReceivesNothingNew(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", away, 0, cvSite)
	s.addOp("bob", ready, 0, cvSite)
	ev := s.subscribe(lifecycleKinds...)

	s.requireOffered(s.enqueue("c1", cvSite).ID, "bob")
	ev.expect("offered conv=c1 ops=bob policy=" + cvGeneral)

	before := s.freeze("c1")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	_, err = s.r.Assign(s.ctx, routing.ByAdmin("admin"), "c1", "ann")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()
}

// "Pause: ... as soon as the operator closes the dialogs the system switches
// them to 'Away'."
func TestP5_Cleversite_PauseBecomesAwayWhenLastDialogCloses(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", ready, 0, cvSite)
	s.enqueue("c1", cvSite)
	s.enqueue("c2", cvSite)
	ev := s.subscribe(routing.StatusChanged, routing.Closed, routing.GroupAvailability)

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", pause))
	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c1", "resolved")
	require.NoError(t, err)
	s.requireOp("ann", pause, 1)
	_, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "c2", "resolved")
	require.NoError(t, err)
	s.requireOp("ann", away, 0)
	ev.expect(
		"status-changed op=ann from=ready to=pause",
		"group-availability group=site online=false",
		`closed conv=c1 op=ann reason="resolved"`,
		`closed conv=c2 op=ann reason="resolved"`,
		"status-changed op=ann from=pause to=away",
	)
}

// "... and a chat cannot be transferred to such an employee" (Away).
func TestP5_Cleversite_TransferToAwayRefused(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", away, 0, cvSite)
	s.addOp("bob", ready, 0, cvSite)
	s.requireAssigned(s.enqueue("c1", cvSite).ID, "bob")

	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged)...)
	before := s.freeze("c1")
	_, err := s.r.TransferToOperator(s.ctx, routing.ByOperator("bob"), "c1", "ann")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()
}

// "In the settings you can have the system switch you to 'Ready' when the
// application starts and to 'Pause' when it closes." Dialogs are kept.
func TestP7_Cleversite_AppStartSetsReadyAppCloseSetsPause(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", "", 0, cvSite) // a new operator starts offline
	s.requireOp("ann", offline, 0)
	ev := s.subscribe(routing.StatusChanged, routing.Offered, routing.Assigned, routing.OfferWithdrawn, routing.Queued)

	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("ann"), "ann"))
	s.requireOffered(s.enqueue("c1", cvSite).ID, "ann")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.NoError(t, s.r.LogOut(s.ctx, routing.ByOperator("ann"), "ann"))
	s.requireOp("ann", pause, 1)
	s.requireAssigned("c1", "ann")
	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("ann"), "ann"))
	s.requireOp("ann", ready, 1)

	ev.expect(
		"status-changed op=ann from=offline to=ready",
		"offered conv=c1 ops=ann policy="+cvGeneral,
		"assigned conv=c1 op=ann policy=manual",
		"status-changed op=ann from=ready to=pause",
		"status-changed op=ann from=pause to=ready",
	)

	before := s.freeze("c1")
	require.ErrorIs(t, s.r.LogIn(s.ctx, routing.ByOperator("nobody"), "nobody"), routing.ErrNotFound)
	s.requireUnchanged(before)
	ev.none()
}

// "The widget follows the operators' statuses and goes offline if there is
// no operator in 'Ready' or 'Can help'. ... If a visitor writes, a dialog is
// created and goes to the queue."
func TestP10_Cleversite_WidgetOfflineWithoutReadyOrCanHelp(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", "", 0, cvSite)
	s.addOp("bob", "", 0, cvSite)
	require.False(t, s.group(cvSite).Online)
	ev := s.subscribe(routing.GroupAvailability)

	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("ann"), "ann"))              // ready
	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("bob"), "bob"))              // ready
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", canHelp)) // still online
	require.NoError(t, s.r.LogOut(s.ctx, routing.ByOperator("bob"), "bob"))             // pause
	require.True(t, s.group(cvSite).Online)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", pause))
	require.False(t, s.group(cvSite).Online)
	ev.expect(
		"group-availability group=site online=true",
		"group-availability group=site online=false",
	)

	s.requireQueued(s.enqueue("c1", cvSite).ID, cvSite) // the offline form's dialog waits
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", ready))
	ev.expect("group-availability group=site online=true")
	s.requireOffered("c1", "bob")
}

// A dialog in general mode: queued while nobody is on, shown to operators as
// they come, taken, waiting for the visitor, answered, closed (L1).
func TestL1_Cleversite_DialogLifecycleEvents(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", "", 0, cvSite)
	s.addOp("bob", "", 0, cvSite)
	ev := s.subscribe(lifecycleKinds...)

	s.requireQueued(s.enqueue("c1", cvSite).ID, cvSite)
	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("ann"), "ann"))
	s.requireOffered("c1", "ann")
	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("bob"), "bob"))
	s.requireOffered("c1", "ann", "bob")
	_, err := s.r.Take(s.ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	c, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("bob"), "c1")
	require.NoError(t, err)
	require.Equal(t, store.Waiting, c.State)
	_, err = s.r.CustomerReplied(s.ctx, "c1")
	require.NoError(t, err)
	s.requireAssigned("c1", "bob")
	c, err = s.r.CloseConversation(s.ctx, routing.ByOperator("bob"), "c1", "resolved")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c.State)

	ev.expect(
		`queued conv=c1 policy=`+cvGeneral+` pos=1 reason="no eligible operator"`,
		"offered conv=c1 ops=ann policy="+cvGeneral,
		"offered conv=c1 ops=bob policy="+cvGeneral,
		"assigned conv=c1 op=bob policy=manual",
		"offer-withdrawn conv=c1 ops=ann",
		"waiting conv=c1 op=bob",
		"assigned conv=c1 op=bob policy=returned",
		`closed conv=c1 op=bob reason="resolved"`,
	)
}

// "A dialog can be transferred to an employee in 'Ready' or 'Can help'
// whether or not the site is assigned to them."
func TestL6_Cleversite_TransferToReadyOrCanHelpColleagueOfAnySite(t *testing.T) {
	s := newScenario(t, routing.Config{
		Presence: presence.Standard(),
		Groups: []routing.Group{
			{ID: "shop", Policy: cvBalancedMode(), Site: "shop.example"},
			{ID: "blog", Policy: cvBalancedMode(), Site: "blog.example"},
		},
	})
	s.addOp("ann", ready, 0, "shop")
	s.addOp("carl", canHelp, 0, "blog") // not on the shop site
	s.addOp("dan", ready, 0, "blog")
	s.requireAssigned(s.enqueue("c1", "shop").ID, "ann")
	ev := s.subscribe(routing.Transferred, routing.Assigned)

	c1, err := s.r.TransferToOperator(s.ctx, routing.ByOperator("ann"), "c1", "carl")
	require.NoError(t, err)
	require.Equal(t, "carl", c1.Assignee)
	require.Equal(t, "shop", c1.Group)
	c1, err = s.r.TransferToOperator(s.ctx, routing.ByOperator("carl"), "c1", "dan")
	require.NoError(t, err)
	require.Equal(t, "dan", c1.Assignee)
	ev.expect(
		"transferred conv=c1 op=carl from=ann",
		"transferred conv=c1 op=dan from=carl",
	)
	s.requireOp("ann", ready, 0)
	s.requireOp("carl", canHelp, 0)
	s.requireOp("dan", ready, 1)
}

// "Transfer to departments is available even if the other department has no
// employees in 'Ready' or 'Can help': the department gets its own queue of
// chats."
func TestL6_Cleversite_TransferToDepartmentWithNobodyOnline(t *testing.T) {
	s := newScenario(t, routing.Config{
		Presence:                presence.Standard(),
		RestrictTransfersToSite: true,
		Groups: []routing.Group{
			{ID: "sales", Policy: cvGeneralMode(), Site: "shop.example"},
			{ID: "billing", Policy: cvGeneralMode(), Site: "shop.example"},
		},
	})
	s.addOp("ann", ready, 0, "sales")
	s.addOp("eve", "", 0, "billing") // offline
	s.enqueue("c1", "sales")
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	ev := s.subscribe(lifecycleKinds...)

	c1, err := s.r.TransferToGroup(s.ctx, routing.ByOperator("ann"), "c1", "billing")
	require.NoError(t, err)
	require.Equal(t, store.Queued, c1.State)
	require.Equal(t, "billing", c1.Group)
	ev.expect("transferred conv=c1 op=ann from=sales to=billing")
	s.requireQueued("c1", "billing")
	g := s.group("billing")
	require.False(t, g.Online)
	require.Equal(t, 1, g.Queued)
	require.Equal(t, "c1", g.Oldest)
	s.requireOp("ann", ready, 0)

	require.NoError(t, s.r.LogIn(s.ctx, routing.ByOperator("eve"), "eve"))
	ev.expect("offered conv=c1 ops=eve policy=" + cvGeneral)
}

// "A chat can be transferred only to departments belonging to the site the
// chat came from."
func TestL6_Cleversite_TransferOnlyToDepartmentsOfSameSite(t *testing.T) {
	s := newScenario(t, routing.Config{
		Presence:                presence.Standard(),
		RestrictTransfersToSite: true,
		Groups: []routing.Group{
			{ID: "shop-sales", Policy: cvBalancedMode(), Site: "shop.example"},
			{ID: "blog-sales", Policy: cvBalancedMode(), Site: "blog.example"},
		},
	})
	s.addOp("ann", ready, 0, "shop-sales")
	s.addOp("dan", ready, 0, "blog-sales")
	s.requireAssigned(s.enqueue("c1", "shop-sales").ID, "ann")

	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged)...)
	before := s.freeze("c1")
	_, err := s.r.TransferToGroup(s.ctx, routing.ByOperator("ann"), "c1", "blog-sales")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	_, err = s.r.TransferToGroup(s.ctx, routing.ByAdmin("admin"), "c1", "blog-sales")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()
}

// The admin can, online: "assign chats to employees".
func TestL7_Cleversite_AdminAssignsChat(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", ready, 0, cvSite)
	s.addOp("bob", ready, 0, cvSite)
	s.requireOffered(s.enqueue("c1", cvSite).ID, "ann", "bob")
	ev := s.subscribe(lifecycleKinds...)

	// An operator is not an admin.
	before := s.freeze("c1")
	_, err := s.r.Assign(s.ctx, routing.ByOperator("ann"), "c1", "ann")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()

	c1, err := s.r.Assign(s.ctx, routing.ByAdmin("admin"), "c1", "bob")
	require.NoError(t, err)
	require.Equal(t, "bob", c1.Assignee)
	require.Equal(t, store.Assigned, c1.State)
	ev.expect(
		"assigned conv=c1 op=bob policy=admin",
		"offer-withdrawn conv=c1 ops=ann",
	)
}

// The admin can "switch an operator off by changing their work status". The
// operator's dialogs in work stay theirs; pending notifications go.
func TestL7_Cleversite_AdminSwitchesOperatorStatus(t *testing.T) {
	s := newCleversite(t, cvGeneralMode())
	s.addOp("ann", ready, 0, cvSite)
	s.addOp("bob", ready, 0, cvSite)
	s.enqueue("c1", cvSite)
	_, err := s.r.Take(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	s.requireOffered(s.enqueue("c2", cvSite).ID, "ann", "bob")
	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged)...)

	// A colleague cannot.
	before := s.freeze("c1", "c2")
	err = s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "ann", away)
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByAdmin("admin"), "ann", away))
	ev.expect(
		"status-changed op=ann from=ready to=away",
		"offer-withdrawn conv=c2 ops=ann",
	)
	s.requireOp("ann", away, 1)
	s.requireAssigned("c1", "ann")
	s.requireOffered("c2", "bob")
}

// The admin can "close dialogs". The freed slot serves the queue.
func TestL7_Cleversite_AdminClosesDialog(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", ready, 1, cvSite)
	s.requireAssigned(s.enqueue("c1", cvSite).ID, "ann")
	s.requireQueued(s.enqueue("c2", cvSite).ID, cvSite)
	ev := s.subscribe(lifecycleKinds...)

	c1, err := s.r.CloseConversation(s.ctx, routing.ByAdmin("admin"), "c1", "closed by admin")
	require.NoError(t, err)
	require.Equal(t, store.Closed, c1.State)
	ev.expect(
		`closed conv=c1 op=ann reason="closed by admin"`,
		"assigned conv=c2 op=ann policy="+cvBalanced,
	)
	s.requireAssigned("c2", "ann")
}

// The admin sees online "the number of dialogs in work, in total and per
// employee, and the queues".
func TestS1_Cleversite_AdminMonitorsDialogsPerOperatorAndQueue(t *testing.T) {
	s := newCleversite(t, cvBalancedMode())
	s.addOp("ann", ready, 2, cvSite)
	s.addOp("bob", ready, 1, cvSite)
	s.addOp("carl", canHelp, 3, cvSite)
	s.enqueue("c1", cvSite) // ann
	s.enqueue("c2", cvSite) // bob
	s.enqueue("c3", cvSite) // ann
	s.clk.Add(time.Minute)
	s.enqueue("c4", cvSite) // waits from 09:01
	s.clk.Add(2 * time.Minute)

	snap := s.r.Snapshot()
	total := 0
	got := map[string][]any{}
	for _, o := range snap.Operators {
		total += o.Load
		got[o.ID] = []any{o.Status, o.Load, o.Cap, o.Conversations}
	}
	require.Equal(t, map[string][]any{
		"ann":  {ready, 2, 2, []string{"c1", "c3"}},
		"bob":  {ready, 1, 1, []string{"c2"}},
		"carl": {canHelp, 0, 3, []string(nil)},
	}, got)
	require.Equal(t, 3, total)
	g := s.group(cvSite)
	require.Equal(t, 1, g.Queued)
	require.Equal(t, "c4", g.Oldest)
	require.Equal(t, 2*time.Minute, g.OldestWait)
	require.True(t, g.Online)
}
