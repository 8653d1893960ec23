// Package queue holds the conversations waiting in one group, in serving order.
//
// The serving order is: higher Priority first, then lower Seq (the order of
// the enqueues), then earlier Arrival, and finally lower ID so that the
// order is total (see [Less]). This is behaviour R7 and invariant 5 of
// docs/behaviour.md: within a queue, higher priority then earlier arrival is
// served first, arrival being the order in which the conversations entered
// the queue as the store recorded it (its Seq), which a clock stepped back
// cannot reorder. Arrival times measure waits ([Queue.Oldest]).
//
// A [Queue] is a pure in-memory data structure: it performs no I/O and never
// reads a clock; arrival times are data supplied by the caller. Insertion,
// removal, lookup, [Queue.Peek], [Queue.Pop] and [Queue.Oldest] all run in
// O(log n) or better; only [Queue.Position] and [Queue.Ascend] walk the queue.
//
// A Queue is not safe for concurrent use. The router owns one Queue per group
// and guards every call with its own lock.
package queue
