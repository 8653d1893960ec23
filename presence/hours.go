package presence

import (
	"fmt"
	"time"
)

// hoursMinutesPerDay is the number of wall-clock minutes in a day; a Span
// may end at it (24:00).
const hoursMinutesPerDay = 24 * 60

// hoursHorizon bounds how far Next looks ahead.
const hoursHorizon = 400 * 24 * time.Hour

// Span is one opening interval within a day, in minutes since local
// midnight: [Start, End). Start is in [0, 1440), End in (Start, 1440]; an
// End of 24*60 means open until midnight, and such a span is contiguous with
// a span starting at 0 on the next day.
type Span struct{ Start, End int }

// Exception overrides the weekly schedule on one calendar date, in the
// schedule's zone: a holiday (Closed) or a short day (Spans instead of the
// weekly ones). Exactly one of Closed and Spans must be set.
type Exception struct {
	// Date is the calendar date overridden. Required; at most one Exception
	// per Date.
	Date Date
	// Closed closes the whole day.
	Closed bool
	// Spans are the day's opening hours instead of the weekly ones:
	// sorted, non-overlapping.
	Spans []Span
}

// Hours are the business hours of a group (R6): a weekly schedule in
// an IANA time zone plus dated exceptions (holidays, short days). The router
// asks Open whether a conversation arrives within hours (outside them it is
// still queued and the host is told, so it can send the off-hours notice)
// and Next when group availability (P10) next changes. Like the rest of
// the package this is pure: the instant is always passed in.
//
// The zero Hours sets no business hours: it is valid and always open. Any
// other Hours needs a Location and is open only within its spans; a Location
// with no spans at all is always closed.
//
// # Daylight saving
//
// Spans are wall-clock minutes of the schedule's zone. The rule is exactly:
// t is open when the wall-clock minute of t.In(Location) (hour*60+minute)
// lies in a span of t's calendar date there. Nothing else is taken into
// account, so around a daylight-saving transition:
//
//   - When clocks spring forward (Berlin 2026-03-29 02:00 → 03:00), the
//     skipped wall-clock minutes never happen. A span covering them is
//     simply shorter ([01:00, 04:00) is open for two hours that day); a span
//     edge inside the gap takes effect at the transition instant, the first
//     instant whose wall clock is past it ([02:30, 05:00) opens at 03:00
//     summer time); a span lying wholly inside the gap never opens.
//   - When clocks fall back (Berlin 2026-10-25 03:00 → 02:00), the repeated
//     wall-clock hour happens twice and each occurrence is open or closed by
//     its wall clock: [00:00, 02:30) is open until 02:30 summer time, closed
//     for half an hour, and open again from 02:00 to 02:30 winter time.
//
// Next reports every instant at which this rule flips Open, transition
// instants included. Spans are never converted with time.Date, whose choice
// for a skipped or repeated wall time is unspecified.
//
// Open and Next assume h passed Validate; on an invalid Hours they do not
// panic but their answers are unspecified.
type Hours struct {
	// Location is the time zone the spans and dates are read in, e.g.
	// time.LoadLocation("Europe/Berlin"). Required unless h is the zero
	// Hours.
	Location *time.Location
	// Weekly holds the opening spans of each day of the week, indexed by
	// time.Weekday (Weekly[time.Sunday] is Sunday). Each day's spans are
	// sorted and do not overlap; a day without spans is closed.
	Weekly [7][]Span
	// Exceptions override the weekly spans on given dates; at most one per
	// date, in any order.
	Exceptions []Exception
}

// zero reports whether h sets no business hours at all.
func (h Hours) zero() bool {
	if h.Location != nil || len(h.Exceptions) > 0 {
		return false
	}
	for _, spans := range h.Weekly {
		if len(spans) > 0 {
			return false
		}
	}
	return true
}

// Always reports whether h is open at every instant: true for the zero
// Hours (no business hours set) and for a schedule whose every weekday and
// every exception covers the whole day.
func (h Hours) Always() bool {
	if h.zero() {
		return true
	}
	for _, spans := range h.Weekly {
		if !hoursFullDay(spans) {
			return false
		}
	}
	for _, e := range h.Exceptions {
		if e.Closed || !hoursFullDay(e.Spans) {
			return false
		}
	}
	return true
}

