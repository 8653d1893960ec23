package policy_test

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/policy"
)

// Kinds of policy in a generated composition.
const (
	kindLeastLoaded = iota
	kindBroadcast
	kindCapped
	kindPrevious
)

// polSpec describes a policy composition: a chain of wrappers (Capped,
// PreviousOperator) over one built-in (LeastLoaded, Broadcast).
type polSpec struct {
	kind  int
	limit int // Broadcast
	def   int // Capped
	inner *polSpec
}

func (s *polSpec) build() policy.Policy {
	switch s.kind {
	case kindLeastLoaded:
		return policy.LeastLoaded()
	case kindBroadcast:
		return policy.Broadcast(s.limit)
	case kindCapped:
		return policy.Capped(s.inner.build(), policy.CapOptions{Default: s.def})
	default:
		return policy.PreviousOperator(s.inner.build())
	}
}

// leaf returns the built-in at the bottom of the chain.
func (s *polSpec) leaf() *polSpec {
	for s.inner != nil {
		s = s.inner
	}
	return s
}

// caps returns the cap layers of the chain, outermost first.
func (s *polSpec) caps() []capLayer {
	var out []capLayer
	for ; s != nil; s = s.inner {
		if s.kind == kindCapped {
			out = append(out, capLayer{def: s.def})
		}
	}
	return out
}

func genSpec(t *rapid.T, depth int) *polSpec {
	maxKind := kindPrevious
	if depth >= 3 {
		maxKind = kindBroadcast
	}
	s := &polSpec{kind: rapid.IntRange(kindLeastLoaded, maxKind).Draw(t, "kind")}
	switch s.kind {
	case kindBroadcast:
		s.limit = rapid.IntRange(0, 3).Draw(t, "limit")
	case kindCapped:
		s.def = rapid.IntRange(0, 4).Draw(t, "default")
		s.inner = genSpec(t, depth+1)
	case kindPrevious:
		s.inner = genSpec(t, depth+1)
	}
	return s
}

// capLayer is one Capped in the model.
type capLayer struct{ def int }

func (l capLayer) below(c policy.Candidate) bool {
	lim := l.def
	if c.Cap > 0 {
		lim = c.Cap
	}
	return lim == 0 || c.Load < lim
}

func belowAll(layers []capLayer, c policy.Candidate) bool {
	for _, l := range layers {
		if !l.below(c) {
			return false
		}
	}
	return true
}

func hasAll(c policy.Candidate, skills []string) bool {
	for _, s := range skills {
		if !slices.Contains(c.Skills, s) {
			return false
		}
	}
	return true
}

// sortedModel orders candidates as the spec says, independently of
// Candidate.Before: lower load, then earlier last assignment, then id.
func sortedModel(cands []policy.Candidate) []policy.Candidate {
	out := slices.Clone(cands)
	slices.SortFunc(out, func(a, b policy.Candidate) int {
		return cmp.Or(cmp.Compare(a.Load, b.Load), a.LastAssigned.Compare(b.LastAssigned), strings.Compare(a.ID, b.ID))
	})
	return out
}

type modelDecision struct {
	action    policy.Action
	operator  string
	operators []string
}

// model is a brute-force reading of the documented behaviour: layers are
// the Capped wrappers above s, whose views hide operators at their cap.
func model(s *polSpec, conv policy.Conversation, auto, offer []policy.Candidate, layers []capLayer) modelDecision {
	switch s.kind {
	case kindLeastLoaded:
		for _, c := range auto {
			if belowAll(layers, c) && hasAll(c, conv.Skills) {
				return modelDecision{action: policy.Assign, operator: c.ID}
			}
		}
		return modelDecision{action: policy.Keep}
	case kindBroadcast:
		var ops []string
		for _, c := range offer {
			if belowAll(layers, c) && hasAll(c, conv.Skills) && (s.limit == 0 || len(ops) < s.limit) {
				ops = append(ops, c.ID)
			}
		}
		if len(ops) == 0 {
			return modelDecision{action: policy.Keep}
		}
		return modelDecision{action: policy.Offer, operators: ops}
	case kindCapped:
		return model(s.inner, conv, auto, offer, append(slices.Clone(layers), capLayer{def: s.def}))
	default:
		if prev := conv.PreviousOperator; prev != "" {
			i := slices.IndexFunc(auto, func(c policy.Candidate) bool { return c.ID == prev })
			if i >= 0 {
				c := auto[i]
				innerCaps := s.inner.caps()
				ok := belowAll(layers, c) && hasAll(c, conv.Skills)
				if len(innerCaps) > 0 { // the wrapped policy's Limiter: its first Capped
					ok = ok && innerCaps[0].below(c)
				}
				if ok {
					return modelDecision{action: policy.Assign, operator: prev}
				}
			}
		}
		return model(s.inner, conv, auto, offer, layers)
	}
}

