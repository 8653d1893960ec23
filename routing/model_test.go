package routing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// routerMachine drives a Router with random sequences of every command and
// checks invariants 1, 2, 3, 5 and 8 after each step.
type routerMachine struct {
	t     *rapid.T
	ctx   context.Context
	clk   *clock.Mock
	st    store.Store
	r     *routing.Router
	model *presence.Model
	sub   *routing.Subscription
	// opSubs holds a subscription filtered on each operator, made once
	// the operator exists; groupSubs one filtered on each group.
	opSubs, groupSubs map[string]*routing.Subscription
	// policies is each group's current policy, for caps.
	policies map[string]policy.Policy
	// convSeq numbers new conversations.
	convSeq int
	// step holds the events of the current step.
	step []routing.Event
	// before is the state before the current step.
	before machineState
	// concurrent marks a step whose commands ran at once.
	concurrent bool
	// ticked marks a step that advanced the clock and processed what was
	// due.
	ticked bool
}

var (
	machineOps      = []string{"o1", "o2", "o3", "o4"}
	machineGroups   = []string{"ga", "gb"}
	machineStatuses = []string{presence.StatusReady, presence.StatusCanHelp, presence.StatusPause, presence.StatusAway, presence.StatusOffline}
)

// machinePolicies are the policies a group may be switched to.
func machinePolicies() []policy.Policy {
	return []policy.Policy{
		policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2, ManualOverCap: true}),
		policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 1}),
		policy.PreviousOperator(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})),
		policy.Capped(policy.Broadcast(2), policy.CapOptions{Default: 2, ManualOverCap: true}),
	}
}

// state is everything observable: the store's rows and the router's view.
type machineState struct {
	ops   []store.Operator
	convs []store.Conversation
	snap  routing.Snapshot
}

