package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// TestP9_Pyrus_TimeOnPauseAndShift: the router records every status change,
// so the day's report comes straight out of it: shift start and end, time
// accepting chats, time on pause ("went to lunch at, came back at").
func TestP9_Pyrus_TimeOnPauseAndShift(t *testing.T) {
	ctx := context.Background()
	moscow, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, moscow))
	r, err := routing.New(ctx, routing.Config{Clock: clk, ManualDeadlines: true, Groups: []routing.Group{{ID: "support"}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}})
	require.NoError(t, err) // offline
	clk.Add(time.Minute)
	require.NoError(t, r.LogIn(ctx, routing.ByOperator("ann"), "ann")) // 09:01 ready
	clk.Add(3*time.Hour + 30*time.Minute)
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", presence.StatusPause)) // 12:31 lunch
	clk.Add(34 * time.Minute)
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", presence.StatusReady)) // 13:05 back
	clk.Add(4*time.Hour + 55*time.Minute)
	require.NoError(t, r.EndShift(ctx, routing.ByOperator("ann"), "ann")) // 18:00
	clk.Add(2 * time.Hour)

	day, err := r.TimeInStatus(ctx, "ann", presence.Date{Year: 2026, Month: time.November, Day: 23}, moscow)
	require.NoError(t, err)
	require.Equal(t, 8*time.Hour+25*time.Minute, day.InStatus[presence.StatusReady])
	require.Equal(t, 34*time.Minute, day.InStatus[presence.StatusPause])
	require.Equal(t, 8*time.Hour+59*time.Minute, day.OnShift)
	require.Equal(t, "09:01", day.ShiftStart.Format("15:04"))
	require.Equal(t, "18:00", day.ShiftEnd.Format("15:04"))
	var lunch []string
	for _, c := range day.Changes {
		if c.Status == presence.StatusPause {
			lunch = append(lunch, c.From.Format("15:04"), c.To.Format("15:04"))
		}
	}
	require.Equal(t, []string{"12:31", "13:05"}, lunch)

	_, err = r.TimeInStatus(ctx, "ann", presence.Date{Year: 2026, Month: time.February, Day: 30}, moscow)
	require.ErrorIs(t, err, routing.ErrInvalid)
}

// TestP9_StatusLeftTheInstantItWasEntered: an operator added offline and
// logged in at the same instant (or within a millisecond, which a SQL
// store keeps) has a stretch of no length in their history; their day
// still adds up, without it.
func TestP9_StatusLeftTheInstantItWasEntered(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	r, err := routing.New(ctx, routing.Config{Clock: clk, ManualDeadlines: true, Groups: []routing.Group{{ID: "support"}}})
	require.NoError(t, err)
	defer r.Stop(context.Background())
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}})
	require.NoError(t, err)
	require.NoError(t, r.LogIn(ctx, routing.ByOperator("ann"), "ann")) // offline for no time at all
	require.NoError(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", presence.StatusPause))
	clk.Add(time.Hour)
	day, err := r.TimeInStatus(ctx, "ann", presence.Date{Year: 2026, Month: time.November, Day: 23}, time.UTC)
	require.NoError(t, err)
	require.Equal(t, map[string]time.Duration{presence.StatusPause: time.Hour}, day.InStatus)
	require.Len(t, day.Changes, 1)
}
