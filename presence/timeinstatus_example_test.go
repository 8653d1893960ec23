package presence_test

import (
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/presence"
)

// A supervisor's day report (P9, as in Pyrus and HelpDeskEddy): when
// the operator started and ended their shift, when they went to lunch and
// came back, and how long they spent in each status. The router records
// one Interval per status change; the last one is still open.
func ExampleModel_Day() {
	m := presence.Standard()
	loc := time.FixedZone("MSK", 3*60*60)
	at := func(hh, mm int) time.Time { return time.Date(2026, time.April, 14, hh, mm, 0, 0, loc) }
	intervals := []presence.Interval{
		{Status: presence.StatusReady, From: at(9, 0), To: at(12, 30)},
		{Status: presence.StatusPause, From: at(12, 30), To: at(13, 15)}, // lunch
		{Status: presence.StatusReady, From: at(13, 15), To: at(15, 40)},
		{Status: presence.StatusAway, From: at(15, 40), To: at(16, 0)},
		{Status: presence.StatusCanHelp, From: at(16, 0), To: at(18, 0)},
		{Status: presence.StatusOffline, From: at(18, 0)}, // still off shift
	}
	day, err := m.Day(intervals, presence.DateOf(at(0, 0)), loc, at(21, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("shift %s–%s, on shift %v\n", day.ShiftStart.Format("15:04"), day.ShiftEnd.Format("15:04"), day.OnShift)
	for _, c := range day.Changes {
		fmt.Printf("  %s–%s %s\n", c.From.Format("15:04"), c.To.Format("15:04"), c.Status)
	}
	for _, s := range m.Statuses() {
		if d, ok := day.InStatus[s.Name]; ok {
			fmt.Printf("%-8s %v\n", s.Name, d)
		}
	}
	// Output:
	// shift 09:00–18:00, on shift 8h40m0s
	//   09:00–12:30 ready
	//   12:30–13:15 pause
	//   13:15–15:40 ready
	//   15:40–16:00 away
	//   16:00–18:00 can-help
	//   18:00–21:00 offline
	// ready    5h55m0s
	// can-help 2h0m0s
	// pause    45m0s
	// away     20m0s
	// offline  3h0m0s
}

// Days cuts a history into calendar days: a night shift is split at
// midnight.
func ExampleModel_Days() {
	m := presence.Toggle()
	at := func(day, hh int) time.Time { return time.Date(2026, time.June, day, hh, 0, 0, 0, time.UTC) }
	intervals := []presence.Interval{
		{Status: presence.StatusGreen, From: at(10, 22), To: at(11, 3)},
		{Status: presence.StatusGrey, From: at(11, 3), To: at(11, 6)},
		{Status: presence.StatusOffline, From: at(11, 6)},
	}
	days, err := m.Days(intervals, presence.DateOf(at(10, 0)), presence.DateOf(at(11, 0)), time.UTC, at(12, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range days {
		fmt.Printf("%d-%02d-%02d on shift %v from %s to %s; green %v, grey %v, offline %v\n",
			d.Date.Year, d.Date.Month, d.Date.Day, d.OnShift, d.ShiftStart.Format("15:04"), d.ShiftEnd.Format("15:04"),
			d.InStatus[presence.StatusGreen], d.InStatus[presence.StatusGrey], d.InStatus[presence.StatusOffline])
	}
	// Output:
	// 2026-06-10 on shift 2h0m0s from 22:00 to 00:00; green 2h0m0s, grey 0s, offline 0s
	// 2026-06-11 on shift 6h0m0s from 00:00 to 06:00; green 3h0m0s, grey 3h0m0s, offline 18h0m0s
}
