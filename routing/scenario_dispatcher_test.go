package routing_test

// The HelpDeskEddy dispatcher and employee statuses. New requests are
// auto-assigned to the employee with the fewest requests in work, taking the
// employee's status into account ("we don't want a request to go to someone
// who is at lunch or off today"). The administrator creates and edits the
// statuses, each with an inactivity time after which the system switches a
// forgetful operator to a given status. (The dispatcher's rules, D1–D3,
// are covered in rules_test.go; the inactivity timer, P6, in
// inactivity_test.go.)
//
// Configuration: admin-defined statuses "online", "lunch", "away",
// "training", "offline" with explicit transitions; group "requests" with the
// default policy (balanced, no caps).

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

const (
	dspGroup    = "requests"
	dspPolicy   = "capped(least-loaded)" // routing.DefaultPolicy()
	dspOnline   = "online"
	dspLunch    = "lunch"
	dspAway     = "away"
	dspTraining = "training"
	dspOffline  = "offline"
)

// dspDefinition is what the administrator entered under "Contact fields":
// the statuses, what each may receive, the inactivity rule, and which
// changes are allowed.
func dspDefinition() presence.Definition {
	return presence.Definition{
		Statuses: []presence.Status{
			{Name: dspOnline, Capabilities: presence.All,
				Inactivity: &presence.Inactivity{After: 15 * time.Minute, Target: dspAway}},
			{Name: dspLunch},
			{Name: dspAway},
			// The admin's own: colleagues may hand requests over, nothing else.
			{Name: dspTraining, Capabilities: presence.Transfers},
			{Name: dspOffline},
		},
		Transitions: []presence.Transition{
			{From: dspOffline, To: dspOnline},
			{From: dspOnline, To: dspLunch}, {From: dspLunch, To: dspOnline},
			{From: dspOnline, To: dspAway}, {From: dspAway, To: dspOnline},
			{From: dspOnline, To: dspTraining}, {From: dspTraining, To: dspOnline},
			{From: dspOnline, To: dspOffline}, {From: dspLunch, To: dspOffline},
			{From: dspAway, To: dspOffline}, {From: dspTraining, To: dspOffline},
		},
		Initial:  dspOffline,
		OffShift: dspOffline,
	}
}

func newDispatcher(t *testing.T) *scenario {
	t.Helper()
	m, err := presence.New(dspDefinition())
	require.NoError(t, err)
	return newScenario(t, routing.Config{
		Presence: m,
		Groups:   []routing.Group{{ID: dspGroup}},
	})
}

// "A new request lands on the employee who is now 'Online'. If they set, for
// example, 'Lunch' or 'Offline' (their working day is over), the request
// goes to another employee satisfying the rule" — the one "with the fewest
// requests in work right now".
func TestR2_HelpDeskEddyDispatcher_LeastLoadedRespectsStatus(t *testing.T) {
	s := newDispatcher(t)
	s.addOp("ann", dspOnline, 0, dspGroup)
	s.enqueue("r1", dspGroup)
	s.enqueue("r2", dspGroup)
	s.addOp("bob", dspOnline, 0, dspGroup)
	s.enqueue("r3", dspGroup)
	s.addOp("carl", dspLunch, 0, dspGroup)
	s.addOp("dan", dspOffline, 0, dspGroup)
	ev := s.subscribe(routing.Assigned, routing.Queued)

	s.requireAssigned(s.enqueue("r4", dspGroup).ID, "bob") // bob 1 < ann 2; carl and dan skipped
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("bob"), "bob", dspLunch))
	s.requireAssigned(s.enqueue("r5", dspGroup).ID, "ann") // the only one online
	ev.expect(
		"assigned conv=r4 op=bob policy="+dspPolicy,
		"assigned conv=r5 op=ann policy="+dspPolicy,
	)
	s.requireOp("ann", dspOnline, 3)
	s.requireOp("bob", dspLunch, 2)
	s.requireOp("carl", dspLunch, 0)
	s.requireOp("dan", dspOffline, 0)
}

