package presence_test

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // the tests need Europe/Berlin and friends on any machine

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// tisZone loads the IANA time zone name or fails the test.
func tisZone(t require.TestingT, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// tisClock returns a function giving the time hh:mm on the given day of
// 2026-month in loc, for writing intervals that read like a timesheet.
func tisClock(loc *time.Location, month time.Month, day int) func(hh, mm int) time.Time {
	return func(hh, mm int) time.Time { return time.Date(2026, month, day, hh, mm, 0, 0, loc) }
}

// tisStatuses is a definition like HelpDeskEddy's employee statuses:
// online, a lunch status in which the operator is still at work and takes
// transfers, away and offline (the working day is over).
func tisStatuses() *presence.Model {
	return presence.MustNew(presence.Definition{
		Statuses: []presence.Status{
			{Name: "online", Capabilities: presence.All},
			{Name: "lunch", Capabilities: presence.Transfers},
			{Name: "away"},
			{Name: "offline"},
		},
	})
}

// Cleversite's statuses through the Pyrus and HelpDeskEddy day report: a
// shift 09:00–18:00 with a lunch pause 12:30–13:15 and an away stretch. The
// day shows the time in each status, the time on shift and when the shift
// started and ended, and the raw list of changes.
func TestP9_ShiftWithLunchAndAway(t *testing.T) {
	msk := tisZone(t, "Europe/Moscow")
	at := tisClock(msk, time.April, 14)
	m := presence.Standard()
	intervals := []presence.Interval{
		{Status: presence.StatusOffline, From: at(8, 0), To: at(9, 0)}, // the operator was added at 08:00
		{Status: presence.StatusReady, From: at(9, 0), To: at(12, 30)},
		{Status: presence.StatusPause, From: at(12, 30), To: at(13, 15)}, // went to lunch, came back
		{Status: presence.StatusReady, From: at(13, 15), To: at(15, 40)},
		{Status: presence.StatusAway, From: at(15, 40), To: at(16, 0)},
		{Status: presence.StatusCanHelp, From: at(16, 0), To: at(18, 0)},
		{Status: presence.StatusOffline, From: at(18, 0)}, // still off shift
	}
	now := at(23, 0).Add(24 * time.Hour)

	day, err := m.Day(intervals, presence.Date{Year: 2026, Month: time.April, Day: 14}, msk, now)
	require.NoError(t, err)
	require.Equal(t, presence.Date{Year: 2026, Month: time.April, Day: 14}, day.Date)
	require.Equal(t, map[string]time.Duration{
		presence.StatusReady:   3*time.Hour + 30*time.Minute + 2*time.Hour + 25*time.Minute,
		presence.StatusPause:   45 * time.Minute,
		presence.StatusAway:    20 * time.Minute,
		presence.StatusCanHelp: 2 * time.Hour,
		presence.StatusOffline: time.Hour + 6*time.Hour, // 08:00–09:00; the gap before 08:00 counts nowhere
	}, day.InStatus)
	require.Equal(t, 8*time.Hour+40*time.Minute, day.OnShift) // 9 hours less the 20 minutes away
	require.True(t, at(9, 0).Equal(day.ShiftStart), "shift start %v", day.ShiftStart)
	require.True(t, at(18, 0).Equal(day.ShiftEnd), "shift end %v", day.ShiftEnd)
	require.Equal(t, msk, day.ShiftStart.Location())

	// The raw list: when the operator went to lunch and came back.
	require.Len(t, day.Changes, 7)
	lunch := day.Changes[2]
	require.Equal(t, presence.StatusPause, lunch.Status)
	require.Equal(t, "12:30", lunch.From.Format("15:04"))
	require.Equal(t, "13:15", lunch.To.Format("15:04"))
	last := day.Changes[6]
	require.Equal(t, presence.StatusOffline, last.Status)
	require.True(t, at(18, 0).Equal(last.From))
	require.True(t, at(0, 0).Add(24*time.Hour).Equal(last.To), "clipped to the day end: %v", last.To)

	// The next day the operator is off shift throughout, up to now.
	next, err := m.Day(intervals, presence.Date{Year: 2026, Month: time.April, Day: 15}, msk, now)
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{presence.StatusOffline: 23 * time.Hour}, next.InStatus)
	require.Zero(t, next.OnShift)
	require.True(t, next.ShiftStart.IsZero())
	require.True(t, next.ShiftEnd.IsZero())

	// A day before the operator existed is empty.
	before, err := m.Day(intervals, presence.Date{Year: 2026, Month: time.April, Day: 13}, msk, now)
	require.NoError(t, err)
	require.Equal(t, presence.Day{Date: presence.Date{Year: 2026, Month: time.April, Day: 13}, InStatus: map[string]time.Duration{}}, before)
}

