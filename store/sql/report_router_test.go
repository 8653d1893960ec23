package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// TestReportOnSQLStores: the figures of a window come from the journal on
// SQLite and PostgreSQL, whichever life of the Router made the events: a
// Router restarted on the database reports those of the one before, and
// tells a first reply from one made to a conversation answered before
// the restart.
func TestReportOnSQLStores(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		clk := clock.NewMock()
		day := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		clk.Set(day)
		cfg := func(s store.Store) routing.Config {
			return routing.Config{Store: s, Clock: clk, ManualDeadlines: true, MaxClockSkew: -1,
				Groups: []routing.Group{{ID: "support"}}}
		}
		st := b.mustMigrate(t)
		first, err := routing.New(ctx, cfg(st))
		require.NoError(t, err)
		_, err = first.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
		require.NoError(t, err)
		clk.Add(2 * time.Minute)
		_, err = first.AddOperator(ctx, routing.ByAdmin("boss"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
		require.NoError(t, err)
		clk.Add(time.Minute)
		_, err = first.OperatorReplied(ctx, routing.ByOperator("ann"), "c1") // c1's first reply, after 3 minutes
		require.NoError(t, err)
		require.NoError(t, first.Stop(ctx))
		require.NoError(t, st.Close())

		clk.Add(10 * time.Minute)
		second, err := routing.New(ctx, cfg(b.mustOpen(t)))
		require.NoError(t, err)
		t.Cleanup(func() { _ = second.Stop(context.Background()) })
		_, err = second.OperatorReplied(ctx, routing.ByOperator("ann"), "c1") // not a first reply
		require.NoError(t, err)
		_, err = second.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "support"})
		require.NoError(t, err)
		clk.Add(5 * time.Minute)
		_, err = second.OperatorReplied(ctx, routing.ByOperator("ann"), "c2") // after 5 minutes
		require.NoError(t, err)
		_, err = second.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done")
		require.NoError(t, err)

		rep, err := second.Report(ctx, routing.ReportWindow{From: day, To: day.Add(time.Hour)})
		require.NoError(t, err)
		require.False(t, rep.Partial)
		require.Len(t, rep.Periods, 1)
		want := routing.PeriodFigures{
			TimeToAssignment: routing.Stat{Count: 2, Total: 2 * time.Minute, Max: 2 * time.Minute},
			TimeToFirstReply: routing.Stat{Count: 2, Total: 8 * time.Minute, Max: 5 * time.Minute},
			Closed:           1,
		}
		require.Equal(t, want, rep.Total.Groups["support"])
		require.Equal(t, want, rep.Total.Operators["ann"])

		// A window after the restart alone: c1 was answered before it.
		rep, err = second.Report(ctx, routing.ReportWindow{From: day.Add(10 * time.Minute), To: day.Add(time.Hour)})
		require.NoError(t, err)
		require.Equal(t, routing.Stat{Count: 1, Total: 5 * time.Minute, Max: 5 * time.Minute}, rep.Total.Groups["support"].TimeToFirstReply)
	})
}
