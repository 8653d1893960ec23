package presence_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// hoursZone loads the IANA time zone name or fails the test.
func hoursZone(t require.TestingT, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// hoursSpan builds a Span from "HH:MM" wall-clock times.
func hoursSpan(from, to string) presence.Span {
	return presence.Span{Start: hoursMinute(from), End: hoursMinute(to)}
}

// hoursMinute reads "HH:MM" as minutes since midnight.
func hoursMinute(hhmm string) int {
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil {
		panic(err)
	}
	return h*60 + m
}

func hoursDate(y int, m time.Month, d int) presence.Date {
	return presence.Date{Year: y, Month: m, Day: d}
}

// hoursOffice is an office in Berlin: weekdays 09:00–18:00, Saturday
// 10:00–14:00 and 15:00–17:00, Sunday closed; closed on 2026-12-25 (a
// Friday), a short day 09:00–13:00 on 2026-12-31 (a Thursday).
func hoursOffice(t require.TestingT) presence.Hours {
	day := []presence.Span{hoursSpan("09:00", "18:00")}
	return presence.Hours{
		Location: hoursZone(t, "Europe/Berlin"),
		Weekly: [7][]presence.Span{
			time.Monday:    day,
			time.Tuesday:   day,
			time.Wednesday: day,
			time.Thursday:  day,
			time.Friday:    day,
			time.Saturday:  {hoursSpan("10:00", "14:00"), hoursSpan("15:00", "17:00")},
		},
		Exceptions: []presence.Exception{
			{Date: hoursDate(2026, time.December, 25), Closed: true},
			{Date: hoursDate(2026, time.December, 31), Spans: []presence.Span{hoursSpan("09:00", "13:00")}},
		},
	}
}

// hoursAt returns a clock for loc: at(y, month, day, "HH:MM") and an
// optional extra duration.
func hoursAt(loc *time.Location) func(y int, m time.Month, d int, hhmm string, extra ...time.Duration) time.Time {
	return func(y int, m time.Month, d int, hhmm string, extra ...time.Duration) time.Time {
		minute := hoursMinute(hhmm)
		t := time.Date(y, m, d, minute/60, minute%60, 0, 0, loc)
		for _, e := range extra {
			t = t.Add(e)
		}
		return t
	}
}

func TestR6_HoursOpen(t *testing.T) {
	h := hoursOffice(t)
	require.NoError(t, h.Validate())
	at := hoursAt(h.Location)
	tests := []struct {
		name string
		t    time.Time
		open bool
	}{
		{"monday before opening", at(2026, 6, 15, "08:59", 59*time.Second+999*time.Millisecond), false},
		{"monday at opening", at(2026, 6, 15, "09:00"), true},
		{"monday last minute", at(2026, 6, 15, "17:59", 59*time.Second), true},
		{"monday at closing", at(2026, 6, 15, "18:00"), false},
		{"monday midnight", at(2026, 6, 15, "00:00"), false},
		{"saturday first span", at(2026, 6, 20, "13:59"), true},
		{"saturday lunch gap starts", at(2026, 6, 20, "14:00"), false},
		{"saturday second span", at(2026, 6, 20, "15:00"), true},
		{"saturday after hours", at(2026, 6, 20, "17:00"), false},
		{"sunday closed", at(2026, 6, 21, "12:00"), false},
		{"before the holiday", at(2026, 12, 24, "10:00"), true},
		{"holiday closed all day", at(2026, 12, 25, "10:00"), false},
		{"short day open", at(2026, 12, 31, "12:59"), true},
		{"short day closes early", at(2026, 12, 31, "13:00"), false},
		{"next year a normal friday", at(2027, 1, 1, "10:00"), true},
		{"instant given in UTC", time.Date(2026, 6, 15, 7, 0, 0, 0, time.UTC), true}, // 09:00 CEST
		{"instant given in UTC, a minute early", time.Date(2026, 6, 15, 6, 59, 0, 0, time.UTC), false},
		{"instant given in New York", time.Date(2026, 6, 15, 11, 59, 0, 0, hoursZone(t, "America/New_York")), true}, // 17:59 CEST
		{"instant given in New York, at closing", time.Date(2026, 6, 15, 12, 0, 0, 0, hoursZone(t, "America/New_York")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.open, h.Open(tt.t))
		})
	}
}

