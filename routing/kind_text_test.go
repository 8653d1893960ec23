package routing_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
)

// namedKind is EventKind or ActorKind: a kind with a name.
type namedKind interface {
	comparable
	fmt.Stringer
	MarshalText() ([]byte, error)
}

// textKind is the pointer to a namedKind, which reads the text form.
type textKind[K any] interface {
	*K
	UnmarshalText(text []byte) error
}

// kindText is what the tests below check of a kind type K.
type kindText[K namedKind] struct {
	kinds     []K                     // every defined kind
	undefined []K                     // values that are no kind
	parse     func(string) (K, error) // ParseEventKind, ParseActorKind
}

// requireRoundTrips checks that every kind's text form is its name, named
// once, and that it parses and unmarshals back to the kind.
func requireRoundTrips[K namedKind, P textKind[K]](t *testing.T, c kindText[K]) {
	t.Helper()
	seen := map[string]bool{}
	for _, k := range c.kinds {
		text, err := k.MarshalText()
		require.NoError(t, err, "kind %v has no name", k)
		require.Equal(t, k.String(), string(text))
		require.False(t, seen[string(text)], "%q names two kinds", text)
		seen[string(text)] = true
		got, err := c.parse(string(text))
		require.NoError(t, err)
		require.Equal(t, k, got)
		var back K
		require.NoError(t, P(&back).UnmarshalText(text))
		require.Equal(t, k, back)
	}
	for _, k := range c.undefined {
		_, err := k.MarshalText()
		require.ErrorIs(t, err, routing.ErrInvalid, "%v", k)
	}
}

// requireRefuses checks that unknown names are refused with ErrInvalid,
// quoting the name, and leave the kind unchanged.
func requireRefuses[K namedKind, P textKind[K]](t *testing.T, c kindText[K], names ...string) {
	t.Helper()
	for _, name := range names {
		_, err := c.parse(name)
		require.ErrorIs(t, err, routing.ErrInvalid)
		require.ErrorContains(t, err, fmt.Sprintf("%q", name))
		k := c.kinds[0]
		require.ErrorIs(t, P(&k).UnmarshalText([]byte(name)), routing.ErrInvalid)
		require.Equal(t, c.kinds[0], k)
	}
}

var (
	eventKindText = kindText[routing.EventKind]{
		kinds:     append(routing.AllKinds(), routing.Lagged),
		undefined: []routing.EventKind{0, routing.Lagged + 1, 65535},
		parse:     routing.ParseEventKind,
	}
	actorKindText = kindText[routing.ActorKind]{
		kinds:     []routing.ActorKind{routing.OperatorActor, routing.AdminActor, routing.CustomerActor, routing.SystemActor},
		undefined: []routing.ActorKind{0, routing.SystemActor + 1, 255},
		parse:     routing.ParseActorKind,
	}
)

// Every event kind's text form is its name, and parses back; a kind added
// without a name in the table fails here. Undefined kinds have none.
func TestEventKindTextRoundTrip(t *testing.T) {
	requireRoundTrips(t, eventKindText)
	require.Equal(t, routing.OfferWithdrawn, must(routing.ParseEventKind("offer-withdrawn")))
}

// Unknown event kind names are refused with ErrInvalid, quoting the name,
// and leave the kind unchanged.
func TestEventKindTextRefusesUnknownNames(t *testing.T) {
	requireRefuses(t, eventKindText, "", "lunch", "Queued", "event(1)", "1", " queued")
}

// Every actor kind's text form is its name, and parses back; unknown names
// and undefined kinds are refused with ErrInvalid.
func TestActorKindText(t *testing.T) {
	requireRoundTrips(t, actorKindText)
	requireRefuses(t, actorKindText, "", "robot", "System", "actor(1)")
}

// FuzzParseEventKind: ParseEventKind never panics, accepts exactly the
// kinds' names, and what it accepts prints back to the same name.
func FuzzParseEventKind(f *testing.F) {
	for _, k := range routing.AllKinds() {
		f.Add(k.String())
	}
	for _, s := range []string{"", "lunch", "Queued", "event(1)", "queued\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k, err := routing.ParseEventKind(name)
		if err != nil {
			require.ErrorIs(t, err, routing.ErrInvalid)
			return
		}
		require.Contains(t, routing.AllKinds(), k)
		require.Equal(t, name, k.String())
		text, err := k.MarshalText()
		require.NoError(t, err)
		require.Equal(t, name, string(text))
	})
}
