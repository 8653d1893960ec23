package core

import (
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/store"
)

// View is the Router's in-memory copy of the rows its store returned, and
// everything derived from them: each group's candidate trees and queue,
// the operators' held sets and reservations, the due index and the
// tombstones. It is a single-threaded state machine: the Router holds
// its lock around every call, and passes the time in. Make it with
// NewView.
type View struct {
	model *presence.Model
	// statuses caches what the model says of each status; autoStatuses
	// and offerStatuses name the statuses with each capability, for the
	// store's atomic checks.
	statuses                    map[string]statusInfo
	autoStatuses, offerStatuses []string

	groups  map[string]*group
	ops     map[string]*operator
	convs   map[string]*conv
	markGen uint64
	// gen counts the changes of the view's rows; each row's state records
	// the count at its last change (see resync.go).
	gen uint64
	// tombs keeps the closing versions of recently closed conversations
	// (see tombstone.go).
	tombs Tombstones
	// byOrd holds every operator at its ordinal (see candItem); freeOrds
	// the ordinals of removed operators, for reuse. less is candLess,
	// bound once.
	byOrd    []*operator
	freeOrds []uint32
	less     func(a, b candItem) bool
	// offerEpoch counts the times an operator lost eligibility for offers
	// somewhere (see staleOfferees).
	offerEpoch uint64
	// due indexes the open conversations' and operators' deadlines.
	due DueIndex
	// list indexes the open conversations for listing (see listing.go).
	list listing
	// unheld holds, by assignee, the conversations held by operators the
	// view does not hold (removed from it, or of groups it does not
	// serve), so that an operator who comes back into the view gets them
	// back in their held set.
	unheld map[string]map[string]struct{}
	// spare holds the states of closed conversations for reuse, so that
	// a steady flow of conversations does not allocate one each.
	spare []*conv
	// takeover delays, in nanoseconds, the deadlines of rows another
	// Router may have written (see shiftOf).
	takeover int64
}

// conv is the view of one open conversation.
type conv struct {
	row store.Conversation
	// shift delays the row's deadlines in the due index (see shiftOf).
	shift int64
	// changed is View.gen at the row's last change.
	changed uint64
}

// NewView returns an empty view for operators of presence model m.
// indexed, if not nil, is called whenever deadlines enter the due index:
// an earlier deadline than the one awaited may have arrived.
func NewView(m *presence.Model, indexed func()) *View {
	v := &View{
		model:         m,
		statuses:      map[string]statusInfo{},
		autoStatuses:  m.With(presence.AutoAssign),
		offerStatuses: m.With(presence.QueueTake),
		groups:        map[string]*group{},
		ops:           map[string]*operator{},
		convs:         map[string]*conv{},
		due:           NewDueIndex(indexed),
		list:          newListing(),
		unheld:        map[string]map[string]struct{}{},
	}
	for _, s := range m.Statuses() {
		v.statuses[s.Name] = statusInfo{
			auto: s.Capabilities.Has(presence.AutoAssign), offer: s.Capabilities.Has(presence.QueueTake),
			onShift: s.OnShift(), onLastClose: s.OnLastClose,
		}
	}
	v.less = v.candLess
	return v
}

// SetTakeover sets how long after their due time the deadlines of rows
// another Router may have written go off in this one (Config.Takeover,
// with a shared store).
func (v *View) SetTakeover(d time.Duration) { v.takeover = int64(d) }

// The view is the Router's in-memory copy of the rows the store returned. Rows
// are absorbed only when newer (by Version) than what the view holds, so a
// late result never overwrites a fresher one, except by a resync (see
// resync.go), which makes the view equal to the store. An operator's row changes in
// two ways: whole (status, groups, cap, skills, by SetStatus and
// UpdateOperator) and by its load alone (a conversation change reports a
// store.Load). The view keeps the version of each part, so that a load
// absorbed early does not make a status change absorbed late look stale.

