package routing

import (
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// The one rule for a decision the store refused as stale. A decision is
// taken on the Router's view, and the store applies it only on condition
// that the rows it rests on are as the view had them; when they are not,
// the store refuses it (ErrConflict, ErrAlreadyTaken, ErrOverCapacity,
// ...), the Router re-reads the rows concerned (refresh), and the work is
// decided again on them, up to maxAttempts times. Past that the work is
// given up with an error that says the view kept changing; what it was
// about stays as stored (a conversation stays queued, never lost) and is
// done on the next trigger. Every step of a command applies the rule
// (see step.go); a new conversation refused maxAttempts times is stored
// queued (core.ReasonViewChanging). The deadline loop applies it to its
// round: a deadline whose row changed under it is read again.

// maxAttempts bounds how often one piece of work is decided again after
// the store refused it as stale.
const maxAttempts = 16

// attempts counts the stale refusals of one piece of work.
type attempts struct{ refused int }

// again counts a refusal of the work and reports whether it is to be
// decided again: stale says the refusal came from a stale view, and the
// work has been refused fewer than maxAttempts times.
func (a *attempts) again(stale bool) bool {
	if !stale || a.refused >= maxAttempts {
		return false
	}
	a.refused++
	return true
}

// fail returns the error of work given up after the store refused it with
// err: err itself, wrapped with what kept changing when the refusal was a
// stale one.
func (a *attempts) fail(err error, what string) error {
	if retryable(err) {
		return fmt.Errorf("routing: %s kept changing while it was being routed: %w", what, err)
	}
	return err
}

// retryable reports whether err means the router's view was stale: the
// decision should be taken again on fresh data.
func retryable(err error) bool {
	return errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrAlreadyTaken) ||
		errors.Is(err, store.ErrOverCapacity) || errors.Is(err, store.ErrNotAllowed) ||
		errors.Is(err, store.ErrWrongState) || errors.Is(err, store.ErrNotFound) ||
		errors.Is(err, store.ErrNotAssignee)
}
