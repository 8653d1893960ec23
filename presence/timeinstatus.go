package presence

import (
	"fmt"
	"sort"
	"time"
)

// Interval is one stretch an operator spent in one status: [From, To). A
// zero To means "still in it" (open). The router records one Interval per
// status change (P9) and passes an operator's intervals, oldest first,
// to [Model.Day] or [Model.Days].
type Interval struct {
	// Status is the name of the status, as the model defines it.
	Status string
	// From is when the operator entered the status.
	From time.Time
	// To is when the operator left it; zero while they are still in it.
	To time.Time
}

// Day is what an operator's day looks like in one time zone (P9): the
// time spent in each status, the shift start and end, and the raw list of
// status changes ("went to lunch at 12:31, came back at 13:05"). Times in
// it are in the time zone the day was computed for.
type Day struct {
	// Date is the calendar date of the day.
	Date Date
	// InStatus holds the time spent in each status within the day. Only
	// statuses with time greater than zero appear; the map is never nil.
	InStatus map[string]time.Duration
	// OnShift is the sum of InStatus over the statuses for which the
	// model's Status.OnShift is true.
	OnShift time.Duration
	// ShiftStart is the first moment on shift that day; zero if the
	// operator was never on shift.
	ShiftStart time.Time
	// ShiftEnd is the last moment on shift that day: the end of the last
	// on-shift stretch, clipped to the end of the day, or to now for a
	// stretch still under way. Zero if the operator was never on shift.
	ShiftEnd time.Time
	// Changes lists the intervals clipped to the day and to now, in order,
	// each with From < To; intervals with no time in the day are left out.
	// A clipped interval starts at the day start or ends at the day end
	// when it spans midnight; the one the operator is still in ends at now.
	Changes []Interval
}

// Day returns the time the operator whose status history is intervals
// spent in each status on date, in the time zone loc (P9).
//
// The day runs from local midnight of date to local midnight of the next
// date in loc, so it lasts 23 or 25 hours on days when daylight saving time
// starts or ends. Where a zone skips midnight, the day starts at the time
// [time.Date] gives for it, and the previous day ends there too.
//
// intervals must be sorted by From and must not overlap; each must have a
// non-zero From, a To after its From or a zero To, and a status the model
// defines. Only the last interval may be open (zero To); it counts up to
// now, and for nothing when now is not after its From. Time after now is
// never counted, whether the interval is open or not. Gaps between
// intervals (for example before the operator existed) count nowhere.
//
// An invalid argument (an interval breaking the rules above, a nil loc, a
// zero now, or a date that is not a calendar date such as February 30)
// returns an error wrapping ErrInvalidHistory, and so store.ErrInvalid;
// the message names the index of the bad interval.
func (m *Model) Day(intervals []Interval, date Date, loc *time.Location, now time.Time) (Day, error) {
	l, err := m.statusLog(intervals, loc, now)
	if err != nil {
		return Day{}, err
	}
	if err := checkStatusDate("date", date); err != nil {
		return Day{}, err
	}
	return l.day(date), nil
}

// Days is like [Model.Day] for every date from from to to, both included:
// it returns one Day per date, in order. It validates intervals once and
// finds each day's first interval by binary search. from after to is an
// error wrapping ErrInvalidHistory.
func (m *Model) Days(intervals []Interval, from, to Date, loc *time.Location, now time.Time) ([]Day, error) {
	l, err := m.statusLog(intervals, loc, now)
	if err != nil {
		return nil, err
	}
	if err := checkStatusDate("from", from); err != nil {
		return nil, err
	}
	if err := checkStatusDate("to", to); err != nil {
		return nil, err
	}
	if statusDateNoon(from).After(statusDateNoon(to)) {
		return nil, invalidHistory("from %s is after to %s", from, to)
	}
	var days []Day
	for d := from; ; d = d.AddDays(1) {
		days = append(days, l.day(d))
		if d == to {
			return days, nil
		}
	}
}

// statusLog is a validated status history, ready to be cut into days.
type statusLog struct {
	m   *Model
	loc *time.Location
	now time.Time
	// iv holds the intervals without monotonic clock readings, so that
	// every duration is computed on the wall clock; an open interval's To
	// is replaced by now, or by its From when now is not after it.
	iv []Interval
}