func (m *routerMachine) init(t *rapid.T) {
	m.t, m.ctx = t, context.Background()
	m.clk = clock.NewMock()
	m.clk.Set(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	m.st = memory.New()
	m.model = presence.Standard()
	ps := machinePolicies()
	m.policies = map[string]policy.Policy{"ga": ps[0], "gb": ps[1]}
	var err error
	m.r, err = routing.New(m.ctx, routing.Config{
		Store: m.st, Clock: m.clk, Presence: m.model,
		ManualDeadlines: true, Skills: []string{"de", "en"},
		Groups: []routing.Group{
			{ID: "ga", Policy: ps[0], AcceptTimeout: 3 * time.Minute, AutoClose: 20 * time.Minute,
				WaitLevels:      []routing.WaitLevel{{Name: "yellow", After: 2 * time.Minute}, {Name: "red", After: 5 * time.Minute}},
				SkillRelaxAfter: 4 * time.Minute, SkillRelaxKeep: []string{"en"}},
			{ID: "gb", Policy: ps[1], AcceptTimeout: time.Minute, WaitingExpiry: 10 * time.Minute},
		},
	})
	require.NoError(t, err)
	m.sub = m.r.Subscribe()
	m.opSubs, m.groupSubs = map[string]*routing.Subscription{}, map[string]*routing.Subscription{}
	for _, g := range machineGroups {
		m.groupSubs[g], err = m.r.SubscribeTo(routing.EventFilter{Group: g})
		require.NoError(t, err)
	}
	m.before = m.observe()
}

func (m *routerMachine) observe() machineState {
	ops, err := m.st.Operators(m.ctx)
	require.NoError(m.t, err)
	convs, err := m.st.Conversations(m.ctx, store.Filter{})
	require.NoError(m.t, err)
	return machineState{ops: ops, convs: convs, snap: m.r.Snapshot()}
}

func (m *routerMachine) drain() []routing.Event { return drainSub(m.t, m.sub) }

// drainSub returns the events sub holds; it must not have ended.
func drainSub(t *rapid.T, sub *routing.Subscription) []routing.Event {
	var evs []routing.Event
	for {
		select {
		case ev, ok := <-sub.Events():
			require.True(t, ok, "subscription closed: %v", sub.Err())
			evs = append(evs, ev)
		default:
			return evs
		}
	}
}

// checkFilteredSubs: each operator's and each group's filtered
// subscription received exactly the step's events that concern it, in
// order; an operator added in the step gets one for the steps that
// follow.
func (m *routerMachine) checkFilteredSubs(t *rapid.T, after machineState) {
	for op, sub := range m.opSubs {
		want := filterEvents(m.step, func(e routing.Event) bool { return concernsOperator(e, op) })
		require.Equal(t, want, drainSub(t, sub), "events of %s's subscription", op)
	}
	for g, sub := range m.groupSubs {
		want := filterEvents(m.step, func(e routing.Event) bool { return concernsGroup(e, g) })
		require.Equal(t, want, drainSub(t, sub), "events of group %s's subscription", g)
	}
	for _, o := range after.ops {
		if m.opSubs[o.ID] == nil {
			sub, err := m.r.SubscribeTo(routing.EventFilter{Operator: o.ID})
			require.NoError(t, err)
			m.opSubs[o.ID] = sub
		}
	}
}

func (m *routerMachine) opID(t *rapid.T) string {
	return rapid.SampledFrom(append(machineOps, "nobody")).Draw(t, "operator")
}

// convID draws an existing conversation id most of the time.
func (m *routerMachine) convID(t *rapid.T) string {
	if m.convSeq == 0 || rapid.IntRange(0, 9).Draw(t, "unknownConv") == 0 {
		return "missing"
	}
	return fmt.Sprintf("c%d", rapid.IntRange(1, m.convSeq).Draw(t, "conv"))
}

func (m *routerMachine) actor(t *rapid.T, conv string) routing.Actor {
	if rapid.IntRange(0, 4).Draw(t, "admin") == 0 {
		return routing.ByAdmin("boss")
	}
	// Usually the holder, sometimes someone else (L11).
	if c, err := m.st.Conversation(m.ctx, conv); err == nil && c.Assignee != "" && rapid.Bool().Draw(t, "holder") {
		return routing.ByOperator(c.Assignee)
	}
	return routing.ByOperator(m.opID(t))
}

// expectBad asserts that a command given bad input failed with want and
// changed nothing (invariant 8).
func (m *routerMachine) expectBad(err error, want error) {
	require.ErrorIs(m.t, err, want)
	after := m.observe()
	require.Equal(m.t, m.before.ops, after.ops, "bad input changed operators")
	require.Equal(m.t, m.before.convs, after.convs, "bad input changed conversations")
	require.Equal(m.t, m.before.snap, after.snap, "bad input changed the router's view")
}

// expectFailureChangesNothing: a command refused for any reason leaves the
// state as it was.
func (m *routerMachine) expectFailureChangesNothing(err error) {
	if err == nil {
		return
	}
	require.Truef(m.t, isTyped(err), "untyped error %v", err)
	after := m.observe()
	require.Equal(m.t, m.before.convs, after.convs, "refused command changed conversations: %v", err)
	require.Equal(m.t, m.before.ops, after.ops, "refused command changed operators: %v", err)
}

func isTyped(err error) bool {
	for _, s := range []error{routing.ErrNotFound, routing.ErrAlreadyExists, routing.ErrAlreadyTaken, routing.ErrWrongState,
		routing.ErrConflict, routing.ErrOverCapacity, routing.ErrNotAllowed, routing.ErrNotAssignee,
		routing.ErrHoldsConversations, routing.ErrInvalid, routing.ErrClosed} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func (m *routerMachine) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"AddOperator": func(t *rapid.T) {
			id := rapid.SampledFrom(machineOps).Draw(t, "id")
			groups := groupsOf(t)
			existed := m.exists(id)
			_, err := m.r.AddOperator(m.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: groups, Cap: rapid.IntRange(0, 3).Draw(t, "cap"),
				Skills: machineSkills(t), Status: rapid.SampledFrom(machineStatuses).Draw(t, "status")})

			if existed {
				m.expectBad(err, routing.ErrAlreadyExists)
				return
			}
			require.NoError(t, err)
		},
		"AddOperatorBad": func(t *rapid.T) {
			spec := routing.OperatorSpec{ID: "o9", Groups: []string{"ga"}}
			want := routing.ErrInvalid
			switch rapid.IntRange(0, 3).Draw(t, "bad") {
			case 0:
				spec.Cap = -1
			case 1:
				spec.ID = ""
			case 2:
				spec.Status, want = "lunch", routing.ErrUnknownStatus
			case 3:
				spec.Groups, want = []string{"nope"}, routing.ErrNotFound
			}
			_, err := m.r.AddOperator(m.ctx, routing.ByAdmin("admin"), spec)
			m.expectBad(err, want)
		},
		"UpdateOperator": func(t *rapid.T) {
			id := m.opID(t)
			_, err := m.r.UpdateOperator(m.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: groupsOf(t), Cap: rapid.IntRange(-1, 3).Draw(t, "cap"),
				Skills: machineSkills(t)})
			m.expectFailureChangesNothing(err)
		},
		"RemoveOperator": func(t *rapid.T) {
			err := m.r.RemoveOperator(m.ctx, routing.ByAdmin("admin"), m.opID(t))
			if err != nil {
				m.expectBad(err, routing.ErrNotFound)
			}
		},
		"SetStatus": func(t *rapid.T) {
			id := m.opID(t)
			status := rapid.SampledFrom(append(machineStatuses, "lunch")).Draw(t, "status")
			by := routing.ByOperator(id)
			if rapid.IntRange(0, 5).Draw(t, "other") == 0 {
				by = routing.ByOperator("o1")
			}
			err := m.r.SetStatus(m.ctx, by, id, status)
			switch {
			case !m.exists(id) && (by.ID == id):
				m.expectBad(err, routing.ErrNotFound)
			case by.ID != id:
				m.expectBad(err, routing.ErrNotAllowed)
			case status == "lunch":
				m.expectBad(err, routing.ErrUnknownStatus)
			default:
				require.NoError(t, err)
			}
		},
		"LogInOut": func(t *rapid.T) {
			id := m.opID(t)
			var err error
			if rapid.Bool().Draw(t, "in") {
				err = m.r.LogIn(m.ctx, routing.ByOperator(id), id)
			} else {
				err = m.r.LogOut(m.ctx, routing.ByOperator(id), id)
			}
			if !m.exists(id) {
				m.expectBad(err, routing.ErrNotFound)
				return
			}
			require.NoError(t, err)
		},
		"EndShift": func(t *rapid.T) {
			id := m.opID(t)
			by := routing.ByOperator(id)
			if rapid.Bool().Draw(t, "forced") {
				by = routing.ByAdmin("boss")
			}
			err := m.r.EndShift(m.ctx, by, id)
			if !m.exists(id) {
				m.expectBad(err, routing.ErrNotFound)
				return
			}
			require.NoError(t, err)
		},
		"Enqueue": func(t *rapid.T) {
			m.convSeq++
			_, err := m.r.Enqueue(m.ctx, routing.NewConversation{
				ID: fmt.Sprintf("c%d", m.convSeq), Group: rapid.SampledFrom(machineGroups).Draw(t, "group"),
				CustomerID: rapid.SampledFrom([]string{"", "k1", "k2"}).Draw(t, "customer"),
				Priority:   rapid.IntRange(0, 2).Draw(t, "priority"),
				Skills:     machineRequired(t),
				Channel:    rapid.SampledFrom([]string{"web", "telegram"}).Draw(t, "channel"),
				Attributes: machineAttributes(t),
			})
			require.NoError(t, err)
		},
		"EnqueueBad": func(t *rapid.T) {
			nc := routing.NewConversation{ID: "c1", Group: "ga"}
			want := routing.ErrAlreadyExists
			switch rapid.IntRange(0, 2).Draw(t, "bad") {
			case 0:
				nc.Group, want = "nope", routing.ErrNotFound
			case 1:
				nc.ID, want = "", routing.ErrInvalid
			}
			if want == routing.ErrAlreadyExists && m.convSeq == 0 {
				return
			}
			_, err := m.r.Enqueue(m.ctx, nc)
			m.expectBad(err, want)
		},
		"StartOutbound": func(t *rapid.T) {
			op := m.opID(t)
			m.convSeq++
			_, err := m.r.StartOutbound(m.ctx, routing.ByOperator(op), routing.NewConversation{ID: fmt.Sprintf("c%d", m.convSeq), Group: rapid.SampledFrom(machineGroups).Draw(t, "group")}, op)
			if err != nil {
				m.convSeq--
				m.expectFailureChangesNothing(err)
			}
		},
		"Take": func(t *rapid.T) {
			op, conv := m.opID(t), m.convID(t)
			want := m.predictTake(op, conv)
			_, err := m.r.Take(m.ctx, routing.ByOperator(op), conv)
			if want == nil {
				require.NoError(t, err)
				return
			}
			m.expectBad(err, want)
		},
		"Assign": func(t *rapid.T) {
			conv := m.convID(t)
			_, err := m.r.Assign(m.ctx, m.actor(t, conv), conv, m.opID(t))
			m.expectFailureChangesNothing(err)
		},
		"Close": func(t *rapid.T) {
			conv := m.convID(t)
			by := m.actor(t, conv)
			want := m.predictHolderOnly(by, conv, []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting})
			_, err := m.r.CloseConversation(m.ctx, by, conv, "done")
			if want == nil {
				require.NoError(t, err)
				return
			}
			m.expectBad(err, want)
		},
		"Release": func(t *rapid.T) {
			conv := m.convID(t)
			by := m.actor(t, conv)
			want := m.predictHolderOnly(by, conv, []store.State{store.Assigned, store.Waiting})
			_, err := m.r.Release(m.ctx, by, conv)
			if want == nil {
				require.NoError(t, err)
				return
			}
			m.expectBad(err, want)
		},
		"MarkWaiting": func(t *rapid.T) {
			conv := m.convID(t)
			by := m.actor(t, conv)
			_, err := m.r.MarkWaiting(m.ctx, by, conv)
			m.expectFailureChangesNothing(err)
		},
		"CustomerReplied": func(t *rapid.T) {
			_, err := m.r.CustomerReplied(m.ctx, m.convID(t))
			m.expectFailureChangesNothing(err)
		},
		"TransferToOperator": func(t *rapid.T) {
			conv := m.convID(t)
			_, err := m.r.TransferToOperator(m.ctx, m.actor(t, conv), conv, m.opID(t))
			m.expectFailureChangesNothing(err)
		},
		"TransferToGroup": func(t *rapid.T) {
			conv := m.convID(t)
			_, err := m.r.TransferToGroup(m.ctx, m.actor(t, conv), conv, rapid.SampledFrom(append(machineGroups, "nope")).Draw(t, "group"))
			m.expectFailureChangesNothing(err)
		},
		"Reopen": func(t *rapid.T) {
			old := m.convID(t)
			m.convSeq++
			_, err := m.r.Reopen(m.ctx, old, routing.NewConversation{ID: fmt.Sprintf("c%d", m.convSeq)})
			if err != nil {
				m.convSeq--
				m.expectFailureChangesNothing(err)
			}
		},
		"SetRules": func(t *rapid.T) {
			// A random choice of the machine's rules, in a random order.
			menu := machineRules()
			picked := rapid.SliceOfNDistinct(rapid.IntRange(0, len(menu)-1), 0, len(menu), rapid.ID[int]).Draw(t, "rules")
			var rs []rules.Rule
			for _, i := range picked {
				rs = append(rs, menu[i])
			}
			set, err := rules.New(rs, nil)
			require.NoError(t, err)
			_, err = m.r.SetRules(m.ctx, routing.ByAdmin("admin"), set)
			require.NoError(t, err)
		},
		"SetPolicy": func(t *rapid.T) {
			g := rapid.SampledFrom(machineGroups).Draw(t, "group")
			p := rapid.SampledFrom(machinePolicies()).Draw(t, "policy")
			require.NoError(t, m.r.SetPolicy(m.ctx, routing.ByAdmin("admin"), g, p))
			m.policies[g] = p
		},
		"UpdateGroup": func(t *rapid.T) {
			// The group as served, with another policy and accept
			// timeout.
			g, err := m.r.Group(rapid.SampledFrom(machineGroups).Draw(t, "group"))
			require.NoError(t, err)
			g.Policy = rapid.SampledFrom(machinePolicies()).Draw(t, "policy")
			g.AcceptTimeout = time.Duration(rapid.IntRange(0, 4).Draw(t, "acceptTimeout")) * time.Minute
			require.NoError(t, m.r.UpdateGroup(m.ctx, routing.ByAdmin("admin"), g))
			m.policies[g.ID] = g.Policy
		},
		"Concurrent": func(t *rapid.T) {
			m.concurrent = true
			// Several commands at once: arrivals, takes, releases, closes,
			// ends of shift and status flips race.
			n := rapid.IntRange(2, 4).Draw(t, "n")
			cmds := make([]func(), n)
			for i := range cmds {
				op, conv := m.opID(t), m.convID(t)
				admin := routing.ByAdmin("boss")
				switch rapid.IntRange(0, 5).Draw(t, "kind") {
				case 0:
					cmds[i] = func() { _, _ = m.r.Take(m.ctx, routing.ByOperator(op), conv) }
				case 1:
					cmds[i] = func() { _, _ = m.r.CloseConversation(m.ctx, admin, conv, "race") }
				case 2:
					m.convSeq++
					nc := routing.NewConversation{ID: fmt.Sprintf("c%d", m.convSeq), Group: rapid.SampledFrom(machineGroups).Draw(t, "group"),
						Priority: rapid.IntRange(0, 2).Draw(t, "priority"), Skills: machineRequired(t)}
					cmds[i] = func() { _, _ = m.r.Enqueue(m.ctx, nc) }
				case 3:
					cmds[i] = func() { _, _ = m.r.Release(m.ctx, admin, conv) }
				case 4:
					cmds[i] = func() { _ = m.r.EndShift(m.ctx, admin, op) }
				default:
					st := rapid.SampledFrom(machineStatuses).Draw(t, "status")
					cmds[i] = func() { _ = m.r.SetStatus(m.ctx, admin, op, st) }
				}
			}
			// A console reads while they run: each answer is one instant
			// of the view.
			cmds = append(cmds, func() { m.readDuringCommands() })
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, c := range cmds {
				wg.Go(func() { <-start; c() })
			}
			close(start)
			wg.Wait()
		},
		"Tick": func(t *rapid.T) {
			// Time passes; everything due is processed (invariant 6
			// is checked after the step).
			m.clk.Add(time.Duration(rapid.IntRange(1, 600).Draw(t, "seconds")) * time.Second)
			require.NoError(t, m.r.ProcessDue(m.ctx))
			m.ticked = true
		},
		"Activity": func(t *rapid.T) {
			conv := m.convID(t)
			if rapid.Bool().Draw(t, "operator") {
				_, err := m.r.OperatorReplied(m.ctx, m.actor(t, conv), conv)
				m.expectFailureChangesNothing(err)
				return
			}
			_, err := m.r.Accept(m.ctx, m.actor(t, conv), conv)
			m.expectFailureChangesNothing(err)
		},
		"": m.check,
	}
}

