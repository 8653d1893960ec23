package routing

import (
	"context"
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
	// ErrNotFound: unknown operator, conversation, group or status.
	ErrNotFound = store.ErrNotFound
	// ErrAlreadyExists: the id of a new operator, conversation or group is
	// taken.
	ErrAlreadyExists = store.ErrAlreadyExists
	// ErrAlreadyTaken: someone else holds the conversation (R1).
	ErrAlreadyTaken = store.ErrAlreadyTaken
	// ErrWrongState: the command does not apply to the conversation's
	// state.
	ErrWrongState = store.ErrWrongState
	// ErrConflict: a row changed concurrently; the command may be retried.
	ErrConflict = store.ErrConflict
	// ErrOverCapacity: the operator is at their cap (R3, R4).
	ErrOverCapacity = store.ErrOverCapacity
	// ErrNotAllowed: the status or the actor does not allow the command.
	ErrNotAllowed = store.ErrNotAllowed
	// ErrNotAssignee: an operator acted on a conversation they do not hold
	// (L11).
	ErrNotAssignee = store.ErrNotAssignee
	// ErrHoldsConversations: a guarded status change or a removal refused
	// while the operator holds conversations (P8).
	ErrHoldsConversations = store.ErrHoldsConversations
	// ErrGroupInUse: a group's removal refused while it holds open
	// conversations or operators serve it (see RemoveGroup).
	ErrGroupInUse = store.ErrGroupInUse
	// ErrInvalid: malformed input (empty id, negative cap, ...).
	ErrInvalid = store.ErrInvalid
	// ErrClosed: the router (or its store) is stopped.
	ErrClosed = store.ErrClosed
	// ErrOutcomeUnknown: the command's change may or may not have been
	// stored (the connection to the database was lost, or the context
	// ended, after its commit may have been sent). The Router
	// resynchronises its view with the store; read the conversation or
	// operator before acting again.
	ErrOutcomeUnknown = store.ErrOutcomeUnknown
	// ErrUnavailable: the store's database could not be reached; nothing
	// was changed, and the command may be retried.
	ErrUnavailable = store.ErrUnavailable

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

// ErrLagged is the error of a subscription that fell behind and was
// ended with a Lagged marker (see Subscription.Err).
var ErrLagged = errors.New("routing: subscription lagged")

// ErrPruned reports a Resume from before the oldest event the journal
// keeps; the message names the oldest.
var ErrPruned = store.ErrPruned

// ErrFutureSeq reports a Resume from beyond the newest event the journal
// holds; the message names the newest.
var ErrFutureSeq = errors.New("routing: sequence beyond the newest event")

// ErrFollowUp marks an error in the routing that follows a command whose own
// change is already stored: the queue pumped after a close, offers withdrawn
// after a status change, conversations redistributed after an end of shift.
// The command must not be retried; what failed is retried on the next
// trigger, and nothing is lost (the conversations concerned stay queued).
var ErrFollowUp = errors.New("switchboard: the command's change is stored, but the routing that follows it failed")

// followUp wraps err, if any, with ErrFollowUp.
func followUp(err error) error {
	if err == nil || errors.Is(err, ErrFollowUp) {
		return err
	}
	return followUpError{err}
}

// followUpError is the error of a command whose change is stored and whose
// follow-up failed. It matches ErrFollowUp, and its cause only when the
// cause cannot be read as saying that the command's own change was not
// made: a refusal of the store (ErrNotFound, ErrConflict, ...), ErrClosed
// or the context's end concern the follow-up, and matching them would tell
// the caller that the command failed.
type followUpError struct{ cause error }

func (e followUpError) Error() string { return ErrFollowUp.Error() + ": " + e.cause.Error() }

func (e followUpError) Unwrap() []error {
	if refusal(e.cause) {
		return []error{ErrFollowUp}
	}
	return []error{ErrFollowUp, e.cause}
}

// refusals are the errors that say a command did not take effect, or may
// not have.
var refusals = []error{
	store.ErrOutcomeUnknown, store.ErrUnavailable, store.ErrClosed, store.ErrInvalid, store.ErrNotFound, store.ErrAlreadyExists, store.ErrAlreadyTaken,
	store.ErrWrongState, store.ErrConflict, store.ErrOverCapacity, store.ErrNotAllowed,
	store.ErrNotAssignee, store.ErrHoldsConversations, store.ErrGroupInUse, context.Canceled, context.DeadlineExceeded,
}

// refusal reports whether err matches one of refusals.
func refusal(err error) bool {
	for _, r := range refusals {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}
