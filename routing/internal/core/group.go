package core

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/store"
)

// GroupConfig is what the core needs of a group's configuration: the
// Router converts its public Group into it once, when the group is added.
type GroupConfig struct {
	ID, Site      string
	Policy        policy.Policy
	WaitLevels    []WaitLevel
	AutoClose     time.Duration
	WaitingExpiry time.Duration
	AcceptTimeout time.Duration
	Hours         presence.Hours
	// SkillRelaxAfter and SkillRelaxKeep relax the skills a waiting
	// conversation requires (D5).
	SkillRelaxAfter time.Duration
	SkillRelaxKeep  []string
}

// WaitLevel is one escalation threshold on a customer's wait (L10).
type WaitLevel struct {
	Name  string
	After time.Duration
}

// group is the view of one group.
type group struct {
	cfg     GroupConfig
	limiter policy.Limiter
	// auto holds the members whose status allows automatic assignment,
	// offer those whose status allows queue offers and manual take.
	auto, offer candTree
	// accepting counts members in either tree; online is the availability
	// last reported.
	accepting int
	online    bool
	queue     *queue.Queue
	members   map[string]*operator
	// autoView and offerView are what policies see of the trees.
	autoView, offerView treeView
	// skills holds, by skill name, the trees of the members who hold it.
	skills map[string]*skillTrees
	// offered holds the ids of the group's conversations in the Offered
	// state; queued counts those in the Queued state, offeredSkilled the
	// offered ones that require skills.
	offered        map[string]struct{}
	queued         int
	offeredSkilled int
	// offersDirty records that a member may have become eligible for
	// offers since the offered conversations were last decided.
	offersDirty bool
	// closed is set outside the group's business hours; hoursNext is when
	// that next changes (zero: never).
	closed    bool
	hoursNext time.Time
	// served holds the group's latest services, for the queue's
	// estimated wait (see servicerate.go).
	served serviceLog
}

func (v *View) newGroup(cfg GroupConfig) *group {
	g := &group{
		cfg:     cfg,
		limiter: policy.LimiterOf(cfg.Policy),
		queue:   queue.New(),
		members: map[string]*operator{},
		offered: map[string]struct{}{},
		skills:  map[string]*skillTrees{},
	}
	g.autoView = treeView{v: v, g: g, tree: &g.auto, auto: true}
	g.offerView = treeView{v: v, g: g, tree: &g.offer}
	return g
}

// canServe reports whether some member of the group could be given or
// offered a conversation now.
func (g *group) canServe() bool { return !g.closed && (g.auto.avail > 0 || g.offer.avail > 0) }

// isOnline reports the group's availability (P10): within business
// hours with at least one member who accepts new conversations.
func (g *group) isOnline() bool { return !g.closed && g.accepting > 0 }

// setHours works out, at now, whether the group is outside its business
// hours and when that next changes.
func (g *group) setHours(now time.Time) {
	h := g.cfg.Hours
	if h.Always() {
		g.closed, g.hoursNext = false, time.Time{}
		return
	}
	g.closed = !h.Open(now)
	g.hoursNext, _ = h.Next(now)
}

// allBusy reports whether the group has operators on shift who could
// receive conversations but every one of them is at cap (R5).
func (g *group) allBusy() bool {
	return !g.closed && g.accepting > 0 && g.auto.avail == 0 && g.offer.avail == 0
}

// group returns the group with the given id, or fails with ErrNotFound.
func (v *View) group(id string) (*group, error) {
	g := v.groups[id]
	if g == nil {
		return nil, fmt.Errorf("%w: group %q", store.ErrNotFound, id)
	}
	return g, nil
}

// AddGroup adds a group configured by cfg, with its business hours as
// they are at now. It fails with ErrAlreadyExists if the id is taken.
func (v *View) AddGroup(cfg GroupConfig, now time.Time) error {
	if v.groups[cfg.ID] != nil {
		return fmt.Errorf("%w: group %q", store.ErrAlreadyExists, cfg.ID)
	}
	g := v.newGroup(cfg)
	g.setHours(now)
	v.groups[cfg.ID] = g
	return nil
}

// HasGroup reports whether the view has group id.
func (v *View) HasGroup(id string) bool { return v.groups[id] != nil }

