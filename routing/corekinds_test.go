package routing

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// TestCoreSpeaksTheRoutersNames: the core's event kinds are EventKind's
// values, and the reason it keeps a conversation off hours is
// ReasonOffHours, since the Router copies both into its events as they
// are.
func TestCoreSpeaksTheRoutersNames(t *testing.T) {
	kinds := map[core.Kind]EventKind{
		core.Queued: Queued, core.Offered: Offered, core.OfferWithdrawn: OfferWithdrawn, core.Assigned: Assigned,
		core.AllBusy: AllBusy, core.Returned: Returned, core.Transferred: Transferred, core.Waiting: Waiting,
		core.Closed: Closed, core.StatusChanged: StatusChanged, core.GroupAvailability: GroupAvailability,
		core.Redistributed: Redistributed, core.WaitThreshold: WaitThreshold, core.Missed: Missed,
		core.OffHours: OffHours, core.Replied: Replied, core.SkillsRelaxed: SkillsRelaxed, core.CustomerWrote: CustomerWrote,
	}
	require.Len(t, kinds, kindCount-1, "every kind has its core twin")
	require.Equal(t, int(core.KindCount), kindCount)
	for c, k := range kinds {
		require.Equal(t, uint16(k), uint16(c), "%v", k)
	}
	require.Equal(t, ReasonOffHours, string(core.ReasonOffHours))
}
