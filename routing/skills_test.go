package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// skillsScenario is a Router with one capped group "support" and the given
// ready operators, each "id=skill,skill".
func skillsScenario(t *testing.T, p policy.Policy, ops map[string][]string) *scenario {
	t.Helper()
	s := newScenario(t, routing.Config{Groups: []routing.Group{{ID: "support", Policy: p}}})
	for id, skills := range ops {
		_, err := s.r.AddOperator(s.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support"}, Skills: skills, Status: presence.StatusReady})
		require.NoError(t, err)
	}
	return s
}

// TestSkills_GermanChatWaitsForTheGermanSpeakerWithoutBlocking: a chat that
// requires German goes only to the German-speaking operator; while she is
// at cap it waits, and an English chat behind it is served by the English
// speaker; when her slot frees, the German chat is hers.
func TestSkills_GermanChatWaitsForTheGermanSpeakerWithoutBlocking(t *testing.T) {
	s := skillsScenario(t, policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1}),
		map[string][]string{"greta": {"de:4", "en"}, "ed": {"en"}})

	s.enqueueConv(routing.NewConversation{ID: "de1", Group: "support", Channel: "telegram", Skills: []string{"de:3"}})
	s.requireAssigned("de1", "greta")
	s.enqueueConv(routing.NewConversation{ID: "de2", Group: "support", Channel: "telegram", Skills: []string{"de:3"}})
	s.requireQueued("de2", "support")
	s.enqueueConv(routing.NewConversation{ID: "en1", Group: "support", Skills: []string{"en"}})
	s.requireAssigned("en1", "ed")

	_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("greta"), "de1", "done")
	require.NoError(t, err)
	s.requireAssigned("de2", "greta")
}

// TestSkills_EveryBuiltInPolicyKeepsToHolders: balanced, broadcast, capped
// and previous-operator routing all pass over an operator without the
// skill, and say which skill they lacked.
func TestSkills_EveryBuiltInPolicyKeepsToHolders(t *testing.T) {
	for _, p := range []policy.Policy{
		policy.LeastLoaded(),
		policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3}),
		policy.Broadcast(0),
		policy.PreviousOperator(policy.LeastLoaded()),
	} {
		t.Run(p.Name(), func(t *testing.T) {
			s := skillsScenario(t, p, map[string][]string{"abe": {"de:1"}, "anna": {"de:2"}, "bob": {"de:5"}, "carl": {"en"}})
			// anna served the customer before (first in candidate order).
			s.enqueueConv(routing.NewConversation{ID: "c0", Group: "support", CustomerID: "cust", Skills: []string{"de:2"}})
			if c := s.conv("c0"); c.State == store.Offered {
				_, err := s.r.Take(s.ctx, routing.ByOperator("anna"), "c0")
				require.NoError(t, err)
			}
			s.requireAssigned("c0", "anna")
			_, err := s.r.CloseConversation(s.ctx, routing.ByOperator("anna"), "c0", "done")
			require.NoError(t, err)
			ev := s.subscribe(routing.Assigned, routing.Offered, routing.Queued)
			s.enqueueConv(routing.NewConversation{ID: "c1", Group: "support", CustomerID: "cust", Skills: []string{"de:3"}})
			got := ev.raw()
			require.Len(t, got, 1)
			e := got[0]
			if e.Kind == routing.Offered {
				require.Equal(t, []string{"bob"}, e.Operators)
			} else {
				require.Equal(t, routing.Assigned, e.Kind)
				require.Equal(t, "bob", e.Operator)
			}
			require.Contains(t, e.Skipped, policy.Skip{Operator: "abe", Reason: policy.MissingSkill("de:3")})
			if p.Name() == "previous-operator(least-loaded)" {
				require.Contains(t, e.Skipped, policy.Skip{Operator: "anna", Reason: policy.ReasonNotPrevious}, "the previous operator lacks the level")
			}
		})
	}
}

// TestSkills_HandGivenConversationsNeedTheSkills: take, an admin's
// assignment, a transfer to an operator and an outbound start are refused
// with ErrMissingSkill for an operator without a required skill, and
// change nothing.
func TestSkills_HandGivenConversationsNeedTheSkills(t *testing.T) {
	s := skillsScenario(t, policy.Broadcast(0), map[string][]string{"anna": {"de"}, "carl": {"en"}})
	s.enqueueConv(routing.NewConversation{ID: "c1", Group: "support", Skills: []string{"de"}})
	s.requireOffered("c1", "anna")
	before := s.freeze("c1")

	_, err := s.r.Take(s.ctx, routing.ByOperator("carl"), "c1")
	require.ErrorIs(t, err, routing.ErrMissingSkill)
	require.ErrorIs(t, err, routing.ErrNotAllowed)
	_, err = s.r.Assign(s.ctx, routing.ByAdmin("boss"), "c1", "carl")
	require.ErrorIs(t, err, routing.ErrMissingSkill)
	s.requireUnchanged(before)

	_, err = s.r.Take(s.ctx, routing.ByOperator("anna"), "c1")
	require.NoError(t, err)
	_, err = s.r.TransferToOperator(s.ctx, routing.ByOperator("anna"), "c1", "carl")
	require.ErrorIs(t, err, routing.ErrMissingSkill)
	s.requireAssigned("c1", "anna")

	_, err = s.r.StartOutbound(s.ctx, routing.ByOperator("carl"), routing.NewConversation{ID: "out", Group: "support", Skills: []string{"de"}}, "carl")
	require.ErrorIs(t, err, routing.ErrMissingSkill)
	_, err = s.r.Conversation(s.ctx, "out")
	require.ErrorIs(t, err, routing.ErrNotFound)
}

// TestSkills_BadSkillStringsAreRefused: operators and conversations with a
// skill that does not parse, or one name twice, are refused with
// ErrInvalid before anything is stored.
func TestSkills_BadSkillStringsAreRefused(t *testing.T) {
	s := skillsScenario(t, policy.LeastLoaded(), nil)
	for _, skills := range [][]string{{""}, {"de:0"}, {"de:6"}, {"de:x"}, {" de"}, {"de", "de:3"}} {
		_, err := s.r.AddOperator(s.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "x", Groups: []string{"support"}, Skills: skills})
		require.ErrorIs(t, err, routing.ErrInvalid, "%q", skills)
		_, err = s.r.Enqueue(s.ctx, routing.NewConversation{ID: "c", Group: "support", Skills: skills})
		require.ErrorIs(t, err, routing.ErrInvalid, "%q", skills)
	}
	_, err := s.r.Operator(s.ctx, "x")
	require.ErrorIs(t, err, routing.ErrNotFound)
	_, err = s.r.Conversation(s.ctx, "c")
	require.ErrorIs(t, err, routing.ErrNotFound)

	_, err = s.r.AddOperator(s.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "y", Groups: []string{"support"}, Skills: []string{"de"}})
	require.NoError(t, err)
	_, err = s.r.UpdateOperator(s.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "y", Groups: []string{"support"}, Skills: []string{"de:9"}})
	require.ErrorIs(t, err, routing.ErrInvalid)
	op, err := s.r.Operator(s.ctx, "y")
	require.NoError(t, err)
	require.Equal(t, []string{"de"}, op.Skills)
}