// machineSkills draws an operator's skills: German and English, each held
// or not, at levels 1 to 3.
func machineSkills(t *rapid.T) []string {
	var skills []string
	for _, name := range []string{"de", "en"} {
		if level := rapid.IntRange(0, 3).Draw(t, "skill-"+name); level > 0 {
			skills = append(skills, policy.Skill{Name: name, Level: level}.String())
		}
	}
	return skills
}

// machineRequired draws what a new conversation requires: usually nothing,
// else one of the machine's skills at a level, or both.
func machineRequired(t *rapid.T) []string {
	return rapid.SampledFrom([][]string{nil, nil, nil, {"de"}, {"en:2"}, {"de:3"}, {"de", "en"}}).Draw(t, "requires")
}

// machineAttributes draws the facts rules test: a VIP mark, a shop page,
// the customer's company, a night mark.
func machineAttributes(t *rapid.T) map[string]string {
	attrs := map[string]string{}
	for _, kv := range [][2]string{{"vip", "yes"}, {rules.AttrURL, "/shop/cart"}, {rules.AttrCompany, "Red"}, {"night", "1"}} {
		if rapid.IntRange(0, 3).Draw(t, "attr-"+kv[0]) == 0 {
			attrs[kv[0]] = kv[1]
		}
	}
	return attrs
}

