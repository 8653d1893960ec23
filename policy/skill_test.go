package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestParseSkillReadsNameAndLevel(t *testing.T) {
	for in, want := range map[string]policy.Skill{
		"de":        {Name: "de", Level: 1},
		"de:1":      {Name: "de", Level: 1},
		"de:5":      {Name: "de", Level: 5},
		"billing 2": {Name: "billing 2", Level: 1},
		"Ñandú:3":   {Name: "Ñandú", Level: 3},
	} {
		got, err := policy.ParseSkill(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	require.Equal(t, "de", policy.Skill{Name: "de", Level: 1}.String())
	require.Equal(t, "de:4", policy.Skill{Name: "de", Level: 4}.String())
}

func TestParseSkillRefusesBadStrings(t *testing.T) {
	for _, in := range []string{"", ":3", "de:", "de:0", "de:6", "de:03", "de:+3", "de:x", "de:3:4", " de", "de ", "d\te", "de\x00", "\xff", strings.Repeat("a", policy.MaxSkillLength+1)} {
		_, err := policy.ParseSkill(in)
		require.ErrorIs(t, err, policy.ErrInvalidSkill, "%q", in)
	}
}

func TestSkillLevelsMeetRequirementsAtOrAbove(t *testing.T) {
	held := []string{"de:3", "en", "billing:5"}
	require.True(t, policy.Satisfies(held, nil))
	require.True(t, policy.Satisfies(held, []string{"de"}), "any level")
	require.True(t, policy.Satisfies(held, []string{"de:3", "en:1", "billing:4"}))
	require.False(t, policy.Satisfies(held, []string{"de:4"}), "below the level asked for")
	require.False(t, policy.Satisfies(held, []string{"en:2"}), "a skill held without a level is level 1")
	require.False(t, policy.Satisfies(held, []string{"fr"}))

	missing, ok := policy.FirstMissing(held, []string{"en", "de:5", "fr"})
	require.True(t, ok)
	require.Equal(t, "de:5", missing)
	require.Equal(t, policy.Reason("missing skill de:5"), policy.MissingSkill(missing))

	c := policy.Candidate{ID: "anna", Skills: held}
	require.True(t, c.HasSkills([]string{"billing:5"}))
	require.False(t, c.HasSkills([]string{"de:5"}))
	require.Equal(t, "de", policy.SkillName("de:3"))
	require.Equal(t, 3, policy.SkillLevel("de:3"))
	require.Equal(t, 1, policy.SkillLevel("de"))
}

func TestPoliciesNameTheMissingSkillAndLevel(t *testing.T) {
	l := policy.NewList(nil,
		withSkills(op("anna", 0), "de:2"),
		withSkills(op("boris", 1), "de:4"),
	)
	d := policy.LeastLoaded().Decide(input(policy.Conversation{ID: "c", Skills: []string{"de:3"}}, l, l))
	require.Equal(t, "boris", d.Operator)
	require.Equal(t, []policy.Skip{{Operator: "anna", Reason: policy.MissingSkill("de:3")}}, d.Skipped)
}

func FuzzParseSkill(f *testing.F) {
	for _, s := range []string{"de", "de:3", "x:9", "", ":", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sk, err := policy.ParseSkill(s)
		if err != nil {
			require.True(t, errors.Is(err, policy.ErrInvalidSkill))
			return
		}
		// A valid skill prints to a string that parses back to it, and the
		// allocation-free readers agree with the parser.
		again, err := policy.ParseSkill(sk.String())
		require.NoError(t, err)
		require.Equal(t, sk, again)
		require.Equal(t, sk.Name, policy.SkillName(s))
		require.Equal(t, sk.Level, policy.SkillLevel(s))
	})
}
