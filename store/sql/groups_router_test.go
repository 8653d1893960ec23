package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// groupsConfig is the configuration of the Routers of the group tests:
// "support" and "sales", with the defaults.
func groupsConfig(s store.Store, clk clock.Clock) routing.Config {
	return routing.Config{
		Store: s, Clock: clk, ManualDeadlines: true, MaxClockSkew: -1,
		Groups: []routing.Group{{ID: "support"}, {ID: "sales"}},
	}
}

// updatedSupport is the configuration "support" is updated to.
func updatedSupport(t *testing.T) routing.Group {
	t.Helper()
	hours, err := presence.ParseHours("Europe/Berlin", "mon-fri 08:00-20:00", "2026-12-24 08:00-12:00")
	require.NoError(t, err)
	return routing.Group{ID: "support", Site: "eu", Policy: policy.PreviousOperator(policy.Capped(policy.Broadcast(2), policy.CapOptions{Default: 3})),
		AcceptTimeout: 45 * time.Second, AutoClose: time.Hour, WaitingExpiry: 20 * time.Minute, Hours: hours,
		WaitLevels:      []routing.WaitLevel{{Name: "yellow", After: time.Minute}, {Name: "red", After: 3 * time.Minute}},
		SkillRelaxAfter: 2 * time.Minute, SkillRelaxKeep: []string{"en"}}
}

// requireServes checks that r serves group want, as configured.
func requireServes(t *testing.T, r *routing.Router, want routing.Group) {
	t.Helper()
	got, err := r.Group(want.ID)
	require.NoError(t, err)
	require.Equal(t, want.Policy.Name(), got.Policy.Name())
	require.Equal(t, want.Hours.String(), got.Hours.String())
	require.Equal(t, want.Hours.Exceptions, got.Hours.Exceptions)
	if want.Hours.Location != nil {
		require.Equal(t, want.Hours.Location.String(), got.Hours.Location.String())
	}
	want.Policy, want.Hours, got.Policy, got.Hours = nil, presence.Hours{}, nil, presence.Hours{}
	require.Equal(t, want, got)
}

// TestGroupChangesSurviveARestart: groups are stored, so a Router started
// again on the same database, with the same Config, serves the update of
// a group, a group added at run time, and no longer a group removed at
// run time (unless its Config.Groups lists it: that stores it again).
func TestGroupChangesSurviveARestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		clk := clock.NewMock()
		clk.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
		st := b.mustMigrate(t)
		first, err := routing.New(ctx, groupsConfig(st, clk))
		require.NoError(t, err)
		require.NoError(t, first.UpdateGroup(ctx, routing.ByAdmin("boss"), updatedSupport(t)))
		vip := routing.Group{ID: "vip", Policy: policy.LeastLoaded(), AcceptTimeout: time.Minute}
		require.NoError(t, first.AddGroup(ctx, routing.ByAdmin("boss"), vip))
		require.NoError(t, first.RemoveGroup(ctx, routing.ByAdmin("boss"), "sales"))
		require.NoError(t, first.Stop(ctx))
		require.NoError(t, st.Close())

		st2 := b.mustOpen(t)
		cfg := groupsConfig(st2, clk)
		cfg.Groups = cfg.Groups[:1] // support only
		second, err := routing.New(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { _ = second.Stop(context.Background()) })
		require.Equal(t, []string{"support", "vip"}, second.Groups())
		requireServes(t, second, updatedSupport(t))
		requireServes(t, second, vip)
		require.Equal(t, "previous-operator(capped(broadcast(2)))", second.Snapshot().Groups[0].Policy)

		// A Config.Groups entry for a removed group stores it again.
		require.NoError(t, second.Stop(ctx))
		third, err := routing.New(ctx, groupsConfig(st2, clk))
		require.NoError(t, err)
		t.Cleanup(func() { _ = third.Stop(context.Background()) })
		require.Equal(t, []string{"sales", "support", "vip"}, third.Groups())
	})
}

// TestClusterFollowsGroupChanges: with two Routers on one PostgreSQL
// database, a group updated, added or removed through one is served
// alike by the other as soon as it has followed the change, and routes
// by the new policy.
func TestClusterFollowsGroupChanges(t *testing.T) {
	a, b, _ := twoStores(t)
	ctx := t.Context()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)) // a Wednesday, open
	ra, err := routing.New(ctx, groupsConfig(a, clk))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ra.Stop(context.Background()) })
	rb, err := routing.New(ctx, groupsConfig(b, clk))
	require.NoError(t, err)
	t.Cleanup(func() { _ = rb.Stop(context.Background()) })
	for _, id := range []string{"ann", "bob"} {
		_, err := ra.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: id, Groups: []string{"support"}, Status: presence.StatusReady})
		require.NoError(t, err)
	}

	require.NoError(t, ra.UpdateGroup(ctx, routing.ByAdmin("boss"), updatedSupport(t)))
	eventually(t, "router B follows the update", func() bool {
		g, err := rb.Group("support")
		return err == nil && g.AcceptTimeout == 45*time.Second
	})
	requireServes(t, rb, updatedSupport(t))
	c, err := rb.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, store.Offered, c.State, "broadcast to two")
	require.ElementsMatch(t, []string{"ann", "bob"}, c.OfferedTo)

	require.NoError(t, ra.AddGroup(ctx, routing.ByAdmin("boss"), routing.Group{ID: "vip"}))
	eventually(t, "router B follows the addition", func() bool { return len(rb.Groups()) == 3 })
	require.NoError(t, ra.RemoveGroup(ctx, routing.ByAdmin("boss"), "sales"))
	eventually(t, "router B follows the removal", func() bool {
		_, err := rb.Group("sales")
		return err != nil
	})
	require.Equal(t, []string{"support", "vip"}, rb.Groups())
	_, err = rb.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "sales"})
	require.ErrorIs(t, err, routing.ErrNotFound)

	// B's removal of a group in use is refused by the store, also when
	// B's view has not seen what uses it yet.
	_, err = ra.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: "cy", Groups: []string{"vip"}, Status: presence.StatusReady})
	require.NoError(t, err)
	err = rb.RemoveGroup(ctx, routing.ByAdmin("boss"), "vip")
	require.ErrorIs(t, err, routing.ErrGroupInUse)
	require.Equal(t, []string{"support", "vip"}, ra.Groups())
}
