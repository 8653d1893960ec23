package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// skilled returns a ready operator of group holding skills.
func skilled(id, group string, skills ...string) store.Operator {
	o := operatorRow(id, presence.StatusReady, group)
	o.Skills = skills
	return o
}

// TestSkills_OnlyHoldersAtTheLevelAreChosen: a conversation that requires
// skills goes to the least-loaded operator who holds all of them at the
// levels asked for; the holders the policy walks past are named with the
// skill they lack, and operators who hold none of the rarest skill are not
// walked at all.
func TestSkills_OnlyHoldersAtTheLevelAreChosen(t *testing.T) {
	v := newView(t, groupOf("support", policy.LeastLoaded()))
	ops := []store.Operator{
		skilled("ann", "support", "en"),                                            // least loaded, no German
		skilled("eve", "support", "en"),                                            // nor has she
		skilled("bob", "support", "de:2", "en"),                                    // German below the level
		skilled("cat", "support", "de:4"),                                          // German, no English
		loaded(skilled("dan", "support", "de:5", "en:3"), 2, t0.Add(-time.Minute)), // most loaded, has both
	}
	b := newBook(t, v, ops, nil)

	row := newRow("c1", "support", 0)
	row.Skills = []string{"en", "de:3"}
	p := planNew(t, v, row)
	require.Equal(t, "dan", p.Decision.Operator)
	require.Equal(t, []policy.Skip{
		{Operator: "bob", Reason: policy.MissingSkill("de:3")},
		{Operator: "cat", Reason: policy.MissingSkill("en")},
	}, p.Decision.Skipped, "only German speakers (the rarer skill) are walked")
	b.commit(v, &p, t0)

	row = newRow("c2", "support", time.Second)
	row.Skills = []string{"fr"}
	p = planNew(t, v, row)
	require.Equal(t, policy.Keep, p.Decision.Action, "nobody holds French")
	require.Empty(t, p.Decision.Skipped)
}

// TestSkills_UnservableConversationDoesNotBlockTheQueue: a queued
// conversation nobody on shift can serve waits, and the ones behind it are
// served (the German chat does not hold up the English one).
func TestSkills_UnservableConversationDoesNotBlockTheQueue(t *testing.T) {
	de := queuedRow("de1", "support", 1)
	de.Skills = []string{"de"}
	en := queuedRow("en1", "support", 2)
	en.Skills = []string{"en"}
	v := newView(t, groupOf("support", capped(1)))
	b := newBook(t, v, []store.Operator{skilled("ann", "support", "en")}, []store.Conversation{de, en})

	require.Equal(t, []string{"en1>ann"}, b.drain(v, "support", t0), "de1 stays queued")
	c, ok := v.Conversation("de1")
	require.True(t, ok)
	require.Equal(t, store.Queued, c.State)
}

// TestSkills_IndexFollowsOperatorChanges: gaining, losing and re-levelling a
// skill, and going off shift, move an operator in and out of the skill's
// candidates.
func TestSkills_IndexFollowsOperatorChanges(t *testing.T) {
	v := newView(t, groupOf("support", policy.LeastLoaded()))
	b := newBook(t, v, []store.Operator{skilled("ann", "support"), skilled("bob", "support", "de")}, nil)
	decideDe := func(id string) string {
		t.Helper()
		row := newRow(id, "support", 0)
		row.Skills = []string{"de:2"}
		p := planNew(t, v, row)
		return p.Decision.Operator
	}
	update := func(id string, skills ...string) {
		t.Helper()
		o := b.ops[id]
		o.Skills = skills
		o.Version++
		b.ops[id] = o
		p := Plan{Write: UpdateOperator, Operator: o.Clone()}
		v.Absorb(&p, &Outcome{Operator: o.Clone()}, true, at(0))
	}

	require.Empty(t, decideDe("c1"), "bob's German is level 1")
	update("ann", "de:3")
	require.Equal(t, "ann", decideDe("c2"))
	update("ann", "en")
	require.Empty(t, decideDe("c3"), "ann lost German")
	update("bob", "de:2")
	require.Equal(t, "bob", decideDe("c4"))
	b.absorbStatus(v, "bob", presence.StatusOffline, t0)
	require.Empty(t, decideDe("c5"), "bob is off shift")
	b.absorbStatus(v, "bob", presence.StatusReady, t0)
	require.Equal(t, "bob", decideDe("c6"))
}

// TestSkills_HandGivenNeedsTheSkills: CheckSkills refuses an operator who
// lacks a required skill, naming it.
func TestSkills_HandGivenNeedsTheSkills(t *testing.T) {
	v := newView(t, groupOf("support", policy.LeastLoaded()))
	newBook(t, v, []store.Operator{skilled("ann", "support", "de:2")}, nil)
	c := queuedRow("c1", "support", 1)
	c.Skills = []string{"de:3"}
	err := v.CheckSkills(c, "ann")
	require.ErrorIs(t, err, ErrMissingSkill)
	require.ErrorIs(t, err, store.ErrNotAllowed)
	require.ErrorContains(t, err, `"de:3"`)
	c.Skills = []string{"de:2"}
	require.NoError(t, v.CheckSkills(c, "ann"))
	require.ErrorIs(t, v.CheckSkills(c, "nobody"), store.ErrNotFound)
}

// TestSkills_PolicyIgnoringSkillsIsRefused: a host's policy that names an
// operator lacking a required skill gets its decision replaced by Keep, so
// nothing is ever given to an operator without the skills.
func TestSkills_PolicyIgnoringSkillsIsRefused(t *testing.T) {
	careless := policy.Func(func(in policy.Input) policy.Decision {
		return policy.Decision{Action: policy.Assign, Operator: "ann"}
	})
	v := newView(t, groupOf("support", careless))
	newBook(t, v, []store.Operator{skilled("ann", "support", "en"), skilled("bob", "support", "de")}, nil)
	row := newRow("c1", "support", 0)
	row.Skills = []string{"de"}
	p := planNew(t, v, row)
	require.Equal(t, policy.Keep, p.Decision.Action)
	require.Equal(t, policy.ReasonInvalidOutcome, p.Decision.Reason)
}

// TestSkills_LosingASkillWithdrawsItsOffers: an operator whose skills no
// longer meet an offered conversation's requirement loses the offer, even
// in a group they still serve, and the other offers stand.
func TestSkills_LosingASkillWithdrawsItsOffers(t *testing.T) {
	o1 := offeredRow("o1", "sales", 1, "ann", "bob")
	o1.Skills = []string{"de"}
	o2 := offeredRow("o2", "sales", 2, "ann", "bob")
	v := newView(t, groupOf("sales", policy.Broadcast(0)))
	b := newBook(t, v, []store.Operator{skilled("ann", "sales", "de"), skilled("bob", "sales", "de")}, []store.Conversation{o1, o2})

	cs, _ := v.WithdrawalsOf("ann", nil)
	require.Empty(t, cs, "ann holds German")

	o := b.ops["ann"]
	o.Skills = []string{"en"}
	o.Version++
	b.ops["ann"] = o
	p := Plan{Write: UpdateOperator, Operator: o.Clone()}
	v.Absorb(&p, &Outcome{Operator: o.Clone()}, true, at(0))

	cs, ds := v.WithdrawalsOf("ann", nil)
	require.Equal(t, []string{"o1"}, ids(cs), "o2 requires nothing")
	require.Equal(t, policy.Offer, ds[0].Action)
	require.Equal(t, []string{"bob"}, ds[0].Operators)
}
