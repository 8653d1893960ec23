package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// reader reads a JSON document token by token, so that every fault is
// found in document order and named by its path. It never skips a value:
// a value it does not expect is a fault, reported at once.
type reader struct{ dec *json.Decoder }

func newReader(data []byte) *reader {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return &reader{dec: dec}
}

// token reads the next token of the value at path.
func (r *reader) token(path string) (json.Token, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, badJSON(path, err)
	}
	return tok, nil
}

// badJSON returns the error of a document that is not JSON.
func badJSON(path string, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &Error{Path: path, Msg: fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se), Err: err}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fault(path, "invalid JSON: unexpected end of input")
	}
	return &Error{Path: path, Msg: "invalid JSON: " + err.Error(), Err: err}
}

// kind names the JSON kind of a value's first token.
func kind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// wrongType returns the error of a value at path of the wrong kind.
func wrongType(path, want string, tok json.Token) error {
	what := "must be"
	if path == "" {
		what = "a rule set must be"
	}
	return fault(path, fmt.Sprintf("%s %s, not %s", what, want, kind(tok)))
}

// object reads an object at path, calling field for each key in order with
// the key's path; field must read the key's value. entries says the keys
// are a map's (paths attributes["plan"]) rather than fields.
func (r *reader) object(path string, entries bool, field func(key, path string) error) error {
	tok, err := r.token(path)
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return wrongType(path, "an object", tok)
	}
	seen := map[string]bool{}
	for r.dec.More() {
		tok, err := r.token(path)
		if err != nil {
			return err
		}
		key, _ := tok.(string) // the decoder allows only strings here
		kp := keyPath(path, key)
		if entries {
			kp = entryPath(path, key)
		}
		if seen[key] {
			return fault(kp, "key given twice")
		}
		seen[key] = true
		if err := field(key, kp); err != nil {
			return err
		}
	}
	_, err = r.token(path) // '}'
	return err
}

// array reads an array at path, calling elem for each element with its
// index and path; elem must read the element. It returns the number of
// elements.
func (r *reader) array(path string, elem func(i int, path string) error) (int, error) {
	tok, err := r.token(path)
	if err != nil {
		return 0, err
	}
	if tok != json.Delim('[') {
		return 0, wrongType(path, "an array", tok)
	}
	n := 0
	for ; r.dec.More(); n++ {
		if err := elem(n, indexPath(path, n)); err != nil {
			return n, err
		}
	}
	_, err = r.token(path) // ']'
	return n, err
}

// str reads a string at path.
func (r *reader) str(path string) (string, error) {
	tok, err := r.token(path)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", wrongType(path, "a string", tok)
	}
	return s, nil
}

// boolean reads true or false at path.
func (r *reader) boolean(path string) (bool, error) {
	tok, err := r.token(path)
	if err != nil {
		return false, err
	}
	v, ok := tok.(bool)
	if !ok {
		return false, wrongType(path, "true or false", tok)
	}
	return v, nil
}

// number reads a number at path, returning it as written.
func (r *reader) number(path, want string) (string, error) {
	tok, err := r.token(path)
	if err != nil {
		return "", err
	}
	n, ok := tok.(json.Number)
	if !ok {
		return "", wrongType(path, want, tok)
	}
	return string(n), nil
}

// strings reads an array of strings at path, calling elem for each.
func (r *reader) strings(path string, elem func(i int, s string) error) (int, error) {
	return r.array(path, func(i int, p string) error {
		s, err := r.str(p)
		if err != nil {
			return err
		}
		return elem(i, s)
	})
}

// end checks that nothing but white space follows the document.
func (r *reader) end() error {
	if _, err := r.dec.Token(); err != io.EOF {
		return fault("", "invalid JSON: data after the rule set")
	}
	return nil
}
