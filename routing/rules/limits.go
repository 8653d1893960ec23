package rules

import "time"

// Limits of a rule set. Decode and New refuse a rule set beyond any of
// them with an error matching ErrInvalid.
const (
	// MaxSize is the largest JSON rule set Decode reads, in bytes (1 MiB).
	MaxSize = 1 << 20
	// MaxRules is the most rules a set holds.
	MaxRules = 1000
	// MaxDepth is how deeply conditions nest: a rule's condition is at
	// depth 1, the conditions of its all, any or not at depth 2, and so
	// on.
	MaxDepth = 32
	// MaxValues is the most values an "in" list holds, and the most
	// skills, tags or attributes one rule's actions name.
	MaxValues = 256
	// MaxValueLength is the longest value a condition compares with, and
	// the longest attribute value an action sets, in bytes.
	MaxValueLength = 1024
	// MaxRegexpLength is the longest regular expression of a "matches"
	// condition, in bytes.
	MaxRegexpLength = 1024
	// MaxNameLength is the longest rule name, tag, attribute key or zone
	// name, in bytes.
	MaxNameLength = 128
	// MinPriority and MaxPriority bound the priority an action sets.
	MinPriority = -1000
	// MaxPriority: see MinPriority.
	MaxPriority = 1000
)

// MaxWait is the longest Prefer.Wait.
const MaxWait = 24 * time.Hour
