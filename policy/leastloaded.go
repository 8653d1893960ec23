package policy

// LeastLoaded returns the balanced policy (R2): it assigns the
// conversation to the first candidate in Input.Auto, in candidate order,
// who has the skills it requires. Candidate order is lowest load first,
// then the operator who has waited longest since their last assignment, so
// equal loads rotate fairly. On its own it knows no caps; wrap it in Capped
// to give operators one.
func LeastLoaded() Policy { return leastLoaded{} }

type leastLoaded struct{}

func (leastLoaded) Name() string { return "least-loaded" }

func (leastLoaded) Decide(in Input) Decision {
	// One small walker escapes to the heap with the callback, rather than
	// the whole Input and Decision.
	w := &leastLoadedWalk{skipper: skipper{required: in.Conversation.Skills}}
	in.Auto.Ascend(w.visit)
	if w.found == "" {
		return Decision{Skipped: w.skipped, Reason: ReasonNoCandidates}
	}
	return Decision{Action: Assign, Operator: w.found, Skipped: w.skipped}
}

type leastLoadedWalk struct {
	skipper
	found string
}

func (w *leastLoadedWalk) visit(c Candidate) bool {
	if w.lacks(c) {
		return true
	}
	w.found = c.ID
	return false
}
