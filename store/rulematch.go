package store

import (
	"fmt"
	"slices"
)

// Bounds on what a conversation records of the rules that matched it
// (Conversation.Rules, Profile.Rules). A longer list or text is refused
// with an error matching ErrInvalid.
const (
	// MaxRuleMatches is the most rules a conversation records as matched.
	MaxRuleMatches = 1000
	// MaxRuleTextLength is the longest, in bytes, that a RuleMatch's Rule
	// and each of its Changes may be.
	MaxRuleTextLength = 1024
)

// RuleMatch records one rule that matched a conversation when rules last
// ran on it, and what the rule changed. It encodes to JSON as
// {"rule":"vip","changes":["priority 10"]}, without "changes" when there
// are none.
type RuleMatch struct {
	// Rule names the rule. Required, at most MaxRuleTextLength bytes.
	Rule string `json:"rule"`
	// Changes describes what the rule changed (one entry a change, in the
	// Router's words), each at most MaxRuleTextLength bytes; empty if it
	// changed nothing.
	Changes []string `json:"changes,omitempty"`
}

// validRuleMatches checks a list of rule matches: at most MaxRuleMatches,
// each naming its rule, no text longer than MaxRuleTextLength.
func validRuleMatches(ms []RuleMatch) error {
	if len(ms) > MaxRuleMatches {
		return fmt.Errorf("%w: %d rule matches, more than MaxRuleMatches (%d)", ErrInvalid, len(ms), MaxRuleMatches)
	}
	for i, m := range ms {
		if m.Rule == "" {
			return fmt.Errorf("%w: rule match %d names no rule", ErrInvalid, i)
		}
		if len(m.Rule) > MaxRuleTextLength {
			return longRuleText(fmt.Sprintf("rule match %d: rule", i), m.Rule)
		}
		for j, ch := range m.Changes {
			if len(ch) > MaxRuleTextLength {
				return longRuleText(fmt.Sprintf("rule match %d (%.32q): change %d", i, m.Rule, j), ch)
			}
		}
	}
	return nil
}

// longRuleText returns the error of a text of a rule match longer than
// MaxRuleTextLength, showing its start.
func longRuleText(what, s string) error {
	return fmt.Errorf("%w: %s %.32q... is %d bytes long, more than MaxRuleTextLength (%d)", ErrInvalid, what, s, len(s), MaxRuleTextLength)
}

// cloneRuleMatches returns a copy of ms that shares no slices with it; nil
// for nil.
func cloneRuleMatches(ms []RuleMatch) []RuleMatch {
	if ms == nil {
		return nil
	}
	out := slices.Clone(ms)
	for i := range out {
		out[i].Changes = slices.Clone(out[i].Changes)
	}
	return out
}
