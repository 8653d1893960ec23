package core

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTombstones_Bounds(t *testing.T) {
	var ts Tombstones
	ts.Lay("c1", 3, 1, 0)
	require.True(t, ts.Buries("c1", 3))
	require.True(t, ts.Buries("c1", 2))
	require.False(t, ts.Buries("c1", 4), "a newer row is taken")
	require.False(t, ts.Buries("c2", 1))

	// Past their time, tombstones go.
	ts.Lay("c2", 1, 2, int64(TombstoneTTL)+1)
	require.False(t, ts.Buries("c1", 3))
	require.True(t, ts.Buries("c2", 1))

	// A resync drops those laid before it began (at generation 4, here).
	ts.Lay("c3", 1, 5, int64(TombstoneTTL)+2)
	ts.DropUpTo(4)
	require.False(t, ts.Buries("c2", 1))
	require.True(t, ts.Buries("c3", 1))

	// At most MaxTombstones are kept, the oldest dropped first.
	var many Tombstones
	for i := range MaxTombstones + 10 {
		many.Lay(fmt.Sprint(i), 1, uint64(i), int64(time.Millisecond))
	}
	require.Len(t, many.closed, MaxTombstones)
	require.False(t, many.Buries("9", 1))
	require.True(t, many.Buries("10", 1))
	require.LessOrEqual(t, len(many.order), 2*MaxTombstones+2, "the space of dropped tombstones is reclaimed")
}
