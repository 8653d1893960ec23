package routing_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store/memory"
)

// The quickstart of the README: a capped, balanced group and two operators.
func Example() {
	ctx := context.Background()
	r, _ := routing.New(ctx, routing.Config{Groups: []routing.Group{{
		ID:     "support",
		Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2}),
	}}})
	defer r.Stop(context.Background())
	sub := r.Subscribe(routing.Assigned, routing.AllBusy)

	for _, id := range []string{"anna", "boris"} {
		r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support"}})
		r.LogIn(ctx, routing.ByOperator(id), id) // offline -> ready
	}
	c, _ := r.Enqueue(ctx, routing.NewConversation{ID: "chat-1", Group: "support"})
	fmt.Println(c.State, c.Assignee)
	fmt.Println(<-sub.Events())
	r.CloseConversation(ctx, routing.ByOperator("anna"), "chat-1", "resolved")
	// Output:
	// assigned anna
	// assigned conv=chat-1 group=support op=anna policy=capped(least-loaded)
}

// Broadcast: every eligible operator is offered the conversation; the first
// to take it wins and the other offers are withdrawn (R1).
func Example_broadcast() {
	ctx := context.Background()
	r, _ := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "sales", Policy: policy.Broadcast(0)}}})
	defer r.Stop(context.Background())
	for _, id := range []string{"anna", "boris", "vera"} {
		r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"sales"}, Status: "ready"})
	}
	sub := r.Subscribe(routing.Offered, routing.Assigned, routing.OfferWithdrawn)

	r.Enqueue(ctx, routing.NewConversation{ID: "lead-7", Group: "sales"})
	r.Take(ctx, routing.ByOperator("vera"), "lead-7")
	_, err := r.Take(ctx, routing.ByOperator("anna"), "lead-7")
	fmt.Println(errors.Is(err, routing.ErrAlreadyTaken))
	for range 3 {
		fmt.Println(<-sub.Events())
	}
	// Output:
	// true
	// offered conv=lead-7 group=sales ops=[anna boris vera] policy=broadcast
	// assigned conv=lead-7 group=sales op=vera policy=manual
	// offer-withdrawn conv=lead-7 group=sales ops=[anna boris]
}

// A policy can be swapped at run time (R8).
func ExampleRouter_SetPolicy() {
	ctx := context.Background()
	r, _ := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	defer r.Stop(context.Background())
	r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "anna", Groups: []string{"support"}, Status: "ready"})

	c, _ := r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	fmt.Println(c.State, c.Assignee)
	r.SetPolicy(ctx, routing.ByAdmin("admin"), "support", policy.Broadcast(0))
	c, _ = r.Enqueue(ctx, routing.NewConversation{ID: "c2", Group: "support"})
	fmt.Println(c.State, c.OfferedTo)
	// Output:
	// assigned anna
	// offered [anna]
}

// Groups are stored: an update reaches every Router on the store and
// survives a restart, and Config.Groups only fills in a store that lacks the
// group.
func ExampleRouter_UpdateGroup() {
	ctx := context.Background()
	st := memory.New()
	cfg := routing.Config{Store: st, Groups: []routing.Group{{ID: "support"}}}
	r, _ := routing.New(ctx, cfg)
	r.UpdateGroup(ctx, routing.ByAdmin("admin"), routing.Group{ID: "support", Policy: policy.Broadcast(2), AcceptTimeout: time.Minute})
	r.Stop(ctx)

	again, _ := routing.New(ctx, cfg) // the same Config
	defer again.Stop(ctx)
	g, _ := again.Group("support")
	fmt.Println(g.Policy.Name(), g.AcceptTimeout)
	rows, _ := st.Groups(ctx)
	fmt.Println(rows[0].Version, string(rows[0].Config))
	// Output:
	// broadcast(2) 1m0s
	// 2 {"policy":{"kind":"broadcast","limit":2},"accept_timeout_ms":60000}
}

