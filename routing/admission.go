package routing

import "sync"

// admission counts the commands in flight, so that Stop can refuse new
// ones and wait for the others. It has a mutex of its own, never held
// while anything else runs: a command that panics while it holds
// Router.mu still gets out of its deferred end.
type admission struct {
	mu sync.Mutex
	// stopping is set when Stop begins: no command is admitted after it.
	stopping bool
	// inflight counts the commands admitted and not yet returned; idle,
	// when not nil, is closed when that count reaches zero.
	inflight int
	idle     chan struct{}
}

// enter admits one command, unless Stop has begun.
func (a *admission) enter() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopping {
		return false
	}
	a.inflight++
	return true
}

// leave counts an admitted command as returned.
func (a *admission) leave() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inflight--
	if a.inflight == 0 && a.idle != nil {
		close(a.idle)
		a.idle = nil
	}
}

// stop admits no more commands and returns a channel closed when those in
// flight have returned, or nil when none is.
func (a *admission) stop() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopping = true
	if a.inflight == 0 {
		return nil
	}
	if a.idle == nil {
		a.idle = make(chan struct{})
	}
	return a.idle
}
