package routing_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store/memory"
)

// TestS2_ReportPerHourFromTheJournal: time to assignment and to first
// reply, missed and closed conversations, per group and operator and per
// hour, read back from the journal for a window.
func TestS2_ReportPerHourFromTheJournal(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.ActiveInactive(),
		routing.Group{ID: "support", AcceptTimeout: 2 * time.Minute})
	day := clk.Now() // 09:00
	at := func(hhmm time.Duration) {
		t.Helper()
		clk.Set(day.Add(hhmm - 9*time.Hour))
	}
	add := func(id string) {
		t.Helper()
		_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support"}, Status: presence.StatusActive})
		require.NoError(t, err)
	}
	enqueue := func(id string) {
		t.Helper()
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "support"})
		require.NoError(t, err)
	}
	reply := func(op, id string) {
		t.Helper()
		_, err := r.OperatorReplied(ctx, routing.ByOperator(op), id)
		require.NoError(t, err)
	}
	closeConv := func(op, id string) {
		t.Helper()
		_, err := r.CloseConversation(ctx, routing.ByOperator(op), id, "done")
		require.NoError(t, err)
	}

	enqueue("c1") // 09:00, nobody on shift
	at(9*time.Hour + 2*time.Minute)
	add("ann") // c1 to ann after 2 minutes
	at(9*time.Hour + 3*time.Minute)
	reply("ann", "c1") // first reply after 3 minutes
	at(9*time.Hour + 5*time.Minute)
	reply("ann", "c1") // a second reply counts for nothing
	at(9*time.Hour + 40*time.Minute)
	enqueue("c2") // to ann at once
	at(10*time.Hour + 4*time.Minute)
	reply("ann", "c2") // first reply after 24 minutes, in the next hour
	closeConv("ann", "c1")
	at(10*time.Hour + 10*time.Minute)
	add("bob")
	enqueue("c3") // to bob (less loaded) at once
	at(10*time.Hour + 12*time.Minute)
	require.NoError(t, r.ProcessDue(ctx)) // bob missed it: to ann, with From set
	at(10*time.Hour + 20*time.Minute)
	reply("ann", "c3")
	closeConv("ann", "c3")

	rep, err := r.Report(ctx, routing.ReportWindow{From: day, To: day.Add(2 * time.Hour)})
	require.NoError(t, err)
	require.False(t, rep.Partial)
	require.Equal(t, time.Hour, rep.Period)
	require.Len(t, rep.Periods, 2)
	nine, ten := rep.Periods[0], rep.Periods[1]
	require.Equal(t, day, nine.Start)
	require.Equal(t, day.Add(time.Hour), nine.End)
	require.Equal(t, routing.PeriodFigures{
		TimeToAssignment: routing.Stat{Count: 2, Total: 2 * time.Minute, Max: 2 * time.Minute},
		TimeToFirstReply: routing.Stat{Count: 1, Total: 3 * time.Minute, Max: 3 * time.Minute},
	}, nine.Groups["support"])
	require.Equal(t, nine.Groups["support"], nine.Operators["ann"])
	require.Equal(t, routing.PeriodFigures{
		TimeToAssignment: routing.Stat{Count: 1},
		TimeToFirstReply: routing.Stat{Count: 2, Total: 34 * time.Minute, Max: 24 * time.Minute},
		Missed:           1,
		Closed:           2,
	}, ten.Groups["support"])
	require.Equal(t, routing.PeriodFigures{
		TimeToFirstReply: routing.Stat{Count: 2, Total: 34 * time.Minute, Max: 24 * time.Minute},
		Closed:           2,
	}, ten.Operators["ann"])
	require.Equal(t, routing.PeriodFigures{TimeToAssignment: routing.Stat{Count: 1}, Missed: 1}, ten.Operators["bob"])
	require.Equal(t, routing.PeriodFigures{
		TimeToAssignment: routing.Stat{Count: 3, Total: 2 * time.Minute, Max: 2 * time.Minute},
		TimeToFirstReply: routing.Stat{Count: 3, Total: 37 * time.Minute, Max: 24 * time.Minute},
		Missed:           1,
		Closed:           2,
	}, rep.Total.Groups["support"])
	require.Equal(t, 2*time.Minute/3, rep.Total.Groups["support"].TimeToAssignment.Mean())

	// A window of the second hour alone: c1's reply at 09:03 was its
	// first, c2's at 10:04 is; the journal before the window says so.
	rep, err = r.Report(ctx, routing.ReportWindow{From: day.Add(time.Hour + 3*time.Minute), To: day.Add(2 * time.Hour), Period: 30 * time.Minute})
	require.NoError(t, err)
	require.Len(t, rep.Periods, 2)
	require.Equal(t, day.Add(2*time.Hour), rep.Periods[1].End)
	require.Equal(t, routing.Stat{Count: 2, Total: 34 * time.Minute, Max: 24 * time.Minute}, rep.Total.Groups["support"].TimeToFirstReply)
	require.Equal(t, rep.Total.Groups["support"], rep.Periods[0].Groups["support"])
	require.Empty(t, rep.Periods[1].Groups)
}

