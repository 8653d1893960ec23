package routing

// The text form of an EventKind is its name in kindNames ("queued",
// "offer-withdrawn", ...): a kind added to the const block needs only its
// name in that table.

// ParseEventKind returns the kind named name (as EventKind.String writes
// it), or an error matching ErrInvalid that quotes the name.
func ParseEventKind(name string) (EventKind, error) {
	return parseKind[EventKind](kindNames[:], name, "event kind")
}

// MarshalText returns the kind's name; an undefined kind is an error
// matching ErrInvalid.
func (k EventKind) MarshalText() ([]byte, error) {
	return kindText(kindNames[:], k, "event kind")
}

// UnmarshalText sets k to the kind text names (see ParseEventKind); an
// unknown name is an error matching ErrInvalid and leaves k unchanged.
func (k *EventKind) UnmarshalText(text []byte) error {
	return unmarshalKind(k, kindNames[:], text, "event kind")
}
