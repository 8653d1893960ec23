package presence

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// hoursDays are the day names of the text format, Monday first (the order
// a day range runs in), with their time.Weekday.
var hoursDays = [7]struct {
	name string
	day  time.Weekday
}{
	{"mon", time.Monday}, {"tue", time.Tuesday}, {"wed", time.Wednesday},
	{"thu", time.Thursday}, {"fri", time.Friday}, {"sat", time.Saturday},
	{"sun", time.Sunday},
}

// ParseHours builds Hours from text, for admin UIs and configuration files
// (D3: rules are data). The result passes Validate; an error wraps
// ErrInvalidHours and quotes the bad token.
//
// zone is an IANA time zone name such as "Europe/Berlin" ("UTC" is allowed,
// "" and "Local" are not).
//
// weekly lists groups separated by ';', each a set of days then either
// "closed" or spans separated by ',':
//
//	mon-fri 09:00-18:00; sat 10:00-14:00, 15:00-17:00
//
// Days are mon tue wed thu fri sat sun (any case), as single days or
// ranges running Monday to Sunday ("mon-fri", not "fri-mon"), several
// joined by ',' ("mon,wed,fri-sun"). A span is HH:MM-HH:MM (H:MM also
// reads), end after start; "24:00" is allowed as an end and means midnight.
// A day in several groups gets all their spans, sorted; they must not
// overlap. A day in no group is closed, as is one given as "closed" (which
// then may have no spans in another group). Empty weekly text means closed
// every day, so that only the exceptions open.
//
// Each exception is a date YYYY-MM-DD then "closed" or spans, as above:
//
//	2026-12-25 closed
//	2026-12-31 09:00-13:00
//
// Hours.String and Exception.String write the same format back.
func ParseHours(zone, weekly string, exceptions ...string) (Hours, error) {
	switch zone {
	case "":
		return Hours{}, invalidHours(`zone is empty: want an IANA name such as "Europe/Berlin"`)
	case "Local":
		return Hours{}, invalidHours(`zone "Local": want an IANA name such as "Europe/Berlin", not the machine's zone`)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Hours{}, invalidHours("zone %q: %v", zone, err)
	}
	h := Hours{Location: loc}

	var (
		spans  [7][]hoursToken // by time.Weekday, as given
		closed [7]bool         // given as "closed"
	)
	for group := range strings.SplitSeq(weekly, ";") {
		fields := strings.Fields(group)
		if len(fields) == 0 {
			continue // allows a trailing ';'
		}
		// The days are the fields before the first one that starts a span
		// (a digit) or says "closed", so "mon - fri" and "mon, wed" read too.
		where := strings.Join(fields, " ")
		n := slices.IndexFunc(fields, func(f string) bool {
			return f[0] >= '0' && f[0] <= '9' || strings.EqualFold(f, "closed")
		})
		if n <= 0 {
			return Hours{}, invalidHours(`weekly group %q: want days then "closed" or spans, e.g. "mon-fri 09:00-18:00"`, where)
		}
		days, err := parseHoursDays(fields[:n])
		if err != nil {
			return Hours{}, invalidHours("weekly group %q: %v", where, err)
		}
		toks, isClosed, err := parseHoursSpans(strings.Join(fields[n:], " "))
		if err != nil {
			return Hours{}, invalidHours("weekly group %q: %v", where, err)
		}
		for _, d := range days {
			if isClosed && len(spans[d]) > 0 || !isClosed && closed[d] {
				return Hours{}, invalidHours("weekly group %q: %s is both closed and open", where, hoursDayName(d))
			}
			closed[d] = closed[d] || isClosed
			spans[d] = append(spans[d], toks...)
		}
	}
	for d := range spans {
		s, err := sortHoursSpans(spans[d])
		if err != nil {
			return Hours{}, invalidHours("weekly %s: %v", hoursDayName(time.Weekday(d)), err)
		}
		h.Weekly[d] = s
	}

	seen := make(map[Date]string, len(exceptions))
	for _, text := range exceptions {
		where := strings.Join(strings.Fields(text), " ")
		e, err := parseHoursException(where)
		if err != nil {
			return Hours{}, invalidHours("exception %q: %v", where, err)
		}
		if prev, dup := seen[e.Date]; dup {
			return Hours{}, invalidHours("exception %q: date %s is already given by %q", where, e.Date.String(), prev)
		}
		seen[e.Date] = where
		h.Exceptions = append(h.Exceptions, e)
	}

	if err := h.Validate(); err != nil {
		return Hours{}, err // not expected: the checks above are stricter
	}
	return h, nil
}

// hoursToken is a parsed span and the text it was read from, for errors.
type hoursToken struct {
	span Span
	text string
}

// parseHoursException reads one exception, a date then "closed" or spans,
// from text with single spaces.
func parseHoursException(text string) (Exception, error) {
	date, rest, _ := strings.Cut(text, " ")
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return Exception{}, fmt.Errorf("date %q is not YYYY-MM-DD", date)
	}
	e := Exception{Date: DateOf(t)}
	toks, isClosed, err := parseHoursSpans(rest)
	if err != nil {
		return Exception{}, err
	}
	if isClosed {
		e.Closed = true
		return e, nil
	}
	e.Spans, err = sortHoursSpans(toks)
	return e, err
}

