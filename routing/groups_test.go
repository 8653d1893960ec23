package routing_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

var boss = routing.ByAdmin("boss")

// storedGroup returns the stored row of group id.
func storedGroup(t *testing.T, st store.Store, id string) store.GroupRow {
	t.Helper()
	rows, err := st.Groups(t.Context())
	require.NoError(t, err)
	for _, g := range rows {
		if g.ID == id {
			return g
		}
	}
	t.Fatalf("the store holds no group %q", id)
	return store.GroupRow{}
}

// deadlineKinds returns the kinds of c's deadlines.
func deadlineKinds(c store.Conversation) []store.DeadlineKind {
	var out []store.DeadlineKind
	for _, d := range c.Deadlines {
		out = append(out, d.Kind)
	}
	return out
}

// TestGroupsAreStored: the groups of Config.Groups are stored as New
// starts, in the documented JSON form; a Router started later on the same
// store serves the stored ones, also those its Config does not list, and
// a stored group wins over a Config.Groups entry that differs.
func TestGroupsAreStored(t *testing.T) {
	st := memory.New()
	berlin, err := presence.ParseHours("Europe/Berlin", "mon-fri 09:00-18:00", "2025-12-25 closed")
	require.NoError(t, err)
	support := routing.Group{ID: "support", Site: "eu", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3}),
		AcceptTimeout: 30 * time.Second, WaitLevels: []routing.WaitLevel{{Name: "yellow", After: 2 * time.Minute}},
		Hours: berlin, SkillRelaxAfter: time.Minute, SkillRelaxKeep: []string{"en"}, AutoClose: time.Hour, WaitingExpiry: 10 * time.Minute}
	s := newScenario(t, routing.Config{Store: st, ManualDeadlines: true, Groups: []routing.Group{support, {ID: "sales"}}})
	row := storedGroup(t, st, "support")
	require.Equal(t, int64(1), row.Version)
	require.Equal(t, "system:start", row.UpdatedBy)
	require.JSONEq(t, `{"policy": {"kind": "capped", "default": 3, "inner": {"kind": "least-loaded"}},
		"site": "eu", "accept_timeout_ms": 30000, "wait_levels": [{"name": "yellow", "after_ms": 120000}],
		"auto_close_ms": 3600000, "waiting_expiry_ms": 600000,
		"hours": {"zone": "Europe/Berlin", "weekly": "mon-fri 09:00-18:00", "exceptions": ["2025-12-25 closed"]},
		"skill_relax_after_ms": 60000, "skill_relax_keep": ["en"]}`, string(row.Config))
	require.JSONEq(t, `{"policy": {"kind": "capped", "inner": {"kind": "least-loaded"}}}`, string(storedGroup(t, st, "sales").Config))
	require.NoError(t, s.r.Stop(s.ctx))

	// Started again with sales only, and another cap: support is served
	// as stored, and so is sales, whose Config.Groups entry lost.
	again := newScenario(t, routing.Config{Store: st, ManualDeadlines: true, Groups: []routing.Group{{ID: "sales", Policy: policy.Broadcast(0)}}})
	require.Equal(t, []string{"sales", "support"}, again.r.Groups())
	got, err := again.r.Group("support")
	require.NoError(t, err)
	require.Equal(t, support.Policy.Name(), got.Policy.Name())
	require.Equal(t, "Europe/Berlin", got.Hours.Location.String())
	got.Policy, got.Hours, support.Policy, support.Hours = nil, presence.Hours{}, nil, presence.Hours{}
	require.Equal(t, support, got)
	sales, err := again.r.Group("sales")
	require.NoError(t, err)
	require.Equal(t, routing.DefaultPolicy().Name(), sales.Policy.Name(), "the stored group wins over Config.Groups")

	_, err = again.r.Group("nope")
	require.ErrorIs(t, err, routing.ErrNotFound)
	_, err = again.r.Group("")
	require.ErrorIs(t, err, routing.ErrInvalid)
}

