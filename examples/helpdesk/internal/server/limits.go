package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// maxBody is the largest request body read: room for a message of
// desk.MaxBody bytes, escaped, and the rule set a supervisor edits.
const maxBody = 64 << 10

// decode reads r's JSON body into v, refusing a body too large (413),
// malformed JSON or unknown fields (400); it reports whether it did.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		refuse(w, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the body is over %d bytes", tooLarge.Limit))
		return false
	case err != nil:
		refuse(w, http.StatusBadRequest, "bad-json", "the body is not the JSON expected: "+err.Error())
		return false
	case dec.More():
		refuse(w, http.StatusBadRequest, "bad-json", "the body holds more than one JSON value")
		return false
	}
	return true
}