// parseHoursDays reads a day list such as "mon-fri" or "mon,wed,fri-sun",
// given as the fields it was written in ("mon", "-", "fri" reads too), and
// returns its days, each once, Monday first.
func parseHoursDays(fields []string) ([]time.Weekday, error) {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 && !strings.HasSuffix(fields[i-1], ",") && !strings.HasSuffix(fields[i-1], "-") &&
			!strings.HasPrefix(f, ",") && !strings.HasPrefix(f, "-") {
			return nil, fmt.Errorf("days %q: separate days with ',' or '-'", strings.Join(fields, " "))
		}
		b.WriteString(f)
	}
	text := b.String()
	var set [7]bool // by position in hoursDays
	for item := range strings.SplitSeq(text, ",") {
		from, to, isRange := strings.Cut(item, "-")
		i, ok := hoursDayIndex(from)
		if !ok {
			return nil, fmt.Errorf("unknown day %q in %q: want mon tue wed thu fri sat sun", from, text)
		}
		j := i
		if isRange {
			if j, ok = hoursDayIndex(to); !ok {
				return nil, fmt.Errorf("unknown day %q in %q: want mon tue wed thu fri sat sun", to, text)
			}
			if j < i {
				return nil, fmt.Errorf("day range %q runs backwards: weeks run mon-sun", item)
			}
		}
		for k := i; k <= j; k++ {
			set[k] = true
		}
	}
	var days []time.Weekday
	for k, in := range set {
		if in {
			days = append(days, hoursDays[k].day)
		}
	}
	return days, nil
}

// hoursDayIndex returns the position in hoursDays of a day name.
func hoursDayIndex(name string) (int, bool) {
	name = strings.ToLower(name)
	for k, d := range hoursDays {
		if d.name == name {
			return k, true
		}
	}
	return 0, false
}

// hoursDayName returns the text format's name of d.
func hoursDayName(d time.Weekday) string {
	for _, x := range hoursDays {
		if x.day == d {
			return x.name
		}
	}
	return d.String()
}

// parseHoursSpans reads "closed" or a ','-separated list of spans.
func parseHoursSpans(text string) (toks []hoursToken, closed bool, err error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, false, errors.New(`missing "closed" or spans such as "09:00-18:00"`)
	case strings.EqualFold(text, "closed"):
		return nil, true, nil
	}
	for tok := range strings.SplitSeq(text, ",") {
		tok = strings.TrimSpace(tok)
		from, to, ok := strings.Cut(tok, "-")
		if !ok {
			return nil, false, fmt.Errorf("span %q: want HH:MM-HH:MM", tok)
		}
		start, err := parseHoursClock(tok, strings.TrimSpace(from), false)
		if err != nil {
			return nil, false, err
		}
		end, err := parseHoursClock(tok, strings.TrimSpace(to), true)
		if err != nil {
			return nil, false, err
		}
		if start >= end {
			return nil, false, fmt.Errorf("span %q: start is not before end", tok)
		}
		toks = append(toks, hoursToken{Span{start, end}, tok})
	}
	return toks, false, nil
}

// parseHoursClock reads H:MM or HH:MM as minutes since midnight; "24:00"
// only as an end. tok is the span it is part of, for errors.
func parseHoursClock(tok, text string, end bool) (int, error) {
	hh, mm, ok := strings.Cut(text, ":")
	h, hok := hoursDigits(hh, 1, 2)
	m, mok := hoursDigits(mm, 2, 2)
	if !ok || !hok || !mok || h > 24 || m > 59 {
		return 0, fmt.Errorf("span %q: time %q is not HH:MM", tok, text)
	}
	if h == 24 && (m != 0 || !end) {
		return 0, fmt.Errorf("span %q: time %q is past the end of the day (24:00 only ends a span)", tok, text)
	}
	return h*60 + m, nil
}

// hoursDigits reads s as a decimal of min to max ASCII digits.
func hoursDigits(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// sortHoursSpans sorts one day's spans and reports the first overlap. It
// returns nil for no spans.
func sortHoursSpans(toks []hoursToken) ([]Span, error) {
	if len(toks) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(toks, func(a, b hoursToken) int {
		return cmp.Or(cmp.Compare(a.span.Start, b.span.Start), cmp.Compare(a.span.End, b.span.End))
	})
	spans := make([]Span, len(toks))
	for i, t := range toks {
		if i > 0 && t.span.Start < toks[i-1].span.End {
			return nil, fmt.Errorf("span %q overlaps %q", t.text, toks[i-1].text)
		}
		spans[i] = t.span
	}
	return spans, nil
}

// String writes the weekly schedule in ParseHours's format, days with the
// same spans in a row joined into a range, closed days left out:
// "mon-fri 09:00-18:00; sat 10:00-14:00, 15:00-17:00". It is empty when no
// day has spans. The zone and the exceptions are not included (see
// Location.String and Exception.String), so
// ParseHours(h.Location.String(), h.String()) gives back h.Weekly.
func (h Hours) String() string {
	var b strings.Builder
	for i := 0; i < len(hoursDays); {
		spans := h.Weekly[hoursDays[i].day]
		if len(spans) == 0 {
			i++
			continue
		}
		j := i
		for j+1 < len(hoursDays) && slices.Equal(h.Weekly[hoursDays[j+1].day], spans) {
			j++
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(hoursDays[i].name)
		if j > i {
			b.WriteString("-" + hoursDays[j].name)
		}
		b.WriteByte(' ')
		writeHoursSpans(&b, spans)
		i = j + 1
	}
	return b.String()
}

// String writes e in ParseHours's exception format: "2026-12-25 closed" or
// "2026-12-31 09:00-13:00".
func (e Exception) String() string {
	var b strings.Builder
	b.WriteString(e.Date.String())
	b.WriteByte(' ')
	if e.Closed || len(e.Spans) == 0 {
		b.WriteString("closed")
	} else {
		writeHoursSpans(&b, e.Spans)
	}
	return b.String()
}

// writeHoursSpans writes spans as "09:00-13:00, 14:00-18:00".
func writeHoursSpans(b *strings.Builder, spans []Span) {
	for i, s := range spans {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%02d:%02d-%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60)
	}
}
