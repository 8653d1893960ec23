package presence

import (
	"fmt"
	"time"
)

// Date is a calendar date, without a time of day or a time zone.
type Date struct {
	// Year, Month and Day name the date, as time.Date takes them.
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's own location; pass
// t.In(loc) for the date as the zone loc sees it.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d names a real calendar date (not February 30).
func (d Date) Valid() bool { return d.AddDays(0) == d }

// AddDays returns the date n days after d (before it for a negative n),
// normalising an invalid d as time.Date does.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}
