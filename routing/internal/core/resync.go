package core

import (
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// Rows read fresh from the store. The view normally takes a row only when
// it is newer (by Version) than the one it holds, which keeps a late
// answer from undoing a fresher one. That rule is wrong after the store
// lost changes the view had seen: a database that crashes loses the
// transactions it had not yet flushed, and other Routers may have received
// their rows through the feed already. The database's row then has an
// older version than the view's (or the same version with other content,
// once someone writes the row again), and a row the database lost entirely
// stays in the view: a phantom, which at the head of a queue would make
// every attempt to route the queue fail.
//
// So a row read fresh from the store after a resync (or after the store
// refused a decision as stale) replaces the view's row whatever the
// versions, and a row the store no longer has leaves the view, unless the
// view's row changed while the store was being read: that change came from
// a write the store acknowledged meanwhile, and is newer than the read. The
// view tells by View.gen, which counts its changes, and the stamp of each
// row's last change. The Router reads Gen before it reads the store, and
// hands both to Resync or Refresh.

// Gen returns the count of the view's changes so far.
func (v *View) Gen() uint64 { return v.gen }

// Load fills an empty view with the rows read from the store at the
// Router's start. Activity before a restart is not known: every operator
// counts as active at now (see Touch). The Router has checked that every
// row's group is the view's and every status the model's.
func (v *View) Load(ops []store.Operator, convs []store.Conversation, now time.Time) {
	for _, o := range ops {
		v.absorbOperator(o, true).lastActive = now
	}
	for _, c := range convs {
		v.absorbConversation(c, true, now.UnixNano())
	}
	for _, g := range v.groups {
		g.online = g.isOnline()
	}
}

// Follow folds into the view the rows another Router's changes left in
// the store (through its change feed), by version, and returns the groups
// whose queues those changes may have made routable, sorted. The Router
// whose change flipped a group's availability reports it; this one only
// takes note. at is the time on the Router's own clock, in Unix
// nanoseconds.
func (v *View) Follow(rows store.Rows, at int64) []string {
	var groups []string
	for _, o := range rows.Operators {
		if !v.serves(o) {
			continue
		}
		v.absorbOperator(o, true)
		groups = append(groups, o.Groups...)
	}
	for _, id := range rows.GoneOperators {
		if op := v.ops[id]; op != nil {
			groups = append(groups, op.row.Groups...)
			v.forgetOperator(id)
		}
	}
	for _, c := range rows.Conversations {
		if v.groups[c.Group] == nil {
			continue
		}
		v.absorbConversation(c, true, at)
		if c.State.InQueue() {
			groups = append(groups, c.Group)
		}
	}
	slices.Sort(groups)
	groups = slices.Compact(groups)
	for _, id := range groups {
		if g := v.groups[id]; g != nil {
			g.online = g.isOnline()
		}
	}
	return groups
}

// Resync makes the view equal to the store's rows read since the view's
// Gen was start: ops are every operator, convs every open conversation
// and those of gone (conversations the view held open and the store does
// not) that the store still has. Rows the store no longer has are
// dropped, with their queue places, offers and held sets, unless they
// changed since start. The Router routes every group afterwards.
func (v *View) Resync(start uint64, ops []store.Operator, convs []store.Conversation, gone []string, at int64) {
	// The store's rows win over the closes seen before the read.
	v.tombs.DropUpTo(start)
	found := make(map[string]bool, len(ops))
	for _, o := range ops {
		found[o.ID] = true
		switch op := v.ops[o.ID]; {
		case v.serves(o):
			v.replaceOperator(o, start)
		case op != nil && op.changed <= start:
			// Moved to a group this Router does not serve.
			v.forgetOperator(o.ID)
		}
	}
	for id, op := range v.ops {
		if !found[id] && op.changed <= start {
			v.forgetOperator(id)
		}
	}
	clear(found)
	for _, c := range convs {
		found[c.ID] = true
		if v.groups[c.Group] != nil {
			v.replaceConversation(c, start, at)
		} else if cs := v.convs[c.ID]; cs != nil && cs.changed <= start {
			// Moved to a group this Router does not serve.
			v.forgetConversation(cs)
		}
	}
	for _, id := range gone {
		if cs := v.convs[id]; cs != nil && !found[id] && cs.changed <= start {
			v.forgetConversation(cs)
		}
	}
	for _, g := range v.groups {
		g.online = g.isOnline()
		g.offersDirty = true
	}
}

// Refresh puts rows re-read from the store, after it refused a decision as
// stale, in place of the view's, as Resync does for every row: conv, if
// not nil, and ops replace the view's rows; conversation convID when
// convGone and the operators goneOps, which the store does not have,
// leave the view; rows changed since start are absorbed by version
// instead.
func (v *View) Refresh(start uint64, conv *store.Conversation, convID string, convGone bool, ops []store.Operator, goneOps []string, at int64) {
	for _, o := range ops {
		v.replaceOperator(o, start)
	}
	for _, id := range goneOps {
		if op := v.ops[id]; op != nil && op.changed <= start {
			v.forgetOperator(id)
		}
	}
	if conv != nil {
		v.replaceConversation(*conv, start, at)
	}
	if cs := v.convs[convID]; convGone && cs != nil && cs.changed <= start {
		v.forgetConversation(cs)
	}
}

// replaceOperator puts row, read from the store when the view's gen was
// start, in place of the view's row of that operator, unless the view's
// row changed since start; then it is absorbed by version.
func (v *View) replaceOperator(row store.Operator, start uint64) {
	op := v.ops[row.ID]
	if op == nil || op.changed > start {
		v.absorbOperator(row, true)
		return
	}
	v.due.Drop(row.ID, true, op.row.Deadlines, op.shift)
	v.unindex(op)
	op.row = row
	op.fullVersion, op.loadVersion = row.Version, row.Version
	op.shift = v.shiftOf(true)
	v.index(op)
	v.due.Put(row.ID, true, row.Deadlines, op.shift)
	v.stamp(&op.changed)
}

// replaceConversation is replaceOperator for a conversation.
func (v *View) replaceConversation(row store.Conversation, start uint64, at int64) {
	cs := v.convs[row.ID]
	if cs == nil || cs.changed > start {
		v.absorbConversation(row, true, at)
		return
	}
	v.putConversation(row, true, true, at)
}

// forgetConversation drops cs, a conversation the store does not have, from
// the view.
func (v *View) forgetConversation(cs *conv) {
	v.detach(cs)
	v.stamp(nil)
	v.dropConversation(cs)
}
