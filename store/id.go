package store

import (
	"fmt"
	"slices"
)

// MaxIDLength is the longest id, in bytes, that every Store and the router
// accept: the id of an operator, a conversation, a group or a customer,
// wherever it is given (a row's own id, a group it serves or belongs to,
// an assignee, an offer, a linked conversation, an id a read names, ...),
// and a conversation's channel.
// A longer id is refused with an error matching ErrInvalid before anything
// is read or changed, by the Validate methods of this package and by
// CheckID.
//
// 256 bytes hold any usual id (a UUID takes 36, an e-mail address at most
// 254) and keep every id well inside what every store can index and send:
// PostgreSQL cannot index a value of more than about 2,700 bytes, and its
// notifications, which carry ids (escaped as JSON, up to six bytes each),
// must stay below 8,000 bytes.
const MaxIDLength = 256

// CheckID returns nil if id can name an operator, a conversation, a group
// or a customer: it is not empty and at most MaxIDLength bytes long.
// Otherwise it returns an error matching ErrInvalid, with what naming the
// id ("operator id"). Stores check with it the id that a read or a
// deletion names; the Validate methods check the ids of rows and changes
// likewise.
func CheckID(what, id string) error {
	if id == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalid, what)
	}
	return CheckIDLength(what, id)
}

// CheckIDLength is CheckID for an id that may be empty (a customer id, the
// group of a Filter): it refuses only an id longer than MaxIDLength.
func CheckIDLength(what, id string) error {
	if len(id) > MaxIDLength {
		return tooLong(what, id)
	}
	return nil
}

// tooLong returns the error of an id longer than MaxIDLength, showing its
// start.
func tooLong(what, id string) error {
	return fmt.Errorf("%w: %s %.32q... is %d bytes long, more than MaxIDLength (%d)", ErrInvalid, what, id, len(id), MaxIDLength)
}

// longField returns the first of fields, given as pairs of a field's name
// and its id, whose id is longer than MaxIDLength.
func longField(fields ...string) (name, id string, ok bool) {
	for i := 0; i+1 < len(fields); i += 2 {
		if len(fields[i+1]) > MaxIDLength {
			return fields[i], fields[i+1], true
		}
	}
	return "", "", false
}

// longIn returns the index of the first id of ids longer than
// MaxIDLength.
func longIn(ids []string) (int, bool) {
	for i, id := range ids {
		if len(id) > MaxIDLength {
			return i, true
		}
	}
	return 0, false
}

// idFault is what is wrong with an id of a list (see firstBadID).
type idFault uint8

// The faults of an id of a list.
const (
	idOK idFault = iota
	// idEmpty: the id is empty.
	idEmpty
	// idLong: the id is longer than MaxIDLength.
	idLong
	// idRepeated: the id is listed before.
	idRepeated
)

// firstBadID returns the index of the first id of ids that is empty,
// longer than MaxIDLength or listed before, and what is wrong with it;
// idOK if none is. A long list is checked for repeats through a map,
// a short one (the usual case) without allocating.
func firstBadID(ids []string) (int, idFault) {
	var seen map[string]struct{}
	if len(ids) > 8 {
		seen = make(map[string]struct{}, len(ids))
	}
	for i, id := range ids {
		switch {
		case id == "":
			return i, idEmpty
		case len(id) > MaxIDLength:
			return i, idLong
		}
		dup := false
		if seen != nil {
			_, dup = seen[id]
			seen[id] = struct{}{}
		} else {
			dup = slices.Contains(ids[:i], id)
		}
		if dup {
			return i, idRepeated
		}
	}
	return 0, idOK
}
