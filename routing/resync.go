package routing

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// Resynchronising the view with the store: the rows read fresh replace
// the view's whatever their versions (see core.View.Resync for why, and
// for the rows that changed during the read).

// Resync makes the Router's view equal to its store: the groups are read
// again (see Config.Groups), rows the store no longer has are dropped, the store's rows replace the view's whatever
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
	if _, err := r.syncGroups(ctx, BySystem(CauseResync)); err != nil {
		return err
	}
	if err := r.resync(ctx); err != nil {
		return err
	}
	return r.pumpAll(ctx, BySystem(CauseResync))
}

// resync reads every operator and open conversation from the store, and the
// conversations of the view that are no longer open, and puts them in place
// of the view's rows. It routes nothing: the caller routes every group.
func (r *Router) resync(ctx context.Context) error {
	var start uint64
	var held []string
	r.inLock(func() { start, held = r.v.Gen(), r.v.ConversationIDs() })
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

	return r.locked(func() error {
		if !r.closed {
			r.v.Resync(start, ops, convs, gone, r.rawNow())
		}
		return nil
	})
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
