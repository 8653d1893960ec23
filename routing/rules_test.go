package routing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// helpDeskRules is the rule set of a help desk: shop pages go to sales,
// the customer company "Red company" is urgent, German Telegram chats need
// an operator who speaks German well, and VIPs go to their manager.
const helpDeskRules = `{"rules": [
  {"name": "shop pages go to sales",
   "when": {"field": "url", "op": "contains", "value": "/shop"},
   "then": {"group": "sales"}},
  {"name": "red company is urgent",
   "when": {"field": "company", "op": "equals", "value": "red company", "ignore_case": true},
   "then": {"priority": 10, "tags": ["urgent"]}},
  {"name": "german telegram",
   "when": {"all": [{"field": "channel", "op": "equals", "value": "telegram"},
                    {"field": "language", "op": "equals", "value": "de"}]},
   "then": {"skills": ["de:3"]}},
  {"name": "vip to manager", "on": ["enqueue", "reopen", "transfer"],
   "when": {"field": "attr.vip", "op": "exists"},
   "then": {"prefer": {"operator": "mia"}}}
]}`

// rulesScenario is a help desk with groups "support" (balanced, capped at
// cap) and "sales" (broadcast), running helpDeskRules.
func rulesScenario(t *testing.T, cap int, ops map[string][]string) *scenario {
	t.Helper()
	s := newScenario(t, routing.Config{Groups: []routing.Group{
		{ID: "support", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: cap})},
		{ID: "sales", Policy: policy.Broadcast(0)},
	}, Skills: []string{"de", "en"}})
	for id, skills := range ops {
		_, err := s.r.AddOperator(s.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support", "sales"}, Skills: skills, Status: presence.StatusReady})
		require.NoError(t, err)
	}
	set, err := s.r.DecodeRules([]byte(helpDeskRules))
	require.NoError(t, err)
	v, err := s.r.SetRules(s.ctx, routing.ByAdmin("admin"), set)
	require.NoError(t, err)
	require.Equal(t, int64(1), v)
	return s
}

// TestD2_RedCompanyIsUrgentAndServedFirst: a conversation from the
// customer company "Red company" gets priority 10 and the tag "urgent",
// and is served before older conversations of normal priority.
func TestD2_RedCompanyIsUrgentAndServedFirst(t *testing.T) {
	s := rulesScenario(t, 1, map[string][]string{"anna": nil})
	s.enqueue("busy", "support")
	s.requireAssigned("busy", "anna")
	s.enqueue("n1", "support")
	s.enqueue("n2", "support")
	ev := s.subscribe(routing.Queued)
	red := s.enqueueConv(routing.NewConversation{ID: "red", Group: "support", Attributes: map[string]string{rules.AttrCompany: "Red Company"}})
	require.Equal(t, 10, red.Priority)
	require.Equal(t, []string{"urgent"}, red.Tags)
	require.Equal(t, []store.RuleMatch{{Rule: "red company is urgent", Changes: []string{"priority=10", "tags+=urgent"}}}, red.Rules)
	queued := ev.raw()
	require.Len(t, queued, 1)
	require.Equal(t, 1, queued[0].Position, "first in the queue")
	require.Equal(t, red.Rules, queued[0].Rules, "the event says why")

	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("anna"), "busy", "done")
	require.NoError(t, err)
	s.requireAssigned("red", "anna")
	s.requireQueued("n1", "support")
}

// TestD2_ShopPagesGoToSales: a web chat from a page whose URL contains
// "/shop" goes to the sales group whatever group the host asked for, and
// the Offered event names the rule.
func TestD2_ShopPagesGoToSales(t *testing.T) {
	s := rulesScenario(t, 3, map[string][]string{"anna": nil, "bob": nil})
	ev := s.subscribe(routing.Offered, routing.Assigned)
	c := s.enqueueConv(routing.NewConversation{ID: "c1", Group: "support", Channel: "web",
		Attributes: map[string]string{rules.AttrURL: "https://example.com/shop/cart"}})
	require.Equal(t, "sales", c.Group)
	s.requireOffered("c1", "anna", "bob")
	got := ev.raw()
	require.Len(t, got, 1)
	require.Equal(t, []store.RuleMatch{{Rule: "shop pages go to sales", Changes: []string{"group=sales"}}}, got[0].Rules)

	plain := s.enqueueConv(routing.NewConversation{ID: "c2", Group: "support", Attributes: map[string]string{rules.AttrURL: "https://example.com/help"}})
	require.Equal(t, "support", plain.Group)
	require.Empty(t, plain.Rules)
}

