package sqlstore_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/storetest"
)

// faultHistory records the writes of a fault test's Routers, each Router a
// client, for the linearizability check.
type faultHistory struct {
	mu      sync.Mutex
	ops     []storetest.Op
	clients int
}

// record returns s with its writes recorded as a new client's.
func (h *faultHistory) record(s store.Store) store.Store {
	h.mu.Lock()
	h.clients++
	client := h.clients
	h.mu.Unlock()
	return storetest.NewRecorder(s, client, h.add)
}

func (h *faultHistory) add(op storetest.Op) {
	h.mu.Lock()
	h.ops = append(h.ops, op)
	h.mu.Unlock()
}

// requireLinearizable checks the writes recorded so far against the
// store's sequential specification: with the faults in it, every write
// took effect at one instant between its call and its return, or, for one
// whose outcome is unknown, at one instant after its call or not at all.
func (h *faultHistory) requireLinearizable(t testing.TB) {
	t.Helper()
	h.mu.Lock()
	ops := append([]storetest.Op(nil), h.ops...)
	h.mu.Unlock()
	requireLinearizableOps(t, ops, time.Minute, "switchboard-fault-history.html")
}

// requireLinearizableOps checks ops against the store's sequential
// specification, within timeout; a history that is not linearizable is
// drawn in the temporary directory, in file name.
func requireLinearizableOps(t testing.TB, ops []storetest.Op, timeout time.Duration, name string) {
	t.Helper()
	res, err := storetest.CheckLinearizable(ops, timeout)
	require.NoError(t, err)
	t.Logf("linearizability: %s", res)
	if res.Verdict != storetest.Linearizable {
		view := filepath.Join(os.TempDir(), name)
		if err := res.Visualize(view); err == nil {
			t.Logf("history written to %s", view)
		}
	}
	require.Equal(t, storetest.Linearizable, res.Verdict)
}