// Every event says who caused it: an admin forcing an operator off shift
// is named on the status change (which says it was forced) and on the
// redistribution that follows (P4).
func ExampleRouter_EndShift() {
	ctx := context.Background()
	r, _ := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	defer r.Stop(context.Background())
	r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "anna", Groups: []string{"support"}, Status: "ready"})
	r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "support"})
	r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "boris", Groups: []string{"support"}, Status: "ready"})
	sub := r.Subscribe(routing.StatusChanged, routing.Redistributed, routing.Assigned)

	r.EndShift(ctx, routing.ByAdmin("lead"), "anna")
	for range 3 {
		e := <-sub.Events()
		fmt.Println(e.By, "|", e)
	}
	// Output:
	// admin:lead | status-changed op=anna from=ready to=offline reason=forced off shift
	// admin:lead | redistributed conv=c1 group=support op=boris from=anna
	// admin:lead | assigned conv=c1 group=support op=boris policy=capped(least-loaded)
}

// A rule set loaded from JSON sends web chats from the shop to sales and
// makes a key customer's chats urgent (D1, D2).
func ExampleRouter_SetRules() {
	ctx := context.Background()
	r, _ := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "support"}, {ID: "sales"}}})
	defer r.Stop(context.Background())

	set, err := r.DecodeRules([]byte(`{"rules": [
	  {"name": "shop pages go to sales",
	   "when": {"field": "url", "op": "contains", "value": "/shop"},
	   "then": {"group": "sales"}},
	  {"name": "red company is urgent",
	   "when": {"field": "company", "op": "equals", "value": "Red company"},
	   "then": {"priority": 10}}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	version, _ := r.SetRules(ctx, routing.ByAdmin("admin"), set)
	fmt.Println("rules version", version)

	for _, nc := range []routing.NewConversation{
		{ID: "chat-1", Group: "support", Attributes: map[string]string{"url": "https://example.com/shop/cart"}},
		{ID: "chat-2", Group: "support", Attributes: map[string]string{"company": "Red company"}},
	} {
		c, _ := r.Enqueue(ctx, nc)
		fmt.Println(c.ID, c.Group, c.Priority, c.Rules[0].Rule)
	}

	_, err = r.DecodeRules([]byte(`{"rules": [{"name": "x", "when": {"field": "url", "op": "contians", "value": "/"}, "then": {"group": "sales"}}]}`))
	fmt.Println(err)
	// Output:
	// rules version 1
	// chat-1 sales 0 shop pages go to sales
	// chat-2 support 10 red company is urgent
	// switchboard: invalid input: rules[0].when.op: unknown operator "contians"
}

// A console subscribes to what concerns its operator: here anna sees the
// offer made to her and its withdrawal when boris takes the conversation,
// not boris's assignment. A console that falls behind gets a Lagged
// marker, its channel closes, and it subscribes again.
func ExampleRouter_SubscribeTo() {
	ctx := context.Background()
	r, _ := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "sales", Policy: policy.Broadcast(0)}}})
	defer r.Stop(context.Background())
	for _, id := range []string{"anna", "boris"} {
		r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"sales"}, Status: "ready"})
	}
	console, err := r.SubscribeTo(routing.EventFilter{Operator: "anna"})
	if err != nil {
		panic(err)
	}

	r.Enqueue(ctx, routing.NewConversation{ID: "lead-7", Group: "sales"})
	r.Take(ctx, routing.ByOperator("boris"), "lead-7")
	for range 2 {
		ev := <-console.Events()
		if ev.Kind == routing.Lagged {
			// Events from ev.Seq on were not delivered: subscribe again
			// and reload what the console shows.
			break
		}
		fmt.Println(ev)
	}
	// Output:
	// offered conv=lead-7 group=sales ops=[anna boris] policy=broadcast
	// offer-withdrawn conv=lead-7 group=sales ops=[anna]
}