func TestR6_HoursNext(t *testing.T) {
	h := hoursOffice(t)
	at := hoursAt(h.Location)
	tests := []struct {
		name     string
		from, to time.Time
	}{
		{"closed to opening", at(2026, 6, 15, "08:00"), at(2026, 6, 15, "09:00")},
		{"just before opening", at(2026, 6, 15, "08:59", 59*time.Second+500*time.Millisecond), at(2026, 6, 15, "09:00")},
		{"at opening: strictly after", at(2026, 6, 15, "09:00"), at(2026, 6, 15, "18:00")},
		{"open to closing", at(2026, 6, 15, "12:34", 56*time.Second), at(2026, 6, 15, "18:00")},
		{"at closing: next morning", at(2026, 6, 15, "18:00"), at(2026, 6, 16, "09:00")},
		{"friday evening to saturday", at(2026, 6, 19, "18:00"), at(2026, 6, 20, "10:00")},
		{"saturday lunch gap", at(2026, 6, 20, "14:00"), at(2026, 6, 20, "15:00")},
		{"saturday second span", at(2026, 6, 20, "15:00"), at(2026, 6, 20, "17:00")},
		{"week wrap: saturday to monday", at(2026, 6, 20, "17:00"), at(2026, 6, 22, "09:00")},
		{"sunday to monday", at(2026, 6, 21, "23:59"), at(2026, 6, 22, "09:00")},
		{"over the holiday to saturday", at(2026, 12, 24, "18:00"), at(2026, 12, 26, "10:00")},
		{"short day closes early", at(2026, 12, 31, "09:00"), at(2026, 12, 31, "13:00")},
		{"short day: closed to next year", at(2026, 12, 31, "13:00"), at(2027, 1, 1, "09:00")},
		{"from UTC", time.Date(2026, 6, 15, 16, 0, 0, 0, time.UTC), at(2026, 6, 16, "09:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := h.Next(tt.from)
			require.True(t, ok)
			require.True(t, tt.to.Equal(got), "want %v, got %v", tt.to, got)
			require.Equal(t, h.Location, got.Location(), "Next answers in the schedule's zone")
			require.NotEqual(t, h.Open(tt.from), h.Open(got), "Open flips at Next")
			require.Equal(t, h.Open(tt.from), h.Open(got.Add(-time.Nanosecond)), "and not before")
		})
	}
}

// A span ending at 24:00 and the next day's span starting at 00:00 are one
// opening: no change at midnight. A closing exception still cuts there.
func TestR6_HoursMidnightIsContiguous(t *testing.T) {
	loc := hoursZone(t, "Europe/Berlin")
	at := hoursAt(loc)
	h := presence.Hours{
		Location: loc,
		Weekly: [7][]presence.Span{
			time.Friday:   {hoursSpan("22:00", "24:00")},
			time.Saturday: {hoursSpan("00:00", "02:00"), hoursSpan("22:00", "24:00")},
			time.Sunday:   {hoursSpan("00:00", "06:00")},
		},
	}
	require.NoError(t, h.Validate())
	require.True(t, h.Open(at(2026, 6, 19, "23:59", 59*time.Second)))
	require.True(t, h.Open(at(2026, 6, 20, "00:00")))

	for _, step := range []struct{ from, to time.Time }{
		{at(2026, 6, 19, "21:00"), at(2026, 6, 19, "22:00")},
		{at(2026, 6, 19, "22:00"), at(2026, 6, 20, "02:00")}, // not Saturday 00:00
		{at(2026, 6, 20, "02:00"), at(2026, 6, 20, "22:00")},
		{at(2026, 6, 20, "22:00"), at(2026, 6, 21, "06:00")}, // week wrap, not Sunday 00:00
		{at(2026, 6, 21, "06:00"), at(2026, 6, 26, "22:00")},
	} {
		got, ok := h.Next(step.from)
		require.True(t, ok)
		require.True(t, step.to.Equal(got), "from %v: want %v, got %v", step.from, step.to, got)
	}

	h.Exceptions = []presence.Exception{{Date: hoursDate(2026, time.June, 20), Closed: true}}
	got, ok := h.Next(at(2026, 6, 19, "22:00"))
	require.True(t, ok)
	require.True(t, at(2026, 6, 20, "00:00").Equal(got), "the holiday starts at midnight: %v", got)
}