// statusLog validates intervals, loc and now and returns the history.
func (m *Model) statusLog(intervals []Interval, loc *time.Location, now time.Time) (*statusLog, error) {
	if loc == nil {
		return nil, invalidHistory("time zone (loc) is nil")
	}
	if now.IsZero() {
		return nil, invalidHistory("now is zero")
	}
	now = now.Round(0)
	iv := make([]Interval, len(intervals))
	for i, in := range intervals {
		if _, ok := m.index[in.Status]; !ok {
			return nil, invalidHistory("interval %d: status %q is not defined", i, in.Status)
		}
		if in.From.IsZero() {
			return nil, invalidHistory("interval %d (%q): From is zero", i, in.Status)
		}
		from, to := in.From.Round(0), in.To.Round(0)
		switch {
		case to.IsZero() && i != len(intervals)-1:
			return nil, invalidHistory("interval %d (%q): To is zero (still open) but only the last interval may be open", i, in.Status)
		case to.IsZero():
			to = from
			if now.After(from) {
				to = now
			}
		case !from.Before(to):
			return nil, invalidHistory("interval %d (%q): To %s is not after From %s", i, in.Status, to.Format(time.RFC3339Nano), from.Format(time.RFC3339Nano))
		}
		if i > 0 && from.Before(iv[i-1].To) {
			return nil, invalidHistory("interval %d (%q): From %s is before the end %s of interval %d (intervals must be sorted by From and must not overlap)",
				i, in.Status, from.Format(time.RFC3339Nano), intervals[i-1].To.Format(time.RFC3339Nano), i-1)
		}
		iv[i] = Interval{Status: in.Status, From: from, To: to}
	}
	return &statusLog{m: m, loc: loc, now: now, iv: iv}, nil
}

// day cuts the history to the day date.
func (l *statusLog) day(date Date) Day {
	start := statusDayStart(date, l.loc)
	end := statusDayStart(date.AddDays(1), l.loc)
	if l.now.Before(end) {
		end = l.now
	}
	d := Day{Date: date, InStatus: map[string]time.Duration{}}
	// The intervals are sorted and disjoint, so their ends increase: the
	// first one that ends after start is the first to overlap the day.
	first := sort.Search(len(l.iv), func(i int) bool { return l.iv[i].To.After(start) })
	for _, in := range l.iv[first:] {
		if !in.From.Before(end) {
			break
		}
		from, to := in.From, in.To
		if from.Before(start) {
			from = start
		}
		if to.After(end) {
			to = end
		}
		if !from.Before(to) {
			continue
		}
		from, to = from.In(l.loc), to.In(l.loc)
		spent := to.Sub(from)
		d.InStatus[in.Status] += spent
		d.Changes = append(d.Changes, Interval{Status: in.Status, From: from, To: to})
		if s := l.m.def.Statuses[l.m.index[in.Status]]; s.OnShift() {
			d.OnShift += spent
			if d.ShiftStart.IsZero() {
				d.ShiftStart = from
			}
			d.ShiftEnd = to
		}
	}
	return d
}

// statusDayStart returns local midnight of date in loc.
func statusDayStart(date Date, loc *time.Location) time.Time {
	return time.Date(date.Year, date.Month, date.Day, 0, 0, 0, 0, loc)
}

// statusDateNoon returns noon UTC of date, for comparing and adding dates
// without time zones.
func statusDateNoon(date Date) time.Time {
	return time.Date(date.Year, date.Month, date.Day, 12, 0, 0, 0, time.UTC)
}

// checkStatusDate reports an error wrapping ErrInvalidHistory when date,
// the argument named name, is not a calendar date.
func checkStatusDate(name string, date Date) error {
	if !date.Valid() {
		return invalidHistory("%s %s is not a calendar date", name, date)
	}
	return nil
}

// invalidHistory returns an error wrapping ErrInvalidHistory with the
// formatted message.
func invalidHistory(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidHistory, fmt.Sprintf(format, args...))
}
