package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Skill levels: an operator holds a skill at a level from MinSkillLevel to
// MaxSkillLevel, and a conversation may ask for a minimum level.
const (
	MinSkillLevel = 1
	MaxSkillLevel = 5
)

// MaxSkillLength bounds the length of a skill's name, in bytes.
const MaxSkillLength = 64

// ErrInvalidSkill reports a skill string that does not parse (see
// ParseSkill).
var ErrInvalidSkill = errors.New("policy: invalid skill")

// Skill is a parsed skill string. Operators' skills and the skills a
// conversation requires are both written as strings: the skill's name,
// optionally followed by a colon and a level ("de", "de:4"). An operator's
// skill without a level is held at level 1; a required skill without a
// level asks for any level, which is the same thing. So "de" and "de:1"
// mean one skill.
type Skill struct {
	// Name names the skill: not empty, at most MaxSkillLength bytes,
	// without a colon, control characters or leading or trailing space.
	Name string
	// Level is from MinSkillLevel to MaxSkillLevel.
	Level int
}

// ParseSkill parses a skill string (see Skill). It fails with an error
// matching ErrInvalidSkill that says what is wrong.
func ParseSkill(s string) (Skill, error) {
	name, level, hasLevel := strings.Cut(s, ":")
	sk := Skill{Name: name, Level: MinSkillLevel}
	switch {
	case name == "":
		return Skill{}, fmt.Errorf("%w %q: empty name", ErrInvalidSkill, s)
	case len(name) > MaxSkillLength:
		return Skill{}, fmt.Errorf("%w %q: name longer than %d bytes", ErrInvalidSkill, s, MaxSkillLength)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return Skill{}, fmt.Errorf("%w %q: name has an invalid or control character", ErrInvalidSkill, s)
	case strings.TrimSpace(name) != name:
		return Skill{}, fmt.Errorf("%w %q: name has leading or trailing space", ErrInvalidSkill, s)
	}
	if hasLevel {
		n, err := strconv.Atoi(level)
		if err != nil || n < MinSkillLevel || n > MaxSkillLevel || level != strconv.Itoa(n) {
			return Skill{}, fmt.Errorf("%w %q: level must be %d to %d", ErrInvalidSkill, s, MinSkillLevel, MaxSkillLevel)
		}
		sk.Level = n
	}
	return sk, nil
}

// String returns the skill's canonical string: the name alone at level 1,
// else name:level.
func (s Skill) String() string {
	if s.Level <= MinSkillLevel {
		return s.Name
	}
	return s.Name + ":" + strconv.Itoa(s.Level)
}

// splitSkill splits a skill string into name and level without checking
// it: a level that does not parse counts as 1. It does not allocate.
func splitSkill(s string) (string, int) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, MinSkillLevel
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < MinSkillLevel {
		n = MinSkillLevel
	}
	return s[:i], n
}

// SkillName returns the name of a skill string: s without its level.
func SkillName(s string) string {
	name, _ := splitSkill(s)
	return name
}

// SkillLevel returns the level of a skill string (1 when it has none).
func SkillLevel(s string) int {
	_, level := splitSkill(s)
	return level
}

// Satisfies reports whether holding the skills in held meets every skill in
// required: for each required skill, held has one of the same name at the
// required level or above. Both are skill strings; held has at most one
// entry per name.
func Satisfies(held, required []string) bool {
	_, ok := FirstMissing(held, required)
	return !ok
}

// FirstMissing returns the first skill of required that held does not meet
// (see Satisfies), and whether there is one.
func FirstMissing(held, required []string) (string, bool) {
	if i := firstMissing(held, required); i >= 0 {
		return required[i], true
	}
	return "", false
}

// firstMissing returns the index in required of the first skill held does
// not meet, or -1.
func firstMissing(held, required []string) int {
	for i, r := range required {
		if !holds(held, r) {
			return i
		}
	}
	return -1
}

// holds reports whether held meets the one required skill r.
func holds(held []string, r string) bool {
	name, level := splitSkill(r)
	for _, h := range held {
		if hn, hl := splitSkill(h); hn == name {
			return hl >= level
		}
	}
	return false
}

// MissingSkill returns the reason a candidate lacking the required skill s
// is passed over: ReasonMissingSkill followed by the skill, as in
// "missing skill de:3".
func MissingSkill(s string) Reason { return ReasonMissingSkill + " " + Reason(s) }

// skipper reports the candidates a policy's walk passes over for lacking a
// required skill, making each skill's reason once per walk.
type skipper struct {
	required []string
	reasons  []Reason
	skipped  []Skip
}

// lacks reports whether c lacks a required skill, and if so records c as
// skipped with the first such skill.
func (s *skipper) lacks(c Candidate) bool {
	i := firstMissing(c.Skills, s.required)
	if i < 0 {
		return false
	}
	if s.reasons == nil {
		s.reasons = make([]Reason, len(s.required))
	}
	if s.reasons[i] == "" {
		s.reasons[i] = MissingSkill(s.required[i])
	}
	s.skipped = append(s.skipped, Skip{Operator: c.ID, Reason: s.reasons[i]})
	return true
}