func TestR6_HoursZeroAndAlways(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	loc := hoursZone(t, "Europe/Berlin")

	var zero presence.Hours
	require.NoError(t, zero.Validate())
	require.True(t, zero.Always())
	require.True(t, zero.Open(now))
	_, ok := zero.Next(now)
	require.False(t, ok)

	allDay := []presence.Span{hoursSpan("00:00", "24:00")}
	always := presence.Hours{Location: loc, Weekly: [7][]presence.Span{allDay, allDay, allDay, allDay, allDay, allDay, allDay}}
	require.NoError(t, always.Validate())
	require.True(t, always.Always())
	require.True(t, always.Open(now))
	_, ok = always.Next(now)
	require.False(t, ok, "24/7 never changes")

	// Two spans that touch cover the day too.
	always.Weekly[time.Monday] = []presence.Span{hoursSpan("00:00", "12:00"), hoursSpan("12:00", "24:00")}
	require.NoError(t, always.Validate())
	require.True(t, always.Always())
	_, ok = always.Next(now)
	require.False(t, ok)

	always.Exceptions = []presence.Exception{{Date: hoursDate(2026, time.June, 17), Closed: true}}
	require.False(t, always.Always())
	got, ok := always.Next(now)
	require.True(t, ok)
	require.True(t, time.Date(2026, 6, 17, 0, 0, 0, 0, loc).Equal(got))

	closed := presence.Hours{Location: loc}
	require.NoError(t, closed.Validate())
	require.False(t, closed.Always())
	require.False(t, closed.Open(now))
	_, ok = closed.Next(now)
	require.False(t, ok, "always closed never changes")
}

// Next looks about 400 days ahead, so a yearly holiday list is always seen.
func TestR6_HoursNextHorizon(t *testing.T) {
	loc := hoursZone(t, "America/New_York")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	near := presence.Hours{Location: loc, Exceptions: []presence.Exception{
		{Date: hoursDate(2026, time.December, 24), Spans: []presence.Span{hoursSpan("10:00", "12:00")}},
	}}
	require.NoError(t, near.Validate())
	got, ok := near.Next(now)
	require.True(t, ok)
	require.True(t, time.Date(2026, 12, 24, 10, 0, 0, 0, loc).Equal(got))

	far := presence.Hours{Location: loc, Exceptions: []presence.Exception{
		{Date: hoursDate(2027, time.June, 1), Spans: []presence.Span{hoursSpan("10:00", "12:00")}},
	}}
	_, ok = far.Next(now)
	require.False(t, ok, "517 days ahead is beyond the horizon")
}

// hoursSteps checks that Next, called repeatedly from from, gives exactly
// the instants want, and that Open flips at each one and not before.
func hoursSteps(t *testing.T, h presence.Hours, from time.Time, want ...time.Time) {
	t.Helper()
	cur := from
	for i, w := range want {
		got, ok := h.Next(cur)
		require.True(t, ok, "step %d", i)
		require.True(t, w.Equal(got), "step %d from %v: want %v (%v), got %v (%v)", i, cur, w, w.UTC(), got, got.UTC())
		require.NotEqual(t, h.Open(cur), h.Open(got), "step %d: Open flips at Next", i)
		require.Equal(t, h.Open(cur), h.Open(got.Add(-time.Nanosecond)), "step %d: and not before", i)
		cur = got
	}
}

// hoursSunday is a schedule open only on Sundays, in the given spans.
func hoursSunday(loc *time.Location, spans ...presence.Span) presence.Hours {
	return presence.Hours{Location: loc, Weekly: [7][]presence.Span{time.Sunday: spans}}
}