// hoursFullDay reports whether the sorted spans cover [0, 24:00) without a
// gap.
func hoursFullDay(spans []Span) bool {
	end := 0
	for _, s := range spans {
		if s.Start > end {
			return false
		}
		end = max(end, s.End)
	}
	return end >= hoursMinutesPerDay
}

// Validate reports whether h is well formed. The error wraps
// ErrInvalidHours and names the first bad field. It rejects a nil
// Location when any span or exception is set, a span with Start < 0,
// End > 1440 or Start >= End, unsorted or overlapping spans, an exception
// date that is not a calendar date or repeats an earlier one, and an
// exception with both or neither of Closed and Spans.
func (h Hours) Validate() error {
	if h.zero() {
		return nil
	}
	if h.Location == nil {
		return invalidHours("Location is nil but spans or exceptions are set")
	}
	for d, spans := range h.Weekly {
		if err := hoursValidateSpans(fmt.Sprintf("Weekly[%s]", time.Weekday(d)), spans); err != nil {
			return err
		}
	}
	seen := make(map[Date]int, len(h.Exceptions))
	for i, e := range h.Exceptions {
		field := fmt.Sprintf("Exceptions[%d]", i)
		if !e.Date.Valid() {
			return invalidHours("%s.Date %s is not a calendar date", field, e.Date.String())
		}
		if j, dup := seen[e.Date]; dup {
			return invalidHours("%s.Date %s repeats Exceptions[%d].Date", field, e.Date.String(), j)
		}
		seen[e.Date] = i
		switch {
		case e.Closed && len(e.Spans) > 0:
			return invalidHours("%s (%s): Closed and Spans are both set", field, e.Date.String())
		case !e.Closed && len(e.Spans) == 0:
			return invalidHours("%s (%s): neither Closed nor Spans is set", field, e.Date.String())
		}
		if err := hoursValidateSpans(field+".Spans", e.Spans); err != nil {
			return err
		}
	}
	return nil
}

// hoursValidateSpans checks one day's spans; field names the slice in errors.
func hoursValidateSpans(field string, spans []Span) error {
	for i, s := range spans {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case s.Start < 0:
			return invalidHours("%s.Start %d is negative", f, s.Start)
		case s.End > hoursMinutesPerDay:
			return invalidHours("%s.End %d is after 24:00 (%d)", f, s.End, hoursMinutesPerDay)
		case s.Start >= s.End:
			return invalidHours("%s: Start %d is not before End %d", f, s.Start, s.End)
		}
		if i == 0 {
			continue
		}
		prev := spans[i-1]
		switch {
		case s.Start < prev.Start:
			return invalidHours("%s is not sorted: Start %d is before %s[%d].Start %d", f, s.Start, field, i-1, prev.Start)
		case s.Start < prev.End:
			return invalidHours("%s overlaps %s[%d]: Start %d is before its End %d", f, field, i-1, s.Start, prev.End)
		}
	}
	return nil
}

// invalidHours returns an error wrapping ErrInvalidHours with the
// formatted message.
func invalidHours(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidHours, fmt.Sprintf(format, args...))
}

// Open reports whether t lies within the opening hours: whether t's
// wall-clock minute in h.Location lies in a span of t's date there (the
// exception for that date if there is one, else the weekly spans of its
// weekday). The zero Hours is always open.
func (h Hours) Open(t time.Time) bool {
	if h.zero() {
		return true
	}
	c := h.calendar()
	return c.openAt(hoursWallClock(t, h.loc()))
}

// Next returns the first instant strictly after t at which Open changes, in
// h.Location, and true. It returns false when Open does not change within
// 400 days after t: for the zero Hours, a schedule that is always open or
// always closed, or one whose only change is an exception further ahead.
//
// Next walks the schedule day by day, visiting each span edge once; a span
// ending at 24:00 followed by one starting at 00:00 the next day is
// contiguous, so midnight is no change then. Changes happen at whole
// wall-clock minutes and at daylight-saving transitions (see Hours).
func (h Hours) Next(t time.Time) (time.Time, bool) {
	if h.zero() {
		return time.Time{}, false
	}
	loc, c := h.loc(), h.calendar()
	limit := t.Add(hoursHorizon)
	state := c.openAt(hoursWallClock(t, loc))
	// Within one zone period the UTC offset is constant, so wall clock and
	// instant differ by a fixed shift; look for the next edge in wall-clock
	// terms, and at the period's end re-read the clock in the next period.
	for cur := t; ; {
		local := cur.In(loc)
		_, offset := local.Zone()
		_, end := local.ZoneBounds()
		shift := time.Duration(offset) * time.Second
		stop := limit
		if !end.IsZero() && end.Before(limit) {
			stop = end
		}
		if b, ok := c.nextChange(cur.UTC().Add(shift), state, stop.UTC().Add(shift)); ok {
			return b.Add(-shift).In(loc), true
		}
		if stop.Equal(limit) {
			return time.Time{}, false
		}
		cur = end
		if c.openAt(hoursWallClock(cur, loc)) != state {
			return cur.In(loc), true
		}
	}
}

