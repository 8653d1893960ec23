package presence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// helpDeskEddy is an admin-defined set of statuses like HelpDeskEddy's
// employee statuses "online", "lunch" and "offline", with an inactivity
// rule and a guard from its omnichannel module.
func helpDeskEddy() presence.Definition {
	return presence.Definition{
		Statuses: []presence.Status{
			{Name: "online", Capabilities: presence.All},
			{Name: "lunch", Capabilities: presence.Transfers, Inactivity: &presence.Inactivity{After: 15 * time.Minute, Target: "away"}},
			{Name: "away"},
			{Name: "offline"},
		},
		Initial: "offline",
		LogOut:  "away",
		Guards:  []presence.Guard{{To: []string{"offline"}, Holding: []store.State{store.Assigned}}},
	}
}

func TestP11_AdminDefinedStatus(t *testing.T) {
	m, err := presence.New(helpDeskEddy())
	require.NoError(t, err)

	lunch, ok := m.Status("lunch")
	require.True(t, ok)
	require.Equal(t, presence.Transfers, lunch.Capabilities)
	require.True(t, lunch.OnShift())
	require.Equal(t, &presence.Inactivity{After: 15 * time.Minute, Target: "away"}, lunch.Inactivity)

	require.Equal(t, []string{"online"}, m.With(presence.AutoAssign))
	require.Equal(t, []string{"online", "lunch"}, m.With(presence.Transfers))
	require.Equal(t, "offline", m.Initial())
	require.Equal(t, "offline", m.OffShift())
	require.Equal(t, "away", m.LogOut())
	require.Equal(t, []store.State{store.Assigned}, m.Forbidden("offline"))

	// Admin statuses sit beside a preset's: the same types, the same model.
	std := presence.Standard().Definition()
	std.Statuses = append(std.Statuses, presence.Status{
		Name:       "lunch",
		Inactivity: &presence.Inactivity{After: time.Hour, Target: presence.StatusOffline},
	})
	mixed, err := presence.New(std)
	require.NoError(t, err)
	require.Equal(t, []string{"ready", "can-help", "pause", "away", "offline", "lunch"}, mixed.With(0))
	require.NoError(t, mixed.Check(presence.StatusReady, "lunch"))
}

func TestP6_InactivityIsValidated(t *testing.T) {
	d := helpDeskEddy()
	d.Statuses[1].Inactivity.Target = "home"
	_, err := presence.New(d)
	require.ErrorIs(t, err, presence.ErrInvalidDefinition)
	require.ErrorIs(t, err, store.ErrInvalid)
	require.Contains(t, err.Error(), `status 1 ("lunch"): Inactivity.Target "home" is not defined`)
}
