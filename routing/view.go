package routing

import (
	"slices"

	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/store"
)

// The view: the router's in-memory copy of the rows the store returned. Rows
// are absorbed only when newer (by Version) than what the view holds, so a
// late result never overwrites a fresher one, except by a resync (see
// resync.go), which makes the view equal to the store. An operator's row changes in
// two ways: whole (status, groups, cap, skills, by SetStatus and
// UpdateOperator) and by its load alone (a conversation change reports a
// store.Load). The view keeps the version of each part, so that a load
// absorbed early does not make a status change absorbed late look stale.
// Every function here expects r.mu to be held.

// absorbOperator folds an operator row into the view and re-indexes it.
// remote says whether the row may have been written by another router
// (read from the store rather than returned by this router's own write):
// deadlines another router set are its to act on first.
func (r *Router) absorbOperator(row store.Operator, remote bool) *opState {
	op := r.ops[row.ID]
	if op != nil && row.Version > op.fullVersion && !slices.Equal(row.Deadlines, op.row.Deadlines) {
		r.due.Drop(row.ID, true, op.row.Deadlines, op.shift)
		op.shift = r.shiftOf(remote)
		r.due.Put(row.ID, true, row.Deadlines, op.shift)
	}
	if op == nil {
		shift := r.shiftOf(remote)
		r.due.Put(row.ID, true, row.Deadlines, shift)
		op = newOpState(row)
		op.shift = shift
		op.lastActive = row.StatusSince
		op.fullVersion, op.loadVersion = row.Version, row.Version
		if n := len(r.freeOrds); n > 0 {
			op.ord, r.freeOrds = r.freeOrds[n-1], r.freeOrds[:n-1]
			r.byOrd[op.ord] = op
		} else {
			op.ord = uint32(len(r.byOrd))
			r.byOrd = append(r.byOrd, op)
		}
		r.ops[row.ID] = op
		r.index(op)
		r.stamp(&op.changed)
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
	r.stamp(&op.changed)
	next.Version = max(op.fullVersion, op.loadVersion)
	if next.Status == op.row.Status && slices.Equal(next.Groups, op.row.Groups) {
		// Only load, cap, skills or last assignment changed: move the
		// operator within the trees it is in.
		r.rekey(op, next)
		return op
	}
	r.unindex(op)
	op.row = next
	r.index(op)
	return op
}

// forgetOperator drops a deleted operator from the view.
func (r *Router) forgetOperator(id string) {
	if op := r.ops[id]; op != nil {
		r.stamp(nil)
		r.due.Drop(id, true, op.row.Deadlines, op.shift)
		r.unindex(op)
		delete(r.ops, id)
		r.byOrd[op.ord] = nil
		r.freeOrds = append(r.freeOrds, op.ord)
	}
}

// absorbConversation folds a conversation row into the view: queues, held
// and offered sets follow its state. A closed conversation leaves the view.
// remote is as for absorbOperator.
func (r *Router) absorbConversation(row store.Conversation, remote bool) {
	r.putConversation(row, remote, false)
}

// putConversation is absorbConversation; force puts row in place of the
// view's whatever their versions (see resync.go).
func (r *Router) putConversation(row store.Conversation, remote, force bool) {
	cs := r.convs[row.ID]
	if cs == nil && r.tombs.Buries(row.ID, row.Version) {
		return // closed since (see tombstone.go)
	}
	shift := r.shiftOf(remote)
	if cs != nil {
		if row.Version <= cs.row.Version && !force {
			return
		}
		if slices.Equal(row.Deadlines, cs.row.Deadlines) {
			// Deadlines belong to whoever set them.
			shift = cs.shift
		}
		r.detach(cs)
	}
	r.stamp(nil)
	if row.State == store.Closed {
		r.tombs.Lay(row.ID, row.Version, r.gen, r.clock.Clock.Now().UnixNano())
		if cs != nil {
			r.dropConversation(cs)
		}
		return
	}
	if cs == nil {
		if n := len(r.spare); n > 0 {
			cs, r.spare = r.spare[n-1], r.spare[:n-1]
		} else {
			cs = &convState{}
		}
		r.convs[row.ID] = cs
	}
	cs.row, cs.shift = row, shift
	r.stamp(&cs.changed)
	r.attach(cs)
}

// dropConversation removes cs, detached, from the view.
func (r *Router) dropConversation(cs *convState) {
	delete(r.convs, cs.row.ID)
	if len(r.spare) < maxSpare {
		*cs = convState{}
		r.spare = append(r.spare, cs)
	}
}

// stamp records a change of the view: it advances Router.gen and, when
// changed is not nil, stamps a row's state with it (see resync.go).
func (r *Router) stamp(changed *uint64) {
	r.gen++
	if changed != nil {
		*changed = r.gen
	}
}

// shiftOf returns how long after their due time the deadlines of a row go
// off in this router: Takeover for a row another router may have written,
// when routers share the store (see Config.Takeover), and 0 otherwise.
func (r *Router) shiftOf(remote bool) int64 {
	if remote {
		return int64(r.takeover)
	}
	return 0
}

// maxSpare bounds Router.spare.
const maxSpare = 1024

// absorb folds a store result into the view.
func (r *Router) absorb(res store.Result) {
	r.absorbLoad(res.Released)
	r.absorbLoad(res.Gained)
	r.absorbConversation(res.Conversation, false)
}

// absorbLoad folds an operator's new load into the view, if newer.
func (r *Router) absorbLoad(l store.Load) {
	op := r.ops[l.Operator]
	if op == nil || l.Version <= op.loadVersion {
		return
	}
	row := op.row
	row.Load, row.LastAssigned = l.Load, l.LastAssigned
	op.loadVersion = l.Version
	row.Version = max(op.fullVersion, op.loadVersion)
	r.stamp(&op.changed)
	r.rekey(op, row)
}

func (r *Router) attach(cs *convState) {
	c := &cs.row
	r.indexDeadlines(cs)
	if c.State.InQueue() {
		if g := r.groups[c.Group]; g != nil {
			g.queue.Push(queue.Item{ID: c.ID, Priority: c.Priority, Arrival: c.EnqueuedAt, Seq: c.Seq})
		}
	}
	if c.State.Held() {
		if op := r.ops[c.Assignee]; op != nil {
			op.held[c.ID] = struct{}{}
		}
	}
	if g := r.groups[c.Group]; g != nil {
		switch c.State {
		case store.Offered:
			g.offered[c.ID] = struct{}{}
		case store.Queued:
			g.queued++
		}
	}
}

func (r *Router) detach(cs *convState) {
	c := &cs.row
	r.unindexDeadlines(cs)
	if c.State.InQueue() {
		if g := r.groups[c.Group]; g != nil {
			g.queue.Remove(c.ID)
		}
	}
	if c.State.Held() {
		if op := r.ops[c.Assignee]; op != nil {
			delete(op.held, c.ID)
		}
	}
	if g := r.groups[c.Group]; g != nil {
		switch c.State {
		case store.Offered:
			delete(g.offered, c.ID)
		case store.Queued:
			g.queued--
		}
	}
}

// availabilityEvents reports the groups whose availability flipped since
// last reported (P10), in group id order.
func (r *Router) availabilityEvents(groups []string, ev *events) {
	for _, id := range groups {
		g := r.groups[id]
		if g == nil {
			continue
		}
		if online := g.isOnline(); online != g.online {
			g.online = online
			if ev.wants(GroupAvailability) {
				ev.push(Event{Kind: GroupAvailability, Group: id, Online: online})
			}
		}
	}
}
