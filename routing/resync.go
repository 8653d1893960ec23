package routing

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// Resynchronising the view with the store. The view normally takes a row
// only when it is newer (by Version) than the one it holds, which keeps a
// late answer from undoing a fresher one. That rule is wrong after the store
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
// view tells by Router.gen, which counts its changes, and the stamp of
// each row's last change.

// Resync makes the Router's view equal to its store: rows the store no
// longer has are dropped, the store's rows replace the view's whatever
// their versions, reservations and offers built on dropped rows go with
// them, and every queue is routed again. A Router on a shared store (see
// Config.Takeover) resynchronises by itself whenever its change feed
// reconnects; Resync is for a host that knows the store lost changes (it
// was restored from a backup, say). The events of the routing that follows
// carry BySystem(CauseResync).
//
// It fails with ErrClosed after Stop, and with the store's error if the
// store cannot be read (the view is then left as it was).
func (r *Router) Resync(ctx context.Context) error {
	end, err := r.begin()
	if err != nil {
		return err
	}
	defer end()
	if err := r.resync(ctx); err != nil {
		return err
	}
	return r.pumpAll(ctx, BySystem(CauseResync))
}

// resync reads every operator and open conversation from the store, and the
// conversations of the view that are no longer open, and puts them in place
// of the view's rows. It routes nothing: the caller routes every group.
func (r *Router) resync(ctx context.Context) error {
	r.mu.Lock()
	start := r.gen
	held := make([]string, 0, len(r.convs))
	for id := range r.convs {
		held = append(held, id)
	}
	r.mu.Unlock()
	ops, err := r.store.Operators(ctx)
	if err != nil {
		return fmt.Errorf("routing: resync: %w", err)
	}
	convs, err := r.store.Conversations(ctx, store.Filter{States: openStates})
	if err != nil {
		return fmt.Errorf("routing: resync: %w", err)
	}
	open := make(map[string]bool, len(convs))
	for _, c := range convs {
		open[c.ID] = true
	}
	var gone []string
	for _, id := range held {
		if !open[id] {
			gone = append(gone, id)
		}
	}
	// Conversations the view holds open and the store does not: closed
	// meanwhile, or lost.
	more, err := r.readConversations(ctx, gone)
	if err != nil {
		return fmt.Errorf("routing: resync: %w", err)
	}
	convs = append(convs, more...)

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	// The store's rows win over the closes seen before the read.
	r.tombs.DropUpTo(start)
	found := make(map[string]bool, len(ops))
	for _, o := range ops {
		found[o.ID] = true
		switch op := r.ops[o.ID]; {
		case r.serves(o):
			r.replaceOperator(o, start)
		case op != nil && op.changed <= start:
			// Moved to a group this Router does not serve.
			r.forgetOperator(o.ID)
		}
	}
	for id, op := range r.ops {
		if !found[id] && op.changed <= start {
			r.forgetOperator(id)
		}
	}
	clear(found)
	for _, c := range convs {
		found[c.ID] = true
		if r.groups[c.Group] != nil {
			r.replaceConversation(c, start)
		} else if cs := r.convs[c.ID]; cs != nil && cs.changed <= start {
			// Moved to a group this Router does not serve.
			r.forgetConversation(cs)
		}
	}
	for _, id := range gone {
		if cs := r.convs[id]; cs != nil && !found[id] && cs.changed <= start {
			r.forgetConversation(cs)
		}
	}
	for _, g := range r.groups {
		g.online = g.isOnline()
		g.offersDirty = true
	}
	return nil
}

// readConversations returns the rows of the conversations ids that the
// store has, leaving out those it does not.
func (r *Router) readConversations(ctx context.Context, ids []string) ([]store.Conversation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if r.feed != nil {
		rows, err := r.feed.Rows(ctx, store.Notice{Conversations: ids})
		return rows.Conversations, err
	}
	var out []store.Conversation
	for _, id := range ids {
		c, err := r.store.Conversation(ctx, id)
		switch {
		case err == nil:
			out = append(out, c)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	return out, nil
}

// replaceOperator puts row, read from the store when the view's gen was
// start, in place of the view's row of that operator, unless the view's
// row changed since start; then it is absorbed by version. Caller holds
// r.mu.
func (r *Router) replaceOperator(row store.Operator, start uint64) {
	op := r.ops[row.ID]
	if op == nil || op.changed > start {
		r.absorbOperator(row, true)
		return
	}
	r.due.Drop(row.ID, true, op.row.Deadlines, op.shift)
	r.unindex(op)
	op.row = row
	op.fullVersion, op.loadVersion = row.Version, row.Version
	op.shift = r.shiftOf(true)
	r.index(op)
	r.due.Put(row.ID, true, row.Deadlines, op.shift)
	r.stamp(&op.changed)
}

// replaceConversation is replaceOperator for a conversation. Caller holds
// r.mu.
func (r *Router) replaceConversation(row store.Conversation, start uint64) {
	cs := r.convs[row.ID]
	if cs == nil || cs.changed > start {
		r.absorbConversation(row, true)
		return
	}
	r.putConversation(row, true, true)
}

// forgetConversation drops cs, a conversation the store does not have, from
// the view. Caller holds r.mu.
func (r *Router) forgetConversation(cs *convState) {
	r.detach(cs)
	r.stamp(nil)
	r.dropConversation(cs)
}