// TestD1_GermanTelegramNeedsTheGermanSpeaker: a rule requires German at
// level 3 of Telegram chats in German; such a chat goes only to the
// operator who speaks it, waits while she is at her cap, and does not
// hold up the English chat behind it.
func TestD1_GermanTelegramNeedsTheGermanSpeaker(t *testing.T) {
	s := rulesScenario(t, 1, map[string][]string{"greta": {"de:4", "en"}, "ed": {"en", "de:1"}})
	tg := func(id string) routing.NewConversation {
		return routing.NewConversation{ID: id, Group: "support", Channel: "telegram", Attributes: map[string]string{rules.AttrLanguage: "de"}}
	}
	c := s.enqueueConv(tg("de1"))
	require.Equal(t, []string{"de:3"}, c.Skills)
	s.requireAssigned("de1", "greta")
	s.enqueueConv(tg("de2"))
	s.requireQueued("de2", "support")
	s.enqueueConv(routing.NewConversation{ID: "en1", Group: "support", Channel: "telegram", Attributes: map[string]string{rules.AttrLanguage: "en"}})
	s.requireAssigned("en1", "ed")

	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("greta"), "de1", "done")
	require.NoError(t, err)
	s.requireAssigned("de2", "greta")
}

// TestD1_VIPGoesToTheManagerOrFallsBackWhenSheIsOffline: a VIP is given to
// their manager, even when a colleague comes first in candidate order; with the manager
// off shift, the group's policy decides and says she was passed over.
func TestD1_VIPGoesToTheManagerOrFallsBackWhenSheIsOffline(t *testing.T) {
	s := rulesScenario(t, 3, map[string][]string{"mia": nil, "bob": nil})
	s.enqueue("c0", "support")  // bob, first by id
	s.enqueue("c00", "support") // mia
	s.requireAssigned("c00", "mia")
	vip := routing.NewConversation{ID: "v1", Group: "support", Attributes: map[string]string{"vip": "yes"}}
	ev := s.subscribe(routing.Assigned)
	s.enqueueConv(vip)
	s.requireAssigned("v1", "mia")
	got := ev.raw()
	require.Len(t, got, 1)
	require.Equal(t, core.PreferredPolicy, got[0].Policy)

	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("mia"), "mia", presence.StatusOffline))
	ev.raw()
	vip.ID = "v2"
	s.enqueueConv(vip)
	s.requireAssigned("v2", "bob")
	got = ev.raw()
	require.Len(t, got, 1)
	require.Contains(t, got[0].Skipped, policy.Skip{Operator: "mia", Reason: core.ReasonNotPreferred})
}

// TestD1_PreferredOperatorWaitsThenFallsBack: a rule that waits for the
// preferred operator keeps the conversation for her while she is at cap,
// and after the wait the group's policy gives it to someone else.
func TestD1_PreferredOperatorWaitsThenFallsBack(t *testing.T) {
	s := rulesScenario(t, 1, map[string][]string{"mia": nil, "bob": nil})
	set, err := s.r.DecodeRules([]byte(`{"rules": [{"name": "vip waits for mia",
		"when": {"field": "attr.vip", "op": "exists"}, "then": {"prefer": {"operator": "mia", "wait": "1m"}}}]}`))
	require.NoError(t, err)
	_, err = s.r.SetRules(s.ctx, routing.ByAdmin("admin"), set)
	require.NoError(t, err)
	s.enqueueConv(routing.NewConversation{ID: "busy", Group: "support", Attributes: map[string]string{"vip": "1"}})
	s.requireAssigned("busy", "mia")

	s.enqueueConv(routing.NewConversation{ID: "v1", Group: "support", Attributes: map[string]string{"vip": "1"}})
	s.requireQueued("v1", "support")
	s.clk.Add(59 * time.Second)
	require.NoError(t, s.r.ProcessDue(s.ctx))
	s.requireQueued("v1", "support")
	s.clk.Add(time.Second)
	require.NoError(t, s.r.ProcessDue(s.ctx))
	s.requireAssigned("v1", "bob")
}

