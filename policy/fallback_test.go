package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestFallbackFirstDecisionWins(t *testing.T) {
	auto := policy.NewList(nil, op("anna", 0))
	offer := policy.NewList(nil, op("anna", 0), op("kim", 0))
	p := policy.Fallback(policy.LeastLoaded(), policy.Broadcast(0))
	d := p.Decide(input(policy.Conversation{ID: "c"}, auto, offer))
	require.Equal(t, policy.Assign, d.Action)
	require.Equal(t, "anna", d.Operator)
}

func TestFallbackAsksTheNextWhenKept(t *testing.T) {
	empty := policy.NewList(nil)
	offer := policy.NewList(nil, withSkills(op("kim", 0), "fr"), op("lee", 1))
	p := policy.Fallback(policy.LeastLoaded(), policy.Broadcast(0))
	d := p.Decide(input(policy.Conversation{ID: "c", Skills: []string{"fr"}}, empty, offer))
	require.Equal(t, policy.Offer, d.Action)
	require.Equal(t, []string{"kim"}, d.Operators)
	require.Equal(t, []policy.Skip{{Operator: "lee", Reason: policy.MissingSkill("fr")}}, d.Skipped)
}

func TestFallbackAllKeep(t *testing.T) {
	empty := policy.NewList(nil)
	d := policy.Fallback(policy.LeastLoaded(), policy.Broadcast(0)).Decide(input(policy.Conversation{ID: "c"}, empty, empty))
	require.Equal(t, policy.Keep, d.Action)
	require.Equal(t, policy.ReasonNoCandidates, d.Reason)
	d = policy.Fallback().Decide(input(policy.Conversation{ID: "c"}, empty, empty))
	require.Equal(t, policy.Keep, d.Action)
	require.Equal(t, policy.ReasonNoCandidates, d.Reason)
}
