package rules_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/routing/rules"
)

// requireRoundTrip checks that set's canonical encoding decodes into a Set
// with the same rules and the same encoding, and returns the encoding.
func requireRoundTrip(t require.TestingT, set *rules.Set, cat rules.Catalog) []byte {
	first, err := set.MarshalJSON()
	require.NoError(t, err)
	again, err := rules.Decode(first, cat)
	require.NoError(t, err, "%s", first)
	require.Equal(t, set.Rules(), again.Rules())
	second, err := again.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, string(first), string(second))
	require.Equal(t, set.Len(), again.Len())
	require.Equal(t, set.Groups(), again.Groups())
	require.Equal(t, set.Skills(), again.Skills())
	return first
}

// D3: the documentation's rule set round trips, in the canonical form.
func TestD3_DocExampleRoundTrips(t *testing.T) {
	set := decodeExample(t)
	got := requireRoundTrip(t, set, testCatalog)
	want := `{"rules":[` +
		`{"name":"shop pages go to sales","enabled":true,"when":{"field":"url","op":"contains","value":"/shop"},"then":{"group":"sales"}},` +
		`{"name":"red company is urgent","enabled":true,"when":{"field":"company","op":"equals","value":"red company","ignore_case":true},"then":{"priority":10,"tags":["urgent"]},"stop":true},` +
		`{"name":"german telegram","enabled":true,"when":{"all":[{"field":"channel","op":"equals","value":"telegram"},{"field":"language","op":"in","values":["de","de-AT","de-CH"]}]},"then":{"skills":["de:3"]}},` +
		`{"name":"vip to manager","enabled":true,"on":["enqueue","reopen","transfer"],"when":{"field":"attr.vip","op":"exists"},"then":{"prefer":{"operator":"anna","wait":"30s"}}},` +
		`{"name":"night shift","enabled":true,"on":["enqueue"],"when":{"all":[{"field":"time","op":"between","value":"22:00-06:00","zone":"Europe/Berlin"},{"not":{"field":"tag","op":"equals","value":"urgent"}}]},"then":{"group":"night","attributes":{"shift":"night"}}},` +
		`{"name":"weekend","enabled":false,"when":{"field":"weekday","op":"in","values":["sat","sun"],"zone":"Europe/Berlin"},"then":{"off_hours":true}}` +
		`]}`
	require.Equal(t, want, string(got))
	require.Equal(t, 6, set.Len())
}

// On is normalised: nil for the default, else in canonical order; waits
// are written as time.Duration.String writes them.
func TestCanonicalForm(t *testing.T) {
	set, err := rules.Decode([]byte(`{"rules":[
		{"name":"a","on":["reopen","enqueue"],"then":{"prefer":{"previous":true,"wait":"120s"}}},
		{"name":"b","on":["transfer","enqueue"],"enabled":true,"stop":false,"then":{"group":"sales","off_hours":false}},
		{"name":"c","when":{"field":"url","op":"exists","ignore_case":false},"then":{"prefer":{"operator":"anna","previous":false,"wait":"0s"}}}
	]}`), testCatalog)
	require.NoError(t, err)
	rs := set.Rules()
	require.Nil(t, rs[0].On)
	require.Equal(t, []rules.Trigger{rules.OnEnqueue, rules.OnTransfer}, rs[1].On)
	require.Equal(t, 2*time.Minute, rs[0].Then.Prefer.Wait)
	require.True(t, rs[0].Enabled)
	got := requireRoundTrip(t, set, testCatalog)
	require.Equal(t, `{"rules":[`+
		`{"name":"a","enabled":true,"then":{"prefer":{"previous":true,"wait":"2m0s"}}},`+
		`{"name":"b","enabled":true,"on":["enqueue","transfer"],"then":{"group":"sales"}},`+
		`{"name":"c","enabled":true,"when":{"field":"url","op":"exists"},"then":{"prefer":{"operator":"anna"}}}`+
		`]}`, string(got))

	// New normalises the same way; an empty On is the default.
	fromGo, err := rules.New([]rules.Rule{
		{Name: "a", Enabled: true, On: []rules.Trigger{rules.OnReopen, rules.OnEnqueue}, Then: rules.Actions{Prefer: &rules.Prefer{Previous: true, Wait: 2 * time.Minute}}},
		{Name: "b", Enabled: true, On: []rules.Trigger{rules.OnTransfer, rules.OnEnqueue}, Then: rules.Actions{Group: "sales"}},
		{Name: "c", Enabled: true, On: []rules.Trigger{}, When: &rules.Condition{Field: "url", Op: rules.OpExists}, Then: rules.Actions{Prefer: &rules.Prefer{Operator: "anna"}}},
	}, testCatalog)
	require.NoError(t, err)
	require.Equal(t, rs, fromGo.Rules())
	fromGoJSON, err := fromGo.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, string(got), string(fromGoJSON))
}

// The nil Set and the empty Set encode as an empty rule set.
func TestEmptySetEncodes(t *testing.T) {
	var none *rules.Set
	got, err := none.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, `{"rules":[]}`, string(got))
	empty, err := rules.Decode(got, nil)
	require.NoError(t, err)
	require.Equal(t, 0, empty.Len())
	requireRoundTrip(t, empty, nil)

	// Within another document, a Set encodes through encoding/json.
	doc, err := json.Marshal(struct{ Rules *rules.Set }{empty})
	require.NoError(t, err)
	require.Equal(t, `{"Rules":{"rules":[]}}`, string(doc))
}

// D3: random valid rule sets round trip: New, MarshalJSON, Decode and
// MarshalJSON again give the same rules and the same bytes.
func TestD3_RandomSetsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rs := genRules(6).Draw(t, "rules")
		set, err := rules.New(rs, testCatalog)
		require.NoError(t, err)
		require.Equal(t, len(rs), set.Len())
		requireRoundTrip(t, set, testCatalog)

		// New gives back what it was given, but for On, normalised.
		got := set.Rules()
		for i := range rs {
			require.Equal(t, canonicalOn(rs[i].On), got[i].On, "On of rule %d", i)
			got[i].On = rs[i].On
		}
		require.Equal(t, rs, got)
	})
}

// canonicalOn returns on as Rules returns it: nil for the default, else
// in the order enqueue, reopen, transfer.
func canonicalOn(on []rules.Trigger) []rules.Trigger {
	var out []rules.Trigger
	for _, t := range []rules.Trigger{rules.OnEnqueue, rules.OnReopen, rules.OnTransfer} {
		if slices.Contains(on, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 || slices.Equal(out, []rules.Trigger{rules.OnEnqueue, rules.OnReopen}) {
		return nil
	}
	return out
}
