package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestR1_BroadcastOffersEveryEligible(t *testing.T) {
	offer := policy.NewList(nil, op("anna", 2), op("boris", 0), op("vera", 1))
	// Auto holds someone else: broadcast looks only at Offer.
	auto := policy.NewList(nil, op("gleb", 0))
	conv := policy.Conversation{ID: "c1"}

	d := policy.Broadcast(0).Decide(input(conv, auto, offer))

	require.Equal(t, policy.Offer, d.Action)
	require.Equal(t, []string{"boris", "vera", "anna"}, d.Operators, "every Offer candidate, least loaded first")
	require.Empty(t, d.Operator)
	require.Empty(t, d.Skipped)
	require.Empty(t, d.Reason)

	t.Run("empty offer set keeps", func(t *testing.T) {
		d := policy.Broadcast(0).Decide(input(conv, auto, policy.NewList(nil)))
		require.Equal(t, policy.Keep, d.Action)
		require.Equal(t, policy.ReasonNoCandidates, d.Reason)
		require.Empty(t, d.Operators)
	})

	t.Run("capped broadcast leaves out operators at cap", func(t *testing.T) {
		p := policy.Capped(policy.Broadcast(0), policy.CapOptions{Default: 2})
		l := policy.NewList(policy.LimiterOf(p), op("anna", 2), op("boris", 0), withCap(op("vera", 1), 1))
		d := p.Decide(input(conv, l, l))
		require.Equal(t, policy.Offer, d.Action)
		require.Equal(t, []string{"boris"}, d.Operators)
		require.ElementsMatch(t, []policy.Skip{
			{Operator: "vera", Reason: policy.ReasonAtCap},
			{Operator: "anna", Reason: policy.ReasonAtCap},
		}, d.Skipped)
	})
}

func TestR1_BroadcastLimitToLeastLoaded(t *testing.T) {
	cands := []policy.Candidate{
		op("anna", 3),
		lastAt(op("boris", 1), 0),
		lastAt(op("dina", 1), -10*time.Minute), // same load as boris, waited longer
		op("vera", 0),
	}
	conv := policy.Conversation{ID: "c1"}
	l := policy.NewList(nil, cands...)

	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{limit: 1, want: []string{"vera"}},
		{limit: 2, want: []string{"vera", "dina"}},
		{limit: 3, want: []string{"vera", "dina", "boris"}},
		{limit: 4, want: []string{"vera", "dina", "boris", "anna"}},
		{limit: 10, want: []string{"vera", "dina", "boris", "anna"}},
		{limit: 0, want: []string{"vera", "dina", "boris", "anna"}},
		{limit: -1, want: []string{"vera", "dina", "boris", "anna"}},
	} {
		d := policy.Broadcast(tc.limit).Decide(input(conv, l, l))
		require.Equal(t, policy.Offer, d.Action, "limit %d", tc.limit)
		require.Equal(t, tc.want, d.Operators, "limit %d", tc.limit)
	}

	t.Run("limit counts only operators with the skills", func(t *testing.T) {
		l := policy.NewList(nil,
			op("anna", 0),
			withSkills(op("boris", 1), "en"),
			op("dina", 2),
			withSkills(op("vera", 3), "en", "ru"),
			withSkills(op("zoya", 4), "en"),
		)
		d := policy.Broadcast(2).Decide(input(policy.Conversation{Skills: []string{"en"}}, l, l))
		require.Equal(t, []string{"boris", "vera"}, d.Operators)
		require.Equal(t, []policy.Skip{
			{Operator: "anna", Reason: policy.MissingSkill("en")},
			{Operator: "dina", Reason: policy.MissingSkill("en")},
		}, d.Skipped, "the walk stops once the limit is reached")
	})
}

func TestR1_BroadcastSkipsMissingSkill(t *testing.T) {
	l := policy.NewList(nil,
		withSkills(op("anna", 0), "ru"),
		withSkills(op("boris", 1), "en", "ru"),
		withSkills(op("vera", 2), "en"),
		withSkills(op("gleb", 3), "ru", "en", "billing"),
	)
	conv := policy.Conversation{ID: "c1", Skills: []string{"en", "ru"}}

	d := policy.Broadcast(0).Decide(input(conv, l, l))

	require.Equal(t, policy.Offer, d.Action)
	require.Equal(t, []string{"boris", "gleb"}, d.Operators)
	require.Equal(t, []policy.Skip{
		{Operator: "anna", Reason: policy.MissingSkill("en")},
		{Operator: "vera", Reason: policy.MissingSkill("ru")},
	}, d.Skipped)

	t.Run("nobody has the skills", func(t *testing.T) {
		conv := policy.Conversation{ID: "c2", Skills: []string{"de"}}
		d := policy.Broadcast(0).Decide(input(conv, l, l))
		require.Equal(t, policy.Keep, d.Action)
		require.Equal(t, policy.ReasonNoCandidates, d.Reason)
		require.Empty(t, d.Operators)
		require.Len(t, d.Skipped, 4)
		for _, s := range d.Skipped {
			require.Equal(t, policy.MissingSkill("de"), s.Reason)
		}
	})
}
