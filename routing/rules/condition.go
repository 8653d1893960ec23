package rules

// Condition is a test on a conversation: a leaf test of one field, or a
// combination of conditions. Exactly one of the forms is set:
//
//   - a leaf: Field and Op, with Value, Values, IgnoreCase and Zone as the
//     operator and the field call for;
//   - All: every condition of the list holds (at least one);
//   - Any: some condition of the list holds (at least one);
//   - Not: the condition does not hold.
//
// Conditions nest up to MaxDepth deep. The package documentation says what
// each field and operator means.
type Condition struct {
	// All holds when every one of its conditions holds.
	All []Condition
	// Any holds when at least one of its conditions holds.
	Any []Condition
	// Not holds when its condition does not.
	Not *Condition

	// Field names what a leaf tests: one of the Field constants, or
	// FieldAttrPrefix followed by an attribute's key ("attr.plan").
	Field string
	// Op is the leaf's operator.
	Op Op
	// Value is what the operator compares with (not empty, at most
	// MaxValueLength bytes); required by every operator but OpIn and
	// OpExists, forbidden with them.
	Value string
	// Values is the list of OpIn, which alone takes it: not empty, at most
	// MaxValues distinct, non-empty values.
	Values []string
	// IgnoreCase compares text without regard to case, by Unicode simple
	// case folding (as strings.EqualFold). Not with OpExists, FieldTime or
	// FieldWeekday.
	IgnoreCase bool
	// Zone is the IANA time zone ("Europe/Berlin", "UTC") FieldTime and
	// FieldWeekday read the conversation's time in: required for them,
	// forbidden otherwise. "Local" is refused: rules mean the same on
	// every machine.
	Zone string
}

// Op is the operator of a leaf condition.
type Op string

// The operators. Text operators compare bytes, or with IgnoreCase runes by
// simple case folding.
const (
	// OpEquals: the field equals Value.
	OpEquals Op = "equals"
	// OpNotEquals: the field does not equal Value. For FieldTag, no tag
	// equals Value.
	OpNotEquals Op = "not_equals"
	// OpContains: the field contains Value.
	OpContains Op = "contains"
	// OpStartsWith: the field starts with Value.
	OpStartsWith Op = "starts_with"
	// OpEndsWith: the field ends with Value.
	OpEndsWith Op = "ends_with"
	// OpIn: the field equals one of Values.
	OpIn Op = "in"
	// OpMatches: the field matches the regular expression Value (RE2
	// syntax, the regexp package's; unanchored). It is compiled once, by
	// Decode or New.
	OpMatches Op = "matches"
	// OpExists: the field is present and not empty. It takes no Value.
	OpExists Op = "exists"
	// OpBetween: for FieldTime only, the conversation's time of day lies
	// in the window Value, "HH:MM-HH:MM" on a 24-hour clock, from included
	// to excluded. A window whose end is before its start wraps past
	// midnight ("22:00-06:00"); start and end differ.
	OpBetween Op = "between"
)

// known reports whether op is one of the operators.
func (op Op) known() bool {
	switch op {
	case OpEquals, OpNotEquals, OpContains, OpStartsWith, OpEndsWith, OpIn, OpMatches, OpExists, OpBetween:
		return true
	}
	return false
}
