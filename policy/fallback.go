package policy

import "strings"

// Fallback returns a policy that asks each of policies in turn and takes the
// first decision that is not Keep. Every policy's skips are reported, in
// order. It composes the products' mixed modes: for example
// Capped(Fallback(LeastLoaded(), Broadcast(0)), ...) assigns automatically
// to the least-loaded operator whose status allows it, and when there is
// none offers the conversation to those who may take it by hand
// (Cleversite's "Can help" operators in balanced mode). With no policies it
// always keeps. Put Capped outside Fallback, as above: LimiterOf does not
// look inside a Fallback, so a Capped within one gives the router no cap to
// check.
func Fallback(policies ...Policy) Policy {
	return &fallback{policies: append([]Policy(nil), policies...)}
}

type fallback struct{ policies []Policy }

func (f *fallback) Name() string {
	names := make([]string, len(f.policies))
	for i, p := range f.policies {
		names[i] = p.Name()
	}
	return "fallback(" + strings.Join(names, ",") + ")"
}

func (f *fallback) Decide(in Input) Decision {
	d := Decision{Reason: ReasonNoCandidates}
	var skipped []Skip
	for _, p := range f.policies {
		d = p.Decide(in)
		skipped = append(skipped, d.Skipped...)
		if d.Action != Keep {
			break
		}
	}
	d.Skipped = skipped
	return d
}
