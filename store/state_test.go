package store_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

func TestStateNamesRoundTrip(t *testing.T) {
	for _, s := range []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting, store.Closed} {
		got, err := store.ParseState(s.String())
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	_, err := store.ParseState("lunch")
	require.ErrorIs(t, err, store.ErrInvalid)
	_, err = store.ParseState("")
	require.ErrorIs(t, err, store.ErrInvalid)
	require.Equal(t, "state(9)", store.State(9).String())
}

// Every state's text form is its name, and reads back; an undefined state
// has none, and an unknown name is refused, leaving the state unchanged.
func TestStateTextRoundTrip(t *testing.T) {
	for _, s := range []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting, store.Closed} {
		text, err := s.MarshalText()
		require.NoError(t, err)
		require.Equal(t, s.String(), string(text))
		var back store.State
		require.NoError(t, back.UnmarshalText(text))
		require.Equal(t, s, back)
	}
	for _, s := range []store.State{0, store.Closed + 1, 255} {
		_, err := s.MarshalText()
		require.ErrorIs(t, err, store.ErrInvalid, "%d", uint8(s))
	}
	st := store.Waiting
	for _, name := range []string{"", "lunch", "Queued", "state(1)", "3"} {
		err := st.UnmarshalText([]byte(name))
		require.ErrorIs(t, err, store.ErrInvalid)
		require.ErrorContains(t, err, fmt.Sprintf("%q", name))
		require.Equal(t, store.Waiting, st)
	}
}

func TestStatePredicates(t *testing.T) {
	require.True(t, store.Queued.InQueue() && store.Offered.InQueue())
	require.False(t, store.Assigned.InQueue())
	require.True(t, store.Assigned.Held() && store.Waiting.Held())
	require.False(t, store.Offered.Held())
	require.True(t, store.Assigned.CountsAsLoad())
	require.False(t, store.Waiting.CountsAsLoad())
}

// FuzzParseState: ParseState never panics, accepts exactly the five names,
// and what it accepts prints back to the same name.
func FuzzParseState(f *testing.F) {
	for _, s := range []string{"queued", "offered", "assigned", "waiting", "closed", "", "Queued", "state(1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := store.ParseState(s)
		if err != nil {
			require.ErrorIs(t, err, store.ErrInvalid)
			return
		}
		require.True(t, st.Valid())
		require.Equal(t, s, st.String())
	})
}
