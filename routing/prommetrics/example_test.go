package prommetrics_test

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/routing/prommetrics"
)

// The wiring: the Collector is the Router's Observer, watches the Router
// for its gauges, and is registered; a host serves the registry with
// promhttp.HandlerFor(registry, promhttp.HandlerOpts{}).
func Example() {
	ctx := context.Background()
	metrics := prommetrics.New(prommetrics.Options{})
	r, err := routing.New(ctx, routing.Config{Observer: metrics, Groups: []routing.Group{{ID: "support"}}})
	if err != nil {
		panic(err)
	}
	defer r.Stop(context.Background())
	metrics.Watch(r)
	registry := prometheus.NewRegistry()
	registry.MustRegister(metrics)

	r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "anna", Groups: []string{"support"}, Status: "ready"})
	r.Enqueue(ctx, routing.NewConversation{ID: "chat-1", Group: "support"})
	r.Enqueue(ctx, routing.NewConversation{ID: "chat-2", Group: "support"})

	families, err := registry.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families { // each has one series: one group
		switch f.GetName() {
		case "switchboard_conversations_assigned_total":
			fmt.Println(f.GetName(), f.GetMetric()[0].GetCounter().GetValue())
		case "switchboard_queue_length":
			fmt.Println(f.GetName(), f.GetMetric()[0].GetGauge().GetValue())
		}
	}
	// Output:
	// switchboard_conversations_assigned_total 2
	// switchboard_queue_length 0
}