// HelpDeskEddy: admin-defined statuses, an online operator who goes to
// lunch and is switched to away; Pyrus: the green/grey toggle, where grey
// still counts as on shift.
func TestP9_AdminStatusesAndToggle(t *testing.T) {
	msk := tisZone(t, "Europe/Moscow")
	at := tisClock(msk, time.May, 5)
	date := presence.Date{Year: 2026, Month: time.May, Day: 5}
	now := at(20, 0)

	day, err := tisStatuses().Day([]presence.Interval{
		{Status: "online", From: at(9, 0), To: at(12, 31)},
		{Status: "lunch", From: at(12, 31), To: at(12, 46)},
		{Status: "away", From: at(12, 46), To: at(13, 5)}, // the inactivity rule moved them
		{Status: "online", From: at(13, 5), To: at(18, 0)},
		{Status: "offline", From: at(18, 0)},
	}, date, msk, now)
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{
		"online":  3*time.Hour + 31*time.Minute + 4*time.Hour + 55*time.Minute,
		"lunch":   15 * time.Minute,
		"away":    19 * time.Minute,
		"offline": 2 * time.Hour,
	}, day.InStatus)
	require.Equal(t, 8*time.Hour+41*time.Minute, day.OnShift)
	require.True(t, at(9, 0).Equal(day.ShiftStart))
	require.True(t, at(18, 0).Equal(day.ShiftEnd))

	day, err = presence.Toggle().Day([]presence.Interval{
		{Status: presence.StatusGreen, From: at(9, 0), To: at(12, 30)},
		{Status: presence.StatusGrey, From: at(12, 30), To: at(13, 15)},
		{Status: presence.StatusGreen, From: at(13, 15), To: at(18, 0)},
		{Status: presence.StatusOffline, From: at(18, 0)},
	}, date, msk, now)
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{
		presence.StatusGreen:   8*time.Hour + 15*time.Minute,
		presence.StatusGrey:    45 * time.Minute,
		presence.StatusOffline: 2 * time.Hour,
	}, day.InStatus)
	require.Equal(t, 9*time.Hour, day.OnShift)
}

// A night shift spanning midnight is split across the two days; each
// day's shift starts or ends at midnight.
func TestP9_IntervalSpanningMidnight(t *testing.T) {
	berlin := tisZone(t, "Europe/Berlin")
	d1, d2 := tisClock(berlin, time.June, 10), tisClock(berlin, time.June, 11)
	intervals := []presence.Interval{
		{Status: presence.StatusReady, From: d1(20, 0), To: d2(2, 0)},
		{Status: presence.StatusOffline, From: d2(2, 0), To: d2(3, 0)},
	}
	days, err := presence.Standard().Days(intervals,
		presence.Date{Year: 2026, Month: time.June, Day: 10}, presence.Date{Year: 2026, Month: time.June, Day: 12},
		berlin, d2(12, 0))
	require.NoError(t, err)
	require.Len(t, days, 3)

	require.Equal(t, presence.Date{Year: 2026, Month: time.June, Day: 10}, days[0].Date)
	require.Equal(t, map[string]time.Duration{presence.StatusReady: 4 * time.Hour}, days[0].InStatus)
	require.Equal(t, 4*time.Hour, days[0].OnShift)
	require.True(t, d1(20, 0).Equal(days[0].ShiftStart))
	require.True(t, d2(0, 0).Equal(days[0].ShiftEnd))
	require.Equal(t, []presence.Interval{{Status: presence.StatusReady, From: d1(20, 0), To: d2(0, 0)}}, days[0].Changes)

	require.Equal(t, presence.Date{Year: 2026, Month: time.June, Day: 11}, days[1].Date)
	require.Equal(t, map[string]time.Duration{presence.StatusReady: 2 * time.Hour, presence.StatusOffline: time.Hour}, days[1].InStatus)
	require.Equal(t, 2*time.Hour, days[1].OnShift)
	require.True(t, d2(0, 0).Equal(days[1].ShiftStart))
	require.True(t, d2(2, 0).Equal(days[1].ShiftEnd))
	require.Equal(t, []presence.Interval{
		{Status: presence.StatusReady, From: d2(0, 0), To: d2(2, 0)},
		{Status: presence.StatusOffline, From: d2(2, 0), To: d2(3, 0)},
	}, days[1].Changes)

	// After the last closed interval nothing is known: an empty day.
	require.Equal(t, presence.Date{Year: 2026, Month: time.June, Day: 12}, days[2].Date)
	require.Empty(t, days[2].InStatus)
	require.Nil(t, days[2].Changes)

	// Midnight in another zone falls elsewhere: 20:00–02:00 Berlin (CEST)
	// is 18:00–00:00 UTC, all on June 10.
	day, err := presence.Standard().Day(intervals, presence.Date{Year: 2026, Month: time.June, Day: 10}, time.UTC, d2(12, 0))
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{presence.StatusReady: 6 * time.Hour}, day.InStatus)
	require.Equal(t, time.UTC, day.Changes[0].From.Location())
}