// absorbOperator folds an operator row into the view and re-indexes it.
// remote says whether the row may have been written by another router
// (read from the store rather than returned by this router's own write):
// deadlines another router set are its to act on first.
func (v *View) absorbOperator(row store.Operator, remote bool) *operator {
	op := v.ops[row.ID]
	if op != nil && row.Version > op.fullVersion && !slices.Equal(row.Deadlines, op.row.Deadlines) {
		v.due.Drop(row.ID, true, op.row.Deadlines, op.shift)
		op.shift = v.shiftOf(remote)
		v.due.Put(row.ID, true, row.Deadlines, op.shift)
	}
	if op == nil {
		shift := v.shiftOf(remote)
		v.due.Put(row.ID, true, row.Deadlines, shift)
		op = newOperator(row)
		if held := v.unheld[row.ID]; held != nil {
			// Conversations the view kept while it did not hold them.
			op.held = held
			delete(v.unheld, row.ID)
		}
		op.shift = shift
		op.lastActive = row.StatusSince
		op.fullVersion, op.loadVersion = row.Version, row.Version
		if n := len(v.freeOrds); n > 0 {
			op.ord, v.freeOrds = v.freeOrds[n-1], v.freeOrds[:n-1]
			v.byOrd[op.ord] = op
		} else {
			op.ord = uint32(len(v.byOrd))
			v.byOrd = append(v.byOrd, op)
		}
		v.ops[row.ID] = op
		v.index(op)
		v.stamp(&op.changed)
		return op
	}
	next := op.row
	changed := false
	if row.Version > op.fullVersion {
		next.Groups, next.Cap, next.Skills = row.Groups, row.Cap, row.Skills
		next.Status, next.StatusSince = row.Status, row.StatusSince
		next.Deadlines = row.Deadlines
		op.fullVersion, changed = row.Version, true
	}
	if row.Version > op.loadVersion {
		next.Load, next.LastAssigned = row.Load, row.LastAssigned
		op.loadVersion, changed = row.Version, true
	}
	if !changed {
		return op
	}
	v.stamp(&op.changed)
	next.Version = max(op.fullVersion, op.loadVersion)
	if next.Status == op.row.Status && slices.Equal(next.Groups, op.row.Groups) {
		// Only load, cap, skills or last assignment changed: move the
		// operator within the trees it is in.
		v.rekey(op, next)
		return op
	}
	v.unindex(op)
	op.row = next
	v.index(op)
	return op
}

// forgetOperator drops a deleted operator from the view.
func (v *View) forgetOperator(id string) {
	if op := v.ops[id]; op != nil {
		v.stamp(nil)
		v.due.Drop(id, true, op.row.Deadlines, op.shift)
		v.unindex(op)
		if len(op.held) > 0 {
			v.unheld[id] = op.held
		}
		delete(v.ops, id)
		v.byOrd[op.ord] = nil
		v.freeOrds = append(v.freeOrds, op.ord)
	}
}

// absorbConversation folds a conversation row into the view: queues, held
// and offered sets follow its state. A closed conversation leaves the view.
// remote is as for absorbOperator; now is the time on the Router's
// own clock, in Unix nanoseconds, for the tombstone of a closed one.
func (v *View) absorbConversation(row store.Conversation, remote bool, now int64) {
	v.putConversation(row, remote, false, now)
}

// putConversation is absorbConversation; force puts row in place of the
// view's whatever their versions (see resync.go).
func (v *View) putConversation(row store.Conversation, remote, force bool, now int64) {
	cs := v.convs[row.ID]
	if cs == nil && v.tombs.Buries(row.ID, row.Version) {
		return // closed since (see tombstone.go)
	}
	shift := v.shiftOf(remote)
	var old listEntry
	if cs != nil {
		if row.Version <= cs.row.Version && !force {
			return
		}
		if slices.Equal(row.Deadlines, cs.row.Deadlines) {
			// Deadlines belong to whoever set them.
			shift = cs.shift
		}
		v.detach(cs)
		old = entryOf(&cs.row)
		v.served(&cs.row, &row, now)
	}
	v.stamp(nil)
	if row.State == store.Closed {
		v.tombs.Lay(row.ID, row.Version, v.gen, now)
		if cs != nil {
			v.dropConversation(cs)
		}
		return
	}
	if cs == nil {
		if n := len(v.spare); n > 0 {
			cs, v.spare = v.spare[n-1], v.spare[:n-1]
		} else {
			cs = &conv{}
		}
		v.convs[row.ID] = cs
	}
	cs.row, cs.shift = row, shift
	v.stamp(&cs.changed)
	v.attach(cs)
	v.list.relist(old, entryOf(&cs.row))
}

// dropConversation removes cs, detached, from the view.
func (v *View) dropConversation(cs *conv) {
	v.list.unlist(entryOf(&cs.row))
	delete(v.convs, cs.row.ID)
	if len(v.spare) < maxSpare {
		*cs = conv{}
		v.spare = append(v.spare, cs)
	}
}

