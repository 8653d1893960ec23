package rules

// window is the time window of an OpBetween condition, in minutes after
// midnight: from included, to excluded, wrapping past midnight when to is
// before from.
type window struct{ from, to int16 }

// parseWindow parses "HH:MM-HH:MM" (00:00 to 23:59, two digits each); ok
// is false when the text is not of that form.
func parseWindow(s string) (w window, ok bool) {
	if len(s) != len("HH:MM-HH:MM") || s[5] != '-' {
		return window{}, false
	}
	from, ok1 := parseClock(s[:5])
	to, ok2 := parseClock(s[6:])
	return window{from: from, to: to}, ok1 && ok2
}

// parseClock parses "HH:MM" into minutes after midnight.
func parseClock(s string) (int16, bool) {
	if s[2] != ':' {
		return 0, false
	}
	h, ok1 := twoDigits(s[0], s[1])
	m, ok2 := twoDigits(s[3], s[4])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	return int16(h*60 + m), true
}

// twoDigits parses two decimal digits.
func twoDigits(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

// holds reports whether the minute of the day m lies in the window.
func (w window) holds(m int) bool {
	from, to := int(w.from), int(w.to)
	if from < to {
		return from <= m && m < to
	}
	return m >= from || m < to
}