// The operator is still in their last status: it counts up to now, and
// time after now never counts.
func TestP9_OpenIntervalClippedAtNow(t *testing.T) {
	berlin := tisZone(t, "Europe/Berlin")
	at := tisClock(berlin, time.July, 1)
	date := presence.Date{Year: 2026, Month: time.July, Day: 1}
	m := presence.Standard()
	intervals := []presence.Interval{
		{Status: presence.StatusOffline, From: at(7, 0), To: at(9, 0)},
		{Status: presence.StatusReady, From: at(9, 0), To: at(10, 0)},
		{Status: presence.StatusPause, From: at(10, 0)}, // still on pause
	}

	day, err := m.Day(intervals, date, berlin, at(11, 30))
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{
		presence.StatusOffline: 2 * time.Hour,
		presence.StatusReady:   time.Hour,
		presence.StatusPause:   90 * time.Minute,
	}, day.InStatus)
	require.Equal(t, 150*time.Minute, day.OnShift)
	require.True(t, at(11, 30).Equal(day.ShiftEnd), "shift end is now: %v", day.ShiftEnd)
	require.Equal(t, presence.Interval{Status: presence.StatusPause, From: at(10, 0), To: at(11, 30)}, day.Changes[2])

	// now in the middle of a closed interval: the rest is in the future.
	day, err = m.Day(intervals, date, berlin, at(8, 15))
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{presence.StatusOffline: 75 * time.Minute}, day.InStatus)
	require.Equal(t, []presence.Interval{{Status: presence.StatusOffline, From: at(7, 0), To: at(8, 15)}}, day.Changes)
	require.True(t, day.ShiftStart.IsZero())

	// now before the open interval's From: it counts for nothing.
	day, err = m.Day(intervals, date, berlin, at(9, 45))
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{presence.StatusOffline: 2 * time.Hour, presence.StatusReady: 45 * time.Minute}, day.InStatus)
	require.Len(t, day.Changes, 2)

	// The open interval goes on into the following days, up to now.
	days, err := m.Days(intervals, date, presence.Date{Year: 2026, Month: time.July, Day: 4}, berlin, at(6, 0).Add(48*time.Hour))
	require.NoError(t, err)
	require.Len(t, days, 4)
	require.Equal(t, 14*time.Hour, days[0].InStatus[presence.StatusPause])
	require.Equal(t, 24*time.Hour, days[1].InStatus[presence.StatusPause])
	require.Equal(t, 6*time.Hour, days[2].InStatus[presence.StatusPause])
	require.Empty(t, days[3].InStatus)

	// A monotonic clock reading on now (time.Now) does not change a thing.
	mono := time.Now()
	wall := mono.Round(0)
	a, err := m.Day([]presence.Interval{{Status: presence.StatusReady, From: wall.Add(-time.Hour)}}, presence.DateOf(wall.UTC()), time.UTC, mono)
	require.NoError(t, err)
	b, err := m.Day([]presence.Interval{{Status: presence.StatusReady, From: wall.Add(-time.Hour)}}, presence.DateOf(wall.UTC()), time.UTC, wall)
	require.NoError(t, err)
	require.Equal(t, b, a)
}

