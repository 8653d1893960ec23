package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// TestUpdateGroupReplacesTheConfiguration: UpdateGroup keeps the new
// configuration, indexes the members under the new policy's caps, works
// the business hours out again at the time given (the availability that
// flipped is then reported), and names the groups to route again.
func TestUpdateGroupReplacesTheConfiguration(t *testing.T) {
	v := newView(t, groupOf("support", capped(1)), groupOf("sales", capped(5)))
	newBook(t, v, []store.Operator{
		loaded(operatorRow("ann", presence.StatusReady, "support", "sales"), 1, t0.Add(-time.Minute)),
	}, nil)
	ev := Events{Wanted: all}
	v.AvailabilityEvents([]string{"support", "sales"}, &ev)
	require.Zero(t, groupInfo(t, v, "support").AutoAvailable, "ann is at support's cap")

	closed, err := presence.ParseHours("UTC", "sat-sun 09:00-18:00")
	require.NoError(t, err)
	cfg := GroupConfig{ID: "support", Policy: capped(2), Hours: closed, AcceptTimeout: time.Minute, Site: "eu",
		WaitLevels: []WaitLevel{{Name: "red", After: time.Minute}}, SkillRelaxAfter: time.Minute, SkillRelaxKeep: []string{"en"}}
	groups, err := v.UpdateGroup(cfg, t0)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"support", "support", "sales"}, groups)
	got, ok := v.Group("support")
	require.True(t, ok)
	require.Equal(t, cfg, got)
	require.Equal(t, 1, groupInfo(t, v, "support").AutoAvailable, "ann is below the new cap")
	require.Equal(t, 2, operatorInfo(t, v, "ann").Cap, "the lowest default of her groups")

	ev = Events{Wanted: all}
	v.AvailabilityEvents([]string{"support"}, &ev)
	require.Equal(t, []Event{{Kind: GroupAvailability, Group: "support", Online: false}}, ev.List, "closed on a Monday")
	due, ok := v.NextDue()
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC).UnixNano(), due, "opens on Saturday")

	// Back to always open.
	cfg.Hours = presence.Hours{}
	_, err = v.UpdateGroup(cfg, t0)
	require.NoError(t, err)
	ev = Events{Wanted: all}
	v.AvailabilityEvents([]string{"support"}, &ev)
	require.Equal(t, []Event{{Kind: GroupAvailability, Group: "support", Online: true}}, ev.List)
	_, ok = v.NextDue()
	require.False(t, ok)

	_, err = v.UpdateGroup(GroupConfig{ID: "nope", Policy: policy.LeastLoaded()}, t0)
	require.ErrorIs(t, err, store.ErrNotFound)
}

// TestRemoveGroupRefusedWhileInUse: a group that holds an open
// conversation or a member is not removed (ErrGroupInUse naming one, the
// view unchanged); once they have left, it is, and is unknown after.
func TestRemoveGroupRefusedWhileInUse(t *testing.T) {
	v := newView(t, groupOf("support", capped(2)), groupOf("sales", capped(2)))
	b := newBook(t, v, []store.Operator{
		operatorRow("ann", presence.StatusReady, "support"),
		operatorRow("bob", presence.StatusReady, "sales"),
	}, []store.Conversation{queuedRow("c1", "sales", 1)})

	err := v.RemoveGroup("support")
	require.ErrorIs(t, err, store.ErrGroupInUse)
	require.ErrorContains(t, err, `operator "ann"`)
	require.True(t, v.HasGroup("support"))
	v.AbsorbOperator(b.setGroups("ann", "sales"), false)
	require.NoError(t, v.RemoveGroup("support"))
	require.False(t, v.HasGroup("support"))
	require.ErrorIs(t, v.RemoveGroup("support"), store.ErrNotFound)

	// sales: ann and bob leave, the queued conversation still holds it.
	v.AbsorbOperator(b.setGroups("ann"), false)
	v.AbsorbOperator(b.setGroups("bob"), false)
	err = v.RemoveGroup("sales")
	require.ErrorIs(t, err, store.ErrGroupInUse)
	require.ErrorContains(t, err, `conversation "c1"`)
	require.Equal(t, 1, groupInfo(t, v, "sales").Queued)
	res, err := b.apply(store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Closed, At: t0})
	require.NoError(t, err)
	v.Absorb(&Plan{Write: ApplyChange}, &Outcome{Result: res}, true, at(0))
	require.NoError(t, v.RemoveGroup("sales"))
	require.Empty(t, v.GroupIDs())
}