// cloneCands copies candidates deeply (their skills too).
func cloneCands(cands []policy.Candidate) []policy.Candidate {
	out := slices.Clone(cands)
	for i := range out {
		out[i].Skills = slices.Clone(out[i].Skills)
	}
	return out
}

func cloneConv(c policy.Conversation) policy.Conversation {
	c.Skills = slices.Clone(c.Skills)
	c.Attributes = maps.Clone(c.Attributes)
	return c
}

// contents lists a view's candidates in the order it yields them.
func contents(v policy.Candidates) []policy.Candidate {
	var out []policy.Candidate
	v.Ascend(func(c policy.Candidate) bool {
		out = append(out, c)
		return true
	})
	return out
}

var (
	propIDs    = []string{"anna", "boris", "dina", "gleb", "olga", "vera", "zoya"}
	propSkills = []string{"en", "ru", "billing"}
	knownSkip  = []policy.Reason{policy.ReasonAtCap, policy.ReasonMissingSkill, policy.ReasonNotPrevious}
)

func TestPolicyDecisionsAreValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Candidates: distinct ids, each in Auto, Offer, both or neither.
		n := rapid.IntRange(0, len(propIDs)).Draw(t, "n")
		names := rapid.Permutation(propIDs).Draw(t, "ids")[:n]
		var pool, autoIn, offerIn []policy.Candidate
		for _, id := range names {
			c := policy.Candidate{
				ID:     id,
				Status: "ready",
				Load:   rapid.IntRange(0, 6).Draw(t, "load"),
				Cap:    rapid.IntRange(0, 5).Draw(t, "cap"),
				Skills: rapid.SliceOfDistinct(rapid.SampledFrom(propSkills), rapid.ID[string]).Draw(t, "skills"),
			}
			if m := rapid.IntRange(-1, 3).Draw(t, "lastAssigned"); m >= 0 {
				c.LastAssigned = t0.Add(time.Duration(m) * time.Minute)
			}
			pool = append(pool, c)
			if rapid.Bool().Draw(t, "inAuto") {
				autoIn = append(autoIn, c)
			}
			if rapid.Bool().Draw(t, "inOffer") {
				offerIn = append(offerIn, c)
			}
		}
		conv := policy.Conversation{
			ID:               "c1",
			Group:            "support",
			CustomerID:       "cust",
			Skills:           rapid.SliceOfNDistinct(rapid.SampledFrom(propSkills), 0, 2, rapid.ID[string]).Draw(t, "needs"),
			Attributes:       map[string]string{"vip": "yes"},
			PreviousOperator: rapid.SampledFrom(append([]string{"", "ghost"}, names...)).Draw(t, "previous"),
		}
		spec := genSpec(t, 0)
		p := spec.build()
		lim := policy.LimiterOf(p)
		listLimiter := lim
		if rapid.Bool().Draw(t, "viewWithoutLimiter") {
			listLimiter = nil // a view that does not know the caps must not change the decision
		}

		poolBefore, autoBefore, offerBefore := cloneCands(pool), cloneCands(autoIn), cloneCands(offerIn)
		convBefore := cloneConv(conv)
		newInput := func() policy.Input {
			return policy.Input{
				Conversation: conv,
				Auto:         policy.NewList(listLimiter, autoIn...),
				Offer:        policy.NewList(listLimiter, offerIn...),
				Now:          t0.Add(time.Hour),
			}
		}
		in := newInput()
		autoView, offerView := contents(in.Auto), contents(in.Offer)

		d := p.Decide(in)
		t.Logf("policy %s, decision %+v", p.Name(), d)

		// Inputs are not modified.
		require.Equal(t, poolBefore, pool)
		require.Equal(t, autoBefore, autoIn)
		require.Equal(t, offerBefore, offerIn)
		require.Equal(t, convBefore, conv)
		require.Equal(t, autoView, contents(in.Auto))
		require.Equal(t, offerView, contents(in.Offer))

		// Deterministic: the same input gives the same decision, on fresh
		// views and on the same views again.
		require.Equal(t, d, p.Decide(newInput()))
		require.Equal(t, d, p.Decide(in))

		auto, offer := sortedModel(autoIn), sortedModel(offerIn)
		require.Equal(t, auto, autoView, "List yields candidates in candidate order")
		require.Equal(t, offer, offerView, "List yields candidates in candidate order")
		find := func(set []policy.Candidate, id string) (policy.Candidate, bool) {
			i := slices.IndexFunc(set, func(c policy.Candidate) bool { return c.ID == id })
			if i < 0 {
				return policy.Candidate{}, false
			}
			return set[i], true
		}

		switch d.Action {
		case policy.Assign:
			c, ok := find(auto, d.Operator)
			require.True(t, ok, "Assign names a candidate from Auto")
			require.True(t, hasAll(c, conv.Skills), "the assignee has the required skills")
			require.True(t, policy.BelowCap(lim, c), "the assignee is below cap")
			require.Empty(t, d.Operators)
			require.Empty(t, d.Reason)
		case policy.Offer:
			require.Empty(t, d.Operator)
			require.NotEmpty(t, d.Operators)
			require.Len(t, slices.Compact(slices.Sorted(slices.Values(d.Operators))), len(d.Operators), "offers are distinct")
			for _, id := range d.Operators {
				c, ok := find(offer, id)
				require.True(t, ok, "Offer names only Offer candidates")
				require.True(t, hasAll(c, conv.Skills), "offered operators have the required skills")
				require.True(t, policy.BelowCap(lim, c), "offered operators are below cap")
			}
			if leaf := spec.leaf(); leaf.kind == kindBroadcast && leaf.limit > 0 {
				require.LessOrEqual(t, len(d.Operators), leaf.limit)
			}
			require.Empty(t, d.Reason)
		case policy.Keep:
			require.NotEmpty(t, d.Reason, "Keep says why")
			require.Empty(t, d.Operator)
			require.Empty(t, d.Operators)
		default:
			t.Fatalf("unknown action %v", d.Action)
		}

		// Skips name known candidates, with reasons that hold.
		chosen := append([]string{d.Operator}, d.Operators...)
		for _, s := range d.Skipped {
			reason := s.Reason
			if missing, ok := strings.CutPrefix(string(reason), string(policy.ReasonMissingSkill)+" "); ok {
				require.Contains(t, conv.Skills, missing, "the skip names a skill the conversation requires")
				reason = policy.ReasonMissingSkill
			}
			require.Contains(t, knownSkip, reason)
			c, inAuto := find(auto, s.Operator)
			if !inAuto {
				c, _ = find(offer, s.Operator)
			}
			switch reason {
			case policy.ReasonNotPrevious:
				require.Equal(t, conv.PreviousOperator, s.Operator)
			case policy.ReasonMissingSkill:
				require.True(t, slices.ContainsFunc(append(slices.Clone(auto), offer...), func(x policy.Candidate) bool { return x.ID == s.Operator }))
				require.False(t, hasAll(c, conv.Skills))
				require.NotContains(t, chosen, s.Operator)
			case policy.ReasonAtCap:
				require.True(t, slices.ContainsFunc(append(slices.Clone(auto), offer...), func(x policy.Candidate) bool { return x.ID == s.Operator }))
				require.False(t, belowAll(spec.caps(), c))
				require.NotContains(t, chosen, s.Operator)
			}
		}

		// The brute-force model: least-loaded picks the first eligible
		// candidate in candidate order, broadcast the first limit ones,
		// previous-operator its operator when eligible and below cap.
		want := model(spec, conv, auto, offer, nil)
		require.Equal(t, want.action, d.Action, "action")
		require.Equal(t, want.operator, d.Operator, "assignee")
		if len(want.operators) == 0 {
			require.Empty(t, d.Operators)
		} else {
			require.Equal(t, want.operators, d.Operators, "offered")
		}
	})
}
