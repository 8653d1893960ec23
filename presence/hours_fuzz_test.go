package presence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
)

// FuzzParseHours feeds ParseHours arbitrary text (exceptions one per line).
// It must never panic; an error wraps ErrInvalidHours; a schedule it
// accepts passes Validate, writes back to text that parses to the same
// schedule, and answers Open and Next consistently.
func FuzzParseHours(f *testing.F) {
	for _, seed := range []struct{ zone, weekly, exceptions string }{
		{"Europe/Berlin", "mon-fri 09:00-18:00; sat 10:00-14:00, 15:00-17:00", "2026-12-25 closed\n2026-12-31 09:00-13:00"},
		{"America/New_York", "mon-sun 00:00-24:00", ""},
		{"UTC", "Mon - Fri 9:00-18:00;", ""},
		{"UTC", "mon, wed,fri-sun 10:00 - 12:00; tue closed", "2028-02-29 closed"},
		{"Europe/Berlin", "sun 02:15-02:45, 03:00-24:00; mon 00:00-01:00", "2026-03-29 01:00-04:00\n2026-10-25 02:30-04:00"},
		{"Australia/Lord_Howe", "fri 22:00-24:00; sat 00:00-02:00", ""},
		{"UTC", "mon-fri 09:00-13:00; mon 14:00-18:00", ""},
		{"UTC", "fri-mon 09:00-18:00", ""},
		{"UTC", "mon 24:00-24:00", "2026-02-30 closed"},
		{"Local", "", ""},
		{"", "", ""},
		{"../etc/passwd", "", ""},
	} {
		f.Add(seed.zone, seed.weekly, seed.exceptions)
	}
	now := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, zone, weekly, exceptions string) {
		var exc []string
		if exceptions != "" {
			exc = strings.Split(exceptions, "\n")
		}
		h, err := presence.ParseHours(zone, weekly, exc...)
		if err != nil {
			require.ErrorIs(t, err, presence.ErrInvalidHours)
			return
		}
		require.NoError(t, h.Validate())
		require.NotNil(t, h.Location)

		text := make([]string, len(h.Exceptions))
		for i, e := range h.Exceptions {
			text[i] = e.String()
		}
		again, err := presence.ParseHours(h.Location.String(), h.String(), text...)
		require.NoError(t, err, "%q %q", h.String(), text)
		require.Equal(t, h.Weekly, again.Weekly)
		require.Equal(t, h.Exceptions, again.Exceptions)
		require.Equal(t, h.String(), again.String())

		if next, ok := h.Next(now); ok {
			require.True(t, next.After(now))
			require.NotEqual(t, h.Open(now), h.Open(next))
			require.Equal(t, h.Open(now), h.Open(next.Add(-time.Nanosecond)))
		}
	})
}
