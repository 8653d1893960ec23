package core

import (
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// relaxed returns the skills a conversation requiring required still
// requires once its group relaxes them (D5): those whose names keep
// lists, at the levels asked for; and whether that differs from required.
func relaxed(required, keep []string) ([]string, bool) {
	var out []string
	for _, s := range required {
		if holdsSkill(keep, policy.SkillName(s)) {
			out = append(out, s)
		}
	}
	return out, len(out) != len(required)
}

// relaxDeadline returns the SkillRelax deadline of a conversation of group
// g requiring skills that joined the queue at since, if the group relaxes
// requirements and relaxing would change these.
func (g *group) relaxDeadline(skills []string, since time.Time) (store.Deadline, bool) {
	if g.cfg.SkillRelaxAfter <= 0 || len(skills) == 0 {
		return store.Deadline{}, false
	}
	if _, changes := relaxed(skills, g.cfg.SkillRelaxKeep); !changes {
		return store.Deadline{}, false
	}
	return store.Deadline{Kind: store.SkillRelax, Due: since.Add(g.cfg.SkillRelaxAfter)}, true
}

// PlanExpired plans what follows the deadline kind (SkillRelax or
// PreferExpiry) of conversation c, queued or offered, at now: the
// deadline is dropped, a SkillRelax relaxes c's required skills as its
// group says (D5), and c is decided again as it then stands. ok is false
// when c is not in its group's queue any more, or its group is unknown.
func (v *View) PlanExpired(c store.Conversation, kind store.DeadlineKind, now time.Time) (p Plan, ok bool) {
	g := v.groups[c.Group]
	if g == nil || !c.State.InQueue() {
		return Plan{}, false
	}
	next := c
	next.Deadlines = Without(c.Deadlines, kind)
	var profile *store.Profile
	if kind == store.SkillRelax {
		skills, changes := relaxed(c.Skills, g.cfg.SkillRelaxKeep)
		if changes {
			pr := c.Profile()
			pr.Skills = skills
			profile = &pr
			next.Skills = skills
		}
	}
	d := v.decide(g, &next, next.LinkedTo != "", now)
	v.reserve(&d)
	p = PlanRoute(next, d, now)
	p.Change.DropDeadlines = append(p.Change.DropDeadlines, kind)
	p.Change.Profile = profile
	p.Relaxed = profile != nil
	return p, true
}

// RelaxDeadline returns the SkillRelax deadline of a conversation
// requiring skills that joins the queue of group id at since, if that
// group relaxes requirements and relaxing would change these (D5).
func (v *View) RelaxDeadline(id string, skills []string, since time.Time) (store.Deadline, bool) {
	g := v.groups[id]
	if g == nil {
		return store.Deadline{}, false
	}
	return g.relaxDeadline(skills, since)
}