// TestS2_ReportLooksBackForEarlierReplies: a reply in the window to a
// conversation answered long before it (beyond the margin read around
// the window) is not a first reply.
func TestS2_ReportLooksBackForEarlierReplies(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.ActiveInactive(), routing.Group{ID: "support"})
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusActive})
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "old", Group: "support"})
	require.NoError(t, err)
	clk.Add(time.Minute)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "old") // its first reply, at 09:01
	require.NoError(t, err)
	clk.Add(3 * time.Hour)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "new", Group: "support"}) // 12:01
	require.NoError(t, err)
	clk.Add(3 * time.Hour)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "old") // 15:01
	require.NoError(t, err)
	_, err = r.OperatorReplied(ctx, routing.ByOperator("ann"), "new") // 15:01, first
	require.NoError(t, err)

	from := clk.Now().Add(-30 * time.Minute)
	rep, err := r.Report(ctx, routing.ReportWindow{From: from, To: from.Add(time.Hour)})
	require.NoError(t, err)
	require.Equal(t, routing.Stat{Count: 1, Total: 3 * time.Hour, Max: 3 * time.Hour}, rep.Total.Operators["ann"].TimeToFirstReply)
	require.False(t, rep.Partial)
	require.Less(t, rep.Events, 20, "the report read the window and the stretch back to 09:00, not more")
}

// TestS2_ReportCountsFirstAssignmentsOnly: a conversation released and
// given back to the same operator (an Assigned event without From) was
// assigned once, in the window or before it.
func TestS2_ReportCountsFirstAssignmentsOnly(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.ActiveInactive(), routing.Group{ID: "support"})
	day := clk.Now()
	_, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusActive})
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"}) // to ann at once
	require.NoError(t, err)
	for _, d := range []time.Duration{5 * time.Minute, 3 * time.Hour} {
		clk.Add(d)
		c, err := r.Release(ctx, routing.ByOperator("ann"), "c1") // back to ann, the only one
		require.NoError(t, err)
		require.Equal(t, "ann", c.Assignee)
	}
	rep, err := r.Report(ctx, routing.ReportWindow{From: day, To: day.Add(4 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, routing.Stat{Count: 1}, rep.Total.Groups["support"].TimeToAssignment, "one first assignment, with no wait")
	rep, err = r.Report(ctx, routing.ReportWindow{From: day.Add(2 * time.Hour), To: day.Add(4 * time.Hour)})
	require.NoError(t, err)
	require.Zero(t, rep.Total.Groups["support"].TimeToAssignment.Count, "assigned before the window")
}

// TestS2_ReportPartialAfterPruning: when the journal no longer holds the
// start of the window, the report says so.
func TestS2_ReportPartialAfterPruning(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	r, err := routing.New(ctx, routing.Config{Clock: clk, Presence: presence.ActiveInactive(), ManualDeadlines: true,
		Store: memory.New(memory.WithJournalLimit(4)), Groups: []routing.Group{{ID: "support"}}})
	require.NoError(t, err)
	t.Cleanup(func() { r.Stop(ctx) })
	start := clk.Now()
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5"} {
		_, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "support"})
		require.NoError(t, err)
		clk.Add(time.Minute)
	}
	rep, err := r.Report(ctx, routing.ReportWindow{From: start, To: clk.Now()})
	require.NoError(t, err)
	require.True(t, rep.Partial)
	rep, err = r.Report(ctx, routing.ReportWindow{From: clk.Now().Add(-90 * time.Second), To: clk.Now()})
	require.NoError(t, err)
	require.False(t, rep.Partial)
}