// Same rule with equal loads: the request goes to whoever has waited
// longest since their last one (R2 fair rotation).
func TestR2_HelpDeskEddyDispatcher_TieGoesToLongestWaiting(t *testing.T) {
	s := newDispatcher(t)
	s.addOp("ann", dspOnline, 0, dspGroup)
	s.addOp("bob", dspOnline, 0, dspGroup)
	s.addOp("carl", dspOnline, 0, dspGroup)
	s.requireAssigned(s.enqueue("r1", dspGroup).ID, "ann") // 09:00
	s.clk.Add(time.Minute)
	s.requireAssigned(s.enqueue("r2", dspGroup).ID, "bob") // 09:01
	s.clk.Add(time.Minute)
	s.requireAssigned(s.enqueue("r3", dspGroup).ID, "carl") // 09:02
	s.clk.Add(time.Minute)
	for _, c := range []struct{ op, id string }{{"carl", "r3"}, {"ann", "r1"}, {"bob", "r2"}} {
		_, err := s.r.CloseConversation(s.ctx, routing.ByOperator(c.op), c.id, "done")
		require.NoError(t, err)
	}
	ev := s.subscribe(routing.Assigned)

	// All idle: ann (09:00) has waited longest, then bob (09:01), then carl.
	for _, id := range []string{"r4", "r5", "r6"} {
		s.clk.Add(time.Minute)
		s.enqueue(id, dspGroup)
	}
	ev.expect(
		"assigned conv=r4 op=ann policy="+dspPolicy,
		"assigned conv=r5 op=bob policy="+dspPolicy,
		"assigned conv=r6 op=carl policy="+dspPolicy,
	)
}

// "If the creator of the request belongs to company 'Red company' the
// dispatcher sets the priority to urgent." Urgent requests are served first
// once someone can take them (R7), the rest in arrival order.
func TestR7_HelpDeskEddyDispatcher_UrgentServedFirstWhenOperatorReturns(t *testing.T) {
	s := newDispatcher(t)
	s.addOp("ann", dspLunch, 0, dspGroup)
	ev := s.subscribe(routing.Queued, routing.Assigned)

	s.enqueueConv(routing.NewConversation{ID: "r1", Group: dspGroup})
	s.clk.Add(5 * time.Minute)
	s.enqueueConv(routing.NewConversation{ID: "r2", Group: dspGroup, Priority: 2,
		Attributes: map[string]string{"company": "Red company"}})
	s.clk.Add(5 * time.Minute)
	s.enqueueConv(routing.NewConversation{ID: "r3", Group: dspGroup})
	ev.expect(
		`queued conv=r1 policy=`+dspPolicy+` pos=1 reason="no eligible operator"`,
		`queued conv=r2 policy=`+dspPolicy+` pos=1 reason="no eligible operator"`,
		`queued conv=r3 policy=`+dspPolicy+` pos=3 reason="no eligible operator"`,
	)

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", dspOnline))
	ev.expect(
		"assigned conv=r2 op=ann policy="+dspPolicy,
		"assigned conv=r1 op=ann policy="+dspPolicy,
		"assigned conv=r3 op=ann policy="+dspPolicy,
	)
	require.Equal(t, 0, s.group(dspGroup).Queued)
}

// "Every authorised employee can change their status." The statuses and the
// allowed changes are the administrator's data (P1: a small
// configurable state machine).
func TestP1_HelpDeskEddyDispatcher_StatusTransitionsAreConfigured(t *testing.T) {
	s := newDispatcher(t)
	s.addOp("ann", "", 0, dspGroup)
	s.requireOp("ann", dspOffline, 0)
	ev := s.subscribe(routing.StatusChanged, routing.GroupAvailability)

	before := s.freeze()
	err := s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", dspLunch) // lunch before the shift starts
	require.ErrorIs(t, err, routing.ErrTransitionNotAllowed)
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	err = s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", "vacation")
	require.ErrorIs(t, err, routing.ErrUnknownStatus)
	require.ErrorIs(t, err, routing.ErrNotFound)
	s.requireUnchanged(before)
	ev.none()

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", dspOnline))
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", dspLunch))
	ev.expect(
		"status-changed op=ann from=offline to=online",
		"group-availability group=requests online=true",
		"status-changed op=ann from=online to=lunch",
		"group-availability group=requests online=false",
	)
}

