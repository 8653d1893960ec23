package store_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// fullProfile returns a profile with every field set.
func fullProfile() store.Profile {
	return store.Profile{
		Priority: 4, Skills: []string{"de"}, Tags: []string{"vip", "b2b"}, Attributes: map[string]string{"plan": "gold"},
		Preferred: "ann", OffHours: true,
		Rules: []store.RuleMatch{{Rule: "vip", Changes: []string{"priority 4", "tag vip"}}, {Rule: "night"}},
	}
}

// TestProfileValidateNamesTheField: a profile's tags, preferred operator
// and rule matches are bounded; each fault is refused with ErrInvalid
// naming the field, in a row and in a change alike.
func TestProfileValidateNamesTheField(t *testing.T) {
	longest := strings.Repeat("r", store.MaxRuleTextLength)
	ok := fullProfile()
	ok.Tags = append(ok.Tags, strings.Repeat("t", store.MaxIDLength))
	ok.Preferred = strings.Repeat("p", store.MaxIDLength)
	ok.Rules = append(ok.Rules, store.RuleMatch{Rule: longest, Changes: []string{longest, ""}})
	require.NoError(t, ok.Validate())
	require.NoError(t, store.Profile{}.Validate())
	many := make([]store.RuleMatch, store.MaxRuleMatches)
	for i := range many {
		many[i].Rule = "r"
	}
	require.NoError(t, store.Profile{Rules: many}.Validate())

	for name, tc := range map[string]struct {
		mutate func(p *store.Profile)
		want   string
	}{
		"empty tag":        {func(p *store.Profile) { p.Tags = []string{"vip", ""} }, "tag 1 is empty"},
		"repeated tag":     {func(p *store.Profile) { p.Tags = []string{"vip", "b2b", "vip"} }, `tag "vip" listed twice`},
		"repeated of many": {func(p *store.Profile) { p.Tags = strings.Split("a b c d e f g h i j a", " ") }, `tag "a" listed twice`},
		"long tag":         {func(p *store.Profile) { p.Tags = []string{strings.Repeat("t", store.MaxIDLength+1)} }, "tag 0 "},
		"long preferred":   {func(p *store.Profile) { p.Preferred = strings.Repeat("p", store.MaxIDLength+1) }, "preferred operator "},
		"unnamed rule":     {func(p *store.Profile) { p.Rules[1].Rule = "" }, "rule match 1 names no rule"},
		"long rule":        {func(p *store.Profile) { p.Rules[0].Rule = longest + "x" }, "rule match 0: rule "},
		"long change": {func(p *store.Profile) { p.Rules[0].Changes = []string{"a", longest + "x"} },
			`rule match 0 ("vip"): change 1 "rrrr`},
		"too many matches": {func(p *store.Profile) { p.Rules = append(many, store.RuleMatch{Rule: "r"}) }, "1001 rule matches, more than MaxRuleMatches (1000)"},
	} {
		t.Run(name, func(t *testing.T) {
			p := fullProfile()
			tc.mutate(&p)
			err := p.Validate()
			require.ErrorIs(t, err, store.ErrInvalid)
			require.Contains(t, err.Error(), tc.want)

			c := store.Conversation{ID: "c", Group: "g", State: store.Queued, CreatedAt: testTime}
			c.Priority, c.Skills, c.Tags, c.Attributes = p.Priority, p.Skills, p.Tags, p.Attributes
			c.Preferred, c.OffHours, c.Rules = p.Preferred, p.OffHours, p.Rules
			err = c.Validate()
			require.ErrorIs(t, err, store.ErrInvalid)
			require.Contains(t, err.Error(), `conversation "c": `)
			require.Contains(t, err.Error(), tc.want)

			ch := store.Change{Conversation: "c", From: []store.State{store.Queued}, To: store.Queued, Profile: &p, At: testTime}
			err = ch.Validate()
			require.ErrorIs(t, err, store.ErrInvalid)
			require.Contains(t, err.Error(), `change of "c": profile: `)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestProfileIsACopy: a row's Profile, a profile's Clone and a row's Clone
// share no slice or map with what they were made from.
func TestProfileIsACopy(t *testing.T) {
	p := fullProfile()
	c := store.Conversation{ID: "c", Group: "g", Priority: p.Priority, Skills: p.Skills, Tags: p.Tags, Attributes: p.Attributes,
		Preferred: p.Preferred, OffHours: p.OffHours, Rules: p.Rules}
	mutate := func(p *store.Profile) {
		p.Skills[0], p.Tags[0], p.Attributes["plan"] = "MUTATED", "MUTATED", "MUTATED"
		p.Rules[0].Rule, p.Rules[0].Changes[0] = "MUTATED", "MUTATED"
	}
	got := c.Profile()
	require.Equal(t, fullProfile(), got)
	mutate(&got)
	require.Equal(t, fullProfile(), c.Profile())

	clone := p.Clone()
	mutate(&clone)
	require.Equal(t, fullProfile(), p)

	row := c.Clone()
	row.Tags[0], row.Rules[0].Changes[0] = "MUTATED", "MUTATED"
	require.Equal(t, fullProfile(), c.Profile())
}

// TestChangeProfileReplacesTheSevenFields: a change with a profile sets
// the row's Priority, Skills, Tags, Attributes, Preferred, OffHours and
// Rules to a copy of it, together with the change's other effects; a
// change without one keeps them.
func TestChangeProfileReplacesTheSevenFields(t *testing.T) {
	cur := store.Conversation{ID: "c", Group: "g", Channel: "web", State: store.Queued, Priority: 1, Skills: []string{"en"},
		Tags: []string{"old"}, Attributes: map[string]string{"site": "a"}, Preferred: "bob", OffHours: true,
		Rules: []store.RuleMatch{{Rule: "old"}}, CreatedAt: testTime, Version: 3}
	p := fullProfile()
	ch := store.Change{Conversation: "c", From: []store.State{store.Queued}, To: store.Offered, Offers: []string{"ann"},
		Group: "h", Profile: &p, At: testTime}
	require.NoError(t, ch.Validate())
	next := ch.Next(cur, 0)
	want := cur
	want.Priority, want.Skills, want.Tags, want.Attributes = p.Priority, p.Skills, p.Tags, p.Attributes
	want.Preferred, want.OffHours, want.Rules = p.Preferred, p.OffHours, p.Rules
	want.State, want.OfferedTo, want.Group, want.Version = store.Offered, []string{"ann"}, "h", 4
	require.Equal(t, want, next)
	p.Tags[0], p.Rules[0].Changes[0] = "MUTATED", "MUTATED"
	require.Equal(t, fullProfile(), next.Profile(), "the row holds a copy")

	empty := store.Profile{}
	next = store.Change{Conversation: "c", From: []store.State{store.Queued}, To: store.Queued, Profile: &empty, At: testTime}.Next(cur, 0)
	require.Equal(t, store.Profile{}, next.Profile(), "an empty profile clears them all")

	next = store.Change{Conversation: "c", From: []store.State{store.Queued}, To: store.Queued, At: testTime}.Next(cur, 0)
	require.Equal(t, cur.Profile(), next.Profile())
}