// TestS2_ReportRefusesBadWindows: a window that is not one, a Router
// without a journal and a stopped Router are refused.
func TestS2_ReportRefusesBadWindows(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.ActiveInactive(), routing.Group{ID: "support"})
	now := clk.Now()
	for name, w := range map[string]routing.ReportWindow{
		"no from":          {To: now},
		"no to":            {From: now},
		"empty":            {From: now, To: now},
		"reversed":         {From: now, To: now.Add(-time.Hour)},
		"negative period":  {From: now, To: now.Add(time.Hour), Period: -time.Minute},
		"too many periods": {From: now, To: now.Add(10001 * time.Second), Period: time.Second},
		"centuries apart":  {From: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		_, err := r.Report(ctx, w)
		require.ErrorIs(t, err, routing.ErrInvalid, name)
	}
	_, err := r.Report(ctx, routing.ReportWindow{From: now, To: now.Add(10000 * time.Second), Period: time.Second})
	require.NoError(t, err, "10,000 periods are allowed")

	nj, err := routing.New(ctx, routing.Config{Clock: clk, NoJournal: true, Groups: []routing.Group{{ID: "support"}}})
	require.NoError(t, err)
	_, err = nj.Report(ctx, routing.ReportWindow{From: now, To: now.Add(time.Hour)})
	require.ErrorIs(t, err, routing.ErrInvalid)
	require.ErrorContains(t, err, "NoJournal")
	require.NoError(t, nj.Stop(ctx))

	require.NoError(t, r.Stop(ctx))
	_, err = r.Report(ctx, routing.ReportWindow{From: now, To: now.Add(time.Hour)})
	require.ErrorIs(t, err, routing.ErrClosed)
}

// TestS2_ReportJSON: a report encodes with names, RFC 3339 instants and
// milliseconds, and decodes back; bad numbers are refused.
func TestS2_ReportJSON(t *testing.T) {
	ctx := context.Background()
	r, clk := newClockRouter(t, presence.ActiveInactive(), routing.Group{ID: "support"})
	day := clk.Now()
	_, err := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	clk.Add(90 * time.Second)
	_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: presence.StatusActive})
	require.NoError(t, err)
	rep, err := r.Report(ctx, routing.ReportWindow{From: day, To: day.Add(time.Hour), Period: 30 * time.Minute})
	require.NoError(t, err)

	b, err := json.Marshal(rep)
	require.NoError(t, err)
	s := string(b)
	require.Contains(t, s, `"from":"2026-11-23T09:00:00Z","to":"2026-11-23T10:00:00Z","period_ms":1800000`)
	require.Contains(t, s, `"support":{"time_to_assignment":{"count":1,"total_ms":90000,"max_ms":90000,"mean_ms":90000},"time_to_first_reply":{"count":0,"total_ms":0,"max_ms":0,"mean_ms":0},"missed":0,"closed":0}`)
	require.Contains(t, s, `"periods":[{"start":"2026-11-23T09:00:00Z","end":"2026-11-23T09:30:00Z",`)
	var back routing.Report
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, rep, back)

	for _, bad := range []string{
		`{"count":-1,"total_ms":0,"max_ms":0}`,
		`{"count":1,"total_ms":-5,"max_ms":0}`,
		`{"count":1,"total_ms":0,"max_ms":9223372036855}`,
	} {
		var st routing.Stat
		require.ErrorIs(t, json.Unmarshal([]byte(bad), &st), routing.ErrInvalid, bad)
	}
	require.ErrorIs(t, json.Unmarshal([]byte(`{"period_ms":-1}`), &back), routing.ErrInvalid)
}