// machineRules is the menu of rules SetRules draws from: each sets
// something routing must respect (a skill, a group, a priority, a
// preferred operator with or without a wait, the off-hours mark).
func machineRules() []rules.Rule {
	leaf := func(field string, op rules.Op, value string) *rules.Condition {
		return &rules.Condition{Field: field, Op: op, Value: value}
	}
	five := 5
	return []rules.Rule{
		{Name: "telegram needs german", Enabled: true, When: leaf(rules.FieldChannel, rules.OpEquals, "telegram"), Then: rules.Actions{Skills: []string{"de:2"}}},
		{Name: "shop to gb", Enabled: true, When: leaf(rules.FieldURL, rules.OpContains, "/shop"), Then: rules.Actions{Group: "gb"}},
		{Name: "red is urgent", Enabled: true, When: leaf(rules.FieldCompany, rules.OpEquals, "Red"), Then: rules.Actions{Priority: &five}},
		{Name: "vip to o1", Enabled: true, On: []rules.Trigger{rules.OnEnqueue, rules.OnReopen, rules.OnTransfer},
			When: &rules.Condition{Field: "attr.vip", Op: rules.OpExists}, Then: rules.Actions{Prefer: &rules.Prefer{Operator: "o1"}}},
		{Name: "vip waits for the previous", Enabled: true, When: &rules.Condition{Field: "attr.vip", Op: rules.OpExists},
			Then: rules.Actions{Prefer: &rules.Prefer{Previous: true, Wait: time.Minute}}},
		{Name: "night is off-hours", Enabled: true, When: &rules.Condition{Field: "attr.night", Op: rules.OpExists}, Then: rules.Actions{OffHours: true}},
		{Name: "shop stops", Enabled: true, When: leaf(rules.FieldURL, rules.OpContains, "/shop"), Then: rules.Actions{Tags: []string{"shop"}}, Stop: true},
	}
}

