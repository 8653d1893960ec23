package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// TestHoursTurnJournaledOnce: two Routers on one PostgreSQL both see a
// group's business hours open; the journal holds the group's going
// online once, and a console on either Router sees it once.
func TestHoursTurnJournaledOnce(t *testing.T) {
	stores, pool, schema := storesOnOneSchema(t, 2)
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 7, 59, 0, 0, time.UTC)) // Monday 08:59 in Berlin
	hours, err := presence.ParseHours("Europe/Berlin", "mon-fri 09:00-18:00")
	require.NoError(t, err)
	cfg := routing.Config{Clock: clk, Presence: presence.Toggle(), ManualDeadlines: true, MaxClockSkew: -1,
		Groups: []routing.Group{{ID: "support", Hours: hours}}}
	routers := make([]*routing.Router, 2)
	for i, st := range stores {
		cfg.Store = st
		routers[i], err = routing.New(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { _ = routers[i].Stop(context.Background()) })
		if i == 0 {
			// On shift before the second Router starts, which reads it.
			_, err = routers[0].AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusGreen})
			require.NoError(t, err)
		}
	}
	var subs []*routing.Subscription
	for _, r := range routers {
		sub, err := r.SubscribeTo(routing.EventFilter{Group: "support"})
		require.NoError(t, err)
		subs = append(subs, sub)
	}

	clk.Add(time.Minute) // 09:00: both turn the hours
	for _, r := range routers {
		require.NoError(t, r.ProcessDue(ctx))
	}
	// A later event of the group, after which a second report of the
	// opening would have been delivered.
	_, err = routers[0].Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	for i, sub := range subs {
		var seen []string
		for done := false; !done; {
			select {
			case ev := <-sub.Events():
				seen = append(seen, ev.String())
				done = ev.Kind == routing.Assigned
			case <-time.After(10 * time.Second):
				t.Fatalf("router %d's console saw %v, and not c1 assigned", i, seen)
			}
		}
		require.Equal(t, []string{
			"group-availability group=support online=true",
			"assigned conv=c1 group=support op=ann policy=capped(least-loaded)",
		}, seen, "router %d's console", i)
	}

	var n int
	require.NoError(t, pool.QueryRowContext(ctx, "SELECT count(*) FROM "+schema+".switchboard_journal WHERE entry_key IS NOT NULL").Scan(&n))
	require.Equal(t, 1, n, "one keyed entry: the opening")
	var key string
	require.NoError(t, pool.QueryRowContext(ctx, "SELECT entry_key FROM "+schema+".switchboard_journal WHERE entry_key IS NOT NULL").Scan(&key))
	require.True(t, strings.HasPrefix(key, "availability true hours "), key)
}
