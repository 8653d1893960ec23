package prommetrics

import (
	"maps"
	"sync"
	"sync/atomic"
)

// children maps a label value (a group, a store call) to its metrics,
// made by add on first use. A lookup of a known value takes no lock and
// allocates nothing: the map is replaced, never changed, when a value is
// added, which happens once per value.
type children[T any] struct {
	add func(label string) T
	mu  sync.Mutex // serialises additions
	m   atomic.Pointer[map[string]T]
}

// get returns label's metrics, made by add the first time.
func (c *children[T]) get(label string) T {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[label]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var next map[string]T
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[label]; ok {
			return v
		}
		next = maps.Clone(*m)
	}
	if next == nil {
		next = make(map[string]T, 1)
	}
	v := c.add(label)
	next[label] = v
	c.m.Store(&next)
	return v
}