// On the days daylight saving time starts and ends, the day lasts 23 and
// 25 hours: an operator in one status all day spends that long in it.
func TestP9_DaylightSavingDays(t *testing.T) {
	berlin := tisZone(t, "Europe/Berlin")
	m := presence.Standard()
	for _, tt := range []struct {
		name  string
		date  presence.Date
		hours time.Duration
	}{
		{"spring forward", presence.Date{Year: 2026, Month: time.March, Day: 29}, 23},
		{"fall back", presence.Date{Year: 2026, Month: time.October, Day: 25}, 25},
		{"ordinary day", presence.Date{Year: 2026, Month: time.October, Day: 26}, 24},
	} {
		t.Run(tt.name, func(t *testing.T) {
			midnight := time.Date(tt.date.Year, tt.date.Month, tt.date.Day, 0, 0, 0, 0, berlin)
			intervals := []presence.Interval{{Status: presence.StatusReady, From: midnight.Add(-72 * time.Hour)}}
			now := midnight.Add(96 * time.Hour)

			day, err := m.Day(intervals, tt.date, berlin, now)
			require.NoError(t, err)
			require.Equal(t, map[string]time.Duration{presence.StatusReady: tt.hours * time.Hour}, day.InStatus)
			require.Equal(t, tt.hours*time.Hour, day.OnShift)
			require.True(t, midnight.Equal(day.ShiftStart))
			require.Equal(t, "00:00", day.ShiftStart.Format("15:04"))
			require.Equal(t, "00:00", day.ShiftEnd.Format("15:04"))
			require.Equal(t, tt.hours*time.Hour, day.ShiftEnd.Sub(day.ShiftStart))

			// In UTC every day has 24 hours.
			day, err = m.Day(intervals, tt.date, time.UTC, now)
			require.NoError(t, err)
			require.Equal(t, 24*time.Hour, day.OnShift)
		})
	}

	// Around the spring change, a shift 01:00–04:00 local lasts two hours.
	at := tisClock(berlin, time.March, 29)
	day, err := m.Day([]presence.Interval{{Status: presence.StatusReady, From: at(1, 0), To: at(4, 0)}},
		presence.Date{Year: 2026, Month: time.March, Day: 29}, berlin, at(12, 0))
	require.NoError(t, err)
	require.Equal(t, 2*time.Hour, day.OnShift)

	// The days around a change tile the time: 24 + 23 + 24 hours.
	days, err := m.Days([]presence.Interval{{Status: presence.StatusAway, From: at(0, 0).Add(-100 * time.Hour)}},
		presence.Date{Year: 2026, Month: time.March, Day: 28}, presence.Date{Year: 2026, Month: time.March, Day: 30}, berlin, at(0, 0).Add(100*time.Hour))
	require.NoError(t, err)
	require.Len(t, days, 3)
	for i, want := range []time.Duration{24, 23, 24} {
		require.Equal(t, want*time.Hour, days[i].InStatus[presence.StatusAway], "day %d", i)
		require.Zero(t, days[i].OnShift)
	}
}