// TestUpdateGroupTakesEffect: each field of an updated group takes effect
// at once (the policy routes the queue again, the hours open and close
// the group, the durations arm the deadlines set from then on, the site
// restricts transfers), and is stored, so that a restarted Router serves
// the update.
func TestUpdateGroupTakesEffect(t *testing.T) {
	st := memory.New()
	s := newScenario(t, routing.Config{Store: st, ManualDeadlines: true, RestrictTransfersToSite: true,
		Groups: []routing.Group{{ID: "g", Policy: policy.Broadcast(0)}, {ID: "other", Site: "us"}}})
	s.addOp("ann", presence.StatusReady, 0, "g")
	s.requireOffered(s.enqueue("c1", "g").ID, "ann")
	avail := s.subscribe(routing.GroupAvailability, routing.OffHours)

	// The policy: the offered conversation is assigned at once.
	require.NoError(t, s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", Policy: policy.LeastLoaded()}))
	s.requireAssigned("c1", "ann")
	require.Equal(t, "least-loaded", s.group("g").Policy)
	require.Equal(t, int64(2), storedGroup(t, st, "g").Version)
	require.Equal(t, "admin:boss", storedGroup(t, st, "g").UpdatedBy)

	// The hours: closed on this Monday morning, then open again.
	weekend, err := presence.ParseHours("UTC", "sat-sun 09:00-18:00")
	require.NoError(t, err)
	require.NoError(t, s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", Policy: policy.LeastLoaded(), Hours: weekend}))
	avail.expect("group-availability group=g online=false")
	c2 := s.enqueue("c2", "g")
	require.Equal(t, store.Queued, c2.State)
	avail.expect("off-hours conv=c2 pos=1")
	require.NoError(t, s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", Policy: policy.LeastLoaded()}))
	avail.expect("group-availability group=g online=true")
	s.requireAssigned("c2", "ann")

	// The durations and levels apply to the deadlines set from then on.
	full := routing.Group{ID: "g", Policy: policy.Broadcast(0), Site: "eu", AcceptTimeout: 30 * time.Second, AutoClose: time.Hour,
		WaitingExpiry: 10 * time.Minute, WaitLevels: []routing.WaitLevel{{Name: "red", After: time.Minute}},
		SkillRelaxAfter: 2 * time.Minute, SkillRelaxKeep: []string{"en"}}
	require.NoError(t, s.r.UpdateGroup(s.ctx, boss, full))
	require.Empty(t, s.conv("c1").Deadlines, "deadlines set before keep their time")
	c3 := s.enqueueConv(routing.NewConversation{ID: "c3", Group: "g", Skills: []string{"de", "en"}})
	require.Equal(t, store.Queued, c3.State, "ann lacks German")
	require.ElementsMatch(t, []store.DeadlineKind{store.WaitLevel, store.SkillRelax}, deadlineKinds(c3))
	c4 := s.enqueue("c4", "g")
	require.Equal(t, store.Offered, c4.State)
	d, ok := store.DeadlineOf(c4.Deadlines, store.AcceptTimeout)
	require.True(t, ok)
	require.Equal(t, s.clk.Now().Add(30*time.Second), d.Due)
	_, err = s.r.OperatorReplied(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	require.Contains(t, deadlineKinds(s.conv("c1")), store.AutoClose)
	_, err = s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c2")
	require.NoError(t, err)
	require.Contains(t, deadlineKinds(s.conv("c2")), store.WaitingExpiry)

	// The site: a transfer to a group of another site is refused.
	_, err = s.r.TransferToGroup(s.ctx, boss, "c1", "other")
	require.ErrorIs(t, err, routing.ErrNotAllowed)

	got, err := s.r.Group("g")
	require.NoError(t, err)
	require.Equal(t, full, got)
	require.NoError(t, s.r.Stop(s.ctx))
	restarted := newScenario(t, routing.Config{Store: st, ManualDeadlines: true, Groups: []routing.Group{{ID: "g"}}})
	got, err = restarted.r.Group("g")
	require.NoError(t, err)
	require.Equal(t, full.Policy.Name(), got.Policy.Name())
	got.Policy, full.Policy = nil, nil
	require.Equal(t, full, got, "the update survives a restart")
}

// TestSetPolicyIsStored: SetPolicy changes the stored group's policy
// alone, so a restarted Router keeps it and the rest of the group.
func TestSetPolicyIsStored(t *testing.T) {
	st := memory.New()
	cfg := routing.Config{Store: st, ManualDeadlines: true, Groups: []routing.Group{{ID: "g", AcceptTimeout: time.Minute}}}
	s := newScenario(t, cfg)
	require.NoError(t, s.r.SetPolicy(s.ctx, boss, "g", policy.Broadcast(2)))
	require.NoError(t, s.r.Stop(s.ctx))
	again := newScenario(t, cfg)
	g, err := again.r.Group("g")
	require.NoError(t, err)
	require.Equal(t, "broadcast(2)", g.Policy.Name())
	require.Equal(t, time.Minute, g.AcceptTimeout)
	require.Equal(t, "broadcast(2)", again.group("g").Policy)
}

// TestRemoveGroup: a group is not removed while it holds an open
// conversation or an operator serves it (ErrGroupInUse, nothing changed);
// once they left it is removed, from the store too, and may be added
// again.
func TestRemoveGroup(t *testing.T) {
	st := memory.New()
	s := newScenario(t, routing.Config{Store: st, ManualDeadlines: true, Groups: []routing.Group{{ID: "g"}, {ID: "other"}}})
	s.addOp("ann", presence.StatusReady, 0, "g")
	s.enqueue("c1", "g")
	s.requireAssigned("c1", "ann")
	before, row := s.freeze("c1"), storedGroup(t, st, "g")

	err := s.r.RemoveGroup(s.ctx, boss, "g")
	require.ErrorIs(t, err, routing.ErrGroupInUse)
	require.ErrorContains(t, err, `operator "ann"`)
	s.requireUnchanged(before)
	require.Equal(t, row, storedGroup(t, st, "g"))
	_, err = s.r.UpdateOperator(s.ctx, boss, routing.OperatorSpec{ID: "ann", Groups: []string{"other"}})
	require.NoError(t, err)
	err = s.r.RemoveGroup(s.ctx, boss, "g")
	require.ErrorIs(t, err, routing.ErrGroupInUse)
	require.ErrorContains(t, err, `conversation "c1"`)
	require.Equal(t, []string{"g", "other"}, s.r.Groups())

	// The store's check decides too: a conversation the view does not
	// hold (written behind its back) keeps the group.
	_, err = s.r.CloseConversation(s.ctx, boss, "c1", "done")
	require.NoError(t, err)
	_, err = st.CreateConversation(s.ctx, store.Conversation{ID: "behind", Group: "g", State: store.Queued, CreatedAt: s.clk.Now()}, store.Require{})
	require.NoError(t, err)
	require.ErrorIs(t, s.r.RemoveGroup(s.ctx, boss, "g"), routing.ErrGroupInUse)
	_, err = st.Apply(s.ctx, store.Change{Conversation: "behind", From: []store.State{store.Queued}, To: store.Closed, At: s.clk.Now()})
	require.NoError(t, err)

	require.NoError(t, s.r.RemoveGroup(s.ctx, boss, "g"))
	require.Equal(t, []string{"other"}, s.r.Groups())
	_, err = s.r.Group("g")
	require.ErrorIs(t, err, routing.ErrNotFound)
	rows, err := st.Groups(s.ctx)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	_, err = s.r.Enqueue(s.ctx, routing.NewConversation{ID: "c2", Group: "g"})
	require.ErrorIs(t, err, routing.ErrNotFound)
	require.ErrorIs(t, s.r.RemoveGroup(s.ctx, boss, "g"), routing.ErrNotFound)

	require.NoError(t, s.r.AddGroup(s.ctx, boss, routing.Group{ID: "g", Policy: policy.Broadcast(0)}))
	require.Equal(t, int64(1), storedGroup(t, st, "g").Version)
	require.Equal(t, "broadcast", s.group("g").Policy)
}

// TestGroupCommandsRefuseBadInput: the group commands refuse bad input
// with a clear error, and change nothing: neither the store's row nor
// what the Router serves.
func TestGroupCommandsRefuseBadInput(t *testing.T) {
	st := memory.New()
	s := newScenario(t, routing.Config{Store: st, ManualDeadlines: true, Groups: []routing.Group{{ID: "g", AcceptTimeout: time.Minute}}})
	ann := routing.ByOperator("ann")
	row := storedGroup(t, st, "g")
	for _, tc := range []struct {
		name string
		want error
		call func() error
	}{
		{"update by an operator", routing.ErrNotAllowed, func() error { return s.r.UpdateGroup(s.ctx, ann, routing.Group{ID: "g"}) }},
		{"update by nobody", routing.ErrInvalid, func() error { return s.r.UpdateGroup(s.ctx, routing.Actor{}, routing.Group{ID: "g"}) }},
		{"update of an unknown group", routing.ErrNotFound, func() error { return s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "nope"}) }},
		{"update with no id", routing.ErrInvalidConfig, func() error { return s.r.UpdateGroup(s.ctx, boss, routing.Group{}) }},
		{"update with a negative timeout", routing.ErrInvalidConfig, func() error {
			return s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", AcceptTimeout: -time.Second})
		}},
		{"update with a timeout of microseconds", routing.ErrInvalidConfig, func() error {
			return s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", AcceptTimeout: 1500 * time.Microsecond})
		}},
		{"update with hours in a zone without a name", routing.ErrInvalidConfig, func() error {
			return s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", Hours: presence.Hours{Location: time.FixedZone("X", 3600)}})
		}},
		{"update with bad wait levels", routing.ErrInvalidConfig, func() error {
			return s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", WaitLevels: []routing.WaitLevel{{Name: "a", After: 0}}})
		}},
		{"update with a policy nested too deep", routing.ErrInvalidConfig, func() error {
			p := policy.LeastLoaded()
			for range policy.MaxSpecDepth {
				p = policy.PreviousOperator(p)
			}
			return s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", Policy: p})
		}},
		{"update with a host policy of a kind not registered", routing.ErrInvalidConfig, func() error {
			return s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "g", Policy: policy.Capped(newTagged("x"), policy.CapOptions{})})
		}},
		{"set policy nil", routing.ErrInvalid, func() error { return s.r.SetPolicy(s.ctx, boss, "g", nil) }},
		{"set policy by an operator", routing.ErrNotAllowed, func() error { return s.r.SetPolicy(s.ctx, ann, "g", policy.LeastLoaded()) }},
		{"add by an operator", routing.ErrNotAllowed, func() error { return s.r.AddGroup(s.ctx, ann, routing.Group{ID: "new"}) }},
		{"add of a stored id", routing.ErrAlreadyExists, func() error { return s.r.AddGroup(s.ctx, boss, routing.Group{ID: "g"}) }},
		{"remove by an operator", routing.ErrNotAllowed, func() error { return s.r.RemoveGroup(s.ctx, ann, "g") }},
		{"remove with no id", routing.ErrInvalid, func() error { return s.r.RemoveGroup(s.ctx, boss, "") }},
		{"remove of an unknown group", routing.ErrNotFound, func() error { return s.r.RemoveGroup(s.ctx, boss, "nope") }},
	} {
		err := tc.call()
		require.ErrorIs(t, err, tc.want, tc.name)
		require.Equal(t, row, storedGroup(t, st, "g"), tc.name)
		g, err := s.r.Group("g")
		require.NoError(t, err)
		require.Equal(t, time.Minute, g.AcceptTimeout, tc.name)
		require.Equal(t, []string{"g"}, s.r.Groups(), tc.name)
	}
}

