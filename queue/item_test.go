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

func TestLess_ArrivalBeatsSeq(t *testing.T) {
	early := queue.Item{ID: "a", Arrival: t0, Seq: 9}
	late := queue.Item{ID: "b", Arrival: t0.Add(time.Second), Seq: 1}

	require.True(t, queue.Less(early, late))
	require.False(t, queue.Less(late, early))
}

func TestLess_SeqThenIDBreakTies(t *testing.T) {
	low := queue.Item{ID: "z", Arrival: t0, Seq: 1}
	high := queue.Item{ID: "a", Arrival: t0, Seq: 2}
	require.True(t, queue.Less(low, high))
	require.False(t, queue.Less(high, low))

	a := queue.Item{ID: "a", Arrival: t0, Seq: 1}
	b := queue.Item{ID: "b", Arrival: t0, Seq: 1}
	require.True(t, queue.Less(a, b))
	require.False(t, queue.Less(b, a))
	require.False(t, queue.Less(a, a), "Less must be irreflexive")
}

func TestLess_ComparesArrivalInstantOnly(t *testing.T) {
	// The same instant in another zone, and a time carrying a monotonic
	// clock reading, must tie on arrival and fall through to Seq.
	moscow := time.FixedZone("MSK", 3*60*60)
	now := time.Now()
	cases := []struct {
		name string
		x, y time.Time
	}{
		{"location", t0, t0.In(moscow)},
		{"monotonic", now, now.Round(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := queue.Item{ID: "x", Arrival: c.x, Seq: 2}
			y := queue.Item{ID: "y", Arrival: c.y, Seq: 1}
			require.True(t, queue.Less(y, x))
			require.False(t, queue.Less(x, y))
		})
	}
}
