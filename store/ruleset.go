package store

import (
	"fmt"
	"slices"
	"time"
)

// RuleSet is a rule set as the store keeps it: opaque to the store (the
// Router encodes and checks it).
type RuleSet struct {
	// Version increases by one with every SetRuleSet; 0 before any.
	Version int64
	// Body is the encoded rules.
	Body []byte
	// UpdatedAt is when the rule set was stored (the writer's clock).
	UpdatedAt time.Time
	// UpdatedBy names who stored it (an actor name), at most MaxIDLength
	// bytes long; may be empty.
	UpdatedBy string
}

// MaxRuleSetSize is the largest Body, in bytes, that a Store keeps.
const MaxRuleSetSize = 1 << 20

// ValidateSet checks a rule set given to Store.SetRuleSet and returns an
// error matching ErrInvalid that names the first bad field: Version is not
// negative, Body is neither empty nor larger than MaxRuleSetSize,
// UpdatedAt is set, UpdatedBy is at most MaxIDLength bytes long. Every
// store checks this first, so that all refuse bad input alike.
func (rs RuleSet) ValidateSet() error {
	switch {
	case rs.Version < 0:
		return fmt.Errorf("%w: rule set: version %d is negative", ErrInvalid, rs.Version)
	case len(rs.Body) == 0:
		return fmt.Errorf("%w: rule set: body is empty", ErrInvalid)
	case len(rs.Body) > MaxRuleSetSize:
		return fmt.Errorf("%w: rule set: body of %d bytes is larger than MaxRuleSetSize (%d)", ErrInvalid, len(rs.Body), MaxRuleSetSize)
	case rs.UpdatedAt.IsZero():
		return fmt.Errorf("%w: rule set: update time is zero", ErrInvalid)
	}
	return CheckIDLength("rule set: updated by", rs.UpdatedBy)
}

// Next returns what SetRuleSet(rs) stores once its checks have passed:
// rs with Version one higher and a Body that shares no memory with rs's.
func (rs RuleSet) Next() RuleSet {
	rs.Version++
	rs.Body = slices.Clone(rs.Body)
	return rs
}

// Clone returns a copy of rs whose Body shares no memory with rs's.
func (rs RuleSet) Clone() RuleSet {
	rs.Body = slices.Clone(rs.Body)
	return rs
}

// CheckVersion returns nil if SetRuleSet(rs) may store the next version
// over the one stored, version stored (0: none), and otherwise the error
// matching ErrConflict it fails with.
func (rs RuleSet) CheckVersion(stored int64) error {
	if rs.Version != stored {
		return fmt.Errorf("%w: rule set is at version %d, want %d", ErrConflict, stored, rs.Version)
	}
	return nil
}