// tagged is a host's policy that describes itself (policy.Specifier):
// least-loaded routing under a name of the host's.
type tagged struct {
	policy.Policy
	tag string
}

func newTagged(tag string) tagged { return tagged{Policy: policy.LeastLoaded(), tag: tag} }

func (p tagged) Name() string { return "tagged(" + p.tag + ")" }

func (p tagged) Spec() policy.Spec {
	params, _ := json.Marshal(map[string]string{"tag": p.tag})
	return policy.Spec{Kind: "tagged", Params: params}
}

// buildTagged is the Builder of kind "tagged".
func buildTagged(s policy.Spec, _ func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) {
	var params struct{ Tag string }
	if err := json.Unmarshal(s.Params, &params); err != nil {
		return nil, err
	}
	return newTagged(params.Tag), nil
}

// TestHostPolicies: a host's policy is built from the store by the
// Builder of its kind in Config.Policies, inside the built-in wrappers
// too; one without a Spec is built, on the Router that lists the group in
// Config.Groups, from that entry; a stored group none of them builds
// fails New with ErrInvalidConfig naming the group and the kind.
func TestHostPolicies(t *testing.T) {
	st := memory.New()
	custom := map[string]policy.Builder{"tagged": buildTagged}
	fn := policy.Func(func(in policy.Input) policy.Decision { return policy.Decision{Reason: policy.ReasonNoCandidates} })
	cfg := routing.Config{Store: st, ManualDeadlines: true, Policies: custom, Groups: []routing.Group{
		{ID: "w", Policy: policy.Capped(newTagged("vip"), policy.CapOptions{Default: 4})},
		{ID: "f", Policy: fn},
	}}
	s := newScenario(t, cfg)
	require.JSONEq(t, `{"policy": {"kind": "capped", "default": 4, "inner": {"kind": "tagged", "params": {"tag": "vip"}}}}`, string(storedGroup(t, st, "w").Config))
	require.JSONEq(t, `{"policy": {"kind": "func"}}`, string(storedGroup(t, st, "f").Config))
	require.NoError(t, s.r.UpdateGroup(s.ctx, boss, routing.Group{ID: "w", Policy: newTagged("gold")}))
	require.NoError(t, s.r.Stop(s.ctx))

	// Restarted with the same Config: both are built.
	again := newScenario(t, cfg)
	require.Equal(t, "tagged(gold)", again.group("w").Policy)
	require.Equal(t, "func", again.group("f").Policy)
	again.addOp("ann", presence.StatusReady, 0, "w")
	again.addOp("bob", presence.StatusReady, 0, "w")
	again.requireAssigned(again.enqueue("c1", "w").ID, "ann")
	require.NoError(t, again.r.Stop(again.ctx))

	// Without the Builder, or without the entry of the policy that has
	// no Spec, the stored group cannot be served.
	_, err := routing.New(s.ctx, routing.Config{Store: st, ManualDeadlines: true, Groups: cfg.Groups})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
	require.ErrorContains(t, err, `group "w": policy of kind "tagged"`)
	_, err = routing.New(s.ctx, routing.Config{Store: st, ManualDeadlines: true, Policies: custom})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
	require.ErrorContains(t, err, `group "f": policy of kind "func"`)
	require.True(t, errors.Is(err, policy.ErrInvalidSpec))

	// A Builder may build a policy that cannot describe itself: the
	// group, read and stored again, keeps the Spec it was stored with.
	st2 := memory.New()
	_, err = st2.PutGroup(s.ctx, store.GroupRow{ID: "o", UpdatedAt: scStart,
		Config: []byte(`{"policy": {"kind": "fallback", "policies": [{"kind": "least-loaded"}, {"kind": "opaque"}]}}`)})
	require.NoError(t, err)
	o := newScenario(t, routing.Config{Store: st2, ManualDeadlines: true, Policies: map[string]policy.Builder{
		"opaque": func(policy.Spec, func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) { return fn, nil },
	}})
	g, err := o.r.Group("o")
	require.NoError(t, err)
	require.Equal(t, "fallback(least-loaded,func)", g.Policy.Name())
	g.AcceptTimeout = time.Minute
	require.NoError(t, o.r.UpdateGroup(o.ctx, boss, g))
	require.JSONEq(t, `{"policy": {"kind": "fallback", "policies": [{"kind": "least-loaded"}, {"kind": "opaque"}]}, "accept_timeout_ms": 60000}`,
		string(storedGroup(t, st2, "o").Config))

	// A Builder may not take a built-in kind.
	_, err = routing.New(s.ctx, routing.Config{Policies: map[string]policy.Builder{policy.KindBroadcast: buildTagged}})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
}