// Group returns the configuration of group id.
func (v *View) Group(id string) (GroupConfig, bool) {
	g := v.groups[id]
	if g == nil {
		return GroupConfig{}, false
	}
	return g.cfg, true
}

// GroupIDs returns the ids of the groups, sorted.
func (v *View) GroupIDs() []string { return slices.Sorted(maps.Keys(v.groups)) }

// CheckGroups fails with ErrNotFound for the first of ids that is not a
// group of the view.
func (v *View) CheckGroups(ids []string) error {
	for _, id := range ids {
		if _, err := v.group(id); err != nil {
			return err
		}
	}
	return nil
}

// UpdateGroup replaces the configuration of group cfg.ID, which it keeps
// (the caller's slices included), and returns the groups whose queues are
// to be routed again: the group's own, and those of the groups its members
// serve, since the policy may change their cap. A new policy decides from
// then on (R8): every member is indexed again under its limiter, and the
// offered conversations are to be decided again. The business hours are
// worked out again as they are at now; report the availability that may
// have flipped with AvailabilityEvents. Deadlines already set (accept
// timeouts, wait levels, relaxations, auto-close, waiting expiry) stay as
// they were: the new durations apply to those set from then on. It fails
// with ErrNotFound for an unknown group.
func (v *View) UpdateGroup(cfg GroupConfig, now time.Time) ([]string, error) {
	g, err := v.group(cfg.ID)
	if err != nil {
		return nil, err
	}
	g.cfg = cfg
	g.limiter = policy.LimiterOf(cfg.Policy)
	v.reindexGroup(g)
	g.offersDirty = true
	g.setHours(now)
	groups := []string{cfg.ID}
	for _, op := range g.members {
		groups = append(groups, op.row.Groups...)
	}
	return groups, nil
}

// RemoveGroup removes group id from the view. It fails with ErrNotFound
// for an unknown group, and with ErrGroupInUse, changing nothing, while
// the group is in use (see GroupInUse).
func (v *View) RemoveGroup(id string) error {
	if err := v.GroupInUse(id); err != nil {
		return err
	}
	delete(v.groups, id)
	return nil
}

// GroupInUse fails with ErrGroupInUse, naming one of them, while the view
// holds a conversation of group id (the view holds open ones only) or an
// operator who serves it, and with ErrNotFound for an unknown group.
func (v *View) GroupInUse(id string) error {
	g, err := v.group(id)
	if err != nil {
		return err
	}
	if len(g.members) > 0 {
		return store.GroupInUse(id, "", slices.Min(slices.Collect(maps.Keys(g.members))))
	}
	conv := ""
	for cid, cs := range v.convs {
		if cs.row.Group == id && (conv == "" || cid < conv) {
			conv = cid
		}
	}
	if conv != "" {
		return store.GroupInUse(id, conv, "")
	}
	return nil
}

// WaitingGroups appends to dst the groups of ids whose queue is not
// empty.
func (v *View) WaitingGroups(ids, dst []string) []string {
	for _, id := range ids {
		if g := v.groups[id]; g != nil && g.queue.Len() > 0 {
			dst = append(dst, id)
		}
	}
	return dst
}

// HasAvailable reports whether group id has a member below their cap
// whose status allows automatic assignment or offers.
func (v *View) HasAvailable(id string) bool {
	g := v.groups[id]
	return g != nil && (g.auto.avail > 0 || g.offer.avail > 0)
}

// HoldsSkill reports whether some operator of the view holds skill name,
// at any level. It looks at every operator: it is for checking a rule set,
// not for routing.
func (v *View) HoldsSkill(name string) bool {
	for _, op := range v.ops {
		if holdsSkill(op.row.Skills, name) {
			return true
		}
	}
	return false
}

// FirstWaitLevel returns the deadline of the first wait level of group
// id for a wait that starts at since, if the group has levels (L10).
func (v *View) FirstWaitLevel(id string, since time.Time) (store.Deadline, bool) {
	g := v.groups[id]
	if g == nil || len(g.cfg.WaitLevels) == 0 {
		return store.Deadline{}, false
	}
	return store.Deadline{Kind: store.WaitLevel, Due: since.Add(g.cfg.WaitLevels[0].After)}, true
}
