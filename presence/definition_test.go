package presence_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// base returns a small valid definition that each validation case breaks in
// one way.
func base() presence.Definition {
	return presence.Definition{
		Statuses: []presence.Status{
			{Name: "ready", Capabilities: presence.All},
			{Name: "pause", Capabilities: presence.Transfers, OnLastClose: "away"},
			{Name: "away"},
			{Name: "offline"},
		},
	}
}

func TestNew_Valid(t *testing.T) {
	m, err := presence.New(base())
	require.NoError(t, err)
	require.NotNil(t, m)
}

func TestNew_Invalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *presence.Definition)
		msg    string // substring the error must contain: names the field
	}{
		{"no statuses", func(d *presence.Definition) { d.Statuses = nil }, "Statuses is empty"},
		{"empty name", func(d *presence.Definition) { d.Statuses[2].Name = "" }, `status 2: Name is empty`},
		{"duplicate name", func(d *presence.Definition) { d.Statuses[3].Name = "ready" }, `status 3 ("ready"): Name duplicates status 0`},
		{"unknown capability bits", func(d *presence.Definition) { d.Statuses[1].Capabilities |= 0x40 }, `status 1 ("pause"): Capabilities has unknown bits 0x40`},
		{"OnLastClose undefined", func(d *presence.Definition) { d.Statuses[1].OnLastClose = "gone" }, `status 1 ("pause"): OnLastClose "gone" is not defined`},
		{"Inactivity.After zero", func(d *presence.Definition) {
			d.Statuses[0].Inactivity = &presence.Inactivity{Target: "away"}
		}, `status 0 ("ready"): Inactivity.After 0s is not positive`},
		{"Inactivity.After negative", func(d *presence.Definition) {
			d.Statuses[0].Inactivity = &presence.Inactivity{After: -time.Minute, Target: "away"}
		}, `status 0 ("ready"): Inactivity.After -1m0s is not positive`},
		{"Inactivity.Target undefined", func(d *presence.Definition) {
			d.Statuses[1].Inactivity = &presence.Inactivity{After: time.Minute, Target: "lunch"}
		}, `status 1 ("pause"): Inactivity.Target "lunch" is not defined`},
		{"Inactivity.Target empty", func(d *presence.Definition) {
			d.Statuses[1].Inactivity = &presence.Inactivity{After: time.Minute}
		}, `status 1 ("pause"): Inactivity.Target is empty`},
		{"Inactivity.Target itself", func(d *presence.Definition) {
			d.Statuses[0].Inactivity = &presence.Inactivity{After: time.Minute, Target: "ready"}
		}, `status 0 ("ready"): Inactivity.Target is the status itself`},
		{"Transition From undefined", func(d *presence.Definition) {
			d.Transitions = []presence.Transition{{From: "ready", To: "away"}, {From: "lunch", To: "away"}}
		}, `transition 1: From "lunch" is not defined`},
		{"Transition To undefined", func(d *presence.Definition) {
			d.Transitions = []presence.Transition{{From: "ready", To: "lunch"}}
		}, `transition 0: To "lunch" is not defined`},
		{"Transition To empty", func(d *presence.Definition) {
			d.Transitions = []presence.Transition{{From: "ready"}}
		}, `transition 0: To is empty`},
		{"Initial undefined", func(d *presence.Definition) { d.Initial = "lunch" }, `Initial "lunch" is not defined`},
		{"Initial empty, all on shift", func(d *presence.Definition) {
			d.Statuses = d.Statuses[:2]
			d.Statuses[1].OnLastClose = ""
		}, "Initial is empty and every status is on shift"},
		{"LogIn undefined", func(d *presence.Definition) { d.LogIn = "online" }, `LogIn "online" is not defined`},
		{"LogOut undefined", func(d *presence.Definition) { d.LogOut = "gone" }, `LogOut "gone" is not defined`},
		{"OffShift undefined", func(d *presence.Definition) { d.OffShift = "home" }, `OffShift "home" is not defined`},
		{"Guard To empty", func(d *presence.Definition) {
			d.Guards = []presence.Guard{{Holding: []store.State{store.Assigned}}}
		}, "guard 0: To is empty"},
		{"Guard To undefined", func(d *presence.Definition) {
			d.Guards = []presence.Guard{
				{To: []string{"offline"}, Holding: []store.State{store.Assigned}},
				{To: []string{"away", "home"}, Holding: []store.State{store.Assigned}},
			}
		}, `guard 1: To[1] "home" is not defined`},
		{"Guard Holding empty", func(d *presence.Definition) {
			d.Guards = []presence.Guard{{To: []string{"offline"}}}
		}, "guard 0: Holding is empty"},
		{"Guard Holding zero state", func(d *presence.Definition) {
			d.Guards = []presence.Guard{{To: []string{"offline"}, Holding: []store.State{store.Assigned, 0}}}
		}, "guard 0: Holding[1] state(0) is not a valid conversation state"},
		{"Guard Holding unknown state", func(d *presence.Definition) {
			d.Guards = []presence.Guard{{To: []string{"offline"}, Holding: []store.State{store.Closed + 1}}}
		}, "guard 0: Holding[0] state(6) is not a valid conversation state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.change(&d)
			m, err := presence.New(d)
			require.Nil(t, m)
			require.Error(t, err)
			require.True(t, errors.Is(err, presence.ErrInvalidDefinition), "%v", err)
			require.True(t, errors.Is(err, store.ErrInvalid), "%v", err)
			require.Contains(t, err.Error(), tt.msg)
			require.Panics(t, func() { presence.MustNew(d) })
		})
	}
}

