// Command quickstart shows Switchboard in one process: a support group with
// three operators whose cap is two conversations each, a burst of eight
// conversations, and what happens as operators finish their work. It prints
// every event as it happens and exits.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	// Balanced routing (least loaded first) with a cap of 2 per operator.
	r, err := routing.New(ctx, routing.Config{
		Groups: []routing.Group{{
			ID:     "support",
			Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2}),
		}},
	})
	if err != nil {
		return err
	}

	// Every command emits its events before it returns; print them after
	// each one, so they appear in the order they happened.
	sub := r.Subscribe()
	defer sub.Cancel()
	printEvents := func() {
		for {
			select {
			case ev := <-sub.Events():
				fmt.Println("  event:", ev)
			default:
				return
			}
		}
	}

	for _, id := range []string{"anna", "boris", "vera"} {
		if _, err := r.AddOperator(ctx, routing.OperatorSpec{ID: id, Groups: []string{"support"}}); err != nil {
			return err
		}
		if err := r.LogIn(ctx, id); err != nil { // offline -> ready
			return err
		}
		printEvents()
	}

	// A burst of eight conversations: six fit under the caps, two wait.
	for i := 1; i <= 8; i++ {
		c, err := r.Enqueue(ctx, routing.NewConversation{ID: fmt.Sprintf("chat-%d", i), Group: "support", Channel: "web"})
		if err != nil {
			return err
		}
		fmt.Printf("chat-%d: %s %s\n", i, c.State, c.Assignee)
		printEvents()
	}

	// Anna closes a chat: the longest-waiting queued chat goes to her at once.
	fmt.Println("anna closes chat-1")
	if _, err := r.Close(ctx, routing.ByOperator("anna"), "chat-1", "resolved"); err != nil {
		return err
	}
	printEvents()
	// Boris ends his shift: his chats go to whoever has room, or back to the queue.
	fmt.Println("boris ends his shift")
	if err := r.EndShift(ctx, routing.ByOperator("boris"), "boris"); err != nil {
		return err
	}
	printEvents()

	snap := r.Snapshot()
	for _, o := range snap.Operators {
		fmt.Printf("%s: %s, load %d, %v\n", o.ID, o.Status, o.Load, o.Conversations)
	}
	for _, g := range snap.Groups {
		fmt.Printf("queue %s: %d waiting, oldest %s\n", g.ID, g.Queued, g.Oldest)
	}
	return r.Stop()
}
