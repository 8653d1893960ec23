package presence_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
)

func TestCapability_Has(t *testing.T) {
	tests := []struct {
		name string
		c, x presence.Capability
		want bool
	}{
		{"none has none", 0, 0, true},
		{"all has none", presence.All, 0, true},
		{"none lacks auto-assign", 0, presence.AutoAssign, false},
		{"all has each", presence.All, presence.AdminAssign, true},
		{"all has all", presence.All, presence.All, true},
		{"single has itself", presence.Transfers, presence.Transfers, true},
		{"queue lacks transfers", presence.QueueTake, presence.Transfers, false},
		{"needs every bit", presence.QueueTake | presence.Transfers, presence.QueueTake | presence.AutoAssign, false},
		{"subset", presence.QueueTake | presence.Transfers, presence.QueueTake, true},
		{"three lack all", presence.All &^ presence.AdminAssign, presence.All, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.c.Has(tt.x))
		})
	}
}

func TestCapability_String(t *testing.T) {
	tests := []struct {
		c    presence.Capability
		want string
	}{
		{0, "none"},
		{presence.AutoAssign, "auto-assign"},
		{presence.QueueTake, "queue"},
		{presence.Transfers, "transfers"},
		{presence.AdminAssign, "admin-assign"},
		{presence.QueueTake | presence.Transfers, "queue|transfers"},
		{presence.All, "auto-assign|queue|transfers|admin-assign"},
		{presence.AutoAssign | 0x10, "auto-assign|0x10"},
		{0xf0, "0xf0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, tt.c.String())
		})
	}
}

func TestCapability_Values(t *testing.T) {
	// The bit values are part of the API: stores may persist them.
	require.Equal(t, presence.Capability(1), presence.AutoAssign)
	require.Equal(t, presence.Capability(2), presence.QueueTake)
	require.Equal(t, presence.Capability(4), presence.Transfers)
	require.Equal(t, presence.Capability(8), presence.AdminAssign)
	require.Equal(t, presence.Capability(15), presence.All)
}

func TestStatus_OnShift(t *testing.T) {
	require.False(t, presence.Status{Name: "away"}.OnShift())
	require.True(t, presence.Status{Name: "pause", Capabilities: presence.Transfers}.OnShift())
	require.True(t, presence.Status{Name: "ready", Capabilities: presence.All}.OnShift())
}
