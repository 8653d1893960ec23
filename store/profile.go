package store

import (
	"fmt"
	"maps"
	"slices"
)

// Profile is what decides where a conversation is routed, beside its
// group: replaced as a whole by a change that carries one (Change.Profile).
// Its fields are those of Conversation of the same names.
type Profile struct {
	// Priority orders the queue: higher first.
	Priority int
	// Skills lists what an operator needs to be given the conversation.
	Skills []string
	// Tags labels the conversation: each non-empty, at most MaxIDLength
	// bytes long, none twice.
	Tags []string
	// Attributes carries the host's free-form data.
	Attributes map[string]string
	// Preferred is an operator routing tries first; empty for none.
	Preferred string
	// OffHours marks the conversation off-hours (see
	// Conversation.OffHours).
	OffHours bool
	// Rules lists the rules that matched and what each changed (see
	// RuleMatch).
	Rules []RuleMatch
}

// Validate checks the fields of p that have rules of their own and returns
// an error matching ErrInvalid that names the first bad one: each tag is
// non-empty, at most MaxIDLength bytes long and listed once; Preferred is
// at most MaxIDLength bytes long; Rules holds at most MaxRuleMatches
// matches, each naming its rule, and no text longer than
// MaxRuleTextLength.
func (p Profile) Validate() error {
	switch i, fault := firstBadID(p.Tags); fault {
	case idEmpty:
		return fmt.Errorf("%w: tag %d is empty", ErrInvalid, i)
	case idLong:
		return tooLong(fmt.Sprintf("tag %d", i), p.Tags[i])
	case idRepeated:
		return fmt.Errorf("%w: tag %q listed twice", ErrInvalid, p.Tags[i])
	}
	if err := CheckIDLength("preferred operator", p.Preferred); err != nil {
		return err
	}
	return validRuleMatches(p.Rules)
}

// Clone returns a copy of p that shares no slices or maps with it.
func (p Profile) Clone() Profile {
	p.Skills = slices.Clone(p.Skills)
	p.Tags = slices.Clone(p.Tags)
	p.Attributes = maps.Clone(p.Attributes)
	p.Rules = cloneRuleMatches(p.Rules)
	return p
}

// Profile returns c's routing profile: a copy of its Priority, Skills,
// Tags, Attributes, Preferred, OffHours and Rules that shares nothing
// with c.
func (c Conversation) Profile() Profile {
	return c.profile().Clone()
}

// profile returns c's routing profile, sharing c's slices and maps.
func (c Conversation) profile() Profile {
	return Profile{Priority: c.Priority, Skills: c.Skills, Tags: c.Tags, Attributes: c.Attributes,
		Preferred: c.Preferred, OffHours: c.OffHours, Rules: c.Rules}
}

// setProfile replaces c's routing profile with a copy of p.
func (c *Conversation) setProfile(p Profile) {
	p = p.Clone()
	c.Priority, c.Skills, c.Tags, c.Attributes = p.Priority, p.Skills, p.Tags, p.Attributes
	c.Preferred, c.OffHours, c.Rules = p.Preferred, p.OffHours, p.Rules
}
