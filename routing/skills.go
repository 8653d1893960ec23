package routing

import (
	"fmt"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// ErrMissingSkill reports an operator given a conversation by hand (Take,
// Assign, TransferToOperator, StartOutbound) who lacks a skill it
// requires, at the level it asks for; it also matches ErrNotAllowed.
// Automatic routing never chooses such an operator.
var ErrMissingSkill = core.ErrMissingSkill

// checkSkills refuses, with ErrInvalid, a list of skill strings (see
// policy.Skill) with one that does not parse or two of one name. what and
// id name the owner in the error.
func checkSkills(what, id string, skills []string) error {
	for i, s := range skills {
		sk, err := policy.ParseSkill(s)
		if err != nil {
			return fmt.Errorf("%w: %s %q: skill %d: %w", ErrInvalid, what, id, i, err)
		}
		for _, prev := range skills[:i] {
			if policy.SkillName(prev) == sk.Name {
				return fmt.Errorf("%w: %s %q: skill %q listed twice", ErrInvalid, what, id, sk.Name)
			}
		}
	}
	return nil
}

// checkSkillNames refuses, with ErrInvalidConfig, a list of skill names
// (without levels) with one that is not a valid skill name.
func checkSkillNames(what string, names []string) error {
	for i, name := range names {
		if sk, err := policy.ParseSkill(name); err != nil || sk.String() != name {
			return fmt.Errorf("%w: %s %d: %q is not a skill name", ErrInvalidConfig, what, i, name)
		}
	}
	return nil
}
