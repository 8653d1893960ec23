package queue

import "github.com/google/btree"

// degree is the minimum degree of both B-trees: a node holds between
// degree-1 and 2*degree-1 items. 32 is the value google/btree's own
// documentation and benchmarks settle on for in-memory use: nodes of up to
// 63 Items (about 3.5 KiB) keep the trees shallow (at most four levels for
// a million waiting conversations) and scans cache-friendly, while the
// memmove inside a node on insert or delete stays cheap. In this package's
// benchmarks 32 was as fast as or faster than 8, 16 and 64 at 1k and 100k
// items; rerun them before changing it.
const degree = 32

// Queue is the set of conversations waiting in one group, kept in serving
// order (see [Less]). It holds at most one item per ID.
//
// A Queue must be created with [New]; the zero value is not usable.
// A Queue is not safe for concurrent use: the router guards each group's
// queue with its own lock.
type Queue struct {
	// byOrder holds the items in serving order.
	byOrder *btree.BTreeG[Item]
	// byAge holds the same items ordered by (Arrival, Seq, ID), for Oldest.
	byAge *btree.BTreeG[Item]
	// byID holds the same items keyed by ID. Every stored item is exactly
	// the value held by both trees, so it can be used to delete from them.
	byID map[string]Item
}

// New returns an empty Queue.
func New() *Queue {
	return &Queue{
		byOrder: btree.NewG(degree, Less),
		byAge:   btree.NewG(degree, olderLess),
		byID:    make(map[string]Item),
	}
}

// Push inserts it into the queue. If an item with the same ID is already
// queued, it is replaced by it and moved to the position it now belongs to.
// Push runs in O(log n).
func (q *Queue) Push(it Item) {
	if old, ok := q.byID[it.ID]; ok {
		q.byOrder.Delete(old)
		q.byAge.Delete(old)
	}
	q.byID[it.ID] = it
	q.byOrder.ReplaceOrInsert(it)
	q.byAge.ReplaceOrInsert(it)
}

// Remove removes the item with the given ID and returns it. It reports
// false, and changes nothing, if no such item is queued. Remove runs in
// O(log n).
func (q *Queue) Remove(id string) (Item, bool) {
	it, ok := q.byID[id]
	if !ok {
		return Item{}, false
	}
	q.delete(it)
	return it, true
}

// Get returns the queued item with the given ID, or false if there is none.
// Get runs in O(1).
func (q *Queue) Get(id string) (Item, bool) {
	it, ok := q.byID[id]
	return it, ok
}

// Peek returns the item that is served next without removing it, or false
// if the queue is empty. Peek runs in O(log n).
func (q *Queue) Peek() (Item, bool) {
	return q.byOrder.Min()
}

// Pop removes and returns the item that is served next, or reports false if
// the queue is empty. Pop runs in O(log n).
func (q *Queue) Pop() (Item, bool) {
	it, ok := q.byOrder.Min()
	if !ok {
		return Item{}, false
	}
	q.delete(it)
	return it, true
}

// Len returns the number of queued items.
func (q *Queue) Len() int {
	return len(q.byID)
}

// Position returns the 1-based position of the item with the given ID in
// serving order (1 is served next), or false if no such item is queued.
// Position walks the queue from the front, so it runs in O(position), not
// O(log n): cheap for the head of the queue, linear for its tail.
func (q *Queue) Position(id string) (int, bool) {
	it, ok := q.byID[id]
	if !ok {
		return 0, false
	}
	ahead := 0
	q.byOrder.AscendLessThan(it, func(Item) bool {
		ahead++
		return true
	})
	return ahead + 1, true
}

// Ascend calls fn for each queued item in serving order until fn returns
// false. fn must not modify q.
func (q *Queue) Ascend(fn func(Item) bool) {
	q.byOrder.Ascend(fn)
}

// Oldest returns the item with the earliest Arrival, regardless of its
// priority (ties go to the lower Seq, then the lower ID), or false if the
// queue is empty. It answers "how long has the longest waiter waited" by
// the clock the arrivals were read from, so it goes by Arrival, not by
// Seq: after a clock was stepped back it may differ from the first
// enqueued item. Oldest runs in O(log n).
func (q *Queue) Oldest() (Item, bool) {
	return q.byAge.Min()
}

// delete removes it, which must be the stored value, from every index.
func (q *Queue) delete(it Item) {
	q.byOrder.Delete(it)
	q.byAge.Delete(it)
	delete(q.byID, it.ID)
}
