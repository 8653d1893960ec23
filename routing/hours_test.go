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
)

func berlinHours(t *testing.T, weekly string) presence.Hours {
	t.Helper()
	h, err := presence.ParseHours("Europe/Berlin", weekly)
	require.NoError(t, err)
	return h
}

// TestR6_Pyrus_OffHoursNoticeAndOpening: a chat arriving before opening
// time waits in the queue and the host is told (off-hours notice); the group
// is offline until opening, when the queue is served at once; at closing
// the group goes offline again.
func TestR6_Pyrus_OffHoursNoticeAndOpening(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC)) // Monday 08:30 in Berlin
	r, err := routing.New(ctx, routing.Config{Clock: clk, Presence: presence.Toggle(), ManualDeadlines: true,
		Groups: []routing.Group{{ID: "support", Hours: berlinHours(t, "mon-fri 09:00-18:00")}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	sub := r.Subscribe(routing.OffHours, routing.GroupAvailability, routing.Assigned, routing.Queued)
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusGreen})
	require.NoError(t, err)
	c, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, store.Queued, c.State)
	require.Equal(t, []string{
		"queued conv=c1 group=support policy=capped(least-loaded) pos=1 reason=outside business hours",
		"off-hours conv=c1 group=support pos=1",
	}, drainStrings(sub))
	require.False(t, r.Snapshot().Groups[0].Online)

	clk.Add(29 * time.Minute)
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	clk.Add(time.Minute) // 09:00
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{
		"group-availability group=support online=true",
		"assigned conv=c1 group=support op=ann policy=capped(least-loaded)",
	}, drainStrings(sub))

	clk.Add(9 * time.Hour) // 18:00
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{"group-availability group=support online=false"}, drainStrings(sub))
	c, err = r.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, store.Queued, c.State)
	// A take by hand still works outside hours.
	_, err = r.Take(ctx, routing.ByOperator("ann"), "c2")
	require.NoError(t, err)
}

// TestR6_DaylightSavingOpening: on the day clocks go forward, a group open
// from 09:00 local time opens at 07:00 UTC (09:00 summer time), not an hour
// off.
func TestR6_DaylightSavingOpening(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 3, 28, 20, 0, 0, 0, time.UTC)) // Saturday evening
	r, err := routing.New(ctx, routing.Config{Clock: clk, ManualDeadlines: true,
		Groups: []routing.Group{{ID: "support", Hours: berlinHours(t, "sat-sun 09:00-18:00")}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusReady})
	require.NoError(t, err)
	sub := r.Subscribe(routing.GroupAvailability)
	clk.Set(time.Date(2026, 3, 29, 6, 59, 0, 0, time.UTC))
	require.NoError(t, r.ProcessDue(ctx))
	require.Empty(t, drainStrings(sub))
	clk.Set(time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC))
	require.NoError(t, r.ProcessDue(ctx))
	require.Equal(t, []string{"group-availability group=support online=true"}, drainStrings(sub))
}
