package routing

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConvLocksKeepConversationsApart: a command on one conversation never
// waits for a command on another, commands on one conversation take turns,
// and no lock outlives its commands.
func TestConvLocksKeepConversationsApart(t *testing.T) {
	var ls convLocks
	ended, cancel := context.WithCancel(context.Background())
	cancel()

	unlockA, err := ls.lock(context.Background(), "a")
	require.NoError(t, err)
	for _, id := range []string{"b", "c", "d"} {
		unlock, err := ls.lock(ended, id) // free: taken at once, ctx or not
		require.NoError(t, err, id)
		unlock()
	}
	_, err = ls.lock(ended, "a")
	require.ErrorIs(t, err, context.Canceled, "a is held: waiting for it ends with the context")
	require.Equal(t, 1, ls.held())
	unlockA()
	require.Equal(t, 0, ls.held(), "no lock outlives its commands")

	// Many commands on a few conversations: one at a time on each.
	var wg sync.WaitGroup
	inside := map[string]int{}
	var mu sync.Mutex
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := []string{"x", "y", "z"}[i%3]
			unlock, err := ls.lock(context.Background(), id)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside[id]++
			n := inside[id]
			mu.Unlock()
			if n != 1 {
				t.Errorf("%d commands inside conversation %s's lock", n, id)
			}
			mu.Lock()
			inside[id]--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, 0, ls.held())
}
