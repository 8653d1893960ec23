package policy

// Limiter is implemented by policies that give operators a cap: an operator
// at their cap is given nothing automatically (R3). The router reads
// the group's limiter to check caps atomically when it assigns.
type Limiter interface {
	// Limit returns the cap of candidate c; zero means no limit.
	Limit(c Candidate) int
	// ManualOverCap reports whether an operator at their cap may still take
	// a conversation from the queue by hand (R4).
	ManualOverCap() bool
}

// Wrapper is implemented by policies that wrap another.
type Wrapper interface {
	// Unwrap returns the wrapped policy.
	Unwrap() Policy
}

// LimiterOf returns the first Limiter found in p or the policies it wraps,
// or nil if there is none (operators then have no cap).
func LimiterOf(p Policy) Limiter {
	for p != nil {
		if l, ok := p.(Limiter); ok {
			return l
		}
		w, ok := p.(Wrapper)
		if !ok {
			return nil
		}
		p = w.Unwrap()
	}
	return nil
}

// BelowCap reports whether c is below the cap l gives it; always true when l
// is nil or gives no limit.
func BelowCap(l Limiter, c Candidate) bool {
	if l == nil {
		return true
	}
	lim := l.Limit(c)
	return lim == 0 || c.Load < lim
}
