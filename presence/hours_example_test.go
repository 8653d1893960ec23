package presence_test

import (
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/presence"
)

// Business hours as an admin would type them (R6): a Berlin office
// closed on Christmas Day and closing early on New Year's Eve. A
// conversation arriving at 18:30 on Christmas Eve is off hours; the group
// opens again on Saturday morning.
func ExampleParseHours() {
	h, err := presence.ParseHours("Europe/Berlin",
		"mon-fri 09:00-18:00; sat 10:00-14:00",
		"2026-12-25 closed", "2026-12-31 09:00-13:00")
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Location, "|", h)
	for _, e := range h.Exceptions {
		fmt.Println(e)
	}

	at := func(s string) time.Time {
		t, err := time.ParseInLocation(time.DateTime, s, h.Location)
		if err != nil {
			panic(err)
		}
		return t
	}
	fmt.Println("open 2026-12-24 17:30:", h.Open(at("2026-12-24 17:30:00")))
	fmt.Println("open 2026-12-24 18:30:", h.Open(at("2026-12-24 18:30:00")))
	next, _ := h.Next(at("2026-12-24 18:30:00"))
	fmt.Println("opens again:", next.Format("Mon 2006-01-02 15:04 MST"))

	_, err = presence.ParseHours("Europe/Berlin", "mon-fri 09:00-18:00, 17:00-19:00")
	fmt.Println(err)
	// Output:
	// Europe/Berlin | mon-fri 09:00-18:00; sat 10:00-14:00
	// 2026-12-25 closed
	// 2026-12-31 09:00-13:00
	// open 2026-12-24 17:30: true
	// open 2026-12-24 18:30: false
	// opens again: Sat 2026-12-26 10:00 CET
	// switchboard: invalid input: invalid business hours: weekly mon: span "17:00-19:00" overlaps "09:00-18:00"
}

// Spans are wall-clock time. When Berlin's clocks fall back on 2026-10-25
// (03:00 summer time becomes 02:00 winter time), the hour 02:00–03:00
// happens twice, and a span ending at 02:30 closes in each of them.
func ExampleHours_Next() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	h := presence.Hours{
		Location: berlin,
		Weekly:   [7][]presence.Span{time.Sunday: {{Start: 0, End: 2*60 + 30}}},
	}
	t := time.Date(2026, 10, 24, 12, 0, 0, 0, berlin)
	for range 4 {
		t, _ = h.Next(t)
		fmt.Println(t.Format("2006-01-02 15:04 MST"), "open:", h.Open(t))
	}
	// Output:
	// 2026-10-25 00:00 CEST open: true
	// 2026-10-25 02:30 CEST open: false
	// 2026-10-25 02:00 CET open: true
	// 2026-10-25 02:30 CET open: false
}
