package rules

import "time"

// weekdayNames lists the days as FieldWeekday spells them, Sunday first as
// time.Weekday counts.
func weekdayNames() [7]string {
	return [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
}

// parseWeekday returns the day named s ("mon"), or false.
func parseWeekday(s string) (time.Weekday, bool) {
	for i, n := range weekdayNames() {
		if s == n {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// days is a set of weekdays, bit d for time.Weekday d.
type days uint8

// allDays holds every day.
const allDays days = 1<<7 - 1

// has reports whether d is in the set.
func (s days) has(d time.Weekday) bool { return s&(1<<d) != 0 }
