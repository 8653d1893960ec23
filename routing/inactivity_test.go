package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// helpDeskEddyStatuses are admin-defined statuses (P11) with an
// inactivity rule (P6): "online" switches to "away" after 15 minutes
// without activity.
func helpDeskEddyStatuses() *presence.Model {
	return presence.MustNew(presence.Definition{
		Statuses: []presence.Status{
			{Name: "online", Capabilities: presence.All, Inactivity: &presence.Inactivity{After: 15 * time.Minute, Target: "away"}},
			{Name: "away"},
			{Name: "offline"},
		},
		Initial: "offline",
	})
}

// TestP6_HelpDeskEddy_InactivitySwitch: an operator with no activity for
// the status's time is switched to the named status, with an event; any
// activity puts the switch off; it survives a restart.
func TestP6_HelpDeskEddy_InactivitySwitch(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := memory.New()
	open := func() *routing.Router {
		r, err := routing.New(ctx, routing.Config{Store: st, Clock: clk, Presence: helpDeskEddyStatuses(), ManualDeadlines: true,
			Groups: []routing.Group{{ID: "support"}}})
		require.NoError(t, err)
		t.Cleanup(func() { r.Stop(context.Background()) })
		return r
	}
	r := open()
	sub := r.Subscribe(routing.StatusChanged)
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "online"})
	require.NoError(t, err)

	clk.Add(10 * time.Minute)
	require.NoError(t, r.OperatorActive(ctx, routing.ByOperator("ann"), "ann")) // 09:10
	clk.Add(5 * time.Minute)                                                    // 09:15: the first due time
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	op, err := r.Operator(ctx, "ann")
	require.NoError(t, err)
	d, ok := store.DeadlineOf(op.Deadlines, store.Inactivity)
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 11, 23, 9, 25, 0, 0, time.UTC), d.Due.UTC(), "re-armed from the last activity")

	// A restart: activity before it is not known, so the operator counts
	// as active at the restart (09:20) and is switched at 09:35.
	clk.Add(5 * time.Minute)
	require.NoError(t, r.Stop(context.Background()))
	r = open()
	sub = r.Subscribe(routing.StatusChanged)
	clk.Add(5 * time.Minute) // 09:25
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	clk.Add(10 * time.Minute) // 09:35
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{"status-changed op=ann from=online to=away reason=no activity for 15m0s"}, drainStrings(sub))
	op, err = r.Operator(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, "away", op.Status)
	require.Empty(t, op.Deadlines)

	// Back online: a new period starts; unknown operators are refused.
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", "online"))
	op, err = r.Operator(ctx, "ann")
	require.NoError(t, err)
	require.Len(t, op.Deadlines, 1)
	require.ErrorIs(t, r.OperatorActive(ctx, routing.ByOperator("nobody"), "nobody"), routing.ErrNotFound)
}
