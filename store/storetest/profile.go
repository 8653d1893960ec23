package storetest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// profileTests check the fields rules decide (Tags, Preferred, OffHours,
// Rules) and the changes that replace a conversation's routing profile.
var profileTests = []plainTest{
	{"Conversations_RuleFieldsStored", testRuleFieldsStored},
	{"Conversations_RuleFieldsLongest", testRuleFieldsLongest},
	{"Apply_Profile", testApplyProfile},
	{"Apply_ProfileInvalid", testApplyProfileInvalid},
}

// ruleProfile returns a profile with every field set.
func ruleProfile() store.Profile {
	return store.Profile{
		Priority: 5, Skills: []string{"de", "vip"}, Tags: []string{"vip", "b2b"}, Attributes: map[string]string{"plan": "gold"},
		Preferred: "bob", OffHours: true,
		Rules: []store.RuleMatch{{Rule: "vip first", Changes: []string{"priority 5", "tag vip"}}, {Rule: "night"}},
	}
}

// withProfile returns c with its routing profile set to p (sharing p's
// slices).
func withProfile(c store.Conversation, p store.Profile) store.Conversation {
	c.Priority, c.Skills, c.Tags, c.Attributes = p.Priority, p.Skills, p.Tags, p.Attributes
	c.Preferred, c.OffHours, c.Rules = p.Preferred, p.OffHours, p.Rules
	return c
}

// testRuleFieldsStored: Tags, Preferred, OffHours and Rules are stored as
// given on create, returned by every read, kept by changes without a
// profile, and share no memory with what the store keeps.
func testRuleFieldsStored(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales", "support")
	in := withProfile(queuedConv("c1", "sales", "cu1", at(1)), ruleProfile())
	res := createConv(t, s, in, store.Require{})
	want := in.Clone()
	want.EnqueuedAt, want.Seq, want.Version = at(1), res.Conversation.Seq, 1
	requireConv(t, want, res.Conversation)
	requireConv(t, want, getConv(t, s, "c1"))
	list, err := s.Conversations(bg, store.Filter{Group: "sales", States: []store.State{store.Queued}})
	require.NoError(t, err)
	require.Len(t, list, 1)
	requireConv(t, want, list[0])

	// Rows given and returned share nothing with the store's.
	mutate := func(c *store.Conversation) {
		c.Tags[0], c.Rules[0].Rule, c.Rules[0].Changes[0] = "MUTATED", "MUTATED", "MUTATED"
	}
	mutate(&in)
	mutate(&res.Conversation)
	read := getConv(t, s, "c1")
	mutate(&read)
	mutate(&list[0])
	requireConv(t, want, getConv(t, s, "c1"))

	// Changes without a profile keep the fields: an assignment with a
	// move to another group, then a requeue.
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", Group: "support", At: at(2)})
	requireConv(t, want, res.Before)
	mutate(&res.Before)
	require.Equal(t, ruleProfile(), normConv(res.Conversation).Profile())
	res = apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Queued, Requeue: true, At: at(3)})
	require.Equal(t, ruleProfile(), normConv(res.Conversation).Profile())
	mine, err := s.Conversations(bg, store.Filter{Group: "support"})
	require.NoError(t, err)
	require.Equal(t, ruleProfile(), normConv(mine[0]).Profile())

	// Not off-hours and none of the rest: a row without them.
	plain := createConv(t, s, queuedConv("c2", "sales", "", at(4)), store.Require{}).Conversation
	require.Equal(t, store.Profile{}, normConv(plain).Profile())
	require.Equal(t, store.Profile{}, normConv(getConv(t, s, "c2")).Profile())
}

// testRuleFieldsLongest: tags and a preferred operator of
// store.MaxIDLength bytes, rule texts of store.MaxRuleTextLength bytes and
// store.MaxRuleMatches matches are stored and returned as given.
func testRuleFieldsLongest(t *testing.T, s store.Store) {
	text := func(tag string) string {
		return idOf(tag, store.MaxRuleTextLength)
	}
	p := store.Profile{
		Tags: []string{longest("t1"), longest("t2")}, Preferred: longest("ann"),
		Rules: []store.RuleMatch{{Rule: text("rule"), Changes: []string{text("change"), ""}}},
	}
	in := withProfile(queuedConv("c1", "sales", "", at(1)), p)
	createConv(t, s, in, store.Require{})
	require.Equal(t, normConv(in).Profile(), normConv(getConv(t, s, "c1")).Profile())

	many := store.Profile{Rules: make([]store.RuleMatch, store.MaxRuleMatches)}
	for i := range many.Rules {
		many.Rules[i] = store.RuleMatch{Rule: strings.Repeat("r", 1+i%7), Changes: []string{"c"}}
	}
	apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Queued, Profile: &many, At: at(2)})
	require.Equal(t, many, normConv(getConv(t, s, "c1")).Profile())
}