func TestNew_Defaults(t *testing.T) {
	t.Run("Initial is the first status not on shift", func(t *testing.T) {
		m := presence.MustNew(base())
		require.Equal(t, "away", m.Initial())
		require.Equal(t, "away", m.OffShift(), "OffShift defaults to Initial")
		require.Equal(t, "", m.LogIn())
		require.Equal(t, "", m.LogOut())
		d := m.Definition()
		require.Equal(t, "away", d.Initial)
		require.Equal(t, "away", d.OffShift)
	})
	t.Run("OffShift defaults to an explicit Initial", func(t *testing.T) {
		d := base()
		d.Initial = "offline"
		m := presence.MustNew(d)
		require.Equal(t, "offline", m.Initial())
		require.Equal(t, "offline", m.OffShift())
	})
	t.Run("explicit values are kept", func(t *testing.T) {
		d := base()
		d.Initial, d.LogIn, d.LogOut, d.OffShift = "offline", "ready", "pause", "away"
		m := presence.MustNew(d)
		require.Equal(t, "offline", m.Initial())
		require.Equal(t, "ready", m.LogIn())
		require.Equal(t, "pause", m.LogOut())
		require.Equal(t, "away", m.OffShift())
	})
	t.Run("every status on shift with explicit Initial", func(t *testing.T) {
		m, err := presence.New(presence.Definition{
			Statuses: []presence.Status{{Name: "on", Capabilities: presence.All}},
			Initial:  "on",
		})
		require.NoError(t, err)
		require.Equal(t, "on", m.OffShift())
	})
}

func TestNew_DeepCopiesInput(t *testing.T) {
	d := base()
	d.Statuses[0].Inactivity = &presence.Inactivity{After: 15 * time.Minute, Target: "away"}
	d.Transitions = []presence.Transition{{From: "ready", To: "pause"}}
	d.Guards = []presence.Guard{{To: []string{"offline"}, Holding: []store.State{store.Assigned}}}
	m := presence.MustNew(d)
	want := m.Definition()

	// Change everything the caller still holds.
	d.Statuses[0].Name = "changed"
	d.Statuses[0].Capabilities = 0
	d.Statuses[0].Inactivity.After = time.Hour
	d.Statuses[0].Inactivity.Target = "offline"
	d.Statuses[1].OnLastClose = "offline"
	d.Transitions[0] = presence.Transition{From: "away", To: "offline"}
	d.Guards[0].To[0] = "away"
	d.Guards[0].Holding[0] = store.Waiting
	d.Initial = "ready"

	require.Equal(t, want, m.Definition())
	require.True(t, m.Has("ready", presence.All))
	require.NoError(t, m.Check("ready", "pause"))
	require.ErrorIs(t, m.Check("away", "offline"), presence.ErrTransitionNotAllowed)
	require.Equal(t, []store.State{store.Assigned}, m.Forbidden("offline"))
	require.Nil(t, m.Forbidden("away"))
}

func TestModel_ResultsAreCopies(t *testing.T) {
	d := base()
	d.Statuses[0].Inactivity = &presence.Inactivity{After: 15 * time.Minute, Target: "away"}
	d.Transitions = []presence.Transition{{From: "ready", To: "pause"}}
	d.Guards = []presence.Guard{{To: []string{"offline"}, Holding: []store.State{store.Assigned}}}
	m := presence.MustNew(d)
	want := m.Definition()

	got := m.Definition()
	got.Statuses[0].Name = "x"
	got.Statuses[0].Inactivity.After = time.Hour
	got.Transitions[0].To = "away"
	got.Guards[0].To[0] = "away"
	got.Guards[0].Holding[0] = store.Closed

	s, ok := m.Status("ready")
	require.True(t, ok)
	s.Inactivity.Target = "offline"

	all := m.Statuses()
	all[0].Capabilities = 0
	all[0].Inactivity.After = time.Second

	f := m.Forbidden("offline")
	f[0] = store.Closed

	require.Equal(t, want, m.Definition())
	s, _ = m.Status("ready")
	require.Equal(t, &presence.Inactivity{After: 15 * time.Minute, Target: "away"}, s.Inactivity)
	require.Equal(t, []store.State{store.Assigned}, m.Forbidden("offline"))
}
