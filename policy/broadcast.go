package policy

import "strconv"

// Broadcast returns the broadcast, first-take-wins policy (SPEC R1): it
// offers the conversation to every candidate in Input.Offer who has the
// skills it requires; the first of them to take it gets it and the other
// offers are withdrawn. A positive limit bounds the offer to the limit
// least-loaded candidates; zero offers to all.
func Broadcast(limit int) Policy {
	if limit < 0 {
		limit = 0
	}
	return broadcast{limit: limit}
}

type broadcast struct{ limit int }

func (b broadcast) Name() string {
	if b.limit == 0 {
		return "broadcast"
	}
	return "broadcast(" + strconv.Itoa(b.limit) + ")"
}

func (b broadcast) Decide(in Input) Decision {
	var d Decision
	n := in.Offer.Len()
	if b.limit > 0 && b.limit < n {
		n = b.limit
	}
	d.Operators = make([]string, 0, n)
	in.Offer.Ascend(func(c Candidate) bool {
		if !c.HasSkills(in.Conversation.Skills) {
			d.Skipped = append(d.Skipped, Skip{Operator: c.ID, Reason: ReasonMissingSkill})
			return true
		}
		d.Operators = append(d.Operators, c.ID)
		return b.limit == 0 || len(d.Operators) < b.limit
	})
	if len(d.Operators) == 0 {
		return Decision{Skipped: d.Skipped, Reason: ReasonNoCandidates}
	}
	d.Action = Offer
	return d
}
