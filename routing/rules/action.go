package rules

import "time"

// Actions are what a matching rule does to the conversation. At least one
// must be set. They apply in the order of the fields: group, priority,
// skills, prefer, tags, attributes, off-hours. A later matching rule
// overrides the set-actions (Group, Priority, Prefer) of an earlier one
// and adds to its add-actions (Skills, Tags, Attributes by key).
type Actions struct {
	// Group sets the conversation's group; the Catalog must know it.
	Group string
	// Priority sets the conversation's priority, from MinPriority to
	// MaxPriority. In JSON it is an integer.
	Priority *int
	// Skills adds required skills: skill strings, a name with an optional
	// level ("de", "de:3", see policy.ParseSkill), whose names the Catalog
	// knows, each name at most once in one rule.
	Skills []string
	// Prefer asks routing to try one operator first.
	Prefer *Prefer
	// Tags adds tags: each not empty, at most MaxNameLength bytes, at most
	// once in one rule.
	Tags []string
	// Attributes sets attributes, which later rules' conditions see: keys
	// not empty and at most MaxNameLength bytes, values at most
	// MaxValueLength bytes.
	Attributes map[string]string
	// OffHours queues the conversation without routing it: the Router
	// emits its off-hours event instead.
	OffHours bool
}

// Prefer asks routing to try one operator first: a named one, or the
// customer's previous operator.
type Prefer struct {
	// Operator is the id of the operator to try: not empty, at most
	// store.MaxIDLength bytes.
	Operator string
	// Previous asks for the customer's previous operator instead.
	// Exactly one of Operator and Previous is given.
	Previous bool
	// Wait is how long the conversation waits for that operator before
	// the group's policy takes over; 0 falls back at once when they
	// cannot take it now. From 0 to MaxWait; in JSON a Go duration
	// string such as "30s" or "2m".
	Wait time.Duration
}
