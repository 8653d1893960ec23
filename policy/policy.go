package policy

import "time"

// Policy decides what to do with one conversation. Implementations must be
// pure (no I/O, no clock reads, no retained references to their input) and
// safe for concurrent use. The router calls Decide while it holds its lock
// on its in-memory index, so Decide must be quick and must never call back
// into the router.
type Policy interface {
	// Name identifies the policy in events and logs.
	Name() string
	// Decide returns what to do with in.Conversation.
	Decide(in Input) Decision
}

// Input is everything a policy may look at.
type Input struct {
	// Conversation is the conversation to route.
	Conversation Conversation
	// Auto holds the group's operators whose status allows automatic
	// assignment. An Assign decision must name one of them.
	Auto Candidates
	// Offer holds the group's operators whose status allows queue offers
	// and manual take. An Offer decision must name only them.
	Offer Candidates
	// Now is the router's current time.
	Now time.Time
}

// Action is the kind of a Decision.
type Action uint8

// Actions a policy may decide.
const (
	// Keep leaves the conversation waiting in the queue.
	Keep Action = iota
	// Assign gives the conversation to Decision.Operator.
	Assign
	// Offer offers the conversation to Decision.Operators; the first to
	// take it gets it.
	Offer
)

// String returns the action's name.
func (a Action) String() string {
	switch a {
	case Keep:
		return "keep"
	case Assign:
		return "assign"
	case Offer:
		return "offer"
	}
	return "action(?)"
}

// Reason says why a candidate was passed over, or why a conversation was
// kept.
type Reason string

// Reasons the built-in policies give.
const (
	ReasonAtCap          Reason = "at cap"
	ReasonMissingSkill   Reason = "missing skill"
	ReasonNoCandidates   Reason = "no eligible operator"
	ReasonAllAtCap       Reason = "every eligible operator is at cap"
	ReasonNotPrevious    Reason = "previous operator not eligible"
	ReasonInvalidOutcome Reason = "policy returned an invalid decision"
)

// Skip records one candidate the policy passed over and why. It encodes
// to JSON as {"operator":"bob","reason":"at cap"}.
type Skip struct {
	// Operator is the candidate's id.
	Operator string `json:"operator"`
	// Reason says why it was passed over.
	Reason Reason `json:"reason"`
}

// Decision is what a policy decided.
type Decision struct {
	// Action is what to do.
	Action Action
	// Operator is the assignee when Action is Assign.
	Operator string
	// Operators are the operators offered the conversation when Action is
	// Offer.
	Operators []string
	// Skipped lists the candidates examined and passed over. Each policy
	// lists its own in the order it examined them; a wrapper's skips (such
	// as Capped's "at cap") come before those of the policy it wraps.
	Skipped []Skip
	// Reason says why the conversation was kept, when Action is Keep.
	Reason Reason
}

// Func adapts a plain function to a Policy named "func".
type Func func(in Input) Decision

// Name returns "func".
func (f Func) Name() string { return "func" }

// Decide calls f.
func (f Func) Decide(in Input) Decision { return f(in) }