// Bad input is refused with an error wrapping ErrInvalidHistory (and so
// store.ErrInvalid) that names the bad interval.
func TestP9_Validation(t *testing.T) {
	berlin := tisZone(t, "Europe/Berlin")
	at := tisClock(berlin, time.August, 3)
	date := presence.Date{Year: 2026, Month: time.August, Day: 3}
	now := at(23, 0)
	ok := func() []presence.Interval {
		return []presence.Interval{
			{Status: presence.StatusReady, From: at(9, 0), To: at(10, 0)},
			{Status: presence.StatusPause, From: at(10, 0), To: at(11, 0)},
			{Status: presence.StatusReady, From: at(11, 30), To: at(12, 0)},
			{Status: presence.StatusOffline, From: at(12, 0)},
		}
	}
	_, err := presence.Standard().Day(ok(), date, berlin, now)
	require.NoError(t, err)

	tests := []struct {
		name   string
		mutate func(iv []presence.Interval) []presence.Interval
		want   string
	}{
		{"unknown status", func(iv []presence.Interval) []presence.Interval {
			iv[2].Status = "lunch"
			return iv
		}, `interval 2: status "lunch" is not defined`},
		{"empty status", func(iv []presence.Interval) []presence.Interval {
			iv[0].Status = ""
			return iv
		}, `interval 0: status "" is not defined`},
		{"zero From", func(iv []presence.Interval) []presence.Interval {
			iv[0].From = time.Time{}
			return iv
		}, `interval 0 ("ready"): From is zero`},
		{"To before From", func(iv []presence.Interval) []presence.Interval {
			iv[1].To = at(9, 30)
			return iv
		}, `interval 1 ("pause"): To 2026-08-03T09:30:00+02:00 is not after From 2026-08-03T10:00:00+02:00`},
		{"empty interval", func(iv []presence.Interval) []presence.Interval {
			iv[2].To = iv[2].From
			return iv
		}, `interval 2 ("ready"): To 2026-08-03T11:30:00+02:00 is not after From`},
		{"open but not last", func(iv []presence.Interval) []presence.Interval {
			iv[1].To = time.Time{}
			return iv
		}, `interval 1 ("pause"): To is zero (still open) but only the last interval may be open`},
		{"overlap", func(iv []presence.Interval) []presence.Interval {
			iv[2].From = at(10, 59)
			return iv
		}, `interval 2 ("ready"): From 2026-08-03T10:59:00+02:00 is before the end 2026-08-03T11:00:00+02:00 of interval 1`},
		{"unsorted", func(iv []presence.Interval) []presence.Interval {
			iv[2], iv[1] = iv[1], iv[2]
			return iv
		}, `interval 2 ("pause"): From 2026-08-03T10:00:00+02:00 is before the end 2026-08-03T12:00:00+02:00 of interval 1`},
		{"open interval overlapped", func(iv []presence.Interval) []presence.Interval {
			return append(iv[:3], presence.Interval{Status: presence.StatusOffline, From: at(11, 45)})
		}, `interval 3 ("offline"): From 2026-08-03T11:45:00+02:00 is before the end`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := tt.mutate(ok())
			_, err := presence.Standard().Day(iv, date, berlin, now)
			requireTISInvalid(t, err, tt.want)
			days, err := presence.Standard().Days(iv, date, date, berlin, now)
			requireTISInvalid(t, err, tt.want)
			require.Nil(t, days)
		})
	}

	m := presence.Standard()
	_, err = m.Day(ok(), date, nil, now)
	requireTISInvalid(t, err, "time zone (loc) is nil")
	_, err = m.Days(ok(), date, date, nil, now)
	requireTISInvalid(t, err, "time zone (loc) is nil")
	_, err = m.Day(ok(), date, berlin, time.Time{})
	requireTISInvalid(t, err, "now is zero")
	_, err = m.Day(ok(), presence.Date{Year: 2026, Month: time.February, Day: 30}, berlin, now)
	requireTISInvalid(t, err, "date 2026-02-30 is not a calendar date")
	_, err = m.Day(ok(), presence.Date{}, berlin, now)
	requireTISInvalid(t, err, "date 0000-00-00 is not a calendar date")
	_, err = m.Days(ok(), date, presence.Date{Year: 2026, Month: 13, Day: 1}, berlin, now)
	requireTISInvalid(t, err, "to 2026-13-01 is not a calendar date")
	_, err = m.Days(ok(), date, presence.Date{Year: 2026, Month: time.August, Day: 2}, berlin, now)
	requireTISInvalid(t, err, "from 2026-08-03 is after to 2026-08-02")

	// No intervals at all is valid: empty days.
	days, err := m.Days(nil, date, presence.Date{Year: 2026, Month: time.August, Day: 4}, berlin, now)
	require.NoError(t, err)
	require.Len(t, days, 2)
	require.Empty(t, days[1].InStatus)
}

// requireTISInvalid checks that err is an invalid-argument error of this
// package whose message contains want.
func requireTISInvalid(t *testing.T, err error, want string) {
	t.Helper()
	require.ErrorIs(t, err, presence.ErrInvalidHistory)
	require.ErrorIs(t, err, store.ErrInvalid)
	require.Contains(t, err.Error(), want)
}

