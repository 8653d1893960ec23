package store

import "errors"

// Sentinel errors. Every error returned by a Store, and by the router on top
// of it, matches one of these with errors.Is; the wrapping message names the
// operator, conversation or field concerned.
var (
	// ErrNotFound reports an unknown operator, conversation or group.
	ErrNotFound = errors.New("switchboard: not found")
	// ErrAlreadyExists reports an attempt to create an operator or a
	// conversation whose id is already taken.
	ErrAlreadyExists = errors.New("switchboard: already exists")
	// ErrAlreadyTaken reports that a conversation has already been assigned
	// to someone (for example, another operator took it first).
	ErrAlreadyTaken = errors.New("switchboard: conversation already taken")
	// ErrWrongState reports a command that does not apply to the
	// conversation's current state (closing a closed conversation, marking a
	// queued one as waiting, ...).
	ErrWrongState = errors.New("switchboard: conversation is not in a state that allows this")
	// ErrConflict reports that a row changed between the moment a decision
	// was taken and the moment it was applied (optimistic version check).
	// The caller should re-read and decide again.
	ErrConflict = errors.New("switchboard: row changed concurrently")
	// ErrOverCapacity reports that an operator is at or above their cap.
	ErrOverCapacity = errors.New("switchboard: operator at capacity")
	// ErrNotAllowed reports that an operator's status does not allow what
	// was asked (receiving a transfer, taking from the queue, ...), or that
	// the actor may not act on the conversation.
	ErrNotAllowed = errors.New("switchboard: not allowed")
	// ErrNotAssignee reports that an operator acted on a conversation
	// assigned to someone else (L11).
	ErrNotAssignee = errors.New("switchboard: conversation is assigned to another operator")
	// ErrHoldsConversations reports a status change or removal refused
	// because the operator still holds conversations (P8).
	ErrHoldsConversations = errors.New("switchboard: operator still holds conversations")
	// ErrGroupInUse reports the removal of a group refused because the
	// group still holds an open conversation (in any state but Closed) or
	// an operator still serves it: close or transfer its conversations
	// and move its operators first.
	ErrGroupInUse = errors.New("switchboard: group still holds conversations or operators")
	// ErrInvalid reports malformed input: an empty id or one longer than
	// MaxIDLength, a negative cap, an unknown state, a malformed rule.
	// Nothing is changed.
	ErrInvalid = errors.New("switchboard: invalid input")
	// ErrPruned reports a journal read from a point before the oldest
	// entry kept: the entries it asks for were pruned (see JournalPrune).
	ErrPruned = errors.New("switchboard: journal entries pruned")
	// ErrClosed reports use of a store or router after Close.
	ErrClosed = errors.New("switchboard: closed")
	// ErrUnavailable reports that the database could not be reached: no
	// connection to it could be made, so nothing was sent and nothing
	// changed. The call may be retried.
	ErrUnavailable = errors.New("switchboard: the database is unavailable")
	// ErrOutcomeUnknown reports a change that may or may not have been
	// stored: the connection to the database was lost, or the caller's
	// context ended, after its commit may have been sent. Read the rows
	// concerned before acting on it again.
	ErrOutcomeUnknown = errors.New("switchboard: the change may or may not have been stored")
)