// TestD1_OffHoursRuleQueuesWithoutRouting: a rule that marks conversations
// off-hours keeps them queued, with the OffHours event, while operators
// are free; an operator may still take one by hand.
func TestD1_OffHoursRuleQueuesWithoutRouting(t *testing.T) {
	s := rulesScenario(t, 3, map[string][]string{"anna": nil})
	set, err := s.r.DecodeRules([]byte(`{"rules": [{"name": "night",
		"when": {"field": "time", "op": "between", "value": "08:00-10:00", "zone": "UTC"}, "then": {"off_hours": true}}]}`))
	require.NoError(t, err)
	_, err = s.r.SetRules(s.ctx, routing.ByAdmin("admin"), set)
	require.NoError(t, err)
	ev := s.subscribe(routing.OffHours, routing.Assigned)
	c := s.enqueue("c1", "support") // scenarios start at 09:00 UTC
	require.True(t, c.OffHours)
	s.requireQueued("c1", "support")
	require.Equal(t, []string{`off-hours conv=c1 pos=1`}, ev.take())
	_, err = s.r.Take(s.ctx, routing.ByOperator("anna"), "c1")
	require.NoError(t, err)
	s.requireAssigned("c1", "anna")
}

// TestD1_TransferRulesRunOnTransfersToAGroup: a rule that lists the
// transfer trigger runs when a conversation is transferred to a group, and
// one that does not list it does not.
func TestD1_TransferRulesRunOnTransfersToAGroup(t *testing.T) {
	s := rulesScenario(t, 3, map[string][]string{"mia": nil, "bob": nil})
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("mia"), "mia", presence.StatusOffline))
	c := s.enqueueConv(routing.NewConversation{ID: "c1", Group: "support", Attributes: map[string]string{"vip": "1", rules.AttrURL: "/shop"}})
	require.Equal(t, "sales", c.Group, "the shop rule runs on arrival")
	_, err := s.r.TransferToGroup(s.ctx, routing.ByAdmin("boss"), "c1", "support")
	require.NoError(t, err)
	c = s.conv("c1")
	require.Equal(t, "support", c.Group, "the shop rule does not run on transfers")
	require.Equal(t, []store.RuleMatch{{Rule: "vip to manager", Changes: []string{"prefer=mia"}}}, c.Rules)
	require.Equal(t, "mia", c.Preferred)
}

// TestD3_BadRuleSetsAreRefusedAndTheOldOneStays: a rule set naming a
// group or a skill the Router does not know, or malformed, is refused with
// an error naming the bad field; the rule set in force stays, in the
// Router and in the store.
func TestD3_BadRuleSetsAreRefusedAndTheOldOneStays(t *testing.T) {
	s := rulesScenario(t, 3, map[string][]string{"anna": {"de"}})
	before, version := s.r.Rules()
	for _, tc := range []struct{ body, path string }{
		{`{"rules": [{"name": "x", "then": {"group": "billing"}}]}`, "rules[0].then.group"},
		{`{"rules": [{"name": "x", "then": {"skills": ["klingon"]}}]}`, "rules[0].then.skills[0]"},
		{`{"rules": [{"name": "x", "when": {"field": "url", "op": "contians", "value": "a"}, "then": {"priority": 1}}]}`, "rules[0].when.op"},
		{`{"rules": [{"name": "x", "then": {"priority": 1}, "colour": "red"}]}`, "rules[0].colour"},
	} {
		_, err := s.r.DecodeRules([]byte(tc.body))
		require.ErrorIs(t, err, routing.ErrInvalid, tc.body)
		require.ErrorIs(t, err, rules.ErrInvalid, tc.body)
		var re *rules.Error
		require.True(t, errors.As(err, &re), tc.body)
		require.Equal(t, tc.path, re.Path, tc.body)
	}
	// A set decoded without the Router's catalog is checked by SetRules.
	unchecked, err := rules.Decode([]byte(`{"rules": [{"name": "x", "then": {"group": "billing"}}]}`), nil)
	require.NoError(t, err)
	_, err = s.r.SetRules(s.ctx, routing.ByAdmin("admin"), unchecked)
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorIs(t, err, rules.ErrUnknownGroup)
	_, err = s.r.SetRules(s.ctx, routing.ByOperator("anna"), before)
	require.ErrorIs(t, err, routing.ErrNotAllowed)

	after, v := s.r.Rules()
	require.Equal(t, version, v)
	require.Same(t, before, after)
	c := s.enqueueConv(routing.NewConversation{ID: "c1", Group: "support", Attributes: map[string]string{rules.AttrURL: "/shop"}})
	require.Equal(t, "sales", c.Group, "the old rules still run")
}

