package policy

// CapOptions configures Capped.
type CapOptions struct {
	// Default is the cap of an operator whose own cap is not set. Zero
	// means such operators have no cap. Defaults to 0.
	Default int
	// ManualOverCap lets an operator at their cap still take a
	// conversation from the queue by hand (R4). Defaults to false.
	ManualOverCap bool
}

// Capped wraps any policy so that operators at their cap are out of its
// reach (R3): the inner policy sees neither in Input.Auto nor in
// Input.Offer an operator whose load has reached their cap, and each one it
// walks past is reported as skipped with ReasonAtCap. An operator's cap is
// their own when set, else opts.Default. When every candidate is at cap the
// conversation is kept with ReasonAllAtCap; when the view's Available count
// already says so, the candidates are not walked (nor listed) one by one.
// Capped implements Limiter, so the router also checks the cap atomically
// when it assigns. When Capped wrappers are nested, LimiterOf finds the
// outermost. A negative Default is treated as zero.
func Capped(inner Policy, opts CapOptions) Policy {
	if opts.Default < 0 {
		opts.Default = 0
	}
	return &capped{inner: inner, opts: opts, name: "capped(" + inner.Name() + ")"}
}

type capped struct {
	inner Policy
	opts  CapOptions
	name  string
}

var (
	_ Limiter = (*capped)(nil)
	_ Wrapper = (*capped)(nil)
)

func (p *capped) Name() string { return p.name }

func (p *capped) Unwrap() Policy { return p.inner }

func (p *capped) Limit(c Candidate) int {
	if c.Cap > 0 {
		return c.Cap
	}
	return p.opts.Default
}

func (p *capped) ManualOverCap() bool { return p.opts.ManualOverCap }

func (p *capped) Decide(in Input) Decision {
	// Both views live in one allocation.
	w := &cappedViews{}
	w.auto = cappedView{Candidates: in.Auto, p: p, skipped: &w.skipped}
	w.offer = cappedView{Candidates: in.Offer, p: p, skipped: &w.skipped}
	in.Auto, in.Offer = &w.auto, &w.offer
	d := p.inner.Decide(in)
	if len(w.skipped) > 0 {
		d.Skipped = append(w.skipped, d.Skipped...)
	}
	if d.Action == Keep && d.Reason == ReasonNoCandidates && (w.auto.allAtCap() || w.offer.allAtCap()) {
		d.Reason = ReasonAllAtCap
	}
	return d
}

type cappedViews struct {
	auto, offer cappedView
	skipped     []Skip
}

// cappedView hides the candidates at cap and records them as skipped.
type cappedView struct {
	Candidates
	p       *capped
	skipped *[]Skip
	// visited and atCap count the candidates walked and those of them
	// found at cap.
	visited, atCap int
}

// allAtCap reports whether the view had candidates and all it looked at
// were at cap.
func (v *cappedView) allAtCap() bool {
	return v.Candidates.Len() > 0 && (v.Candidates.Available() == 0 || (v.visited > 0 && v.visited == v.atCap))
}

func (v *cappedView) Len() int { return v.Candidates.Available() }

func (v *cappedView) Ascend(fn func(Candidate) bool) {
	if v.Candidates.Available() == 0 {
		// Nobody is below cap: do not walk them one by one.
		return
	}
	v.Candidates.Ascend(func(c Candidate) bool {
		v.visited++
		if !BelowCap(v.p, c) {
			v.atCap++
			*v.skipped = append(*v.skipped, Skip{Operator: c.ID, Reason: ReasonAtCap})
			return true
		}
		return fn(c)
	})
}

func (v *cappedView) Get(id string) (Candidate, bool) {
	c, ok := v.Candidates.Get(id)
	if !ok || !BelowCap(v.p, c) {
		return Candidate{}, false
	}
	return c, true
}
