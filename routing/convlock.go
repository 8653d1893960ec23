package routing

import (
	"context"
	"sync"
)

// Conversation locks serialise the commands on one conversation inside a
// Router, so that its view of the conversation follows the store's order:
// a command holds its conversation's lock from its decision to the
// absorption of the store's answer. Each conversation has a lock of its
// own, made when a command first needs it and dropped when the last
// command holding or awaiting it is done, so a command waits only for
// commands on the same conversation, never for another conversation's
// database round trip. A goroutine holds at most one conversation lock,
// and takes Router.mu only inside one.

// convLocks holds the locks of the conversations some command holds or
// awaits. The zero value is ready to use.
type convLocks struct {
	mu    sync.Mutex
	locks map[string]*convLock
	// spare holds dropped locks for reuse, so that a steady flow of
	// commands does not allocate one each.
	spare []*convLock
}

// convLock is one conversation's lock: a channel of one slot, so that a
// command gives up waiting for it when its context ends. id is the
// conversation, refs counts the commands that hold or await it, and
// unlock, made once per lock, releases it (so that taking a lock
// allocates nothing).
type convLock struct {
	slot   chan struct{}
	id     string
	refs   int
	unlock func()
}

// maxSpareLocks bounds convLocks.spare.
const maxSpareLocks = 256

// lock takes the lock of conversation id, or fails with the context's
// error if ctx ends first: another command may hold it through a store
// that does not answer. The caller must call the returned func to unlock.
func (ls *convLocks) lock(ctx context.Context, id string) (unlock func(), err error) {
	l := ls.ref(id)
	select {
	case l.slot <- struct{}{}:
		return l.unlock, nil
	default:
	}
	select {
	case l.slot <- struct{}{}:
		return l.unlock, nil
	case <-ctx.Done():
		ls.unref(l)
		return nil, ctx.Err()
	}
}

// ref returns the lock of conversation id, counting one more command on
// it.
func (ls *convLocks) ref(id string) *convLock {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.locks[id]
	if l == nil {
		if n := len(ls.spare); n > 0 {
			l, ls.spare = ls.spare[n-1], ls.spare[:n-1]
		} else {
			l = &convLock{slot: make(chan struct{}, 1)}
			l.unlock = func() {
				<-l.slot
				ls.unref(l)
			}
		}
		l.id = id
		if ls.locks == nil {
			ls.locks = map[string]*convLock{}
		}
		ls.locks[id] = l
	}
	l.refs++
	return l
}

// unref counts one command less on l and drops it when none is left.
func (ls *convLocks) unref(l *convLock) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if l.refs--; l.refs > 0 {
		return
	}
	delete(ls.locks, l.id)
	l.id = ""
	if len(ls.spare) < maxSpareLocks {
		ls.spare = append(ls.spare, l)
	}
}

// held returns how many conversations have a lock in use.
func (ls *convLocks) held() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return len(ls.locks)
}
