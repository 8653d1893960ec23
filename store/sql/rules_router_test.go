package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
)

// rulesConfig is the configuration of the Routers of the rules tests:
// "support" relaxes a requirement to English after two minutes, "sales"
// takes the shop's conversations.
func rulesConfig(s store.Store, clk clock.Clock) routing.Config {
	return routing.Config{
		Store: s, Clock: clk, ManualDeadlines: true, MaxClockSkew: -1,
		Skills: []string{"de", "en"},
		Groups: []routing.Group{
			{ID: "support", SkillRelaxAfter: 2 * time.Minute, SkillRelaxKeep: []string{"en"}},
			{ID: "sales"},
		},
	}
}

const shopRules = `{"rules": [{"name": "shop", "when": {"field": "url", "op": "contains", "value": "/shop"},
  "then": {"group": "sales", "skills": ["de"]}}]}`

// TestD5_RulesAndSkillRelaxationSurviveARestart: the rule set and a
// conversation's relaxation deadline are stored, so a Router started on
// the same database runs the same rules and relaxes the requirement once,
// on time; the conversation keeps the rules that placed it.
func TestD5_RulesAndSkillRelaxationSurviveARestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		clk := clock.NewMock()
		clk.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
		st := b.mustMigrate(t)
		first, err := routing.New(ctx, rulesConfig(st, clk))
		require.NoError(t, err)
		set, err := first.DecodeRules([]byte(shopRules))
		require.NoError(t, err)
		_, err = first.SetRules(ctx, routing.ByAdmin("boss"), set)
		require.NoError(t, err)
		_, err = first.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: "ed", Groups: []string{"support"}, Skills: []string{"en:2"}, Status: "ready"})
		require.NoError(t, err)
		c, err := first.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support", Skills: []string{"de", "en"}})
		require.NoError(t, err)
		require.Equal(t, store.Queued, c.State)
		shop, err := first.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "support", Attributes: map[string]string{rules.AttrURL: "/shop/x"}})
		require.NoError(t, err)
		require.Equal(t, "sales", shop.Group)
		require.NoError(t, first.Stop(ctx))
		require.NoError(t, st.Close())

		st2 := b.mustOpen(t)
		second, err := routing.New(ctx, rulesConfig(st2, clk))
		require.NoError(t, err)
		t.Cleanup(func() { _ = second.Stop(context.Background()) })
		_, v := second.Rules()
		require.Equal(t, int64(1), v)
		again, err := second.Enqueue(ctx, routing.NewConversation{ID: "c3", Group: "support", Attributes: map[string]string{rules.AttrURL: "/shop/y"}})
		require.NoError(t, err)
		require.Equal(t, "sales", again.Group, "the stored rules run after the restart")
		kept, err := second.Conversation(ctx, "c2")
		require.NoError(t, err)
		require.Equal(t, []store.RuleMatch{{Rule: "shop", Changes: []string{"group=sales", "skills+=de"}}}, kept.Rules)

		sub := second.Subscribe(routing.SkillsRelaxed)
		defer sub.Cancel()
		clk.Add(2 * time.Minute)
		require.NoError(t, second.ProcessDue(ctx))
		c.Conversation, err = second.Conversation(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, store.Assigned, c.State)
		require.Equal(t, "ed", c.Assignee)
		require.Equal(t, []string{"en"}, c.Skills)
		require.Len(t, sub.Events(), 1, "relaxed once")
		clk.Add(time.Hour)
		require.NoError(t, second.ProcessDue(ctx))
		require.Len(t, sub.Events(), 1, "relaxed once")
	})
}

// TestClusterFollowsRuleSetChanges: with two Routers on one PostgreSQL
// database, a rule set stored through one is run by the other as soon as
// it has followed the change.
func TestClusterFollowsRuleSetChanges(t *testing.T) {
	a, b, _ := twoStores(t)
	ctx := t.Context()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	ra, err := routing.New(ctx, rulesConfig(a, clk))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ra.Stop(context.Background()) })
	rb, err := routing.New(ctx, rulesConfig(b, clk))
	require.NoError(t, err)
	t.Cleanup(func() { _ = rb.Stop(context.Background()) })

	set, err := ra.DecodeRules([]byte(shopRules))
	require.NoError(t, err)
	v, err := ra.SetRules(ctx, routing.ByAdmin("boss"), set)
	require.NoError(t, err)
	eventually(t, "router B follows the rule set router A stored", func() bool { _, got := rb.Rules(); return got == v })
	c, err := rb.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support", Attributes: map[string]string{rules.AttrURL: "/shop"}})
	require.NoError(t, err)
	require.Equal(t, "sales", c.Group)
}