// groupsOf draws a subset of the machine's groups.
func groupsOf(t *rapid.T) []string {
	var gs []string
	for _, g := range machineGroups {
		if rapid.Bool().Draw(t, "in-"+g) {
			gs = append(gs, g)
		}
	}
	return gs
}

// capOf is the model of an operator's cap: their own, else the lowest
// default of their groups' policies.
func (m *routerMachine) capOf(o store.Operator) int {
	if o.Cap > 0 {
		return o.Cap
	}
	lowest := 0
	for _, g := range o.Groups {
		if l := policy.LimiterOf(m.policies[g]); l != nil {
			if c := l.Limit(policy.Candidate{}); c > 0 && (lowest == 0 || c < lowest) {
				lowest = c
			}
		}
	}
	return lowest
}

func (m *routerMachine) exists(op string) bool {
	_, err := m.st.Operator(m.ctx, op)
	return err == nil
}

// predictTake returns the error Take(op, conv) must fail with, or nil.
func (m *routerMachine) predictTake(op, conv string) error {
	c, err := m.st.Conversation(m.ctx, conv)
	if err != nil {
		return routing.ErrNotFound
	}
	o, err := m.st.Operator(m.ctx, op)
	if err != nil {
		return routing.ErrNotFound
	}
	if !o.InGroup(c.Group) || !policy.Satisfies(o.Skills, c.Skills) {
		return routing.ErrNotAllowed
	}
	switch {
	case c.State.Held():
		return routing.ErrAlreadyTaken
	case c.State == store.Closed:
		return routing.ErrWrongState
	case !m.model.Has(o.Status, presence.QueueTake):
		return routing.ErrNotAllowed
	}
	if l := policy.LimiterOf(m.policies[c.Group]); l != nil && !l.ManualOverCap() {
		if lim := l.Limit(policy.Candidate{Cap: m.capOf(o)}); lim > 0 && o.Load >= lim {
			return routing.ErrOverCapacity
		}
	}
	return nil
}