// "The system administrator can create and edit statuses ... In the settings
// of each status you can set an inactivity time." An admin-defined status is
// as good as a preset: its capabilities decide what the operator receives.
func TestP11_HelpDeskEddyDispatcher_AdminDefinedStatusCapabilities(t *testing.T) {
	s := newDispatcher(t)
	online, ok := s.r.Presence().Status(dspOnline)
	require.True(t, ok)
	require.Equal(t, &presence.Inactivity{After: 15 * time.Minute, Target: dspAway}, online.Inactivity)

	s.addOp("ann", dspOnline, 0, dspGroup)
	s.addOp("tom", dspTraining, 0, dspGroup) // fewest requests, but in training
	ev := s.subscribe(append(lifecycleKinds, routing.StatusChanged)...)

	s.requireAssigned(s.enqueue("r1", dspGroup).ID, "ann")
	s.requireAssigned(s.enqueue("r2", dspGroup).ID, "ann")
	ev.expect(
		"assigned conv=r1 op=ann policy="+dspPolicy,
		"assigned conv=r2 op=ann policy="+dspPolicy,
	)

	// Neither the admin nor the queue can give him one...
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", dspLunch))
	s.requireQueued(s.enqueue("r3", dspGroup).ID, dspGroup)
	ev.take()
	before := s.freeze("r1", "r2", "r3")
	_, err := s.r.Assign(s.ctx, routing.ByAdmin("admin"), "r3", "tom")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	_, err = s.r.Take(s.ctx, routing.ByOperator("tom"), "r3")
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	s.requireUnchanged(before)
	ev.none()

	// ... but a colleague can hand one over.
	r1, err := s.r.TransferToOperator(s.ctx, routing.ByOperator("ann"), "r1", "tom")
	require.NoError(t, err)
	require.Equal(t, "tom", r1.Assignee)
	ev.expect("transferred conv=r1 op=tom from=ann")
	s.requireOp("tom", dspTraining, 1)
}

// The administrator's status data is checked when the router is configured:
// a rule naming a status that does not exist is refused, naming the field.
func TestP11_HelpDeskEddyDispatcher_InvalidStatusDefinitionRejected(t *testing.T) {
	d := dspDefinition()
	d.Statuses[0].Inactivity = &presence.Inactivity{After: 15 * time.Minute, Target: "vacation"}
	_, err := presence.New(d)
	require.ErrorIs(t, err, presence.ErrInvalidDefinition)
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorContains(t, err, "Inactivity.Target")

	d = dspDefinition()
	d.Statuses[0].Inactivity = &presence.Inactivity{After: 0, Target: dspAway}
	_, err = presence.New(d)
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorContains(t, err, "Inactivity.After")

	d = dspDefinition()
	d.Statuses = append(d.Statuses, presence.Status{Name: dspLunch})
	_, err = presence.New(d)
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorContains(t, err, "Name duplicates")
}

// A request's life under auto-distribution: waiting while nobody is online,
// assigned when someone comes, waiting for the customer, answered, closed
// (L1).
func TestL1_HelpDeskEddyDispatcher_RequestLifecycleEvents(t *testing.T) {
	s := newDispatcher(t)
	s.addOp("ann", dspOffline, 0, dspGroup)
	ev := s.subscribe(lifecycleKinds...)

	s.requireQueued(s.enqueue("r1", dspGroup).ID, dspGroup)
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", dspOnline))
	s.requireAssigned("r1", "ann")
	r1, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "r1")
	require.NoError(t, err)
	require.Equal(t, store.Waiting, r1.State)
	_, err = s.r.CustomerReplied(s.ctx, "r1")
	require.NoError(t, err)
	s.requireAssigned("r1", "ann")
	r1, err = s.r.CloseConversation(s.ctx, routing.ByOperator("ann"), "r1", "solved")
	require.NoError(t, err)
	require.Equal(t, store.Closed, r1.State)
	ev.expect(
		`queued conv=r1 policy=`+dspPolicy+` pos=1 reason="no eligible operator"`,
		"assigned conv=r1 op=ann policy="+dspPolicy,
		"waiting conv=r1 op=ann",
		"assigned conv=r1 op=ann policy=returned",
		`closed conv=r1 op=ann reason="solved"`,
	)
}
