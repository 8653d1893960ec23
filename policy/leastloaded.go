package policy

// LeastLoaded returns the balanced policy (SPEC R2): it assigns the
// conversation to the first candidate in Input.Auto, in candidate order,
// who has the skills it requires. Candidate order is lowest load first,
// then the operator who has waited longest since their last assignment, so
// equal loads rotate fairly. On its own it knows no caps; wrap it in Capped
// to give operators one.
func LeastLoaded() Policy { return leastLoaded{} }

type leastLoaded struct{}

func (leastLoaded) Name() string { return "least-loaded" }

func (leastLoaded) Decide(in Input) Decision {
	var d Decision
	in.Auto.Ascend(func(c Candidate) bool {
		if !c.HasSkills(in.Conversation.Skills) {
			d.Skipped = append(d.Skipped, Skip{Operator: c.ID, Reason: ReasonMissingSkill})
			return true
		}
		d.Action, d.Operator = Assign, c.ID
		return false
	})
	if d.Action == Keep {
		d.Reason = ReasonNoCandidates
	}
	return d
}
