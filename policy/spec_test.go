package policy_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/policy"
)

// drawSpec draws a composition of the built-in policies, nested at most
// depth deep, as a Spec and as the policy their constructors build.
func drawSpec(t *rapid.T, depth int) (policy.Spec, policy.Policy) {
	kinds := []string{policy.KindLeastLoaded, policy.KindBroadcast}
	if depth > 1 {
		kinds = append(kinds, policy.KindCapped, policy.KindPreviousOperator, policy.KindFallback)
	}
	switch kind := rapid.SampledFrom(kinds).Draw(t, "kind"); kind {
	case policy.KindLeastLoaded:
		return policy.Spec{Kind: kind}, policy.LeastLoaded()
	case policy.KindBroadcast:
		limit := rapid.IntRange(0, 3).Draw(t, "limit")
		return policy.Spec{Kind: kind, Limit: limit}, policy.Broadcast(limit)
	case policy.KindCapped:
		opts := policy.CapOptions{Default: rapid.IntRange(0, 4).Draw(t, "default"), ManualOverCap: rapid.Bool().Draw(t, "manualOverCap")}
		is, ip := drawSpec(t, depth-1)
		return policy.Spec{Kind: kind, Default: opts.Default, ManualOverCap: opts.ManualOverCap, Inner: &is}, policy.Capped(ip, opts)
	case policy.KindPreviousOperator:
		is, ip := drawSpec(t, depth-1)
		return policy.Spec{Kind: kind, Inner: &is}, policy.PreviousOperator(ip)
	}
	s := policy.Spec{Kind: policy.KindFallback}
	var ps []policy.Policy
	for range rapid.IntRange(0, 3).Draw(t, "fallbacks") {
		is, ip := drawSpec(t, depth-1)
		s.Policies = append(s.Policies, is)
		ps = append(ps, ip)
	}
	return s, policy.Fallback(ps...)
}

// drawInput draws a conversation and candidates for a policy.
func drawInput(t *rapid.T, p policy.Policy) policy.Input {
	n := rapid.IntRange(0, len(propIDs)).Draw(t, "n")
	names := rapid.Permutation(propIDs).Draw(t, "ids")[:n]
	var autoIn, offerIn []policy.Candidate
	for _, id := range names {
		c := policy.Candidate{
			ID: id, Status: "ready",
			Load:   rapid.IntRange(0, 6).Draw(t, "load"),
			Cap:    rapid.IntRange(0, 5).Draw(t, "cap"),
			Skills: rapid.SliceOfDistinct(rapid.SampledFrom(propSkills), rapid.ID[string]).Draw(t, "skills"),
		}
		if rapid.Bool().Draw(t, "inAuto") {
			autoIn = append(autoIn, c)
		}
		if rapid.Bool().Draw(t, "inOffer") {
			offerIn = append(offerIn, c)
		}
	}
	conv := policy.Conversation{
		ID: "c1", Group: "support", CustomerID: "cust",
		Skills:           rapid.SliceOfNDistinct(rapid.SampledFrom(propSkills), 0, 2, rapid.ID[string]).Draw(t, "needs"),
		PreviousOperator: rapid.SampledFrom(append([]string{"", "ghost"}, names...)).Draw(t, "previous"),
	}
	lim := policy.LimiterOf(p)
	return policy.Input{Conversation: conv, Auto: policy.NewList(lim, autoIn...), Offer: policy.NewList(lim, offerIn...), Now: t0}
}

// TestSpecRoundTrip: every composition of the built-in policies has a
// Spec, the one that describes how it was made; building that Spec, also
// after a JSON round trip, gives a policy with the same Name, the same
// Spec, the same Limiter and the same decisions.
func TestSpecRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		drawn, p := drawSpec(t, rapid.IntRange(1, 5).Draw(t, "depth"))
		s, ok := policy.SpecOf(p)
		require.True(t, ok, "%s has a Spec", p.Name())
		require.Equal(t, drawn, s)
		text, err := json.Marshal(s)
		require.NoError(t, err)
		var decoded policy.Spec
		require.NoError(t, json.Unmarshal(text, &decoded))
		built, err := decoded.Build(nil)
		require.NoError(t, err, "%s", text)
		require.Equal(t, p.Name(), built.Name())
		again, ok := policy.SpecOf(built)
		require.True(t, ok)
		require.Equal(t, s, again)
		require.Equal(t, policy.LimiterOf(p), policy.LimiterOf(built))
		for range 3 {
			in := drawInput(t, p)
			require.Equal(t, p.Decide(in), built.Decide(in), "%s", text)
		}
	})
}