// Spring forward: the skipped wall-clock hour never happens. A span over it
// is an hour shorter; an edge inside it takes effect at the transition; a
// span inside it never opens.
func TestR6_DaylightSavingSpringForward(t *testing.T) {
	t.Run("Berlin", func(t *testing.T) {
		loc := hoursZone(t, "Europe/Berlin") // 2026-03-29 02:00 CET → 03:00 CEST = 01:00 UTC
		utc := func(d, hh, mm int) time.Time { return time.Date(2026, 3, d, hh, mm, 0, 0, time.UTC) }
		sat := utc(28, 12, 0)

		t.Run("span over the gap is shorter", func(t *testing.T) {
			h := hoursSunday(loc, hoursSpan("01:00", "04:00"))
			hoursSteps(t, h, sat, utc(29, 0, 0), utc(29, 2, 0)) // 01:00 CET to 04:00 CEST: two hours
			require.True(t, h.Open(utc(29, 0, 59)))             // 01:59 CET
			require.True(t, h.Open(utc(29, 1, 0)))              // 03:00 CEST
		})
		t.Run("edge inside the gap takes effect at the transition", func(t *testing.T) {
			h := hoursSunday(loc, hoursSpan("02:30", "05:00"))
			hoursSteps(t, h, sat, utc(29, 1, 0), utc(29, 3, 0))          // 03:00 CEST to 05:00 CEST
			require.False(t, h.Open(utc(29, 0, 59).Add(59*time.Second))) // 01:59:59 CET
		})
		t.Run("closing inside the gap closes at the transition", func(t *testing.T) {
			h := hoursSunday(loc, hoursSpan("00:00", "02:30"))
			hoursSteps(t, h, sat, utc(28, 23, 0), utc(29, 1, 0)) // 00:00 CET to 03:00 CEST
		})
		t.Run("span inside the gap never opens", func(t *testing.T) {
			h := hoursSunday(loc, hoursSpan("02:15", "02:45"))
			// The next Sunday is a normal day: 02:15 CEST = 00:15 UTC.
			hoursSteps(t, h, sat, time.Date(2026, 4, 5, 0, 15, 0, 0, time.UTC))
		})
		t.Run("office hours around the weekend", func(t *testing.T) {
			h := hoursOffice(t)
			at := hoursAt(loc)
			hoursSteps(t, h, at(2026, 3, 27, "12:00"),
				utc(27, 17, 0), // Friday 18:00 CET
				utc(28, 9, 0),  // Saturday 10:00 CET
				utc(28, 13, 0),
				utc(28, 14, 0),
				utc(28, 16, 0), // Saturday 17:00 CET
				utc(30, 7, 0),  // Monday 09:00 CEST
				utc(30, 16, 0), // Monday 18:00 CEST
			)
		})
	})
	t.Run("New York", func(t *testing.T) {
		loc := hoursZone(t, "America/New_York") // 2026-03-08 02:00 EST → 03:00 EDT = 07:00 UTC
		h := hoursSunday(loc, hoursSpan("01:00", "04:00"), hoursSpan("05:00", "06:00"))
		hoursSteps(t, h, time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), // 01:00 EST
			time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), // 04:00 EDT: two hours later
			time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC), // 05:00 EDT
			time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC),
		)
	})
}

// hoursUTC is time.Date in UTC with an optional second.
func hoursUTC(y int, m time.Month, d, hh, mm int, ss ...int) time.Time {
	s := 0
	if len(ss) > 0 {
		s = ss[0]
	}
	return time.Date(y, m, d, hh, mm, s, 0, time.UTC)
}

// Fall back: the repeated wall-clock hour happens twice, and each
// occurrence is open or closed by its wall clock.
func TestR6_DaylightSavingFallBack(t *testing.T) {
	t.Run("Berlin", func(t *testing.T) {
		loc := hoursZone(t, "Europe/Berlin") // 2026-10-25 03:00 CEST → 02:00 CET = 01:00 UTC
		utc := func(d, hh, mm int) time.Time { return hoursUTC(2026, 10, d, hh, mm) }
		sat := utc(24, 12, 0)

		t.Run("closing inside the repeated hour closes twice", func(t *testing.T) {
			h := hoursSunday(loc, hoursSpan("00:00", "02:30"))
			hoursSteps(t, h, sat,
				utc(24, 22, 0), // 00:00 CEST
				utc(25, 0, 30), // 02:30 CEST
				utc(25, 1, 0),  // 02:00 CET: the wall clock is back in the span
				utc(25, 1, 30), // 02:30 CET
			)
			require.False(t, h.Open(utc(25, 0, 45))) // 02:45 CEST
			require.True(t, h.Open(utc(25, 1, 15)))  // 02:15 CET
		})
		t.Run("opening inside the repeated hour opens twice", func(t *testing.T) {
			h := hoursSunday(loc, hoursSpan("02:30", "04:00"))
			hoursSteps(t, h, sat,
				utc(25, 0, 30), // 02:30 CEST
				utc(25, 1, 0),  // 02:00 CET: closed again
				utc(25, 1, 30), // 02:30 CET
				utc(25, 3, 0),  // 04:00 CET
			)
		})
		t.Run("span over the repeated hour is longer", func(t *testing.T) {
			h := hoursSunday(loc, hoursSpan("01:00", "05:00"))
			hoursSteps(t, h, sat, utc(24, 23, 0), utc(25, 4, 0)) // five hours, no change at 01:00 UTC
		})
		t.Run("office hours around the weekend", func(t *testing.T) {
			h := hoursOffice(t)
			hoursSteps(t, h, hoursAt(loc)(2026, 10, 23, "12:00"),
				utc(23, 16, 0), // Friday 18:00 CEST
				utc(24, 8, 0),  // Saturday 10:00 CEST
				utc(24, 12, 0),
				utc(24, 13, 0),
				utc(24, 15, 0),
				utc(26, 8, 0), // Monday 09:00 CET
			)
		})
	})
	t.Run("New York", func(t *testing.T) {
		loc := hoursZone(t, "America/New_York") // 2026-11-01 02:00 EDT → 01:00 EST = 06:00 UTC
		h := hoursSunday(loc, hoursSpan("00:00", "01:30"))
		hoursSteps(t, h, hoursUTC(2026, 10, 31, 12, 0),
			hoursUTC(2026, 11, 1, 4, 0),  // 00:00 EDT
			hoursUTC(2026, 11, 1, 5, 30), // 01:30 EDT
			hoursUTC(2026, 11, 1, 6, 0),  // 01:00 EST
			hoursUTC(2026, 11, 1, 6, 30), // 01:30 EST
		)
		require.True(t, h.Open(hoursUTC(2026, 11, 1, 6, 29, 59)))
		require.False(t, h.Open(hoursUTC(2026, 11, 1, 5, 59, 59)))
	})
}

