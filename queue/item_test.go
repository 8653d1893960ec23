package queue_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/queue"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

func TestLess_PriorityBeatsArrival(t *testing.T) {
	urgentLate := queue.Item{ID: "a", Priority: 2, Arrival: t0.Add(time.Hour), Seq: 9}
	normalEarly := queue.Item{ID: "b", Priority: 1, Arrival: t0, Seq: 1}

	require.True(t, queue.Less(urgentLate, normalEarly))
	require.False(t, queue.Less(normalEarly, urgentLate))
}

func TestLess_SeqBeatsArrival(t *testing.T) {
	// The clock was stepped back an hour between the two enqueues: the
	// first enqueued (lower Seq) is still served first.
	first := queue.Item{ID: "b", Arrival: t0.Add(time.Hour), Seq: 1}
	second := queue.Item{ID: "a", Arrival: t0, Seq: 2}

	require.True(t, queue.Less(first, second))
	require.False(t, queue.Less(second, first))
}

func TestLess_ArrivalThenIDBreakTies(t *testing.T) {
	early := queue.Item{ID: "z", Arrival: t0, Seq: 1}
	late := queue.Item{ID: "a", Arrival: t0.Add(time.Second), Seq: 1}
	require.True(t, queue.Less(early, late), "equal Seqs (unnumbered items) go by Arrival")
	require.False(t, queue.Less(late, early))

	a := queue.Item{ID: "a", Arrival: t0, Seq: 1}
	b := queue.Item{ID: "b", Arrival: t0, Seq: 1}
	require.True(t, queue.Less(a, b))
	require.False(t, queue.Less(b, a))
	require.False(t, queue.Less(a, a), "Less must be irreflexive")
}

func TestLess_ComparesArrivalInstantOnly(t *testing.T) {
	// The same instant in another zone, and a time carrying a monotonic
	// clock reading, must tie on arrival and fall through to the ID.
	moscow := time.FixedZone("MSK", 3*60*60)
	now := time.Now()
	cases := []struct {
		name string
		x, y time.Time
	}{
		{"location", t0.In(moscow), t0},
		{"monotonic", now, now.Round(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := queue.Item{ID: "x", Arrival: c.x, Seq: 1}
			y := queue.Item{ID: "y", Arrival: c.y, Seq: 1}
			require.True(t, queue.Less(x, y))
			require.False(t, queue.Less(y, x))
		})
	}
}
