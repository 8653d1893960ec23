package rules

// Rule is one rule as data: when it runs, what it tests and what it does.
// Decode reads rules from JSON (see the package documentation for the
// schema); New takes them as Go values and checks them the same way.
type Rule struct {
	// Name names the rule in Results and errors: required, unique within
	// the set, at most MaxNameLength bytes of UTF-8 without control
	// characters.
	Name string
	// Enabled: a disabled rule is kept in the set but never matches. In
	// JSON, "enabled" is true when omitted; in Go, the zero Rule is
	// disabled.
	Enabled bool
	// On lists the triggers the rule runs on, each at most once. Empty
	// means the default, OnEnqueue and OnReopen. Rules returns the default
	// as nil and any other list in the order enqueue, reopen, transfer.
	On []Trigger
	// When is the rule's condition; nil always matches.
	When *Condition
	// Then is what the rule does when it matches: at least one action.
	Then Actions
	// Stop ends the evaluation after this rule matched.
	Stop bool
}