func TestR6_HoursValidate(t *testing.T) {
	require.NoError(t, hoursOffice(t).Validate())
	loc := hoursZone(t, "Europe/Berlin")
	for name, h := range map[string]presence.Hours{
		"zero":          {},
		"closed":        {Location: loc},
		"touching":      {Location: loc, Weekly: [7][]presence.Span{1: {hoursSpan("09:00", "12:00"), hoursSpan("12:00", "13:00")}}},
		"until 24:00":   {Location: loc, Weekly: [7][]presence.Span{1: {hoursSpan("00:00", "24:00")}}},
		"one minute":    {Location: loc, Weekly: [7][]presence.Span{1: {{Start: 1439, End: 1440}}}},
		"leap day":      {Location: loc, Exceptions: []presence.Exception{{Date: hoursDate(2028, time.February, 29), Closed: true}}},
		"empty weekday": {Location: loc, Weekly: [7][]presence.Span{1: {}}},
	} {
		require.NoError(t, h.Validate(), name)
	}

	tests := []struct {
		name   string
		change func(h *presence.Hours)
		msg    string // the error names the field
	}{
		{"nil location with spans", func(h *presence.Hours) { h.Location = nil }, "Location is nil"},
		{"nil location with an exception only", func(h *presence.Hours) {
			*h = presence.Hours{Exceptions: h.Exceptions}
		}, "Location is nil"},
		{"negative start", func(h *presence.Hours) { h.Weekly[time.Monday] = []presence.Span{{Start: -1, End: 60}} }, "Weekly[Monday][0].Start -1 is negative"},
		{"end past midnight", func(h *presence.Hours) { h.Weekly[time.Monday] = []presence.Span{{Start: 60, End: 1441}} }, "Weekly[Monday][0].End 1441 is after 24:00"},
		{"start after end", func(h *presence.Hours) {
			h.Weekly[time.Tuesday] = []presence.Span{hoursSpan("18:00", "09:00")}
		}, "Weekly[Tuesday][0]: Start 1080 is not before End 540"},
		{"empty span", func(h *presence.Hours) { h.Weekly[time.Sunday] = []presence.Span{{Start: 60, End: 60}} }, "Weekly[Sunday][0]: Start 60 is not before End 60"},
		{"unsorted", func(h *presence.Hours) {
			h.Weekly[time.Saturday] = []presence.Span{hoursSpan("15:00", "17:00"), hoursSpan("10:00", "14:00")}
		}, "Weekly[Saturday][1] is not sorted"},
		{"overlapping", func(h *presence.Hours) {
			h.Weekly[time.Saturday] = []presence.Span{hoursSpan("10:00", "15:30"), hoursSpan("15:00", "17:00")}
		}, "Weekly[Saturday][1] overlaps Weekly[Saturday][0]"},
		{"duplicate exception date", func(h *presence.Hours) {
			h.Exceptions = append(h.Exceptions, presence.Exception{Date: hoursDate(2026, time.December, 25), Spans: []presence.Span{hoursSpan("10:00", "11:00")}})
		}, "Exceptions[2].Date 2026-12-25 repeats Exceptions[0].Date"},
		{"closed and spans", func(h *presence.Hours) { h.Exceptions[1].Closed = true }, "Exceptions[1] (2026-12-31): Closed and Spans are both set"},
		{"neither closed nor spans", func(h *presence.Hours) { h.Exceptions[0].Closed = false }, "Exceptions[0] (2026-12-25): neither Closed nor Spans is set"},
		{"not a calendar date", func(h *presence.Hours) { h.Exceptions[0].Date = hoursDate(2026, time.February, 30) }, "Exceptions[0].Date 2026-02-30 is not a calendar date"},
		{"zero date", func(h *presence.Hours) { h.Exceptions[0].Date = presence.Date{} }, "Exceptions[0].Date 0000-00-00 is not a calendar date"},
		{"bad exception span", func(h *presence.Hours) { h.Exceptions[1].Spans[0].End = 2000 }, "Exceptions[1].Spans[0].End 2000 is after 24:00"},
		{"overlapping exception spans", func(h *presence.Hours) {
			h.Exceptions[1].Spans = []presence.Span{hoursSpan("09:00", "13:00"), hoursSpan("12:00", "14:00")}
		}, "Exceptions[1].Spans[1] overlaps Exceptions[1].Spans[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hoursOffice(t)
			tt.change(&h)
			err := h.Validate()
			require.ErrorIs(t, err, presence.ErrInvalidHours)
			require.ErrorIs(t, err, store.ErrInvalid)
			require.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestR6_ParseHours(t *testing.T) {
	h, err := presence.ParseHours("Europe/Berlin",
		"mon-fri 09:00-18:00; sat 10:00-14:00, 15:00-17:00",
		"2026-12-25 closed", "2026-12-31 09:00-13:00")
	require.NoError(t, err)
	want := hoursOffice(t)
	require.Equal(t, "Europe/Berlin", h.Location.String())
	require.Equal(t, want.Weekly, h.Weekly)
	require.Equal(t, want.Exceptions, h.Exceptions)
	require.Equal(t, "mon-fri 09:00-18:00; sat 10:00-14:00, 15:00-17:00", h.String())
	require.Equal(t, "2026-12-25 closed", h.Exceptions[0].String())
	require.Equal(t, "2026-12-31 09:00-13:00", h.Exceptions[1].String())

	// Lenient spellings give the same canonical schedule.
	for in, out := range map[string]string{
		"":                                     "",
		"  ;  ":                                "",
		"Mon - Fri 9:00-18:00;":                "mon-fri 09:00-18:00",
		"mon, wed,fri-sun 10:00 - 12:00":       "mon 10:00-12:00; wed 10:00-12:00; fri-sun 10:00-12:00",
		"sat-sun closed; mon-fri 09:00-18:00":  "mon-fri 09:00-18:00",
		"mon-fri 09:00-13:00; mon 14:00-18:00": "mon 09:00-13:00, 14:00-18:00; tue-fri 09:00-13:00",
		"sat 15:00-17:00, 10:00-14:00":         "sat 10:00-14:00, 15:00-17:00",
		"mon-sun 00:00-24:00":                  "mon-sun 00:00-24:00",
		"sun 22:00-24:00; mon\t00:00-06:00":    "mon 00:00-06:00; sun 22:00-24:00",
		"mon-tue 09:00-12:00, 12:00-13:00":     "mon-tue 09:00-12:00, 12:00-13:00",
		"MON 09:00-10:00; mon-mon 11:00-12:00": "mon 09:00-10:00, 11:00-12:00",
	} {
		h, err := presence.ParseHours("UTC", in)
		require.NoError(t, err, in)
		require.Equal(t, out, h.String(), in)
		again, err := presence.ParseHours("UTC", h.String())
		require.NoError(t, err, in)
		require.Equal(t, h.Weekly, again.Weekly, in)
	}

	every, err := presence.ParseHours("UTC", "mon-sun 00:00-24:00")
	require.NoError(t, err)
	require.True(t, every.Always())
}

func TestR6_ParseHoursErrors(t *testing.T) {
	tests := []struct {
		zone, weekly string
		exceptions   []string
		msg          string // the error quotes the bad token
	}{
		{"", "mon 09:00-10:00", nil, "zone is empty"},
		{"Local", "mon 09:00-10:00", nil, `zone "Local"`},
		{"Mars/Olympus_Mons", "", nil, `zone "Mars/Olympus_Mons"`},
		{"UTC", "mox-fri 09:00-18:00", nil, `unknown day "mox" in "mox-fri"`},
		{"UTC", "mon-frx 09:00-18:00", nil, `unknown day "frx"`},
		{"UTC", "fri-mon 09:00-18:00", nil, `day range "fri-mon" runs backwards`},
		{"UTC", "mon fri 09:00-18:00", nil, `days "mon fri"`},
		{"UTC", "mon", nil, `weekly group "mon": want days then`},
		{"UTC", "09:00-18:00", nil, `weekly group "09:00-18:00": want days then`},
		{"UTC", "closed", nil, `weekly group "closed": want days then`},
		{"UTC", "mon 9-18", nil, `span "9-18": time "9" is not HH:MM`},
		{"UTC", "mon 09:00", nil, `span "09:00": want HH:MM-HH:MM`},
		{"UTC", "mon 09:00-", nil, `span "09:00-": time "" is not HH:MM`},
		{"UTC", "mon 09:60-10:00", nil, `time "09:60"`},
		{"UTC", "mon 009:00-10:00", nil, `time "009:00"`},
		{"UTC", "mon +9:00-10:00", nil, `weekly group "mon +9:00-10:00"`},
		{"UTC", "mon 18:00-09:00", nil, `span "18:00-09:00": start is not before end`},
		{"UTC", "mon 09:00-24:30", nil, `time "24:30"`},
		{"UTC", "mon 24:00-24:00", nil, `span "24:00-24:00": time "24:00" is past the end of the day`},
		{"UTC", "mon 09:00-18:00, 17:00-19:00", nil, `weekly mon: span "17:00-19:00" overlaps "09:00-18:00"`},
		{"UTC", "mon-fri 09:00-18:00; wed 17:00-19:00", nil, `weekly wed: span "17:00-19:00" overlaps "09:00-18:00"`},
		{"UTC", "mon 09:00-12:00 13:00-14:00", nil, `time "12:00 13:00-14:00" is not HH:MM`},
		{"UTC", "mon 09:00-12:00,", nil, `span "": want HH:MM-HH:MM`},
		{"UTC", "mon closed; mon-tue 09:00-10:00", nil, `weekly group "mon-tue 09:00-10:00": mon is both closed and open`},
		{"UTC", "", []string{"2026-13-01 closed"}, `exception "2026-13-01 closed": date "2026-13-01" is not YYYY-MM-DD`},
		{"UTC", "", []string{"2026-02-30 closed"}, `date "2026-02-30"`},
		{"UTC", "", []string{"25.12.2026 closed"}, `date "25.12.2026"`},
		{"UTC", "", []string{""}, `exception "": date ""`},
		{"UTC", "", []string{"2026-12-25"}, `exception "2026-12-25": missing "closed" or spans`},
		{"UTC", "", []string{"2026-12-25 shut"}, `span "shut"`},
		{"UTC", "", []string{"2026-12-31 09:00-13:00, 12:00-14:00"}, `span "12:00-14:00" overlaps "09:00-13:00"`},
		{"UTC", "", []string{"2026-12-25 closed", " 2026-12-25  10:00-11:00"}, `exception "2026-12-25 10:00-11:00": date 2026-12-25 is already given by "2026-12-25 closed"`},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			h, err := presence.ParseHours(tt.zone, tt.weekly, tt.exceptions...)
			require.ErrorIs(t, err, presence.ErrInvalidHours)
			require.ErrorIs(t, err, store.ErrInvalid)
			require.ErrorContains(t, err, tt.msg)
			require.Equal(t, presence.Hours{}, h)
		})
	}
}

// hoursGen draws a valid schedule in a zone with daylight saving: weekly
// spans and a few exceptions on dates between from and to. Span edges
// cluster on the quarter hour, around the transition hours and at
// midnight, where the interesting cases are.
func hoursGen(t *rapid.T, loc *time.Location, from, to time.Time) presence.Hours {
	day := func(label string) []presence.Span {
		var spans []presence.Span
		pos := 0
		for i := range rapid.IntRange(0, 3).Draw(t, label+" spans") {
			gap := rapid.IntRange(0, 12).Draw(t, fmt.Sprintf("%s gap %d", label, i)) * 30
			if i > 0 && rapid.Bool().Draw(t, fmt.Sprintf("%s touch %d", label, i)) {
				gap = 0
			}
			length := rapid.IntRange(1, 16).Draw(t, fmt.Sprintf("%s length %d", label, i)) * 15
			start := pos + gap
			if rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("%s odd minute %d", label, i)) == 0 {
				start += rapid.IntRange(1, 29).Draw(t, fmt.Sprintf("%s jitter %d", label, i))
			}
			if start >= 24*60 {
				break
			}
			end := min(start+length, 24*60)
			if rapid.IntRange(0, 5).Draw(t, fmt.Sprintf("%s to midnight %d", label, i)) == 0 {
				end = 24 * 60
			}
			spans = append(spans, presence.Span{Start: start, End: end})
			pos = end
			if end == 24*60 {
				break
			}
		}
		return spans
	}
	h := presence.Hours{Location: loc}
	for d := range h.Weekly {
		h.Weekly[d] = day(time.Weekday(d).String())
	}
	days := int(to.Sub(from).Hours()/24) + 2
	seen := map[presence.Date]bool{}
	for i := range rapid.IntRange(0, 4).Draw(t, "exceptions") {
		date := presence.DateOf(from.In(loc).AddDate(0, 0, rapid.IntRange(-1, days).Draw(t, fmt.Sprintf("exception %d date", i))))
		if seen[date] {
			continue
		}
		seen[date] = true
		e := presence.Exception{Date: date, Spans: day(fmt.Sprintf("exception %d", i))}
		if len(e.Spans) == 0 {
			e.Closed = true
		}
		h.Exceptions = append(h.Exceptions, e)
	}
	return h
}

