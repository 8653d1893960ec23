package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestR3_CappedSkipsAtCap(t *testing.T) {
	p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
	conv := policy.Conversation{ID: "c1"}

	// anna and boris are at the default cap of 2; vera is below her own cap.
	in := same(p, conv, op("anna", 2), op("boris", 2), withCap(op("vera", 3), 4))
	d := p.Decide(in)

	require.Equal(t, policy.Assign, d.Action)
	require.Equal(t, "vera", d.Operator)
	require.Equal(t, []policy.Skip{
		{Operator: "anna", Reason: policy.ReasonAtCap},
		{Operator: "boris", Reason: policy.ReasonAtCap},
	}, d.Skipped)

	t.Run("the inner policy never sees an operator at cap", func(t *testing.T) {
		var seenAuto, seenOffer []string
		var gotAnna bool
		spy := policy.Func(func(in policy.Input) policy.Decision {
			seenAuto, seenOffer = ids(in.Auto), ids(in.Offer)
			_, gotAnna = in.Auto.Get("anna")
			require.Equal(t, 1, in.Auto.Len())
			require.Equal(t, 1, in.Offer.Len())
			return policy.Decision{Reason: "spy"}
		})
		p := policy.Capped(spy, policy.CapOptions{Default: 2})
		d := p.Decide(same(p, conv, op("anna", 2), op("boris", 5), withCap(op("vera", 3), 4)))
		require.Equal(t, []string{"vera"}, seenAuto)
		require.Equal(t, []string{"vera"}, seenOffer)
		require.False(t, gotAnna, "Get hides an operator at cap")
		require.Equal(t, policy.Reason("spy"), d.Reason)
	})

	t.Run("a cap above the load is not reached", func(t *testing.T) {
		d := p.Decide(same(p, conv, op("anna", 1)))
		require.Equal(t, policy.Decision{Action: policy.Assign, Operator: "anna"}, d)
	})

	t.Run("over cap counts as at cap", func(t *testing.T) {
		d := p.Decide(same(p, conv, op("anna", 7), op("boris", 1)))
		require.Equal(t, "boris", d.Operator)
	})
}

func TestR3_CappedDefaultAndOwnCap(t *testing.T) {
	conv := policy.Conversation{ID: "c1"}

	t.Run("limits", func(t *testing.T) {
		lim := policy.LimiterOf(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5}))
		require.NotNil(t, lim)
		require.Equal(t, 5, lim.Limit(op("anna", 0)), "default applies when own cap is not set")
		require.Equal(t, 2, lim.Limit(withCap(op("anna", 0), 2)), "own cap below the default")
		require.Equal(t, 8, lim.Limit(withCap(op("anna", 0), 8)), "own cap above the default")
		require.Equal(t, 5, lim.Limit(withCap(op("anna", 0), -1)), "a negative own cap is not set")

		none := policy.LimiterOf(policy.Capped(policy.LeastLoaded(), policy.CapOptions{}))
		require.Equal(t, 0, none.Limit(op("anna", 9)), "no default: no limit")
		require.True(t, policy.BelowCap(none, op("anna", 1000)))
		require.Equal(t, 3, none.Limit(withCap(op("anna", 0), 3)))

		neg := policy.LimiterOf(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: -4}))
		require.Equal(t, 0, neg.Limit(op("anna", 0)), "a negative default is treated as zero")
	})

	t.Run("own cap above the default lets a busier operator in", func(t *testing.T) {
		p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
		d := p.Decide(same(p, conv, op("anna", 2), withCap(op("boris", 4), 6)))
		require.Equal(t, "boris", d.Operator)
		require.Equal(t, []policy.Skip{{Operator: "anna", Reason: policy.ReasonAtCap}}, d.Skipped)
	})

	t.Run("own cap below the default keeps a less busy operator out", func(t *testing.T) {
		p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})
		d := p.Decide(same(p, conv, withCap(op("anna", 1), 1), op("boris", 4)))
		require.Equal(t, "boris", d.Operator)
		require.Equal(t, []policy.Skip{{Operator: "anna", Reason: policy.ReasonAtCap}}, d.Skipped)
	})

	t.Run("BPMSoft default of 5", func(t *testing.T) {
		p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})
		d := p.Decide(same(p, conv, op("anna", 5), op("boris", 5)))
		require.Equal(t, policy.Keep, d.Action)
		d = p.Decide(same(p, conv, op("anna", 5), op("boris", 4)))
		require.Equal(t, "boris", d.Operator)
	})
}

