package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// TestDueIndexOrdersByDueTimeThenKey: deadlines come out earliest first,
// ties in a total order (kind, id, conversation before operator, level);
// a shift delays a deadline; dropping takes out exactly what was put; the
// callback hears of every put.
func TestDueIndexOrdersByDueTimeThenKey(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	puts := 0
	x := NewDueIndex(func() { puts++ })
	_, ok := x.Next()
	require.False(t, ok)

	x.Put("c2", false, []store.Deadline{{Kind: store.WaitLevel, Due: t0, Level: 1}}, 0)
	x.Put("c1", false, []store.Deadline{{Kind: store.WaitLevel, Due: t0}, {Kind: store.AutoClose, Due: t0.Add(time.Hour)}}, 0)
	x.Put("ann", true, []store.Deadline{{Kind: store.Inactivity, Due: t0.Add(-time.Minute)}}, int64(2*time.Minute)) // another Router's: shifted
	x.Put("c3", false, nil, 0)
	require.Equal(t, 3, puts, "a put of no deadlines is no news")
	require.Equal(t, 4, x.Len())

	var order []string
	for x.Len() > 0 {
		it, ok := x.Next()
		require.True(t, ok)
		order = append(order, it.ID+"/"+it.Kind.String())
		x.Drop(it.ID, it.Operator, []store.Deadline{{Kind: it.Kind, Due: time.Unix(0, it.Due), Level: it.Level}}, 0)
	}
	require.Equal(t, []string{"c1/" + store.WaitLevel.String(), "c2/" + store.WaitLevel.String(), "ann/" + store.Inactivity.String(), "c1/" + store.AutoClose.String()}, order)

	// Drop needs the shift the deadline was put with.
	d := []store.Deadline{{Kind: store.AcceptTimeout, Due: t0}}
	x.Put("c4", false, d, 5)
	x.Drop("c4", false, d, 0)
	require.Equal(t, 1, x.Len())
	x.Drop("c4", false, d, 5)
	require.Zero(t, x.Len())
}
