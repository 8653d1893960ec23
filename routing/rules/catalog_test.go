package rules_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing/rules"
)

// catalog is a Catalog of fixed groups and skills.
type catalog struct{ groups, skills []string }

func (c catalog) HasGroup(id string) bool   { return slices.Contains(c.groups, id) }
func (c catalog) HasSkill(name string) bool { return slices.Contains(c.skills, name) }

// testCatalog is the Catalog of most tests.
var testCatalog = catalog{
	groups: []string{"sales", "support", "billing", "night"},
	skills: []string{"de", "en", "fr"},
}

// D3: the Catalog refuses rules naming groups and skills the Router does
// not know; a nil Catalog checks no names.
func TestD3_CatalogChecksActionNames(t *testing.T) {
	doc := []byte(`{"rules":[{"name":"a","then":{"group":"nowhere","skills":["klingon:2"]}}]}`)

	_, err := rules.Decode(doc, testCatalog)
	require.ErrorIs(t, err, rules.ErrUnknownGroup)
	require.ErrorIs(t, err, rules.ErrInvalid)

	set, err := rules.Decode(doc, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"nowhere"}, set.Groups())
	require.Equal(t, []string{"klingon"}, set.Skills())

	_, err = rules.Decode([]byte(`{"rules":[{"name":"a","then":{"group":"sales","skills":["de","klingon:2"]}}]}`), testCatalog)
	require.ErrorIs(t, err, rules.ErrUnknownSkill)
	require.False(t, errors.Is(err, rules.ErrUnknownGroup))
	var e *rules.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "rules[0].then.skills[1]", e.Path)
	require.Equal(t, `rules[0].then.skills[1]: unknown skill "klingon"`, err.Error())
}

// Conditions may name any group: only actions are checked.
func TestCatalogDoesNotCheckConditions(t *testing.T) {
	_, err := rules.Decode([]byte(`{"rules":[{"name":"a","when":{"field":"group","op":"equals","value":"nowhere"},"then":{"group":"sales"}}]}`), testCatalog)
	require.NoError(t, err)
}

// Groups and Skills list what the actions name, disabled rules included,
// sorted and each once.
func TestGroupsAndSkillsListActionNames(t *testing.T) {
	p := 1
	set, err := rules.New([]rules.Rule{
		{Name: "a", Enabled: true, Then: rules.Actions{Group: "support", Skills: []string{"fr", "de:2"}}},
		{Name: "b", Then: rules.Actions{Group: "billing", Skills: []string{"de:4"}}},
		{Name: "c", Enabled: true, Then: rules.Actions{Group: "support", Priority: &p}},
	}, testCatalog)
	require.NoError(t, err)
	require.Equal(t, []string{"billing", "support"}, set.Groups())
	require.Equal(t, []string{"de", "fr"}, set.Skills())

	var none *rules.Set
	require.Nil(t, none.Groups())
	require.Nil(t, none.Skills())
	require.Zero(t, none.Len())
	require.Nil(t, none.Rules())
}
