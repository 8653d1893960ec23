package routing

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// TestTombstonesOutliveABackgroundRound: a row read by a round of
// background work begun before a close must not outlive the close's
// tombstone, so tombstones last twice the bound on one round.
func TestTombstonesOutliveABackgroundRound(t *testing.T) {
	require.Equal(t, 2*backgroundTimeout, core.TombstoneTTL)
}
