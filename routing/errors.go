package routing

import (
	"errors"
	"fmt"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// Errors returned by the Router. They are the store's sentinels,
// re-exported so that hosts need import only this package; every error a
// command returns matches one of them (or a presence error, which in turn
// matches one of them) with errors.Is.
var (
	ErrNotFound           = store.ErrNotFound
	ErrAlreadyExists      = store.ErrAlreadyExists
	ErrAlreadyTaken       = store.ErrAlreadyTaken
	ErrWrongState         = store.ErrWrongState
	ErrConflict           = store.ErrConflict
	ErrOverCapacity       = store.ErrOverCapacity
	ErrNotAllowed         = store.ErrNotAllowed
	ErrNotAssignee        = store.ErrNotAssignee
	ErrHoldsConversations = store.ErrHoldsConversations
	ErrInvalid            = store.ErrInvalid
	ErrClosed             = store.ErrClosed

	// ErrUnknownStatus reports a status name the presence model does not
	// define; it also matches ErrNotFound.
	ErrUnknownStatus = presence.ErrUnknownStatus
	// ErrTransitionNotAllowed reports a status change the presence model
	// forbids; it also matches ErrNotAllowed.
	ErrTransitionNotAllowed = presence.ErrTransitionNotAllowed
)

// ErrInvalidConfig reports a Config or Group that does not validate; it
// also matches ErrInvalid.
var ErrInvalidConfig = fmt.Errorf("%w: router config", store.ErrInvalid)

// retryable reports whether err means the router's view was stale: the
// decision should be taken again on fresh data.
func retryable(err error) bool {
	return errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrAlreadyTaken) ||
		errors.Is(err, store.ErrOverCapacity) || errors.Is(err, store.ErrNotAllowed) ||
		errors.Is(err, store.ErrWrongState) || errors.Is(err, store.ErrNotFound) ||
		errors.Is(err, store.ErrNotAssignee)
}
