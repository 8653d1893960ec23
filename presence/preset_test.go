package presence_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
)

// requireCaps asserts that m defines exactly the statuses in want, in that
// order, each with exactly the given capabilities.
func requireCaps(t *testing.T, m *presence.Model, want []presence.Status) {
	t.Helper()
	got := m.Statuses()
	require.Len(t, got, len(want))
	for i, w := range want {
		require.Equal(t, w.Name, got[i].Name, "status %d", i)
		require.Equal(t, w.Capabilities, got[i].Capabilities, "status %q: got %v, want %v", w.Name, got[i].Capabilities, w.Capabilities)
		require.Equal(t, w.OnLastClose, got[i].OnLastClose, "status %q", w.Name)
		require.Nil(t, got[i].Inactivity, "status %q", w.Name)
		require.Equal(t, w.Present, got[i].Present, "status %q", w.Name)
	}
}

func TestP2_StandardPreset(t *testing.T) {
	m := presence.Standard()
	requireCaps(t, m, []presence.Status{
		{Name: presence.StatusReady, Capabilities: presence.All},
		{Name: presence.StatusCanHelp, Capabilities: presence.QueueTake | presence.Transfers},
		{Name: presence.StatusPause, Capabilities: presence.Transfers, OnLastClose: presence.StatusAway},
		{Name: presence.StatusAway},
		{Name: presence.StatusOffline},
	})

	// Cleversite's table, one line per capability.
	require.Equal(t, []string{"ready"}, m.With(presence.AutoAssign), "only Ready is auto-assigned")
	require.Equal(t, []string{"ready", "can-help"}, m.With(presence.QueueTake), "queue offers and manual take")
	require.Equal(t, []string{"ready", "can-help", "pause"}, m.With(presence.Transfers), "transfers from colleagues")
	require.Equal(t, []string{"ready"}, m.With(presence.AdminAssign), "admin cannot assign to Can help")
	require.False(t, m.Has(presence.StatusCanHelp, presence.AdminAssign))
	require.False(t, m.Has(presence.StatusPause, presence.QueueTake), "no queue in Pause")
	require.False(t, m.Has(presence.StatusAway, presence.Transfers), "transfers to Away are refused (P5)")

	require.Equal(t, presence.StatusOffline, m.Initial())
	require.Equal(t, presence.StatusReady, m.LogIn())
	require.Equal(t, presence.StatusPause, m.LogOut())
	require.Equal(t, presence.StatusOffline, m.OffShift())
	require.Empty(t, m.Definition().Transitions)
	require.Empty(t, m.Definition().Guards)
	for _, from := range m.With(0) {
		for _, to := range m.With(0) {
			require.NoError(t, m.Check(from, to))
		}
	}
}

func TestP5_PauseBecomesAway(t *testing.T) {
	m := presence.Standard()
	pause, ok := m.Status(presence.StatusPause)
	require.True(t, ok)
	require.Equal(t, presence.StatusAway, pause.OnLastClose)
	away, ok := m.Status(presence.StatusAway)
	require.True(t, ok)
	require.False(t, away.Capabilities.Has(presence.Transfers))
	require.False(t, away.OnShift())
}

func TestP2_ActiveInactivePreset(t *testing.T) {
	m := presence.ActiveInactive()
	requireCaps(t, m, []presence.Status{
		{Name: presence.StatusActive, Capabilities: presence.All},
		{Name: presence.StatusInactive},
	})
	require.Equal(t, presence.StatusInactive, m.Initial())
	require.Equal(t, "", m.LogIn(), "BPMSoft: the operator sets Active again after log in")
	require.Equal(t, presence.StatusInactive, m.LogOut())
	require.Equal(t, presence.StatusInactive, m.OffShift())
}

func TestP2_TogglePreset(t *testing.T) {
	m := presence.Toggle()
	requireCaps(t, m, []presence.Status{
		{Name: presence.StatusGreen, Capabilities: presence.All},
		{Name: presence.StatusGrey, Present: true},
		{Name: presence.StatusOffline},
	})
	require.Equal(t, presence.StatusOffline, m.Initial())
	require.Equal(t, presence.StatusGreen, m.LogIn())
	require.Equal(t, "", m.LogOut())
	require.Equal(t, presence.StatusOffline, m.OffShift())
	// Grey takes nothing new but is still at work (L3); offline is
	// the exit from the shift.
	grey, _ := m.Status(presence.StatusGrey)
	offline, _ := m.Status(presence.StatusOffline)
	require.True(t, grey.OnShift())
	require.False(t, offline.OnShift())
}

func TestP7_LogInLogOut(t *testing.T) {
	require.Equal(t, presence.StatusReady, presence.Standard().LogIn(), "Cleversite: start -> Ready")
	require.Equal(t, presence.StatusPause, presence.Standard().LogOut(), "Cleversite: close -> Pause")
	require.Equal(t, presence.StatusInactive, presence.ActiveInactive().LogOut(), "BPMSoft: log out -> Inactive")
}

func TestPresets_FreshModelEachCall(t *testing.T) {
	for name, preset := range map[string]func() *presence.Model{
		"Standard":       presence.Standard,
		"ActiveInactive": presence.ActiveInactive,
		"Toggle":         presence.Toggle,
	} {
		t.Run(name, func(t *testing.T) {
			a, b := preset(), preset()
			require.NotSame(t, a, b)
			require.Equal(t, a.Definition(), b.Definition())
			// A preset's definition is valid input for New.
			c, err := presence.New(a.Definition())
			require.NoError(t, err)
			require.Equal(t, a.Definition(), c.Definition())
		})
	}
}