// loc returns h.Location, or UTC when it is nil (only in an invalid Hours).
func (h Hours) loc() *time.Location {
	if h.Location == nil {
		return time.UTC
	}
	return h.Location
}

// hoursWallClock returns u's wall-clock reading in loc as a time in UTC with
// the same fields: a plain calendar time in which every day has 24 hours.
func hoursWallClock(u time.Time, loc *time.Location) time.Time {
	_, offset := u.In(loc).Zone()
	return u.UTC().Add(time.Duration(offset) * time.Second)
}

// hoursCalendar answers which spans apply on a date. With many exceptions it
// indexes them by date.
type hoursCalendar struct {
	weekly     [7][]Span
	exceptions []Exception
	byDate     map[Date]int // index into exceptions; nil when there are few
}

// hoursIndexFrom is the number of exceptions from which hoursCalendar
// builds a map instead of scanning them.
const hoursIndexFrom = 16

// calendar returns h's hoursCalendar.
func (h Hours) calendar() hoursCalendar {
	c := hoursCalendar{weekly: h.Weekly, exceptions: h.Exceptions}
	if len(h.Exceptions) >= hoursIndexFrom {
		c.byDate = make(map[Date]int, len(h.Exceptions))
		for i, e := range h.Exceptions {
			if _, dup := c.byDate[e.Date]; !dup {
				c.byDate[e.Date] = i
			}
		}
	}
	return c
}

// spans returns the spans in force on the wall-clock day starting at day.
func (c *hoursCalendar) spans(day time.Time) []Span {
	d := DateOf(day)
	if c.byDate != nil {
		if i, ok := c.byDate[d]; ok {
			return hoursExceptionSpans(c.exceptions[i])
		}
	} else {
		for _, e := range c.exceptions {
			if e.Date == d {
				return hoursExceptionSpans(e)
			}
		}
	}
	return c.weekly[day.Weekday()]
}

// hoursExceptionSpans returns the spans an exception puts in force.
func hoursExceptionSpans(e Exception) []Span {
	if e.Closed {
		return nil
	}
	return e.Spans
}

// hoursCovers reports whether minute lies in one of spans.
func hoursCovers(spans []Span, minute int) bool {
	for _, s := range spans {
		if s.Start <= minute && minute < s.End {
			return true
		}
	}
	return false
}

// hoursMidnight returns the start of w's day; w is a wall-clock time (see
// hoursWallClock).
func hoursMidnight(w time.Time) time.Time {
	y, m, d := w.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// openAt reports whether the wall-clock time w is within hours.
func (c *hoursCalendar) openAt(w time.Time) bool {
	return hoursCovers(c.spans(hoursMidnight(w)), w.Hour()*60+w.Minute())
}

// nextChange returns the first wall-clock time after w and before stop at
// which openAt differs from state. Candidates are each day's midnight and
// span edges, visited in order.
func (c *hoursCalendar) nextChange(w time.Time, state bool, stop time.Time) (time.Time, bool) {
	for day := hoursMidnight(w); day.Before(stop); day = day.Add(24 * time.Hour) {
		spans := c.spans(day)
		// Candidate k = -1 is midnight; 2i and 2i+1 are spans[i]'s edges.
		for k := -1; k < 2*len(spans); k++ {
			minute := 0
			if k >= 0 {
				if s := spans[k/2]; k%2 == 0 {
					minute = s.Start
				} else {
					minute = s.End
				}
			}
			if minute >= hoursMinutesPerDay {
				continue // 24:00 is the next day's midnight
			}
			b := day.Add(time.Duration(minute) * time.Minute)
			if !b.After(w) {
				continue
			}
			if !b.Before(stop) {
				return time.Time{}, false
			}
			if hoursCovers(spans, minute) != state {
				return b, true
			}
		}
	}
	return time.Time{}, false
}
