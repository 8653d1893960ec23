package routing

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// Subscription receives the events of the kinds it was created for. Its
// channel is buffered; when the buffer is full the router drops the event
// for this subscriber (it never blocks) and counts it in Dropped.
type Subscription struct {
	c       chan Event
	mask    uint64
	dropped atomic.Uint64
	hub     *hub
	once    sync.Once
}

// Events returns the channel events arrive on. It is closed by Cancel and
// when the router closes.
func (s *Subscription) Events() <-chan Event { return s.c }

// Dropped returns how many events were dropped because the buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Cancel stops the subscription and closes its channel. It is safe to call
// more than once.
func (s *Subscription) Cancel() { s.hub.remove(s) }

// hub fans events out to subscriptions.
type hub struct {
	mu     sync.Mutex
	subs   []*Subscription
	mask   atomic.Uint64 // union of every subscription's kinds
	seq    uint64
	closed bool
}

func kindMask(kinds []EventKind) uint64 {
	if len(kinds) == 0 {
		return 1<<kindCount - 2 // every kind
	}
	var m uint64
	for _, k := range kinds {
		if k > 0 && k < kindCount {
			m |= 1 << k
		}
	}
	return m
}

func (h *hub) add(buffer int, kinds []EventKind) *Subscription {
	s := &Subscription{c: make(chan Event, buffer), mask: kindMask(kinds), hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.c)
		return s
	}
	h.subs = append(h.subs, s)
	h.mask.Store(h.mask.Load() | s.mask)
	return s
}

func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var m uint64
	kept := h.subs[:0]
	for _, x := range h.subs {
		if x != s {
			kept = append(kept, x)
			m |= x.mask
		}
	}
	clear(h.subs[len(kept):])
	h.subs = kept
	h.mask.Store(m)
	s.once.Do(func() { close(s.c) })
}

// emit numbers the events of one step, stamped with its time at and actor
// by, and hands each to the subscribers that want it.
func (h *hub) emit(at time.Time, by Actor, evs []core.Event) {
	if len(evs) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range evs {
		h.seq++
		ev := event(e, at, by)
		ev.Seq = h.seq
		for _, s := range h.subs {
			if s.mask&(1<<ev.Kind) == 0 {
				continue
			}
			select {
			case s.c <- ev:
			default:
				s.dropped.Add(1)
			}
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, s := range h.subs {
		s.once.Do(func() { close(s.c) })
	}
	h.subs = nil
	h.mask.Store(0)
}
