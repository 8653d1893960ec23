package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestR2_LeastLoaded(t *testing.T) {
	conv := policy.Conversation{ID: "c1"}

	t.Run("lowest load wins", func(t *testing.T) {
		l := policy.NewList(nil, op("anna", 3), op("boris", 1), op("vera", 2))
		d := policy.LeastLoaded().Decide(input(conv, l, l))
		require.Equal(t, policy.Decision{Action: policy.Assign, Operator: "boris"}, d)
	})

	t.Run("only Auto candidates are assigned", func(t *testing.T) {
		auto := policy.NewList(nil, op("anna", 3))
		offer := policy.NewList(nil, op("anna", 3), op("boris", 0))
		d := policy.LeastLoaded().Decide(input(conv, auto, offer))
		require.Equal(t, policy.Decision{Action: policy.Assign, Operator: "anna"}, d)
	})

	t.Run("operators without the skills are skipped", func(t *testing.T) {
		l := policy.NewList(nil,
			op("anna", 0),
			withSkills(op("boris", 1), "en"),
			withSkills(op("vera", 2), "en", "ru"),
		)
		conv := policy.Conversation{ID: "c1", Skills: []string{"ru", "en"}}
		d := policy.LeastLoaded().Decide(input(conv, l, l))
		require.Equal(t, policy.Assign, d.Action)
		require.Equal(t, "vera", d.Operator)
		require.Equal(t, []policy.Skip{
			{Operator: "anna", Reason: policy.MissingSkill("ru")},
			{Operator: "boris", Reason: policy.MissingSkill("ru")},
		}, d.Skipped)
	})

	t.Run("nobody eligible keeps", func(t *testing.T) {
		d := policy.LeastLoaded().Decide(input(conv, policy.NewList(nil), policy.NewList(nil, op("anna", 0))))
		require.Equal(t, policy.Decision{Action: policy.Keep, Reason: policy.ReasonNoCandidates}, d)

		l := policy.NewList(nil, op("anna", 0))
		d = policy.LeastLoaded().Decide(input(policy.Conversation{Skills: []string{"en"}}, l, l))
		require.Equal(t, policy.Keep, d.Action)
		require.Equal(t, policy.ReasonNoCandidates, d.Reason)
		require.Equal(t, []policy.Skip{{Operator: "anna", Reason: policy.MissingSkill("en")}}, d.Skipped)
	})

	t.Run("stops at the first eligible candidate", func(t *testing.T) {
		cc := &countingCandidates{Candidates: policy.NewList(nil, op("anna", 0), op("boris", 1), op("vera", 2))}
		d := policy.LeastLoaded().Decide(input(conv, cc, cc))
		require.Equal(t, "anna", d.Operator)
		require.Equal(t, 1, cc.visits)
	})

	t.Run("ignores caps on its own", func(t *testing.T) {
		l := policy.NewList(nil, withCap(op("anna", 4), 4))
		d := policy.LeastLoaded().Decide(input(conv, l, l))
		require.Equal(t, policy.Decision{Action: policy.Assign, Operator: "anna"}, d)
	})
}

func TestR2_TieGoesToLongestWaiting(t *testing.T) {
	conv := policy.Conversation{ID: "c1"}

	t.Run("earliest last assignment wins a tie", func(t *testing.T) {
		l := policy.NewList(nil,
			lastAt(op("anna", 1), 20*time.Minute),
			lastAt(op("boris", 1), 5*time.Minute),
			lastAt(op("vera", 1), 10*time.Minute),
			lastAt(op("gleb", 0), 30*time.Minute), // lower load beats waiting
		)
		require.Equal(t, "gleb", policy.LeastLoaded().Decide(input(conv, l, l)).Operator)

		l = policy.NewList(nil,
			lastAt(op("anna", 1), 20*time.Minute),
			lastAt(op("boris", 1), 5*time.Minute),
			lastAt(op("vera", 1), 10*time.Minute),
		)
		require.Equal(t, "boris", policy.LeastLoaded().Decide(input(conv, l, l)).Operator)
	})

	t.Run("never assigned waits longest", func(t *testing.T) {
		l := policy.NewList(nil,
			lastAt(op("anna", 1), -time.Hour),
			op("boris", 1), // zero LastAssigned
		)
		require.Equal(t, "boris", policy.LeastLoaded().Decide(input(conv, l, l)).Operator)
	})

	t.Run("same instant in another zone is a tie broken by id", func(t *testing.T) {
		moscow := time.FixedZone("MSK", 3*60*60)
		l := policy.NewList(nil,
			policy.Candidate{ID: "boris", Load: 1, LastAssigned: t0},
			policy.Candidate{ID: "anna", Load: 1, LastAssigned: t0.In(moscow)},
		)
		require.Equal(t, "anna", policy.LeastLoaded().Decide(input(conv, l, l)).Operator)
	})

	t.Run("rotation: the one just assigned goes to the back", func(t *testing.T) {
		cands := []policy.Candidate{
			lastAt(op("anna", 0), 1*time.Minute),
			lastAt(op("boris", 0), 2*time.Minute),
			lastAt(op("vera", 0), 3*time.Minute),
		}
		var got []string
		for i := range 6 {
			now := t0.Add(time.Duration(10+i) * time.Minute)
			l := policy.NewList(nil, cands...)
			d := policy.LeastLoaded().Decide(policy.Input{Conversation: conv, Auto: l, Offer: l, Now: now})
			require.Equal(t, policy.Assign, d.Action)
			got = append(got, d.Operator)
			// The conversation closes at once: load is unchanged, only the
			// last assignment moves.
			for j := range cands {
				if cands[j].ID == d.Operator {
					cands[j].LastAssigned = now
				}
			}
		}
		require.Equal(t, []string{"anna", "boris", "vera", "anna", "boris", "vera"}, got)
	})
}
