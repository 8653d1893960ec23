package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
)

// maxBody is the largest request body read: room for a message of
// desk.MaxBody bytes, escaped, and the rule set a supervisor edits.
const maxBody = 64 << 10

// decode reads r's JSON body into v, refusing a body that is not
// declared application/json (415: a cross-site form cannot send it
// without the browser asking the server first), too large (413), or
// malformed, with unknown fields or anything after its one value (400);
// it reports whether it did.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if !jsonBody(w, r) {
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, end := dec.Token(); end != io.EOF {
			err = errors.New("more than one JSON value")
			if errors.As(end, new(*http.MaxBytesError)) {
				err = end
			}
		}
	}
	switch {
	case tooLarge(w, err):
		return false
	case err != nil:
		refuse(w, http.StatusBadRequest, "bad-json", "the body is not the JSON expected: "+err.Error())
		return false
	}
	return true
}

// jsonBody refuses (415) a body not declared application/json, and
// reports whether r's is.
func jsonBody(w http.ResponseWriter, r *http.Request) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		refuse(w, http.StatusUnsupportedMediaType, "not-json", "the body must be application/json")
		return false
	}
	return true
}

// tooLarge answers 413 if err says the body was over maxBody, and reports
// whether it did.
func tooLarge(w http.ResponseWriter, err error) bool {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		refuse(w, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the body is over %d bytes", big.Limit))
		return true
	}
	return false
}

// parseSmallInt parses s, a decimal integer from lo to hi.
func parseSmallInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("want a whole number from %d to %d", lo, hi)
	}
	return n, nil
}
