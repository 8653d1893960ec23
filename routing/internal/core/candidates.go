package core

import (
	"math"
	"slices"
	"time"

	"github.com/google/btree"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// candItem is an operator's place in a candidate tree. Its key fields are
// copied from the row when it is inserted, so the tree's order never changes
// under it. It holds no pointer (the operator is its ordinal in
// View.byOrd), so moving items within tree nodes is a plain memory copy
// the garbage collector need not watch.
type candItem struct {
	last int64
	load int32
	ord  uint32
}

// candLess orders candidates: lower load (pending assignments included),
// then earlier last assignment, then lower id (policy.Candidate.Before).
func (v *View) candLess(a, b candItem) bool {
	if a.load != b.load {
		return a.load < b.load
	}
	if a.last != b.last {
		return a.last < b.last
	}
	return v.byOrd[a.ord].row.ID < v.byOrd[b.ord].row.ID
}

// candTreeDegree keeps nodes a few cache lines wide; 32 measured as fast as
// or faster than 8, 16 and 64 for 1k–100k operators.
const candTreeDegree = 32

// candTree is one group's operators with one capability, in candidate
// order (policy.Candidate.Before). The counts are kept at every change; the
// tree itself is built the first time a policy walks it, so a group whose
// policy never walks it (a balanced group's offer tree, a broadcast group's
// automatic one) does not pay for keeping it ordered.
type candTree struct {
	t *btree.BTreeG[candItem]
	// n counts the members, avail those below their cap.
	n, avail int
}

func (t *candTree) insert(it candItem, below bool) {
	t.n++
	if below {
		t.avail++
	}
	if t.t != nil {
		t.t.ReplaceOrInsert(it)
	}
}

func (t *candTree) remove(it candItem, below bool) {
	t.n--
	if below {
		t.avail--
	}
	if t.t != nil {
		t.t.Delete(it)
	}
}

// statusInfo caches what the presence model says of one status.
type statusInfo struct {
	auto, offer, onShift bool
	onLastClose          string
}

// operator is the view of one operator.
type operator struct {
	row store.Operator
	// ord is the operator's index in View.byOrd.
	ord uint32
	// key is the operator's key in every candidate tree it is in.
	key candItem
	// inAuto and inOffer record which trees the operator was put in.
	inAuto, inOffer bool
	// held lists the conversations the operator holds (assigned or
	// waiting).
	held map[string]struct{}
	// mark is scratch space for duplicate checks (see View.markGen).
	mark uint64
	// cap is the cap policies see (see capAcross).
	cap int
	// lastActive is when the operator last showed activity, as far as
	// this router knows (see Touch).
	lastActive time.Time
	// fullVersion is the version of the last whole row absorbed,
	// loadVersion that of the last load (see view.go).
	fullVersion, loadVersion int64
	// shift delays the row's deadlines in the due index (see shiftOf).
	shift int64
	// pending counts the assignments to the operator decided by this
	// router and not yet stored (see reserve).
	pending int
	// changed is View.gen at the row's last change (see resync.go).
	changed uint64
	// reskilled says that the operator's skills changed since a scan last
	// found them holding no offer their skills no longer meet (see
	// staleOffers).
	reskilled bool
}

func newOperator(row store.Operator) *operator {
	return &operator{row: row, held: map[string]struct{}{}}
}

// candidate is what policies see of op. Its Cap is op's cap across all
// their groups (see capAcross), so that every group's policy and the
// store's atomic check agree on one number.
func (op *operator) candidate() policy.Candidate {
	r := &op.row
	return policy.Candidate{ID: r.ID, Status: r.Status, Load: r.Load, Pending: op.pending, Cap: op.cap, LastAssigned: r.LastAssigned, Skills: r.Skills}
}

// capAcross returns the cap of op: their own when set, else the lowest
// positive default of their groups' policies; zero when neither gives one.
// An operator serving several groups has one cap, whichever group's
// conversation they are given (R3, invariant 2).
func (v *View) capAcross(op *operator) int {
	if op.row.Cap > 0 {
		return op.row.Cap
	}
	lowest := 0
	for _, gid := range op.row.Groups {
		if g := v.groups[gid]; g != nil && g.limiter != nil {
			if c := g.limiter.Limit(policy.Candidate{ID: op.row.ID}); c > 0 && (lowest == 0 || c < lowest) {
				lowest = c
			}
		}
	}
	return lowest
}

// accepting reports whether the operator was indexed as able to receive
// new conversations in some way (automatic or offers).
func (op *operator) accepting() bool { return op.inAuto || op.inOffer }

// treeView is the read-only policy.Candidates a policy sees of one tree.
type treeView struct {
	v    *View
	g    *group
	tree *candTree
	auto bool
	// skill, when set, restricts the view to the holders of that skill
	// (see skillTrees).
	skill string
}

var _ policy.Candidates = treeView{}

func (v treeView) Len() int       { return v.tree.n }
func (v treeView) Available() int { return v.tree.avail }

func (v treeView) Ascend(fn func(policy.Candidate) bool) {
	if v.tree.t == nil {
		v.build()
	}
	v.tree.t.Ascend(func(it candItem) bool { return fn(v.v.byOrd[it.ord].candidate()) })
}

// build fills the tree from the group's members on first use.
func (v treeView) build() {
	t := btree.NewG(candTreeDegree, v.v.less)
	for _, op := range v.g.members {
		if v.has(op) {
			t.ReplaceOrInsert(op.key)
		}
	}
	v.tree.t = t
}

func (v treeView) has(op *operator) bool {
	in := op.inOffer
	if v.auto {
		in = op.inAuto
	}
	return in && (v.skill == "" || holdsSkill(op.row.Skills, v.skill))
}

func (v treeView) Get(id string) (policy.Candidate, bool) {
	op, ok := v.g.members[id]
	if !ok || !v.has(op) {
		return policy.Candidate{}, false
	}
	return op.candidate(), true
}

// status returns what the model says of status name (zero for an unknown
// one).
func (v *View) status(name string) statusInfo { return v.statuses[name] }

// index puts op into the trees of its groups that its status qualifies it
// for.
func (v *View) index(op *operator) {
	st := v.status(op.row.Status)
	op.key = keyOf(op)
	op.cap = v.capAcross(op)
	op.inAuto, op.inOffer = st.auto, st.offer
	v.place(op, 1)
}

// unindex takes op out of every tree index put it in.
func (v *View) unindex(op *operator) { v.place(op, -1) }

// place adds (dir 1) or removes (dir -1) op in its groups' indexes.
func (v *View) place(op *operator, dir int) {
	var cand policy.Candidate
	if op.accepting() {
		cand = op.candidate()
	}
	for _, gid := range op.row.Groups {
		g := v.groups[gid]
		if g == nil {
			continue
		}
		if dir > 0 {
			g.members[op.row.ID] = op
		} else {
			delete(g.members, op.row.ID)
		}
		if !op.accepting() {
			continue
		}
		g.accepting += dir
		below := policy.BelowCap(g.limiter, cand)
		op.placeIn(&g.auto, &g.offer, op.key, below, dir)
		v.placeSkills(g, op, op.row.Skills, op.key, below, dir)
		switch {
		case dir > 0 && op.inOffer && below:
			g.offersDirty = true
		case dir < 0 && op.inOffer:
			v.offerEpoch++
		}
	}
}

// placeIn adds (dir 1) or removes (dir -1) op, under key, in the trees of
// the capabilities they have: auto for automatic assignment, offer for
// offers. below says whether op is below their cap in the trees' group.
func (op *operator) placeIn(auto, offer *candTree, key candItem, below bool, dir int) {
	for _, t := range [2]struct {
		in   bool
		tree *candTree
	}{{op.inAuto, auto}, {op.inOffer, offer}} {
		switch {
		case !t.in:
		case dir > 0:
			t.tree.insert(key, below)
		default:
			t.tree.remove(key, below)
		}
	}
}

// rekey gives op the row row, which differs from op.row only in load, cap,
// skills or last assignment, and moves op to its new place in the trees of
// its groups.
func (v *View) rekey(op *operator, row store.Operator) {
	oldKey, oldCand := op.key, op.candidate()
	reskilled := !slices.Equal(oldCand.Skills, row.Skills)
	op.reskilled = op.reskilled || reskilled
	op.row = row
	op.key = keyOf(op)
	op.cap = v.capAcross(op)
	if !op.accepting() {
		return
	}
	cand := op.candidate()
	for _, gid := range op.row.Groups {
		g := v.groups[gid]
		if g == nil {
			continue
		}
		wasBelow, below := policy.BelowCap(g.limiter, oldCand), policy.BelowCap(g.limiter, cand)
		if op.inAuto {
			g.auto.move(oldKey, op.key, wasBelow, below)
		}
		v.placeSkills(g, op, oldCand.Skills, oldKey, wasBelow, -1)
		v.placeSkills(g, op, op.row.Skills, op.key, below, 1)
		if op.inOffer {
			g.offer.move(oldKey, op.key, wasBelow, below)
			switch {
			case below && !wasBelow:
				g.offersDirty = true
			case wasBelow && !below:
				v.offerEpoch++
			}
			if reskilled {
				// They may now be offered conversations they could not be,
				// and no longer hold offers they could.
				g.offersDirty = true
				v.offerEpoch++
			}
		}
	}
}

// move replaces key from by key to.
func (t *candTree) move(from, to candItem, wasBelow, below bool) {
	t.remove(from, wasBelow)
	t.insert(to, below)
}

func keyOf(op *operator) candItem {
	last := int64(math.MinInt64)
	if !op.row.LastAssigned.IsZero() {
		last = op.row.LastAssigned.UnixNano()
	}
	return candItem{load: int32(op.row.Load + op.pending), last: last, ord: op.ord}
}

// reindexGroup indexes every member of g again, after g's limiter changed:
// their caps (see capAcross) and every count that depends on them follow.
func (v *View) reindexGroup(g *group) {
	members := make([]*operator, 0, len(g.members))
	for _, op := range g.members {
		members = append(members, op)
	}
	for _, op := range members {
		v.unindex(op)
	}
	g.auto.t, g.offer.t = nil, nil // rebuilt on the next walk
	clear(g.skills)
	for _, op := range members {
		v.index(op)
	}
}
