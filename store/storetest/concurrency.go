package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// racers is how many goroutines the concurrency tests release at once.
const racers = 32

// oneWinner checks that exactly one of errs, those of racers writing one
// row expecting the same version, is nil, and every other matches loses,
// and returns the winner's index.
func oneWinner(t tb, errs []error, loses error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "two racers won: %d and %d", max(winner, 0), i)
			winner = i
			continue
		}
		require.ErrorIs(t, err, loses, "racer %d", i)
	}
	require.NotEqual(t, -1, winner, "no racer won")
	return winner
}

// race runs call(i) for i in [0, racers) in as many goroutines, all released
// together, and returns their errors by i.
func race(call func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = call(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// testClaimRace: every operator claims the same queued conversation at the
// same time; exactly one gets it (R1, invariant 1).
func testClaimRace(t *testing.T, s store.Store) {
	ops := make([]string, racers)
	for i := range ops {
		ops[i] = fmt.Sprintf("op%02d", i)
		createOp(t, s, ops[i], ready, 1, "sales")
	}
	createConv(t, s, queuedConv("c1", "sales", "cu1", at(0)), store.Require{})

	errs := race(func(i int) error {
		_, err := s.Apply(bg, store.Change{
			Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: ops[i],
			Require: store.Require{AssigneeStatuses: []string{ready}, AssigneeCap: 1}, At: at(1),
		})
		return err
	})

	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "two claims succeeded: %s and %s", ops[max(winner, 0)], ops[i])
			winner = i
			continue
		}
		require.ErrorIs(t, err, store.ErrAlreadyTaken, ops[i])
	}
	require.NotEqual(t, -1, winner, "no claim succeeded")

	c := getConv(t, s, "c1")
	require.Equal(t, store.Assigned, c.State)
	require.Equal(t, ops[winner], c.Assignee)
	require.Equal(t, int64(2), c.Version)
	total := 0
	for i, id := range ops {
		op := getOp(t, s, id)
		total += op.Load
		if i == winner {
			require.Equal(t, 1, op.Load)
			require.Equal(t, int64(2), op.Version)
		} else {
			require.Zero(t, op.Load, id)
			require.Equal(t, int64(1), op.Version, id)
		}
	}
	require.Equal(t, 1, total)
}

// testCapRace: one operator with a cap of 3 claims many conversations at
// the same time; exactly 3 succeed (R3, invariant 2).
func testCapRace(t *testing.T, s store.Store) {
	const limit = 3
	createOp(t, s, "ann", ready, limit, "sales")
	convs := make([]string, racers)
	for i := range convs {
		convs[i] = fmt.Sprintf("c%02d", i)
		createConv(t, s, queuedConv(convs[i], "sales", "", at(0)), store.Require{})
	}

	errs := race(func(i int) error {
		_, err := s.Apply(bg, store.Change{
			Conversation: convs[i], From: fromQueue, To: store.Assigned, NewAssignee: "ann",
			Require: store.Require{AssigneeStatuses: []string{ready}, AssigneeCap: limit}, At: at(1),
		})
		return err
	})

	won := map[string]bool{}
	for i, err := range errs {
		if err == nil {
			won[convs[i]] = true
			continue
		}
		require.ErrorIs(t, err, store.ErrOverCapacity, convs[i])
	}
	require.Len(t, won, limit)

	ann := getOp(t, s, "ann")
	require.Equal(t, limit, ann.Load)
	require.Equal(t, int64(1+limit), ann.Version)
	for _, id := range convs {
		c := getConv(t, s, id)
		if won[id] {
			require.Equal(t, store.Assigned, c.State, id)
			require.Equal(t, "ann", c.Assignee, id)
		} else {
			require.Equal(t, store.Queued, c.State, id)
			require.Equal(t, int64(1), c.Version, id)
		}
	}
	requireLoads(t, s, "ann", limit)
}