// predictHolderOnly returns the error a holder-only command (close,
// release) must fail with, or nil.
func (m *routerMachine) predictHolderOnly(by routing.Actor, conv string, from []store.State) error {
	c, err := m.st.Conversation(m.ctx, conv)
	if err != nil {
		return routing.ErrNotFound
	}
	if !slices.Contains(from, c.State) {
		if c.State.Held() {
			return routing.ErrAlreadyTaken
		}
		return routing.ErrWrongState
	}
	if !by.IsAdmin() && c.Assignee != by.ID {
		return routing.ErrNotAssignee
	}
	return nil
}

// check verifies the invariants after every step.
func (m *routerMachine) check(t *rapid.T) {
	m.step = m.drain()
	after := m.observe()
	defer func() { m.before, m.concurrent, m.ticked = after, false, false }()
	m.checkReads(t, after)
	m.checkFilteredSubs(t, after)

	// Invariant 6: after the clock moved and ProcessDue ran, nothing is
	// left due, and each deadline fired once (no wait level reported twice
	// for the same conversation in one step); deadlines match states.
	now := m.clk.Now()
	fired := map[string]bool{}
	for _, ev := range m.step {
		if ev.Kind == routing.WaitThreshold {
			key := ev.Conversation + "/" + ev.Reason
			require.False(t, fired[key], "wait level %s reported twice", key)
			fired[key] = true
		}
	}
	for _, c := range after.convs {
		for _, d := range c.Deadlines {
			if m.ticked {
				require.True(t, d.Due.After(now), "%s: %v due at %v left after ProcessDue at %v", c.ID, d.Kind, d.Due, now)
			}
			switch d.Kind {
			case store.AcceptTimeout:
				require.Contains(t, []store.State{store.Assigned, store.Offered}, c.State, "%s: accept timeout while %v", c.ID, c.State)
			case store.WaitingExpiry:
				require.Equal(t, store.Waiting, c.State, "%s: waiting expiry while %v", c.ID, c.State)
			}
		}
		require.False(t, c.State == store.Closed && len(c.Deadlines) > 0, "%s closed with deadlines", c.ID)
	}
	ops := map[string]store.Operator{}
	for _, o := range after.ops {
		ops[o.ID] = o
	}

	// Invariant 1 (and 4's "exactly one state"): each conversation in one
	// valid state, an assignee exactly when held, offers exactly when
	// offered; loads equal the assigned conversations.
	load := map[string]int{}
	held := map[string][]string{}
	for _, c := range after.convs {
		require.NoError(t, c.Validate(), "conversation %s", c.ID)
		if c.State == store.Assigned {
			load[c.Assignee]++
		}
		if c.State.Held() {
			require.Contains(t, ops, c.Assignee, "conversation %s held by a removed operator", c.ID)
			held[c.Assignee] = append(held[c.Assignee], c.ID)
		}
	}
	for _, o := range after.ops {
		require.Equal(t, load[o.ID], o.Load, "load of %s", o.ID)
	}
	// The router's view agrees with the store.
	require.Len(t, after.snap.Operators, len(after.ops))
	for i, so := range after.snap.Operators {
		o := after.ops[i]
		require.Equal(t, o.ID, so.ID)
		require.Equal(t, o.Status, so.Status, "status of %s", o.ID)
		require.Equal(t, o.Load, so.Load, "view load of %s", o.ID)
		hs := held[o.ID]
		slices.Sort(hs)
		require.Equal(t, hs, nilIfEmpty(so.Conversations), "view of %s's conversations", o.ID)
	}

	// Invariant 2 and L1/S3: replaying the step's events over the
	// state before it rebuilds every conversation's state and every load,
	// and no automatic assignment put an operator above their cap at the
	// moment it happened. (Commands run concurrently emit in an order that
	// may differ from their commits, so there only the end state is
	// compared.)
	m.replay(t, ops, after)

	// Invariant 3: nothing is offered to an operator whose status does
	// not allow offers, or who left the group; automatic assignments went
	// to statuses that allow them.
	for _, c := range after.convs {
		for _, id := range c.OfferedTo {
			o, ok := ops[id]
			require.True(t, ok, "%s offered to removed %s", c.ID, id)
			require.True(t, m.model.Has(o.Status, presence.QueueTake), "%s offered to %s in %s", c.ID, id, o.Status)
			require.True(t, o.InGroup(c.Group), "%s offered to %s outside group %s", c.ID, id, c.Group)
		}
	}
	for _, ev := range m.step {
		// (After concurrent commands an operator's status change may be
		// reported before an assignment the store made while the old
		// status held; the store checked the status atomically then.)
		if ev.Kind == routing.Assigned && m.automatic(ev.Policy) && !m.concurrent {
			if o, ok := ops[ev.Operator]; ok && o.Status == m.statusAt(ev) {
				require.True(t, m.model.Has(o.Status, presence.AutoAssign), "auto-assigned to %s in %s", o.ID, o.Status)
			}
		}
	}

	// Skills: nothing is offered to an operator who lacks a skill the
	// conversation requires, and nothing was assigned to one in this step
	// (an assignment made before the operator lost the skill stays theirs,
	// and so does one waiting on its customer that comes back to them).
	convByID := map[string]store.Conversation{}
	for _, c := range after.convs {
		convByID[c.ID] = c
		for _, id := range c.OfferedTo {
			require.True(t, policy.Satisfies(ops[id].Skills, c.Skills), "%s requiring %v offered to %s holding %v", c.ID, c.Skills, id, ops[id].Skills)
		}
	}
	for _, ev := range m.step {
		// Off-hours (D1): nothing marked so is routed automatically.
		if c, ok := convByID[ev.Conversation]; ok && c.OffHours && (ev.Kind == routing.Assigned || ev.Kind == routing.Offered) && m.automatic(ev.Policy) {
			t.Fatalf("%s, marked off-hours, routed: %v", c.ID, ev)
		}
		if (ev.Kind == routing.Assigned || ev.Kind == routing.Transferred) && ev.Operator != "" && ev.Policy != "returned" && !m.concurrent {
			c := convByID[ev.Conversation]
			if o, ok := ops[ev.Operator]; ok && c.Assignee == ev.Operator {
				require.True(t, policy.Satisfies(o.Skills, c.Skills), "%s requiring %v given to %s holding %v", c.ID, c.Skills, o.ID, o.Skills)
			}
		}
	}

	// Invariant 5 and R7: a queue never waits while its head could be
	// served: in a group with a queued (not offered) conversation, no
	// operator eligible for it is below cap.
	for _, c := range after.convs {
		_, waitsForPreferred := store.DeadlineOf(c.Deadlines, store.PreferExpiry)
		if c.State != store.Queued || c.OffHours || (waitsForPreferred && c.Preferred != "") {
			// Marked off-hours, or waiting for its preferred operator,
			// by a rule (D1): it waits whoever is free.
			continue
		}
		p := m.policies[c.Group]
		l := policy.LimiterOf(p)
		for _, o := range after.ops {
			if !o.InGroup(c.Group) || !policy.Satisfies(o.Skills, c.Skills) {
				continue
			}
			canAuto := m.model.Has(o.Status, presence.AutoAssign) && isLeastLoaded(p)
			canOffer := m.model.Has(o.Status, presence.QueueTake) && !isLeastLoaded(p)
			if (canAuto || canOffer) && policy.BelowCap(l, policy.Candidate{Load: o.Load, Cap: m.capOf(o)}) {
				t.Fatalf("%s waits in %s while %s (%s, load %d) could take it", c.ID, c.Group, o.ID, o.Status, o.Load)
			}
		}
	}
	// Invariant 5: a step's automatic assignments of conversations that
	// were queued before it follow queue order. (Concurrent commands emit
	// their events in an order that may differ from their commits, so
	// there the order of events proves nothing.)
	if m.concurrent {
		return
	}
	var served []store.Conversation
	beforeConv := map[string]store.Conversation{}
	for _, c := range m.before.convs {
		beforeConv[c.ID] = c
	}
	for _, ev := range m.step {
		if c, ok := beforeConv[ev.Conversation]; ok && ev.Kind == routing.Assigned && m.automatic(ev.Policy) && c.State == store.Queued {
			served = append(served, c)
		}
	}
	for i := 1; i < len(served); i++ {
		a, b := served[i-1], served[i]
		if a.Group == b.Group {
			require.False(t, b.Priority > a.Priority || (b.Priority == a.Priority && b.Seq < a.Seq), "served %s before %s", a.ID, b.ID)
		}
	}
}

