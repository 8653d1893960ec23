package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// insertPageRows inserts n conversations straight into b's table, as a
// store of the latest version would have written them: every seventh one
// queued (see pageRowQueued), the others closed, spread over 50 customers, 40 last
// operators and 40 groups, all through the web channel but for one in 40
// by e-mail, with Seq 1 to n.
func insertPageRows(t *testing.T, b *backend, n int) {
	t.Helper()
	var rows []string
	for i := 1; i <= n; i++ {
		state, closedAt := 5, fmt.Sprint(2000+i)
		if pageRowQueued(i) {
			state, closedAt = 1, "NULL"
		}
		channel := "web"
		if i%40 == 3 {
			channel = "email"
		}
		rows = append(rows, fmt.Sprintf("('c%d', 'g%d', '%s', 'cu%d', 0, NULL, NULL, %d, NULL, NULL, 'op%d', '', %d, %d, %d, NULL, %s, '', FALSE, NULL, NULL, 1)",
			i, i%40, channel, i%50, state, i%40, 1000+i, 1000+i, i, closedAt))
	}
	b.exec(t, "INSERT INTO "+b.table("switchboard_conversations")+" (id, group_id, channel, customer_id, priority, skills_json, "+
		"attributes_json, state, assignee, offered_to_json, last_operator, linked_to, created_at, enqueued_at, seq, assigned_at, "+
		"closed_at, close_reason, all_busy_notified, deadlines_json, missed_by_json, version) VALUES "+strings.Join(rows, ", "))
}

// pageRowQueued reports whether conversation i of insertPageRows is
// queued.
func pageRowQueued(i int) bool { return i%7 == 0 }

// queryPlan returns the database's plan of Conversations(f) on s.
func queryPlan(t *testing.T, b *backend, s *sqlstore.Store, f store.Filter) string {
	t.Helper()
	query, args, ok := sqlstore.FilterQuery(s, f)
	require.True(t, ok)
	explain := "EXPLAIN "
	if b.name == "SQLite" {
		explain = "EXPLAIN QUERY PLAN "
	}
	rows, err := b.raw.QueryContext(t.Context(), explain+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		require.NoError(t, rows.Scan(vals...))
		// The last column is the plan's text in both dialects.
		plan = append(plan, fmt.Sprint(*vals[len(vals)-1].(*any)))
	}
	require.NoError(t, rows.Err())
	return strings.Join(plan, "\n")
}

// TestPageQueriesUseTheirIndex: each page of conversations by one id (of
// closed conversations, as a console reads them) reads that id's index
// (migration 4), on SQLite without statistics in Seq order without
// sorting, and on PostgreSQL after ANALYZE. On SQLite, open conversations
// (those a Router loads when it starts, by group too) are read from the
// index by state.
func TestPageQueriesUseTheirIndex(t *testing.T) {
	closed := []store.State{store.Closed}
	open := []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}
	cases := []struct {
		name  string
		f     store.Filter
		index string
		// sorted: the plan may sort (the states of several entries of the
		// index by state and seq).
		sorted bool
		// sqliteOnly: PostgreSQL chooses by its statistics.
		sqliteOnly bool
	}{
		{"customer", store.Filter{Customer: "cu7", States: closed, AfterSeq: 500, Limit: 20}, "conversations_customer", false, false},
		{"channel", store.Filter{Channel: "email", AfterSeq: 500, Limit: 20}, "conversations_channel", false, false},
		{"last operator", store.Filter{LastOperator: "op3", States: closed, AfterSeq: 500, Limit: 20}, "conversations_last_operator", false, false},
		{"group", store.Filter{Group: "g3", States: closed, AfterSeq: 500, Limit: 20}, "conversations_group", false, false},
		{"customer, closed or queued", store.Filter{Customer: "cu7", States: []store.State{store.Queued, store.Closed}, Limit: 20},
			"conversations_customer", false, false},
		{"closed", store.Filter{States: closed, AfterSeq: 500, Limit: 20}, "conversations_state", false, true},
		{"open", store.Filter{States: open}, "conversations_state", true, true},
		{"open by group", store.Filter{Group: "g3", States: open}, "conversations_state", true, true},
		{"queued by customer", store.Filter{Customer: "cu7", States: []store.State{store.Queued}, Limit: 20}, "conversations_state", false, true},
	}
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.mustMigrate(t)
		insertPageRows(t, b, 2000)
		if b.name == "Postgres" {
			b.exec(t, "ANALYZE "+b.table("switchboard_conversations"))
		}
		for _, tc := range cases {
			if tc.sqliteOnly && b.name != "SQLite" {
				continue
			}
			plan := queryPlan(t, b, s, tc.f)
			t.Logf("%s:\n%s", tc.name, plan)
			require.Contains(t, plan, tc.index, "%s: %+v", tc.name, tc.f)
			if !tc.sorted && b.name == "SQLite" {
				require.NotContains(t, strings.ToUpper(plan), "SORT", "%s: %+v", tc.name, tc.f)
				require.NotContains(t, plan, "TEMP B-TREE", "%s: %+v", tc.name, tc.f)
			}
		}

		// The pages read back what the rows hold.
		var want []uint64
		for i := 501; i <= 2000 && len(want) < 20; i++ {
			if i%50 == 7 && !pageRowQueued(i) {
				want = append(want, uint64(i))
			}
		}
		page, err := s.Conversations(t.Context(), store.Filter{Customer: "cu7", States: closed, AfterSeq: 500, Limit: 20})
		require.NoError(t, err)
		var got []uint64
		for _, c := range page {
			got = append(got, c.Seq)
		}
		require.Equal(t, want, got)
	})
}
