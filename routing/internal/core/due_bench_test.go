package core

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// benchDeadlines returns n conversations with one deadline each, due one
// millisecond apart.
func benchDeadlines(n int) []store.Conversation {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	cs := make([]store.Conversation, n)
	for i := range cs {
		cs[i] = store.Conversation{ID: "c" + strconv.Itoa(i), Deadlines: []store.Deadline{{Kind: store.WaitLevel, Due: t0.Add(time.Duration(i) * time.Millisecond)}}}
	}
	return cs
}

// add and remove index the deadlines of a conversation as the Router does.
func add(x *DueIndex, c *store.Conversation)    { x.Put(c.ID, false, c.Deadlines, 0) }
func remove(x *DueIndex, c *store.Conversation) { x.Drop(c.ID, false, c.Deadlines, 0) }

// BenchmarkDeadlines measures the deadline index with 100,000 deadlines
// pending: scheduling one more, cancelling one, and firing the earliest
// (taking it out and scheduling its next level), and reports the memory
// each pending deadline takes.
func BenchmarkDeadlines(b *testing.B) {
	const n = 100_000
	cs := benchDeadlines(n + 1)
	fill := func() *DueIndex {
		x := NewDueIndex(nil)
		for i := range n {
			add(&x, &cs[i])
		}
		return &x
	}
	b.Run("schedule", func(b *testing.B) {
		x := fill()
		extra := &cs[n]
		b.ReportAllocs()
		for b.Loop() {
			add(x, extra)
			remove(x, extra)
		}
	})
	b.Run("cancel", func(b *testing.B) {
		x := fill()
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			c := &cs[i%n]
			i++
			remove(x, c)
			add(x, c)
		}
	})
	b.Run("fire", func(b *testing.B) {
		x := fill()
		b.ReportAllocs()
		for b.Loop() {
			it, _ := x.Next()
			x.t.Delete(it)
			it.Due += int64(n) * int64(time.Millisecond) // its next level
			x.t.ReplaceOrInsert(it)
		}
	})
	b.Run("memory", func(b *testing.B) {
		for b.Loop() {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			x := fill()
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/deadline")
			runtime.KeepAlive(x)
		}
	})
}
