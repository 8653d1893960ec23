package presence

import (
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// Sentinel errors. Each also matches the general store sentinel it wraps, so
// callers may test for either with errors.Is. Errors returned by this
// package wrap one of them and name the status or field concerned.
var (
	// ErrUnknownStatus reports a status name the model does not define.
	// It matches store.ErrNotFound.
	ErrUnknownStatus = fmt.Errorf("%w: unknown status", store.ErrNotFound)
	// ErrTransitionNotAllowed reports a status change the model's
	// transitions do not allow. It matches store.ErrNotAllowed.
	ErrTransitionNotAllowed = fmt.Errorf("%w: status transition not allowed", store.ErrNotAllowed)
	// ErrInvalidDefinition reports a Definition that New rejects; the
	// message names the bad field. It matches store.ErrInvalid.
	ErrInvalidDefinition = fmt.Errorf("%w: invalid status definition", store.ErrInvalid)
	// ErrInvalidHours reports business hours that Validate or ParseHours
	// rejects; the message names the bad field or text. It matches
	// store.ErrInvalid.
	ErrInvalidHours = fmt.Errorf("%w: invalid business hours", store.ErrInvalid)
	// ErrInvalidHistory reports a status history (intervals, dates, time
	// zone) that Model.Day or Model.Days rejects; the message names the bad
	// interval or argument. It matches store.ErrInvalid.
	ErrInvalidHistory = fmt.Errorf("%w: invalid status history", store.ErrInvalid)
)