// stamp records a change of the view: it advances View.gen and, when
// changed is not nil, stamps a row's state with it (see resync.go).
func (v *View) stamp(changed *uint64) {
	v.gen++
	if changed != nil {
		*changed = v.gen
	}
}

// shiftOf returns how long after their due time the deadlines of a row go
// off in this router: Takeover for a row another router may have written,
// when routers share the store (see Config.Takeover), and 0 otherwise.
func (v *View) shiftOf(remote bool) int64 {
	if remote {
		return v.takeover
	}
	return 0
}

// maxSpare bounds View.spare.
const maxSpare = 1024

// absorb folds a store result into the view.
func (v *View) absorb(res store.Result, now int64) {
	v.absorbLoad(res.Released)
	v.absorbLoad(res.Gained)
	v.absorbConversation(res.Conversation, false, now)
}

// absorbLoad folds an operator's new load into the view, if newer.
func (v *View) absorbLoad(l store.Load) {
	op := v.ops[l.Operator]
	if op == nil || l.Version <= op.loadVersion {
		return
	}
	row := op.row
	row.Load, row.LastAssigned = l.Load, l.LastAssigned
	op.loadVersion = l.Version
	row.Version = max(op.fullVersion, op.loadVersion)
	v.stamp(&op.changed)
	v.rekey(op, row)
}

func (v *View) attach(cs *conv) {
	c := &cs.row
	v.indexDeadlines(cs)
	if c.State.InQueue() {
		if g := v.groups[c.Group]; g != nil {
			g.queue.Push(queue.Item{ID: c.ID, Priority: c.Priority, Arrival: c.EnqueuedAt, Seq: c.Seq})
		}
	}
	if c.State.Held() {
		if op := v.ops[c.Assignee]; op != nil {
			op.held[c.ID] = struct{}{}
		} else {
			v.holdUnheld(c)
		}
	}
	if g := v.groups[c.Group]; g != nil {
		switch c.State {
		case store.Offered:
			g.offered[c.ID] = struct{}{}
			if len(c.Skills) > 0 {
				g.offeredSkilled++
			}
		case store.Queued:
			g.queued++
		}
	}
}

func (v *View) detach(cs *conv) {
	c := &cs.row
	v.unindexDeadlines(cs)
	if c.State.InQueue() {
		if g := v.groups[c.Group]; g != nil {
			g.queue.Remove(c.ID)
		}
	}
	if c.State.Held() {
		if op := v.ops[c.Assignee]; op != nil {
			delete(op.held, c.ID)
		} else if held := v.unheld[c.Assignee]; held != nil {
			delete(held, c.ID)
			if len(held) == 0 {
				delete(v.unheld, c.Assignee)
			}
		}
	}
	if g := v.groups[c.Group]; g != nil {
		switch c.State {
		case store.Offered:
			delete(g.offered, c.ID)
			if len(c.Skills) > 0 {
				g.offeredSkilled--
			}
		case store.Queued:
			g.queued--
		}
	}
}

// AvailabilityEvents reports the groups whose availability flipped since
// last reported (P10), in the order given.
func (v *View) AvailabilityEvents(groups []string, ev *Events) {
	for _, id := range groups {
		g := v.groups[id]
		if g == nil {
			continue
		}
		if online := g.isOnline(); online != g.online {
			g.online = online
			if ev.Wants(GroupAvailability) {
				ev.Push(Event{Kind: GroupAvailability, Group: id, Online: online})
			}
		}
	}
}

// indexDeadlines puts the deadlines of cs in the due index.
func (v *View) indexDeadlines(cs *conv) { v.due.Put(cs.row.ID, false, cs.row.Deadlines, cs.shift) }

// unindexDeadlines takes the deadlines of cs out of the due index.
func (v *View) unindexDeadlines(cs *conv) { v.due.Drop(cs.row.ID, false, cs.row.Deadlines, cs.shift) }

// holdUnheld records held conversation c, whose assignee the view does
// not hold, in View.unheld.
func (v *View) holdUnheld(c *store.Conversation) {
	held := v.unheld[c.Assignee]
	if held == nil {
		held = map[string]struct{}{}
		v.unheld[c.Assignee] = held
	}
	held[c.ID] = struct{}{}
}