type replayed struct {
	state    store.State
	assignee string
}

// replay applies the step's events to the state before it and compares the
// result with the store.
func (m *routerMachine) replay(t *rapid.T, ops map[string]store.Operator, after machineState) {
	convs := map[string]replayed{}
	load := map[string]int{}
	for _, c := range m.before.convs {
		convs[c.ID] = replayed{c.State, c.Assignee}
		if c.State == store.Assigned {
			load[c.Assignee]++
		}
	}
	move := func(id string, to store.State, assignee string) {
		prev := convs[id]
		if prev.state == store.Assigned {
			load[prev.assignee]--
		}
		if to == store.Assigned {
			load[assignee]++
		}
		convs[id] = replayed{to, assignee}
	}
	for _, ev := range m.step {
		switch ev.Kind {
		case routing.Queued, routing.Returned, routing.Redistributed:
			move(ev.Conversation, store.Queued, "")
		case routing.Offered:
			move(ev.Conversation, store.Offered, "")
		case routing.Assigned:
			move(ev.Conversation, store.Assigned, ev.Operator)
			if o, ok := ops[ev.Operator]; ok && m.automatic(ev.Policy) && !m.concurrent {
				if l := policy.LimiterOf(m.policies[ev.Group]); l != nil {
					if lim := l.Limit(policy.Candidate{Cap: m.capOf(o)}); lim > 0 {
						require.LessOrEqual(t, load[o.ID], lim, "%s auto-assigned above cap: %v", o.ID, ev)
					}
				}
			}
		case routing.Waiting:
			move(ev.Conversation, store.Waiting, ev.Operator)
		case routing.Closed:
			move(ev.Conversation, store.Closed, "")
		case routing.Transferred:
			if ev.To != "" {
				move(ev.Conversation, store.Queued, "")
			} else {
				move(ev.Conversation, store.Assigned, ev.Operator)
			}
		case routing.OfferWithdrawn, routing.Missed, routing.WaitThreshold, routing.SkillsRelaxed:
			// The state follows in a Queued, Offered or Assigned event if
			// it changed.
		}
	}
	for _, c := range after.convs {
		got := convs[c.ID]
		require.Equal(t, replayed{c.State, c.Assignee}, got, "events of %s do not rebuild its state", c.ID)
	}
	for _, o := range after.ops {
		require.Equal(t, o.Load, load[o.ID], "events do not rebuild the load of %s", o.ID)
	}
}

// statusAt is the status an operator had when ev happened, if the step did
// not change it afterwards; "" otherwise.
func (m *routerMachine) statusAt(ev routing.Event) string {
	for _, e := range m.step {
		if e.Kind == routing.StatusChanged && e.Operator == ev.Operator && e.Seq > ev.Seq {
			return ""
		}
	}
	for _, o := range m.observe().ops {
		if o.ID == ev.Operator {
			return o.Status
		}
	}
	return ""
}

func (m *routerMachine) automatic(policyName string) bool {
	switch policyName {
	case "manual", "admin", "outbound", "returned", "transfer", "":
		return false
	}
	return true
}

func isLeastLoaded(p policy.Policy) bool {
	for p != nil {
		if p.Name() == policy.LeastLoaded().Name() {
			return true
		}
		w, ok := p.(policy.Wrapper)
		if !ok {
			return false
		}
		p = w.Unwrap()
	}
	return false
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestInvariants_RouterStateMachine drives random sequences of every
// Router command, including concurrent ones, and checks invariants 1,
// 2, 3, 5 and 8 after each step.
func TestInvariants_RouterStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := &routerMachine{}
		m.init(t)
		defer m.r.Stop(context.Background())
		t.Repeat(m.actions())
	})
}
