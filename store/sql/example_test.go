package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

func ExampleOpenSQLite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "switchboard")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	// A new database has no schema yet: calls fail until Migrate.
	_, err = s.Operators(ctx)
	fmt.Println(err != nil)
	if err := s.Migrate(ctx); err != nil {
		panic(err)
	}

	if _, err := s.CreateOperator(ctx, store.Operator{ID: "ann", Groups: []string{"support"}, Status: "ready", StatusSince: now}); err != nil {
		panic(err)
	}
	if _, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "support", State: store.Queued, CreatedAt: now}, store.Require{}); err != nil {
		panic(err)
	}
	// Ann takes the conversation: it must still be waiting in the queue,
	// her status must allow it and she must be below her cap of 2; the
	// check and the claim are one transaction.
	claim := store.Change{
		Conversation: "c1",
		From:         []store.State{store.Queued, store.Offered},
		To:           store.Assigned,
		NewAssignee:  "ann",
		Require:      store.Require{AssigneeStatuses: []string{"ready"}, AssigneeCap: 2},
		At:           now.Add(time.Minute),
	}
	res, err := s.Apply(ctx, claim)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Conversation.State, res.Conversation.Assignee, "load", res.Gained.Load)

	_, err = s.Apply(ctx, claim)
	fmt.Println(err)

	mismatches, err := s.Reconcile(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("mismatches:", len(mismatches))
	// Output:
	// true
	// assigned ann load 1
	// switchboard: conversation already taken: conversation "c1" is assigned by "ann"
	// mismatches: 0
}
