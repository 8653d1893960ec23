package prommetrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/prommetrics"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// failingStore is a memory store whose conversation writes take took on
// the mock clock and fail while fail is set.
type failingStore struct {
	store.Store
	clk  *clock.Mock
	took time.Duration
	fail bool
}

var errDown = fmt.Errorf("test: %w", store.ErrUnavailable)

func (s *failingStore) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	s.clk.Add(s.took)
	if s.fail {
		return store.Result{}, errDown
	}
	return s.Store.CreateConversation(ctx, c, req)
}

// TestStoreWritesTimedAndErrorsCounted: each store write is observed, by
// call, with its duration on the Router's clock; a failed one is counted
// as an error.
func TestStoreWritesTimedAndErrorsCounted(t *testing.T) {
	st := &failingStore{Store: memory.New(), took: 20 * time.Millisecond}
	e := newEnv(t, routing.Config{Store: st, Groups: []routing.Group{{ID: "support"}}},
		prommetrics.Options{StoreWriteBuckets: []float64{0.01, 0.1}})
	st.clk = e.clk // no conversation written before
	e.addOp("ann", presence.StatusReady, "support")
	e.enqueue("c1", "support")
	st.fail = true
	for _, id := range []string{"c2", "c3"} {
		_, err := e.r.Enqueue(e.ctx, routing.NewConversation{ID: id, Group: "support"})
		require.ErrorIs(t, err, store.ErrUnavailable)
	}

	e.requireMetrics(`
# HELP switchboard_store_write_errors_total Store writes that failed or were refused, by store call.
# TYPE switchboard_store_write_errors_total counter
switchboard_store_write_errors_total{call="apply"} 0
switchboard_store_write_errors_total{call="create-conversation"} 2
switchboard_store_write_errors_total{call="create-operator"} 0
switchboard_store_write_errors_total{call="delete-group"} 0
switchboard_store_write_errors_total{call="delete-operator"} 0
switchboard_store_write_errors_total{call="put-group"} 0
switchboard_store_write_errors_total{call="set-operator-deadlines"} 0
switchboard_store_write_errors_total{call="set-rule-set"} 0
switchboard_store_write_errors_total{call="set-status"} 0
switchboard_store_write_errors_total{call="update-operator"} 0
`, "switchboard_store_write_errors_total")
	want := `
# HELP switchboard_store_write_seconds Duration of the Router's store writes, by store call.
# TYPE switchboard_store_write_seconds histogram
`
	for _, call := range []string{"apply", "create-conversation", "create-operator", "delete-group", "delete-operator",
		"put-group", "set-operator-deadlines", "set-rule-set", "set-status", "update-operator"} {
		var under10ms, under100ms, sum = 0, 0, "0"
		switch call {
		case "create-conversation": // c1, c2 and c3, 20 ms each
			under100ms, sum = 3, "0.06"
		case "create-operator", "put-group": // on the mock clock nobody moved; New stored the group
			under10ms, under100ms = 1, 1
		}
		want += fmt.Sprintf(`switchboard_store_write_seconds_bucket{call=%[1]q,le="0.01"} %[2]d
switchboard_store_write_seconds_bucket{call=%[1]q,le="0.1"} %[3]d
switchboard_store_write_seconds_bucket{call=%[1]q,le="+Inf"} %[3]d
switchboard_store_write_seconds_sum{call=%[1]q} %[4]s
switchboard_store_write_seconds_count{call=%[1]q} %[3]d
`, call, under10ms, under100ms, sum)
	}
	e.requireMetrics(want, "switchboard_store_write_seconds")
}
