package prommetrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/prommetrics"
	"github.com/switchboard-go/switchboard/store"
)

// start is when every test begins.
var start = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)

// env is a Router on the memory store (unless cfg names another) and a
// mock clock, with deadlines processed by hand, watched by a Collector.
type env struct {
	t   *testing.T
	ctx context.Context
	clk *clock.Mock
	r   *routing.Router
	m   *prommetrics.Collector
}

func newEnv(t *testing.T, cfg routing.Config, opts prommetrics.Options) *env {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(start)
	m := prommetrics.New(opts)
	cfg.Clock, cfg.Observer, cfg.ManualDeadlines = clk, m, true
	ctx := context.Background()
	r, err := routing.New(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	m.Watch(r)
	return &env{t: t, ctx: ctx, clk: clk, r: r, m: m}
}

// addOp adds operator id in status, serving groups.
func (e *env) addOp(id, status string, groups ...string) {
	e.t.Helper()
	_, err := e.r.AddOperator(e.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: groups, Status: status})
	require.NoError(e.t, err)
}

// enqueue adds conversation id to group.
func (e *env) enqueue(id, group string) store.Conversation {
	e.t.Helper()
	c, err := e.r.Enqueue(e.ctx, routing.NewConversation{ID: id, Group: group})
	require.NoError(e.t, err)
	return c.Conversation
}

// requireMetrics checks the exposition of the named metrics against want
// (its HELP and TYPE lines included).
func (e *env) requireMetrics(want string, names ...string) {
	e.t.Helper()
	require.NoError(e.t, testutil.CollectAndCompare(e.m, strings.NewReader(want), names...))
}