// TestSpecBuildRefusesBadSpecs: each bad spec fails with ErrInvalidSpec
// naming the path of the bad field.
func TestSpecBuildRefusesBadSpecs(t *testing.T) {
	ll := policy.Spec{Kind: policy.KindLeastLoaded}
	deep := ll
	for range policy.MaxSpecDepth {
		inner := deep
		deep = policy.Spec{Kind: policy.KindPreviousOperator, Inner: &inner}
	}
	wide := policy.Spec{Kind: policy.KindFallback}
	for range policy.MaxSpecSize {
		wide.Policies = append(wide.Policies, ll)
	}
	for _, tc := range []struct {
		spec policy.Spec
		want string
	}{
		{policy.Spec{}, "kind: empty"},
		{policy.Spec{Kind: "roundrobin"}, `kind: unknown policy kind "roundrobin"`},
		{policy.Spec{Kind: policy.KindCapped, Inner: &policy.Spec{Kind: policy.KindFallback, Policies: []policy.Spec{ll, {Kind: "roundrobin"}}}},
			`inner.policies[1].kind: unknown policy kind "roundrobin"`},
		{policy.Spec{Kind: policy.KindLeastLoaded, Limit: 2}, `limit: kind "least-loaded" does not take it`},
		{policy.Spec{Kind: policy.KindBroadcast, Limit: -1}, "limit: -1 is negative"},
		{policy.Spec{Kind: policy.KindBroadcast, Params: json.RawMessage(`{"x":1}`)}, `params: kind "broadcast" does not take it`},
		{policy.Spec{Kind: policy.KindCapped}, `inner: kind "capped" needs the policy it wraps`},
		{policy.Spec{Kind: policy.KindCapped, Default: -2, Inner: &ll}, "default: -2 is negative"},
		{policy.Spec{Kind: policy.KindCapped, Inner: &ll, Policies: []policy.Spec{ll}}, `policies: kind "capped" does not take it`},
		{policy.Spec{Kind: policy.KindPreviousOperator}, `inner: kind "previous-operator" needs the policy it wraps`},
		{policy.Spec{Kind: policy.KindPreviousOperator, Inner: &ll, ManualOverCap: true}, `manual_over_cap: kind "previous-operator" does not take it`},
		{policy.Spec{Kind: policy.KindFallback, Inner: &ll}, `inner: kind "fallback" does not take it`},
		{deep, "nested deeper than MaxSpecDepth (16)"},
		{wide, "policies[255]: more than MaxSpecSize (256) policies"},
	} {
		_, err := tc.spec.Build(nil)
		require.ErrorIs(t, err, policy.ErrInvalidSpec, tc.want)
		require.ErrorContains(t, err, tc.want)
	}
	// At the bounds, a spec builds.
	_, err := (*deep.Inner).Build(nil)
	require.NoError(t, err)
	wide.Policies = wide.Policies[1:]
	_, err = wide.Build(nil)
	require.NoError(t, err)
}

// weighted is a host's policy: it assigns to the candidate whose id sorts
// first among those with at most max load, and describes itself.
type weighted struct{ max int }

func (w weighted) Name() string { return fmt.Sprintf("weighted(%d)", w.max) }

func (w weighted) Decide(in policy.Input) policy.Decision {
	var found string
	in.Auto.Ascend(func(c policy.Candidate) bool {
		if c.Load <= w.max && (found == "" || c.ID < found) {
			found = c.ID
		}
		return true
	})
	if found == "" {
		return policy.Decision{Reason: policy.ReasonNoCandidates}
	}
	return policy.Decision{Action: policy.Assign, Operator: found}
}

func (w weighted) Spec() policy.Spec {
	return policy.Spec{Kind: "weighted", Params: json.RawMessage(fmt.Sprintf(`{"max":%d}`, w.max))}
}

// buildWeighted is the Builder of kind "weighted".
func buildWeighted(s policy.Spec, _ func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) {
	var params struct {
		Max *int `json:"max"`
	}
	if err := json.Unmarshal(s.Params, &params); err != nil {
		return nil, err
	}
	if params.Max == nil {
		return nil, errors.New("params: max is missing")
	}
	return weighted{max: *params.Max}, nil
}

