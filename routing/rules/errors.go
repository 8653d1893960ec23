package rules

import "errors"

// ErrInvalid is matched, with errors.Is, by every error of Decode and New:
// the rule set is refused as a whole. The error is an *Error that says
// where the fault is.
var ErrInvalid = errors.New("rules: invalid rule set")

// ErrUnknownGroup is matched by the error of an action that names a group
// the Catalog does not know. The error matches ErrInvalid too.
var ErrUnknownGroup = errors.New("rules: unknown group")

// ErrUnknownSkill is matched by the error of an action that requires a
// skill the Catalog does not know. The error matches ErrInvalid too. A
// skill string that does not parse matches policy.ErrInvalidSkill instead.
var ErrUnknownSkill = errors.New("rules: unknown skill")

// Error is the error of Decode and New: where in the rule set the fault is
// and what is wrong there. It matches ErrInvalid and, when it has one, its
// cause Err (ErrUnknownGroup, ErrUnknownSkill, policy.ErrInvalidSkill, the
// regexp package's *syntax.Error, a *json.SyntaxError, ...).
//
// Path names the faulty value as it is spelt in JSON, from the top of the
// rule set: "rules[2].when.any[0].op", "rules[0].then.attributes[\"plan\"]"
// for an entry of a map, and a key that is not a plain word quoted in
// brackets: "rules[0].then[\"a b\"]". Path is empty for a fault of the
// document as a whole (too large, not JSON, data after the rule set). A Go
// rule set given to New is named by the same paths as its JSON encoding.
type Error struct {
	// Path names the faulty value (see Error).
	Path string
	// Msg says what is wrong with it, quoting the bad value.
	Msg string
	// Err is the cause, or nil.
	Err error
}

// Error returns Path + ": " + Msg, or Msg alone when Path is empty:
// rules[2].when.any[0].op: unknown operator "contians".
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Unwrap returns ErrInvalid and the cause, if any, so that errors.Is
// matches both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// fault returns an *Error at path.
func fault(path, msg string) error { return &Error{Path: path, Msg: msg} }