// For any valid history, Days neither loses nor invents time: the time in
// statuses over a range of days is the history's time clipped to the range
// and to now, no day holds more than its length, and Days agrees with Day.
func TestP9_DaysAddUp(t *testing.T) {
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Sao_Paulo"}
	m := tisStatuses()
	names := []string{"online", "lunch", "away", "offline"}
	// Base days around the 2026 changes of daylight saving time in the
	// zones above, and an ordinary one.
	bases := []time.Time{
		time.Date(2026, time.March, 27, 0, 0, 0, 0, time.UTC),
		time.Date(2026, time.April, 3, 0, 0, 0, 0, time.UTC),
		time.Date(2026, time.October, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2026, time.October, 23, 0, 0, 0, 0, time.UTC),
		time.Date(2026, time.October, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2026, time.June, 15, 0, 0, 0, 0, time.UTC),
	}
	rapid.Check(t, func(t *rapid.T) {
		loc := tisZone(t, rapid.SampledFrom(zones).Draw(t, "zone"))
		base := rapid.SampledFrom(bases).Draw(t, "base")

		// A history of up to 12 intervals over a few days, with gaps.
		var intervals []presence.Interval
		at := base.Add(time.Duration(rapid.IntRange(-24*60, 24*60).Draw(t, "start")) * time.Minute)
		n := rapid.IntRange(0, 12).Draw(t, "intervals")
		for i := range n {
			at = at.Add(time.Duration(rapid.IntRange(0, 12*60).Draw(t, fmt.Sprintf("gap %d", i))) * time.Minute)
			length := time.Duration(rapid.IntRange(1, 30*60).Draw(t, fmt.Sprintf("length %d", i))) * time.Minute
			in := presence.Interval{Status: rapid.SampledFrom(names).Draw(t, fmt.Sprintf("status %d", i)), From: at, To: at.Add(length)}
			if i == n-1 && rapid.Bool().Draw(t, "open") {
				in.To = time.Time{}
			}
			intervals = append(intervals, in)
			at = at.Add(length)
		}
		now := base.Add(time.Duration(rapid.IntRange(-24*60, 8*24*60).Draw(t, "now")) * time.Minute)
		from := presence.DateOf(base.In(loc).AddDate(0, 0, rapid.IntRange(-2, 3).Draw(t, "from")))
		count := rapid.IntRange(1, 6).Draw(t, "days")
		fromStart := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc)
		toEnd := time.Date(from.Year, from.Month, from.Day+count, 0, 0, 0, 0, loc)
		y, mo, d := time.Date(from.Year, from.Month, from.Day+count-1, 12, 0, 0, 0, time.UTC).Date()
		to := presence.Date{Year: y, Month: mo, Day: d}

		days, err := m.Days(intervals, from, to, loc, now)
		require.NoError(t, err)
		require.Len(t, days, count)

		// The expected total, computed straight from the history.
		var want time.Duration
		end := toEnd
		if now.Before(end) {
			end = now
		}
		for _, in := range intervals {
			a, b := in.From, in.To
			if b.IsZero() || b.After(end) {
				b = end
			}
			if a.Before(fromStart) {
				a = fromStart
			}
			if a.Before(b) {
				want += b.Sub(a)
			}
		}

		var got time.Duration
		for i, day := range days {
			start := time.Date(day.Date.Year, day.Date.Month, day.Date.Day, 0, 0, 0, 0, loc)
			next := time.Date(day.Date.Year, day.Date.Month, day.Date.Day+1, 0, 0, 0, 0, loc)
			var sum, onShift, changes time.Duration
			for status, d := range day.InStatus {
				require.Positive(t, d, "day %d status %s", i, status)
				sum += d
				if s, _ := m.Status(status); s.OnShift() {
					onShift += d
				}
			}
			require.LessOrEqual(t, sum, next.Sub(start), "day %d", i)
			require.Equal(t, onShift, day.OnShift, "day %d", i)
			for j, c := range day.Changes {
				require.True(t, c.From.Before(c.To), "day %d change %d", i, j)
				require.False(t, c.From.Before(start), "day %d change %d", i, j)
				require.False(t, c.To.After(next), "day %d change %d", i, j)
				require.False(t, c.To.After(now), "day %d change %d", i, j)
				if j > 0 {
					require.False(t, c.From.Before(day.Changes[j-1].To), "day %d change %d", i, j)
				}
				changes += c.To.Sub(c.From)
			}
			require.Equal(t, sum, changes, "day %d", i)
			require.Equal(t, day.ShiftStart.IsZero(), day.OnShift == 0, "day %d", i)
			if day.OnShift > 0 {
				require.LessOrEqual(t, day.OnShift, day.ShiftEnd.Sub(day.ShiftStart), "day %d", i)
			}
			got += sum

			one, err := m.Day(intervals, day.Date, loc, now)
			require.NoError(t, err)
			require.Equal(t, one, day, "day %d", i)
		}
		require.Equal(t, want, got)
	})
}