// TestSpecHostKinds: a host's policy that implements Specifier is
// described by SpecOf, also inside the built-in wrappers, and built by its
// registered Builder; a Builder's own error names the path of its spec; a
// Builder that wraps builds its nested spec with build, whose errors name
// the nested field; a Builder registered for a built-in kind is ignored.
func TestSpecHostKinds(t *testing.T) {
	custom := map[string]policy.Builder{
		"weighted": buildWeighted,
		"shuffled": func(s policy.Spec, build func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) {
			if s.Inner == nil {
				return nil, errors.New("needs an inner policy")
			}
			return build(*s.Inner)
		},
		policy.KindLeastLoaded: func(policy.Spec, func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) {
			panic("a Builder of a built-in kind is called")
		},
	}
	p := policy.Capped(weighted{max: 2}, policy.CapOptions{Default: 3})
	s, ok := policy.SpecOf(p)
	require.True(t, ok)
	text, err := json.Marshal(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"kind":"capped","default":3,"inner":{"kind":"weighted","params":{"max":2}}}`, string(text))
	built, err := s.Build(custom)
	require.NoError(t, err)
	require.Equal(t, p.Name(), built.Name())
	in := policy.Input{Auto: policy.NewList(policy.LimiterOf(p), op("zoe", 0), op("amy", 2), op("bob", 3)), Offer: policy.NewList(nil)}
	require.Equal(t, p.Decide(in), built.Decide(in))
	require.Equal(t, "amy", built.Decide(in).Operator)

	_, err = s.Build(nil)
	require.ErrorContains(t, err, `inner.kind: unknown policy kind "weighted"`)
	_, err = policy.Spec{Kind: "capped", Inner: &policy.Spec{Kind: "weighted", Params: json.RawMessage(`{}`)}}.Build(custom)
	require.ErrorIs(t, err, policy.ErrInvalidSpec)
	require.ErrorContains(t, err, `inner: kind "weighted": params: max is missing`)
	_, err = policy.Spec{Kind: "shuffled", Inner: &policy.Spec{Kind: "broadcast", Limit: -1}}.Build(custom)
	require.ErrorContains(t, err, "inner.limit: -1 is negative")
	_, err = policy.Spec{Kind: "shuffled"}.Build(custom)
	require.ErrorContains(t, err, `spec: kind "shuffled": needs an inner policy`)
	ll, err := policy.Spec{Kind: policy.KindLeastLoaded}.Build(custom)
	require.NoError(t, err)
	require.Equal(t, "least-loaded", ll.Name())
	_, err = policy.Spec{Kind: "nothing"}.Build(map[string]policy.Builder{
		"nothing": func(policy.Spec, func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) { return nil, nil },
	})
	require.ErrorContains(t, err, "the builder returned no policy")
}

// TestSpecOfPolicyWithoutSpec: a policy that cannot describe itself has no
// Spec, nor has a built-in that wraps it, whose Spec names it by its Name.
func TestSpecOfPolicyWithoutSpec(t *testing.T) {
	f := policy.Func(func(policy.Input) policy.Decision { return policy.Decision{} })
	_, ok := policy.SpecOf(f)
	require.False(t, ok)
	_, ok = policy.SpecOf(nil)
	require.False(t, ok)
	for _, p := range []policy.Policy{
		policy.Capped(f, policy.CapOptions{}),
		policy.PreviousOperator(policy.Capped(f, policy.CapOptions{})),
		policy.Fallback(policy.LeastLoaded(), f),
	} {
		_, ok := policy.SpecOf(p)
		require.False(t, ok, p.Name())
		text, err := json.Marshal(p.(policy.Specifier).Spec())
		require.NoError(t, err)
		require.Contains(t, string(text), `{"kind":"func"}`, p.Name())
	}
}

// FuzzSpecBuild: any JSON decoded into a Spec either fails to build with
// ErrInvalidSpec, or builds a policy whose Spec is the one decoded, once
// normalised (no empty lists, no null parameters), and never panics.
func FuzzSpecBuild(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"least-loaded"}`,
		`{"kind":"broadcast","limit":3}`,
		`{"kind":"capped","default":2,"manual_over_cap":true,"inner":{"kind":"least-loaded"}}`,
		`{"kind":"previous-operator","inner":{"kind":"capped","inner":{"kind":"broadcast"}}}`,
		`{"kind":"fallback","policies":[{"kind":"least-loaded"},{"kind":"broadcast","limit":1}]}`,
		`{"kind":"fallback","policies":[]}`,
		`{"kind":"broadcast","params":null}`,
		`{"kind":"capped","inner":{"kind":"fallback","policies":[{"kind":"roundrobin"}]}}`,
		`{"kind":"broadcast","limit":-1}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s policy.Spec
		if json.Unmarshal(data, &s) != nil {
			return
		}
		p, err := s.Build(nil)
		if err != nil {
			require.ErrorIs(t, err, policy.ErrInvalidSpec)
			return
		}
		got, ok := policy.SpecOf(p)
		require.True(t, ok)
		require.Equal(t, normSpec(s), got)
		require.NotEmpty(t, strings.TrimSpace(p.Name()))
		_ = p.Decide(policy.Input{Auto: policy.NewList(policy.LimiterOf(p), op("ann", 0)), Offer: policy.NewList(nil, op("ann", 0)), Now: t0.Add(time.Hour)})
	})
}

// normSpec is s as SpecOf describes what Build made of it: no empty
// Policies, no null Params.
func normSpec(s policy.Spec) policy.Spec {
	if len(s.Policies) == 0 {
		s.Policies = nil
	}
	if strings.TrimSpace(string(s.Params)) == "null" || len(s.Params) == 0 {
		s.Params = nil
	}
	if s.Inner != nil {
		inner := normSpec(*s.Inner)
		s.Inner = &inner
	}
	ps := s.Policies
	s.Policies = nil
	for _, p := range ps {
		s.Policies = append(s.Policies, normSpec(p))
	}
	return s
}
