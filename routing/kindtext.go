package routing

import "fmt"

// The kinds with a text form (EventKind, ActorKind) keep their names in a
// table indexed by kind, "" for a value without one. These two read such a
// table; what names the kind in errors.

// kindText returns the name of kind k in names, or an error matching
// ErrInvalid if k has none.
func kindText[K ~uint8 | ~uint16](names []string, k K, what string) ([]byte, error) {
	if int(k) < len(names) && names[k] != "" {
		return []byte(names[k]), nil
	}
	return nil, fmt.Errorf("%w: undefined %s %d", ErrInvalid, what, uint64(k))
}

// parseKind returns the kind whose name in names is name, or an error
// matching ErrInvalid that quotes it.
func parseKind[K ~uint8 | ~uint16](names []string, name, what string) (K, error) {
	for i, n := range names {
		if n != "" && n == name {
			return K(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown %s %q", ErrInvalid, what, name)
}

// unmarshalKind sets *k to the kind whose name in names is text; an
// unknown name is an error matching ErrInvalid and leaves *k unchanged.
func unmarshalKind[K ~uint8 | ~uint16](k *K, names []string, text []byte, what string) error {
	v, err := parseKind[K](names, string(text), what)
	if err == nil {
		*k = v
	}
	return err
}
