package memory_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
	"github.com/switchboard-go/switchboard/store/storetest"
)

// TestMain raises rapid's default number of checks to 1,000 sequences,
// unless the RAPID_CHECKS environment variable or an explicit -rapid.checks
// flag says otherwise.
func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv("RAPID_CHECKS"); !ok {
		flag.Parse()
		if !flagSet("rapid.checks") {
			if err := flag.Set("rapid.checks", "1000"); err != nil {
				panic(err)
			}
		}
	}
	os.Exit(m.Run())
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
}

// TestResultOperatorsSorted checks that the memory store returns the rows
// of a transfer sorted by id, whichever way the conversation moves.
func TestResultLoadsSorted(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"ann", "bob"} {
		_, err := s.CreateOperator(ctx, store.Operator{ID: id, Status: "ready"})
		require.NoError(t, err)
	}
	_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Assigned, Assignee: "bob", CreatedAt: at}, store.Require{})
	require.NoError(t, err)
	for i, to := range []string{"ann", "bob"} {
		res, err := s.Apply(ctx, store.Change{
			Conversation: "c1", From: []store.State{store.Assigned}, To: store.Assigned, NewAssignee: to,
			At: at.Add(time.Duration(i+1) * time.Minute),
		})
		require.NoError(t, err)
		require.Len(t, res.Loads(), 2)
		require.Equal(t, "ann", res.Loads()[0].Operator)
		require.Equal(t, "bob", res.Loads()[1].Operator)
		require.Equal(t, to, res.Gained.Operator)
	}
}

func ExampleNew() {
	ctx := context.Background()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	s := memory.New()
	defer s.Close()

	if _, err := s.CreateOperator(ctx, store.Operator{ID: "ann", Groups: []string{"support"}, Status: "ready", StatusSince: now}); err != nil {
		panic(err)
	}
	if _, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "support", State: store.Queued, CreatedAt: now}, store.Require{}); err != nil {
		panic(err)
	}

	// Ann takes the conversation: it must still be waiting in the queue,
	// her status must allow it and she must be below her cap of 2.
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

	// Taking it a second time fails: someone holds it already.
	_, err = s.Apply(ctx, claim)
	fmt.Println(err)
	// Output:
	// assigned ann load 1
	// switchboard: conversation already taken: conversation "c1" is assigned by "ann"
}

func BenchmarkApplyClaimRelease(b *testing.B) {
	ctx := b.Context()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	s := memory.New()
	ops := make([]string, 16)
	for i := range ops {
		ops[i] = "op" + strconv.Itoa(i)
		if _, err := s.CreateOperator(ctx, store.Operator{ID: ops[i], Groups: []string{"support"}, Cap: 5, Status: "ready"}); err != nil {
			b.Fatal(err)
		}
	}
	req := store.Require{AssigneeStatuses: []string{"ready"}, AssigneeCap: 5}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := "c" + strconv.Itoa(i)
		c := store.Conversation{ID: id, Group: "support", CustomerID: "cu", State: store.Assigned, Assignee: ops[i%len(ops)], CreatedAt: now}
		if _, err := s.CreateConversation(ctx, c, req); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(ctx, store.Change{Conversation: id, From: []store.State{store.Assigned}, To: store.Closed, CloseReason: "done", At: now}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// closedConversations returns a store holding n closed conversations of
// 100 customers.
func closedConversations(tb testing.TB, n int) *memory.Store {
	ctx := context.Background()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	s := memory.New()
	for i := range n {
		id := "c" + strconv.Itoa(i)
		c := store.Conversation{ID: id, Group: "support", CustomerID: "cu" + strconv.Itoa(i%100), State: store.Queued, CreatedAt: now}
		if _, err := s.CreateConversation(ctx, c, store.Require{}); err != nil {
			tb.Fatal(err)
		}
		if _, err := s.Apply(ctx, store.Change{Conversation: id, From: []store.State{store.Queued}, To: store.Closed, At: now}); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// TestPageCopiesOnlyItsRows: a page of a store holding many conversations
// makes one allocation, its result, whatever the number of conversations
// (the walk of the Seq index stops once the page is full).
func TestPageCopiesOnlyItsRows(t *testing.T) {
	s := closedConversations(t, 5000)
	for _, f := range []store.Filter{
		{Limit: 10},
		{Limit: 10, AfterSeq: 2500, States: []store.State{store.Closed}},
		{Limit: 10, AfterSeq: 2500, Customer: "cu7"},
	} {
		var page []store.Conversation
		allocs := testing.AllocsPerRun(20, func() {
			var err error
			page, err = s.Conversations(t.Context(), f)
			require.NoError(t, err)
		})
		require.Len(t, page, 10)
		require.Greater(t, page[0].Seq, f.AfterSeq)
		require.Equal(t, float64(1), allocs, "%+v", f)
	}
}

// BenchmarkConversationsPage reads a page of 50 closed conversations from
// the middle of stores of growing size: its cost grows with the log of the
// size, not the size. (A page by customer also reads, on the way, the
// conversations of other customers it skips.)
func BenchmarkConversationsPage(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := closedConversations(b, n)
			f := store.Filter{States: []store.State{store.Closed}, AfterSeq: uint64(n / 2), Limit: 50}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Conversations(b.Context(), f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
