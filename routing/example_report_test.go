package routing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/routing"
)

// A supervisor's hourly figures, read back from the journal: how long
// customers waited for an operator, and for the first answer.
func ExampleRouter_Report() {
	ctx := context.Background()
	clk := clock.NewMock() // a clock the example moves; a host passes none
	nine := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	clk.Set(nine)
	r, _ := routing.New(ctx, routing.Config{Clock: clk, ManualDeadlines: true, Groups: []routing.Group{{ID: "support"}}})
	defer r.Stop(context.Background())

	r.Enqueue(ctx, routing.NewConversation{ID: "chat-1", Group: "support"}) // nobody on shift yet
	clk.Add(4 * time.Minute)
	r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "anna", Groups: []string{"support"}, Status: "ready"})
	clk.Add(time.Minute)
	r.OperatorReplied(ctx, routing.ByOperator("anna"), "chat-1")
	clk.Add(time.Hour)
	r.Enqueue(ctx, routing.NewConversation{ID: "chat-2", Group: "support"}) // to anna at once
	clk.Add(2 * time.Minute)
	r.OperatorReplied(ctx, routing.ByOperator("anna"), "chat-2")

	rep, _ := r.Report(ctx, routing.ReportWindow{From: nine, To: nine.Add(2 * time.Hour)})
	for _, p := range rep.Periods {
		f := p.Groups["support"]
		fmt.Printf("%s assigned %d (mean wait %v), first replies %d (mean %v)\n", p.Start.Format("15:04"),
			f.TimeToAssignment.Count, f.TimeToAssignment.Mean(), f.TimeToFirstReply.Count, f.TimeToFirstReply.Mean())
	}
	// Output:
	// 09:00 assigned 1 (mean wait 4m0s), first replies 1 (mean 5m0s)
	// 10:00 assigned 1 (mean wait 0s), first replies 1 (mean 2m0s)
}
