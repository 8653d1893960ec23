package server

import (
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
// a 500 whose message hides the details.
func (s *Server) refuseErr(w http.ResponseWriter, r *http.Request, err error) {
	for _, m := range errorStatuses {
		if errors.Is(err, m.err) {
			refuse(w, m.status, m.code, err.Error())
			return
		}
	}
	s.cfg.Logger.Error("helpdesk: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	refuse(w, http.StatusInternalServerError, "internal", "the help desk failed; try again")
}

// errorStatuses maps the library's and the desk's sentinels to answers,
// the more specific first.
var errorStatuses = []struct {
	err    error
	status int
	code   string
}{
	{desk.ErrBadLogin, http.StatusUnauthorized, "bad-login"},
	{desk.ErrNoSession, http.StatusUnauthorized, "no-session"},
	{desk.ErrExists, http.StatusConflict, "exists"},
	{desk.ErrNotFound, http.StatusNotFound, "not-found"},
	{desk.ErrInvalid, http.StatusBadRequest, "invalid"},
	{routing.ErrAlreadyTaken, http.StatusConflict, "already-taken"},
	{routing.ErrNotAssignee, http.StatusForbidden, "not-assignee"},
	{routing.ErrNotAllowed, http.StatusForbidden, "not-allowed"},
	{routing.ErrOverCapacity, http.StatusConflict, "over-capacity"},
	{routing.ErrWrongState, http.StatusConflict, "wrong-state"},
	{routing.ErrConflict, http.StatusConflict, "conflict"},
	{routing.ErrNotFound, http.StatusNotFound, "not-found"},
	{routing.ErrAlreadyExists, http.StatusConflict, "exists"},
	{routing.ErrInvalid, http.StatusBadRequest, "invalid"},
	{routing.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
}
