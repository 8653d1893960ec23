package policy

// PreviousOperator wraps a policy with previous-operator preference
// (R9): a conversation whose customer was served before goes to that
// operator if they are in Input.Auto, have the skills it requires and are
// below the cap of the wrapped policy's Limiter (if any); otherwise the
// wrapped policy decides, and the previous operator is reported as skipped
// with ReasonNotPrevious.
func PreviousOperator(inner Policy) Policy {
	return &previous{inner: inner, name: "previous-operator(" + inner.Name() + ")"}
}

type previous struct {
	inner Policy
	name  string
}

var _ Wrapper = (*previous)(nil)

func (p *previous) Name() string { return p.name }

func (p *previous) Unwrap() Policy { return p.inner }

func (p *previous) Decide(in Input) Decision {
	prev := in.Conversation.PreviousOperator
	if prev == "" {
		return p.inner.Decide(in)
	}
	if c, ok := in.Auto.Get(prev); ok && c.HasSkills(in.Conversation.Skills) && BelowCap(LimiterOf(p.inner), c) {
		return Decision{Action: Assign, Operator: prev}
	}
	d := p.inner.Decide(in)
	d.Skipped = append([]Skip{{Operator: prev, Reason: ReasonNotPrevious}}, d.Skipped...)
	return d
}
