package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing"
)

// apiError is the body of every refusal.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// refuse answers a refusal: status, a code a client can test, and a
// message for people.
func refuse(w http.ResponseWriter, status int, code, message string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, message
	writeJSON(w, status, e)
}

// refuseErr answers err, a refusal of the Router or the desk, with the
// status that says what it is; anything else is logged and answered with
// a 500 whose message hides the details. A refusal that names who holds a
// conversation is answered with a fixed message, so that an operator does
// not learn who holds another's.
func (s *Server) refuseErr(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		refuse(w, 499, "canceled", "the request was canceled") // nobody reads it
		return
	}
	for _, m := range errorStatuses {
		if errors.Is(err, m.err) {
			message := m.message
			if message == "" {
				message = err.Error()
			}
			refuse(w, m.status, m.code, message)
			return
		}
	}
	s.cfg.Logger.Error("helpdesk: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	refuse(w, http.StatusInternalServerError, "internal", "the help desk failed; try again")
}

// errorStatuses maps the library's and the desk's sentinels to answers,
// the more specific first; a message replaces the error's own text.
var errorStatuses = []struct {
	err     error
	status  int
	code    string
	message string
}{
	{desk.ErrBadLogin, http.StatusUnauthorized, "bad-login", ""},
	{desk.ErrNoSession, http.StatusUnauthorized, "no-session", ""},
	{desk.ErrExists, http.StatusConflict, "exists", ""},
	{desk.ErrNotFound, http.StatusNotFound, "not-found", ""},
	{desk.ErrInvalid, http.StatusBadRequest, "invalid", ""},
	{routing.ErrAlreadyTaken, http.StatusConflict, "already-taken", "someone else holds this conversation"},
	{routing.ErrNotAssignee, http.StatusForbidden, "not-assignee", "this conversation is not yours"},
	{routing.ErrHoldsConversations, http.StatusConflict, "holds-conversations", ""},
	{routing.ErrNotAllowed, http.StatusForbidden, "not-allowed", ""},
	{routing.ErrOverCapacity, http.StatusConflict, "over-capacity", ""},
	{routing.ErrWrongState, http.StatusConflict, "wrong-state", ""},
	{routing.ErrConflict, http.StatusConflict, "conflict", ""},
	{routing.ErrNotFound, http.StatusNotFound, "not-found", ""},
	{routing.ErrAlreadyExists, http.StatusConflict, "exists", ""},
	{routing.ErrInvalid, http.StatusBadRequest, "invalid", ""},
	{routing.ErrOutcomeUnknown, http.StatusServiceUnavailable, "outcome-unknown", "the help desk could not tell whether that was done; reload and check"},
	{routing.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "the help desk's database is unavailable; try again"},
	{routing.ErrClosed, http.StatusServiceUnavailable, "unavailable", "the help desk is shutting down; try again"},
}

// done reports whether err, a command's, leaves its change made: nil, or
// a follow-up error (what the command set off failed), which is logged.
func (s *Server) done(r *http.Request, err error) bool {
	if errors.Is(err, routing.ErrFollowUp) {
		s.cfg.Logger.Warn("helpdesk: routing after a command failed", "method", r.Method, "path", r.URL.Path, "err", err)
		return true
	}
	return err == nil
}
