package policy

import "strconv"

// Broadcast returns the broadcast, first-take-wins policy (R1): it
// offers the conversation to every candidate in Input.Offer who has the
// skills it requires; the first of them to take it gets it and the other
// offers are withdrawn. A positive limit bounds the offer to the limit
// least-loaded candidates; zero offers to all.
func Broadcast(limit int) Policy {
	if limit < 0 {
		limit = 0
	}
	name := "broadcast"
	if limit > 0 {
		name = "broadcast(" + strconv.Itoa(limit) + ")"
	}
	return &broadcast{limit: limit, name: name}
}

type broadcast struct {
	limit int
	name  string
}

func (b *broadcast) Name() string { return b.name }

func (b *broadcast) Decide(in Input) Decision {
	n := in.Offer.Len()
	if b.limit > 0 && b.limit < n {
		n = b.limit
	}
	w := &broadcastWalk{limit: b.limit, skipper: skipper{required: in.Conversation.Skills}, ops: make([]string, 0, n)}
	in.Offer.Ascend(w.visit)
	if len(w.ops) == 0 {
		return Decision{Skipped: w.skipped, Reason: ReasonNoCandidates}
	}
	return Decision{Action: Offer, Operators: w.ops, Skipped: w.skipped}
}

type broadcastWalk struct {
	skipper
	limit int
	ops   []string
}

func (w *broadcastWalk) visit(c Candidate) bool {
	if w.lacks(c) {
		return true
	}
	w.ops = append(w.ops, c.ID)
	return w.limit == 0 || len(w.ops) < w.limit
}
