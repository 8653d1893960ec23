package routing

// The text form of an ActorKind is its name in actorKindNames: "operator",
// "admin", "customer" or "system".

// ParseActorKind returns the actor kind named name (as ActorKind.String
// writes it), or an error matching ErrInvalid that quotes the name.
func ParseActorKind(name string) (ActorKind, error) {
	return parseKind[ActorKind](actorKindNames[:], name, "actor kind")
}

// MarshalText returns the kind's name; an undefined kind is an error
// matching ErrInvalid.
func (k ActorKind) MarshalText() ([]byte, error) {
	return kindText(actorKindNames[:], k, "actor kind")
}

// UnmarshalText sets k to the kind text names (see ParseActorKind); an
// unknown name is an error matching ErrInvalid and leaves k unchanged.
func (k *ActorKind) UnmarshalText(text []byte) error {
	return unmarshalKind(k, actorKindNames[:], text, "actor kind")
}