// TestD3_StoredRulesSurviveARestart: a Router started on a store that
// holds a rule set runs it, and Config.Rules is then ignored; a store
// without one is given Config.Rules.
func TestD3_StoredRulesSurviveARestart(t *testing.T) {
	st := memory.New()
	groups := []routing.Group{{ID: "support"}, {ID: "sales"}}
	first, err := rules.Decode([]byte(`{"rules": [{"name": "all to sales", "then": {"group": "sales"}}]}`), nil)
	require.NoError(t, err)
	r1 := newScenario(t, routing.Config{Store: st, Groups: groups, Rules: first})
	set, v := r1.r.Rules()
	require.Equal(t, int64(1), v)
	require.Equal(t, 1, set.Len())
	stored, err := st.RuleSet(r1.ctx)
	require.NoError(t, err)
	require.Equal(t, "system:start", stored.UpdatedBy)

	second, err := r1.r.DecodeRules([]byte(`{"rules": [{"name": "urgent sales", "then": {"group": "sales", "priority": 5}}]}`))
	require.NoError(t, err)
	v, err = r1.r.SetRules(r1.ctx, routing.ByAdmin("boss"), second)
	require.NoError(t, err)
	require.Equal(t, int64(2), v)
	require.NoError(t, r1.r.Stop(r1.ctx))

	r2 := newScenario(t, routing.Config{Store: st, Groups: groups, Rules: first})
	set, v = r2.r.Rules()
	require.Equal(t, int64(2), v, "the stored rule set wins over Config.Rules")
	require.Equal(t, "urgent sales", set.Rules()[0].Name)
	c := r2.enqueue("c1", "support")
	require.Equal(t, 5, c.Priority)
	require.Equal(t, "sales", c.Group)
	require.NoError(t, r2.r.Stop(r2.ctx))

	// The groups are stored too: a Router configured with support alone
	// serves sales, which the rules name.
	r3 := newScenario(t, routing.Config{Store: st, Groups: []routing.Group{{ID: "support"}}})
	require.Equal(t, []string{"sales", "support"}, r3.r.Groups())
	require.Equal(t, "sales", r3.enqueue("c2", "support").Group)
	require.NoError(t, r3.r.Stop(r3.ctx))

	// A store whose rules name a group it does not hold cannot be served.
	bare := memory.New()
	body, err := second.MarshalJSON()
	require.NoError(t, err)
	_, err = bare.SetRuleSet(r2.ctx, store.RuleSet{Body: body, UpdatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	_, err = routing.New(r2.ctx, routing.Config{Store: bare, Groups: []routing.Group{{ID: "support"}}})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
}

// TestD5_SkillsRelaxOnceAfterTheWait: a conversation requiring German and
// English in a group that relaxes to English after two minutes waits while
// no one speaks German, then requires English only (one SkillsRelaxed
// event) and goes to the English speaker.
func TestD5_SkillsRelaxOnceAfterTheWait(t *testing.T) {
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support",
		SkillRelaxAfter: 2 * time.Minute, SkillRelaxKeep: []string{"en"}}}})
	_, err := s.r.AddOperator(s.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ed", Groups: []string{"support"}, Skills: []string{"en:3"}, Status: presence.StatusReady})
	require.NoError(t, err)
	ev := s.subscribe(routing.SkillsRelaxed, routing.Assigned)
	c := s.enqueueConv(routing.NewConversation{ID: "c1", Group: "support", Skills: []string{"de", "en:2"}})
	d, ok := store.DeadlineOf(c.Deadlines, store.SkillRelax)
	require.True(t, ok)
	require.Equal(t, scStart.Add(2*time.Minute), d.Due)
	s.requireQueued("c1", "support")

	s.clk.Add(2*time.Minute - time.Second)
	require.NoError(t, s.r.ProcessDue(s.ctx))
	s.requireQueued("c1", "support")
	ev.none()
	s.clk.Add(time.Second)
	require.NoError(t, s.r.ProcessDue(s.ctx))
	s.requireAssigned("c1", "ed")
	got := ev.raw()
	require.Len(t, got, 2)
	require.Equal(t, routing.SkillsRelaxed, got[0].Kind)
	require.Equal(t, []string{"en:2"}, got[0].Skills)
	require.Equal(t, routing.BySystem(routing.CauseSkillRelax), got[0].By)
	c = s.conv("c1")
	require.Equal(t, []string{"en:2"}, c.Skills)
	_, ok = store.DeadlineOf(c.Deadlines, store.SkillRelax)
	require.False(t, ok)

	// Nothing to relax: no deadline.
	c = s.enqueueConv(routing.NewConversation{ID: "c2", Group: "support", Skills: []string{"en"}})
	_, ok = store.DeadlineOf(c.Deadlines, store.SkillRelax)
	require.False(t, ok)
}
