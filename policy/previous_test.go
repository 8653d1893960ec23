package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestR9_PreviousOperatorPreferred(t *testing.T) {
	conv := policy.Conversation{ID: "c1", CustomerID: "cust", PreviousOperator: "vera", Skills: []string{"en"}}
	cands := []policy.Candidate{
		withSkills(op("anna", 0), "en"),
		withSkills(withCap(op("vera", 3), 4), "en", "ru"),
	}

	for _, inner := range []policy.Policy{
		policy.LeastLoaded(),
		policy.Broadcast(0),
		policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2}), // vera's own cap 4 applies
		policy.Capped(policy.Broadcast(1), policy.CapOptions{}),
	} {
		t.Run(inner.Name(), func(t *testing.T) {
			p := policy.PreviousOperator(inner)
			d := p.Decide(same(p, conv, cands...))
			require.Equal(t, policy.Decision{Action: policy.Assign, Operator: "vera"}, d,
				"the previous operator wins over the least loaded")
		})
	}

	t.Run("no previous operator: the inner policy decides alone", func(t *testing.T) {
		p := policy.PreviousOperator(policy.LeastLoaded())
		conv := conv
		conv.PreviousOperator = ""
		in := same(p, conv, cands...)
		require.Equal(t, policy.LeastLoaded().Decide(in), p.Decide(in))
		require.Equal(t, policy.Decision{Action: policy.Assign, Operator: "anna"}, p.Decide(in))
	})

	t.Run("looked up with Get, not by walking", func(t *testing.T) {
		p := policy.PreviousOperator(policy.LeastLoaded())
		cc := &countingCandidates{Candidates: policy.NewList(nil, cands...)}
		d := p.Decide(input(conv, cc, cc))
		require.Equal(t, "vera", d.Operator)
		require.Zero(t, cc.ascends)
		require.Equal(t, 1, cc.gets)
	})
}

func TestR9_PreviousOperatorAtCapFallsBack(t *testing.T) {
	conv := policy.Conversation{ID: "c1", PreviousOperator: "vera"}

	t.Run("previous outside capped", func(t *testing.T) {
		p := policy.PreviousOperator(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3}))
		cands := []policy.Candidate{op("anna", 1), op("boris", 2), op("vera", 3)}
		d := p.Decide(same(p, conv, cands...))
		require.Equal(t, policy.Assign, d.Action)
		require.Equal(t, "anna", d.Operator)
		require.Equal(t, []policy.Skip{{Operator: "vera", Reason: policy.ReasonNotPrevious}}, d.Skipped)
	})

	t.Run("previous at own cap", func(t *testing.T) {
		p := policy.PreviousOperator(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 9}))
		cands := []policy.Candidate{op("anna", 1), op("boris", 2), op("vera", 0), withCap(op("zoya", 2), 2)}
		conv := conv
		conv.PreviousOperator = "zoya"
		d := p.Decide(same(p, conv, cands...))
		require.Equal(t, "vera", d.Operator)
		require.Equal(t, policy.ReasonNotPrevious, d.Skipped[0].Reason)
		require.Equal(t, "zoya", d.Skipped[0].Operator)
	})

	t.Run("capped outside previous", func(t *testing.T) {
		p := policy.Capped(policy.PreviousOperator(policy.LeastLoaded()), policy.CapOptions{Default: 3})
		cands := []policy.Candidate{op("anna", 1), op("boris", 2), op("vera", 3)}
		d := p.Decide(same(p, conv, cands...))
		require.Equal(t, policy.Assign, d.Action)
		require.Equal(t, "anna", d.Operator)
		require.Contains(t, d.Skipped, policy.Skip{Operator: "vera", Reason: policy.ReasonNotPrevious})
	})

	t.Run("everyone at cap keeps", func(t *testing.T) {
		p := policy.PreviousOperator(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1}))
		d := p.Decide(same(p, conv, op("anna", 1), op("vera", 1)))
		require.Equal(t, policy.Keep, d.Action)
		require.Equal(t, policy.ReasonAllAtCap, d.Reason)
		require.Equal(t, []policy.Skip{{Operator: "vera", Reason: policy.ReasonNotPrevious}}, d.Skipped)
	})
}

func TestR9_PreviousOperatorMissingFallsBack(t *testing.T) {
	p := policy.PreviousOperator(policy.LeastLoaded())
	notPrev := func(id string) policy.Skip { return policy.Skip{Operator: id, Reason: policy.ReasonNotPrevious} }

	t.Run("not in the group at all", func(t *testing.T) {
		conv := policy.Conversation{ID: "c1", PreviousOperator: "ghost"}
		d := p.Decide(same(p, conv, op("anna", 1), op("boris", 0)))
		require.Equal(t, policy.Assign, d.Action)
		require.Equal(t, "boris", d.Operator)
		require.Equal(t, []policy.Skip{notPrev("ghost")}, d.Skipped)
	})

	t.Run("may take offers but not auto-assignment", func(t *testing.T) {
		conv := policy.Conversation{ID: "c1", PreviousOperator: "vera"}
		auto := policy.NewList(nil, op("anna", 1))
		offer := policy.NewList(nil, op("anna", 1), op("vera", 0))
		d := p.Decide(input(conv, auto, offer))
		require.Equal(t, "anna", d.Operator)
		require.Equal(t, []policy.Skip{notPrev("vera")}, d.Skipped)
	})

	t.Run("lacks a required skill", func(t *testing.T) {
		conv := policy.Conversation{ID: "c1", PreviousOperator: "vera", Skills: []string{"ru"}}
		d := p.Decide(same(p, conv, withSkills(op("anna", 3), "ru"), withSkills(op("vera", 0), "en")))
		require.Equal(t, "anna", d.Operator)
		require.Equal(t, notPrev("vera"), d.Skipped[0])
	})

	t.Run("nobody else either", func(t *testing.T) {
		conv := policy.Conversation{ID: "c1", PreviousOperator: "vera"}
		d := p.Decide(same(p, conv))
		require.Equal(t, policy.Keep, d.Action)
		require.Equal(t, policy.ReasonNoCandidates, d.Reason)
		require.Equal(t, []policy.Skip{notPrev("vera")}, d.Skipped)
	})

	t.Run("falls back to broadcast", func(t *testing.T) {
		p := policy.PreviousOperator(policy.Broadcast(0))
		conv := policy.Conversation{ID: "c1", PreviousOperator: "ghost"}
		d := p.Decide(same(p, conv, op("anna", 1), op("boris", 0)))
		require.Equal(t, policy.Offer, d.Action)
		require.Equal(t, []string{"boris", "anna"}, d.Operators)
		require.Equal(t, []policy.Skip{notPrev("ghost")}, d.Skipped)
	})
}
