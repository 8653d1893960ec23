package routing_test

import (
	"context"
	"fmt"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// A console's read side: the queue in serving order with each waiting
// customer's place, and what one operator holds.
func ExampleRouter_Queue() {
	ctx := context.Background()
	r, _ := routing.New(ctx, routing.Config{Groups: []routing.Group{{ID: "support"}}})
	defer r.Stop(context.Background())
	r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "anna", Groups: []string{"support"}, Cap: 1, Status: "ready"})

	for _, nc := range []routing.NewConversation{
		{ID: "chat-1", Group: "support"},
		{ID: "chat-2", Group: "support"},
		{ID: "chat-3", Group: "support", Priority: 1},
	} {
		e, _ := r.Enqueue(ctx, nc)
		fmt.Println(e.ID, e.State, "position", e.Position)
	}
	q, _ := r.Queue("support", 0)
	for _, e := range q.Entries {
		fmt.Println(e.Position, e.Conversation.ID)
	}
	page, _ := r.Conversations(ctx, routing.ConversationFilter{Assignee: "anna", State: store.Assigned})
	for _, c := range page.Conversations {
		fmt.Println("anna holds", c.ID)
	}
	// Output:
	// chat-1 assigned position 0
	// chat-2 queued position 1
	// chat-3 queued position 1
	// 1 chat-3
	// 2 chat-2
	// anna holds chat-1
}