// hoursModelOpen is the rule of Hours written the plain way: the wall clock
// of u in loc, its date's exception or weekday, and a scan of the spans.
func hoursModelOpen(h presence.Hours, u time.Time) bool {
	local := u.In(h.Location)
	spans := h.Weekly[local.Weekday()]
	for _, e := range h.Exceptions {
		if e.Date == presence.DateOf(local) {
			spans = e.Spans // nil when Closed
		}
	}
	m := local.Hour()*60 + local.Minute()
	for _, s := range spans {
		if s.Start <= m && m < s.End {
			return true
		}
	}
	return false
}

// Next agrees with a minute-by-minute scan of the wall-clock rule over
// random schedules and starting instants near daylight-saving transitions
// (including Lord Howe's half-hour shift): Open flips exactly at each
// instant Next gives, and nowhere in between.
func TestR6_HoursNextMatchesMinuteScan(t *testing.T) {
	zones := map[string]*time.Location{}
	names := []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}
	for _, name := range names {
		zones[name] = hoursZone(t, name)
	}
	const window = 10 * 24 * time.Hour
	rapid.Check(t, func(t *rapid.T) {
		loc := zones[rapid.SampledFrom(names).Draw(t, "zone")]
		// Both of 2026's transitions bound the zone period around 1 June.
		spring, autumn := time.Date(2026, 6, 1, 12, 0, 0, 0, loc).ZoneBounds()
		base := rapid.SampledFrom([]time.Time{spring, autumn}).Draw(t, "transition")
		start := base.Add(time.Duration(rapid.IntRange(-8*24*60, 2*24*60).Draw(t, "start minute")) * time.Minute)
		if rapid.Bool().Draw(t, "between minutes") {
			start = start.Add(time.Duration(rapid.Int64Range(1, int64(time.Minute)-1).Draw(t, "ns")))
		}
		h := hoursGen(t, loc, start, start.Add(window))
		require.NoError(t, h.Validate())

		// Scan every whole minute: all edges are whole minutes in these
		// zones.
		open := hoursModelOpen(h, start)
		require.Equal(t, open, h.Open(start))
		var changes []time.Time
		end := start.Add(window)
		for u, o := start.Truncate(time.Minute).Add(time.Minute), open; !u.After(end); u = u.Add(time.Minute) {
			now := hoursModelOpen(h, u)
			require.Equal(t, now, h.Open(u), "Open at %v", u)
			if now != o {
				changes = append(changes, u)
				o = now
			}
		}

		cur := start
		for _, want := range changes {
			got, ok := h.Next(cur)
			require.True(t, ok, "from %v", cur)
			require.True(t, want.Equal(got), "from %v: want %v, got %v", cur, want, got)
			require.NotEqual(t, h.Open(cur), h.Open(got))
			require.Equal(t, h.Open(cur), h.Open(got.Add(-time.Nanosecond)))
			cur = got
		}
		if got, ok := h.Next(cur); ok {
			require.True(t, got.After(end), "from %v: Next %v is a change the scan did not see", cur, got)
		}

		// The weekly schedule survives the text format.
		again, err := presence.ParseHours(loc.String(), h.String())
		require.NoError(t, err, h.String())
		require.Equal(t, h.Weekly, again.Weekly, h.String())
	})
}

// Open is a lookup; Next walks day by day, so its cost grows with the
// distance to the next change: across a weekend, and the worst case, an
// always-closed schedule walked for the whole 400-day horizon.
func BenchmarkR6_Hours(b *testing.B) {
	h := hoursOffice(b)
	friday := time.Date(2026, 6, 19, 18, 30, 0, 0, h.Location)
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			h.Open(friday)
		}
	})
	b.Run("Next/same day", func(b *testing.B) {
		monday := time.Date(2026, 6, 15, 12, 0, 0, 0, h.Location)
		for b.Loop() {
			h.Next(monday)
		}
	})
	b.Run("Next/over the weekend", func(b *testing.B) {
		for b.Loop() {
			h.Next(friday)
		}
	})
	b.Run("Next/never changes", func(b *testing.B) {
		closed := presence.Hours{Location: h.Location, Exceptions: h.Exceptions}
		for b.Loop() {
			closed.Next(friday)
		}
	})
}
