package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// ExampleFilter reads a customer's closed conversations a page at a
// time: each page starts after the Seq of the last conversation of the
// page before, and a short page is the last.
func ExampleFilter() {
	ctx := context.Background()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	s := memory.New()
	defer s.Close()
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("c%d", i)
		if _, err := s.CreateConversation(ctx, store.Conversation{ID: id, Group: "support", CustomerID: "cu1",
			State: store.Queued, CreatedAt: now}, store.Require{}); err != nil {
			panic(err)
		}
		if _, err := s.Apply(ctx, store.Change{Conversation: id, From: []store.State{store.Queued},
			To: store.Closed, CloseReason: "answered", At: now}); err != nil {
			panic(err)
		}
	}

	f := store.Filter{Customer: "cu1", States: []store.State{store.Closed}, Limit: 2}
	for {
		page, err := s.Conversations(ctx, f)
		if err != nil {
			panic(err)
		}
		for _, c := range page {
			fmt.Print(c.ID, " ")
		}
		fmt.Println("|")
		if len(page) < f.Limit {
			break
		}
		f.AfterSeq = page[len(page)-1].Seq
	}
	// Output:
	// c1 c2 |
	// c3 c4 |
	// c5 |
}
