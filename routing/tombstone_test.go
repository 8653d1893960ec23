package routing

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTombstones_Bounds(t *testing.T) {
	var ts tombstones
	ts.lay("c1", 3, 1, 0)
	require.True(t, ts.buries("c1", 3))
	require.True(t, ts.buries("c1", 2))
	require.False(t, ts.buries("c1", 4), "a newer row is taken")
	require.False(t, ts.buries("c2", 1))

	// Past their time, tombstones go.
	ts.lay("c2", 1, 2, int64(tombstoneTTL)+1)
	require.False(t, ts.buries("c1", 3))
	require.True(t, ts.buries("c2", 1))

	// A resync drops those laid before it began (at generation 4, here).
	ts.lay("c3", 1, 5, int64(tombstoneTTL)+2)
	ts.dropUpTo(4)
	require.False(t, ts.buries("c2", 1))
	require.True(t, ts.buries("c3", 1))

	// At most maxTombstones are kept, the oldest dropped first.
	var many tombstones
	for i := range maxTombstones + 10 {
		many.lay(fmt.Sprint(i), 1, uint64(i), int64(time.Millisecond))
	}
	require.Len(t, many.closed, maxTombstones)
	require.False(t, many.buries("9", 1))
	require.True(t, many.buries("10", 1))
	require.LessOrEqual(t, len(many.order), 2*maxTombstones+2, "the space of dropped tombstones is reclaimed")
}
