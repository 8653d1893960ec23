package core

import (
	"fmt"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// ErrMissingSkill reports an operator who lacks a skill the conversation
// requires, given it by hand (a take, an admin's assignment, a transfer);
// it also matches store.ErrNotAllowed.
var ErrMissingSkill = fmt.Errorf("%w: missing skill", store.ErrNotAllowed)

// skillTrees are one group's candidate trees restricted to the members who
// hold one skill, at any level. A conversation that requires skills is
// shown only the holders of the rarest of them, so that choosing among
// 10,000 operators walks a skill's holders in candidate order rather than
// the whole group; the policy checks the rest (other skills, levels) on
// the holders it walks, and names what each one it passes over lacks.
type skillTrees struct {
	auto, offer         candTree
	autoView, offerView treeView
}

// skillTreesOf returns g's trees of skill name, made on first use.
func (v *View) skillTreesOf(g *group, name string) *skillTrees {
	st := g.skills[name]
	if st == nil {
		st = &skillTrees{}
		st.autoView = treeView{v: v, g: g, tree: &st.auto, auto: true, skill: name}
		st.offerView = treeView{v: v, g: g, tree: &st.offer, skill: name}
		g.skills[name] = st
	}
	return st
}

// placeSkills adds (dir 1) or removes (dir -1) op, under key, in g's trees
// of each skill in skills. below says whether op is below their cap in g.
func (v *View) placeSkills(g *group, op *operator, skills []string, key candItem, below bool, dir int) {
	for i, s := range skills {
		name := policy.SkillName(s)
		if holdsSkill(skills[:i], name) {
			continue
		}
		st := g.skills[name]
		if st == nil {
			if dir < 0 {
				continue
			}
			st = v.skillTreesOf(g, name)
		}
		op.placeIn(&st.auto, &st.offer, key, below, dir)
	}
}

// holdsSkill reports whether skills holds a skill named name, at any level.
func holdsSkill(skills []string, name string) bool {
	for _, s := range skills {
		if policy.SkillName(s) == name {
			return true
		}
	}
	return false
}

// views returns what a policy is shown of g's candidates for a conversation
// that requires the skills in required: the whole trees when it requires
// none, else, for automatic assignment and for offers each, the trees of
// the required skill fewest members hold; nobody when a required skill is
// held by no member.
func (g *group) views(required []string) (auto, offer policy.Candidates) {
	if len(required) == 0 {
		return &g.autoView, &g.offerView
	}
	var byAuto, byOffer *skillTrees
	for _, s := range required {
		st := g.skills[policy.SkillName(s)]
		if st == nil {
			return noCandidates{}, noCandidates{}
		}
		if byAuto == nil || st.auto.n < byAuto.auto.n {
			byAuto = st
		}
		if byOffer == nil || st.offer.n < byOffer.offer.n {
			byOffer = st
		}
	}
	return &byAuto.autoView, &byOffer.offerView
}

// noCandidates is the view of a group in which nobody holds a required
// skill.
type noCandidates struct{}

func (noCandidates) Len() int                            { return 0 }
func (noCandidates) Available() int                      { return 0 }
func (noCandidates) Ascend(func(policy.Candidate) bool)  {}
func (noCandidates) Get(string) (policy.Candidate, bool) { return policy.Candidate{}, false }
func (noCandidates) String() string                      { return "no candidates" }

var _ policy.Candidates = noCandidates{}

// CheckSkills fails with ErrMissingSkill, naming the skill, if operator id
// lacks one that c requires (at the level it asks for), and with
// ErrNotFound for an unknown operator. Automatic routing never picks such an
// operator; CheckSkills is for conversations given by hand.
func (v *View) CheckSkills(c store.Conversation, id string) error {
	op, err := v.operator(id)
	if err != nil {
		return err
	}
	if s, missing := policy.FirstMissing(op.row.Skills, c.Skills); missing {
		return fmt.Errorf("%w: operator %q lacks skill %q that conversation %q requires", ErrMissingSkill, id, s, c.ID)
	}
	return nil
}