// testApplyProfile: a change with a profile replaces exactly the seven
// fields of the profile, together with every other effect of the change
// (a state change, a group move, a requeue, deadlines); an empty profile
// clears them.
func testApplyProfile(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales", "support")
	old := store.Profile{Priority: 1, Skills: []string{"en"}, Tags: []string{"new"}, Attributes: map[string]string{"site": "a"},
		Rules: []store.RuleMatch{{Rule: "first contact"}}}
	in := withProfile(queuedConv("c1", "sales", "cu1", at(1)), old)
	in.LinkedTo, in.AllBusyNotified = "c0", true
	in.Deadlines = []store.Deadline{{Kind: store.WaitLevel, Due: at(9)}}
	orig := createConv(t, s, in, store.Require{}).Conversation

	// Assigned to ann in another group, with a new profile.
	p := ruleProfile()
	ch := store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", Group: "support",
		AddMissed: []string{"bob"}, Profile: &p, At: at(2)}
	res := apply(t, s, ch)
	want := withProfile(orig, ruleProfile())
	want.State, want.Assignee, want.Group, want.AssignedAt, want.LastOperator = store.Assigned, "ann", "support", at(2), "ann"
	want.MissedBy, want.Version = []string{"bob"}, 2
	requireConv(t, orig, res.Before)
	requireConv(t, want, res.Conversation)
	requireConv(t, want, getConv(t, s, "c1"))
	requireLoads(t, s, "ann", 1)
	p.Tags[0], p.Rules[0].Changes[0] = "MUTATED", "MUTATED"
	requireConv(t, want, getConv(t, s, "c1"), "the store keeps a copy of the profile")

	// Back in the queue with a new Seq, deadlines replaced, and another
	// profile.
	next := store.Profile{Priority: -1, Tags: []string{"returned"}, Preferred: "ann",
		Rules: []store.RuleMatch{{Rule: "returning", Changes: []string{"prefer ann"}}}}
	skill := store.Deadline{Kind: store.SkillRelax, Due: at(8)}
	res = apply(t, s, store.Change{Conversation: "c1", From: fromHeld, To: store.Queued, Requeue: true,
		SetDeadlines: true, Deadlines: []store.Deadline{skill}, Profile: &next, At: at(3)})
	requeued := withProfile(want, next)
	requeued.State, requeued.Assignee, requeued.EnqueuedAt, requeued.Seq = store.Queued, "", at(3), res.Conversation.Seq
	requeued.Deadlines, requeued.Version = []store.Deadline{skill}, 3
	require.Greater(t, res.Conversation.Seq, orig.Seq)
	requireConv(t, requeued, res.Conversation)
	requireConv(t, requeued, getConv(t, s, "c1"))
	requireLoads(t, s, "ann", 0)

	// An empty profile clears the seven fields, and only them.
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Queued, Profile: &store.Profile{}, At: at(4)})
	cleared := withProfile(requeued, store.Profile{})
	cleared.Version = 4
	requireConv(t, cleared, res.Conversation)
	requireConv(t, cleared, getConv(t, s, "c1"))

	// A change refused for another reason changes no profile either.
	applyFails(t, s, store.ErrConflict, store.Change{Conversation: "c1", From: fromQueue, To: store.Queued, Version: 3, Profile: &next, At: at(5)})
}

// testApplyProfileInvalid: a bad tag, preferred operator or rule match,
// in a row to create or in a change's profile, is refused with
// store.ErrInvalid before anything else, and nothing changes.
func testApplyProfileInvalid(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, withProfile(queuedConv("c1", "sales", "cu1", at(1)), ruleProfile()), store.Require{})
	many := make([]store.RuleMatch, store.MaxRuleMatches+1)
	for i := range many {
		many[i].Rule = "r"
	}
	bad := map[string]func(p *store.Profile){
		"empty tag":         func(p *store.Profile) { p.Tags = []string{"vip", ""} },
		"repeated tag":      func(p *store.Profile) { p.Tags = []string{"vip", "b2b", "vip"} },
		"long tag":          func(p *store.Profile) { p.Tags = []string{tooLong("tag")} },
		"long preferred":    func(p *store.Profile) { p.Preferred = tooLong("ann") },
		"unnamed rule":      func(p *store.Profile) { p.Rules = []store.RuleMatch{{Changes: []string{"x"}}} },
		"long rule":         func(p *store.Profile) { p.Rules[0].Rule = idOf("rule", store.MaxRuleTextLength+1) },
		"long rule change":  func(p *store.Profile) { p.Rules[1].Changes = []string{idOf("change", store.MaxRuleTextLength+1)} },
		"too many matches":  func(p *store.Profile) { p.Rules = many },
		"bad and long tags": func(p *store.Profile) { p.Tags = []string{"", tooLong("tag")} },
	}
	for name, spoil := range bad {
		p := ruleProfile()
		spoil(&p)
		applyFails(t, s, store.ErrInvalid, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann",
			Profile: &p, At: at(2)}, "Apply: "+name)
		applyFails(t, s, store.ErrInvalid, store.Change{Conversation: "unknown", From: fromQueue, To: store.Queued,
			Profile: &p, At: at(2)}, "Apply, unknown conversation: "+name)
		createFails(t, s, store.ErrInvalid, withProfile(assignedConv("c2", "sales", "cu2", "ann", at(2)), p), store.Require{},
			"CreateConversation: "+name)
	}
	_, err := s.Conversation(bg, "c2")
	require.ErrorIs(t, err, store.ErrNotFound)

	// The same changes with a good profile go through.
	p := ruleProfile()
	apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", Profile: &p, At: at(3)})
	createConv(t, s, withProfile(assignedConv("c2", "sales", "cu2", "ann", at(3)), p), store.Require{})
	requireLoads(t, s, "ann", 2)
}
