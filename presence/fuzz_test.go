package presence_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// byteSource hands out fuzzed bytes, then zeros once they run out.
type byteSource []byte

func (b *byteSource) next() byte {
	if len(*b) == 0 {
		return 0
	}
	v := (*b)[0]
	*b = (*b)[1:]
	return v
}

// definitionFrom builds a Definition from fuzzed input. Most choices lead
// to a valid definition, so that the model's consistency is exercised;
// rarer ones (driven by high byte values) break it in one of the ways New
// must reject: empty, duplicate or unknown names (the fuzzed string may be
// any of these), unknown capability bits, non-positive durations, invalid
// states.
func definitionFrom(data []byte, extra string) presence.Definition {
	src := byteSource(data)
	defined := []string{"a", "b", "c", "d", "e", "f"}
	n := 1 + int(src.next())%len(defined)
	// ref names a status: usually a defined one, sometimes "" or extra.
	ref := func() string {
		switch v := src.next(); {
		case v >= 250:
			return extra
		case v >= 240:
			return ""
		default:
			return defined[int(v)%max(n, 1)]
		}
	}
	// optRef is ref or, half of the time, "".
	optRef := func() string {
		if src.next()%2 == 0 {
			return ""
		}
		return ref()
	}

	var d presence.Definition
	if src.next() == 255 {
		n = 0 // no statuses at all
	}
	for i := range n {
		s := presence.Status{Name: defined[i]}
		if v := src.next(); v >= 240 {
			s.Name = ref()
		}
		if v := src.next(); v >= 250 {
			s.Capabilities = presence.Capability(v)
		} else {
			s.Capabilities = presence.Capability(v) & presence.All
		}
		s.OnLastClose = optRef()
		if v := src.next(); v%2 == 1 {
			in := &presence.Inactivity{After: time.Duration(v/2) * time.Minute, Target: ref()}
			if v >= 250 {
				in.After = -in.After
			}
			s.Inactivity = in
		}
		d.Statuses = append(d.Statuses, s)
	}
	for range int(src.next()) % 6 {
		d.Transitions = append(d.Transitions, presence.Transition{From: ref(), To: ref()})
	}
	d.Initial, d.LogIn, d.LogOut, d.OffShift = optRef(), optRef(), optRef(), optRef()
	for range int(src.next()) % 3 {
		var g presence.Guard
		for range int(src.next()) % 4 {
			g.To = append(g.To, ref())
		}
		for range int(src.next()) % 4 {
			st := store.State(src.next())
			if st < 250 {
				st = st%store.Closed + 1
			}
			g.Holding = append(g.Holding, st)
		}
		d.Guards = append(d.Guards, g)
	}
	return d
}

func FuzzNew(f *testing.F) {
	f.Add([]byte{}, "")
	f.Add([]byte{3, 1, 15, 0, 0, 2, 2, 0, 0, 3, 0, 0, 0, 1, 2, 3, 0, 1, 2, 3}, "e")
	f.Add([]byte{4, 1, 15, 1, 2, 1, 1, 2, 0, 0, 2, 0, 0, 3, 1, 1, 2, 0, 0, 0, 1, 2, 1, 3, 3, 2, 2, 1, 3, 1, 2, 3, 2, 1, 3}, "a")
	f.Add([]byte{5, 1, 15, 0, 1, 5, 2, 6, 0, 1, 0, 1, 15, 5, 3, 0, 0, 4, 0, 0, 0, 0, 5, 8, 0, 0, 2, 1, 2, 3, 4, 5, 2, 3, 1, 0, 0, 2, 1, 2, 2, 3, 3}, "lunch")

	f.Fuzz(func(t *testing.T, data []byte, extra string) {
		d := definitionFrom(data, extra)
		m, err := presence.New(d)
		if err != nil {
			require.Nil(t, m)
			require.True(t, errors.Is(err, presence.ErrInvalidDefinition), "%v", err)
			require.True(t, errors.Is(err, store.ErrInvalid), "%v", err)
			return
		}
		checkModel(t, m)

		// The filled definition builds an equal model.
		again, err := presence.New(m.Definition())
		require.NoError(t, err)
		require.Equal(t, m.Definition(), again.Definition())
	})
}

// checkModel asserts that a successfully built model is consistent with the
// definition it reports.
func checkModel(t *testing.T, m *presence.Model) {
	d := m.Definition()
	statuses := m.Statuses()
	require.Equal(t, d.Statuses, statuses)
	names := make([]string, len(statuses))
	for i, s := range statuses {
		names[i] = s.Name
	}
	require.Equal(t, names, m.With(0))

	_, ok := m.Status(m.Initial())
	require.True(t, ok, "Initial %q", m.Initial())
	_, ok = m.Status(m.OffShift())
	require.True(t, ok, "OffShift %q", m.OffShift())
	for _, s := range []string{m.LogIn(), m.LogOut()} {
		if s != "" {
			_, ok = m.Status(s)
			require.True(t, ok, "%q", s)
		}
	}

	// With(c) lists exactly the statuses Has(status, c), in order.
	for c := range presence.All + 1 {
		var want []string
		for _, s := range statuses {
			require.Equal(t, s.Capabilities.Has(c), m.Has(s.Name, c))
			if m.Has(s.Name, c) {
				want = append(want, s.Name)
			}
		}
		require.Equal(t, want, m.With(c), "With(%v)", c)
	}

	// Check agrees with the listed transitions.
	for _, from := range names {
		for _, to := range names {
			err := m.Check(from, to)
			allowed := from == to || len(d.Transitions) == 0 ||
				slices.Contains(d.Transitions, presence.Transition{From: from, To: to})
			if allowed {
				require.NoError(t, err, "%q -> %q", from, to)
			} else {
				require.ErrorIs(t, err, presence.ErrTransitionNotAllowed, "%q -> %q", from, to)
				require.ErrorIs(t, err, store.ErrNotAllowed)
			}
		}
		require.ErrorIs(t, m.Check(from, "\x00unknown"), presence.ErrUnknownStatus)
		require.ErrorIs(t, m.Check("\x00unknown", from), store.ErrNotFound)

		// Forbidden is sorted, deduplicated and valid.
		f := m.Forbidden(from)
		require.True(t, slices.IsSorted(f))
		require.Equal(t, len(f), len(slices.Compact(slices.Clone(f))))
		for _, s := range f {
			require.True(t, s.Valid())
		}
	}
}