func TestR3_AllAtCapKeeps(t *testing.T) {
	conv := policy.Conversation{ID: "c1"}
	cands := []policy.Candidate{op("anna", 2), withCap(op("boris", 4), 4), withCap(op("vera", 1), 1)}

	for _, inner := range []policy.Policy{policy.LeastLoaded(), policy.Broadcast(0), policy.Broadcast(2)} {
		t.Run(inner.Name(), func(t *testing.T) {
			p := policy.Capped(inner, policy.CapOptions{Default: 2})
			l := policy.NewList(policy.LimiterOf(p), cands...)
			require.Equal(t, 3, l.Len())
			require.Equal(t, 0, l.Available())
			auto := &countingCandidates{Candidates: l}
			offer := &countingCandidates{Candidates: l}

			d := p.Decide(input(conv, auto, offer))

			require.Equal(t, policy.Keep, d.Action)
			require.Equal(t, policy.ReasonAllAtCap, d.Reason)
			require.Empty(t, d.Operator)
			require.Empty(t, d.Operators)
			require.Zero(t, auto.ascends+offer.ascends, "Available()==0: the candidates are not walked")
			require.Zero(t, auto.visits+offer.visits, "Available()==0: no candidate is visited")
		})
	}

	t.Run("empty group is not all at cap", func(t *testing.T) {
		p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
		d := p.Decide(same(p, conv))
		require.Equal(t, policy.Keep, d.Action)
		require.Equal(t, policy.ReasonNoCandidates, d.Reason)
	})

	t.Run("below cap but without the skills is not all at cap", func(t *testing.T) {
		p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
		d := p.Decide(same(p, policy.Conversation{Skills: []string{"en"}}, op("anna", 2), op("boris", 0)))
		require.Equal(t, policy.Keep, d.Action)
		require.Equal(t, policy.ReasonNoCandidates, d.Reason)
		require.ElementsMatch(t, []policy.Skip{
			{Operator: "anna", Reason: policy.ReasonAtCap},
			{Operator: "boris", Reason: policy.MissingSkill("en")},
		}, d.Skipped)
	})
}

func TestR4_ManualOverCapOption(t *testing.T) {
	on := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3, ManualOverCap: true})
	off := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3})

	require.True(t, policy.LimiterOf(on).ManualOverCap())
	require.False(t, policy.LimiterOf(off).ManualOverCap(), "defaults to false")
	require.True(t, policy.LimiterOf(policy.PreviousOperator(on)).ManualOverCap(), "found through a wrapper")

	// The option is about manual take only: automatic assignment still
	// respects the cap.
	d := on.Decide(same(on, policy.Conversation{ID: "c1"}, op("anna", 3)))
	require.Equal(t, policy.Keep, d.Action)
	require.Equal(t, policy.ReasonAllAtCap, d.Reason)
}

// Decision.Skipped is documented as "in the order they were examined".
// Capped puts every at-cap skip before the inner policy's own skips, so an
// operator examined earlier (missing skill) is listed after one examined
// later (at cap).
func TestCappedSkippedWrapperFirst(t *testing.T) {
	p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
	conv := policy.Conversation{ID: "c1", Skills: []string{"en"}}
	d := p.Decide(same(p, conv,
		op("anna", 0),                    // examined first: missing skill
		withSkills(op("boris", 2), "en"), // examined second: at cap
		withSkills(withCap(op("vera", 3), 5), "en"),
	))
	require.Equal(t, "vera", d.Operator)
	// The wrapper's skips come first, then the wrapped policy's, each in
	// the order examined (Decision.Skipped).
	require.Equal(t, []policy.Skip{
		{Operator: "boris", Reason: policy.ReasonAtCap},
		{Operator: "anna", Reason: policy.MissingSkill("en")},
	}, d.Skipped)
}

// A candidate list built without the policy's limiter counts everyone as
// available; walking them all at cap must still report ReasonAllAtCap, so
// the host's "all busy" notice does not depend on how the list was built.
func TestR3_AllAtCapFoundByWalking(t *testing.T) {
	p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
	list := policy.NewList(nil, op("anna", 2), op("vera", 3))
	d := p.Decide(input(policy.Conversation{ID: "c1"}, list, list))
	require.Equal(t, policy.Keep, d.Action)
	require.Equal(t, policy.ReasonAllAtCap, d.Reason)
	require.Equal(t, []policy.Skip{{Operator: "anna", Reason: policy.ReasonAtCap}, {Operator: "vera", Reason: policy.ReasonAtCap}}, d.Skipped)
}
