package routing_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// BenchmarkRead measures the read API on a group whose queue holds n
// conversations (nobody is on shift), beside 50 conversations held by one
// operator of another group: a page costs about its own size, whatever n.
// Compare the sizes of one run.
func BenchmarkRead(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		ctx := context.Background()
		r, err := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "queue"}, {ID: "held"}}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"held"}, Status: "ready"}); err != nil {
			b.Fatal(err)
		}
		for i := range 50 {
			if _, err := r.Enqueue(ctx, routing.NewConversation{ID: "h" + strconv.Itoa(i), Group: "held", CustomerID: "k" + strconv.Itoa(i)}); err != nil {
				b.Fatal(err)
			}
		}
		for i := range n {
			if _, err := r.Enqueue(ctx, routing.NewConversation{ID: "q" + strconv.Itoa(i), Group: "queue", Channel: "web"}); err != nil {
				b.Fatal(err)
			}
		}
		size := "/queued=" + strconv.Itoa(n)
		run := func(name string, read func() int, want int) {
			b.Run(name+size, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if got := read(); got != want {
						b.Fatalf("%s: %d rows, want %d", name, got, want)
					}
				}
			})
		}
		page := func(f routing.ConversationFilter) func() int {
			return func() int {
				p, err := r.Conversations(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				return len(p.Conversations)
			}
		}
		run("ByAssignee", page(routing.ConversationFilter{Assignee: "ann"}), 50)
		run("ByCustomer", page(routing.ConversationFilter{Customer: "k7"}), 1)
		run("ByGroupPage", page(routing.ConversationFilter{Group: "queue", Limit: 50, Cursor: strconv.Itoa(n / 2)}), 50)
		run("ByChannelPage", page(routing.ConversationFilter{Channel: "web", State: store.Queued, Limit: 50}), 50)
		run("QueueHead", func() int {
			q, err := r.Queue("queue", 50)
			if err != nil {
				b.Fatal(err)
			}
			return len(q.Entries)
		}, 50)
		_ = r.Stop(ctx)
	}
}
