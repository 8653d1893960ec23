package queue

import "time"

// Item is one waiting conversation.
type Item struct {
	// ID identifies the conversation. A queue holds at most one item per ID.
	ID string
	// Priority ranks the conversation; higher values are served first.
	Priority int
	// Arrival is when the conversation entered the queue, by the clock of
	// whoever enqueued it. Waits are measured from it (see [Queue.Oldest]).
	// In serving order it counts only between items of equal priority and
	// Seq, since a clock may be stepped back, or differ from one machine to
	// the next, while Seq keeps the order of the enqueues. Only the
	// instant matters: the location and any monotonic clock reading are
	// ignored.
	Arrival time.Time
	// Seq is the item's place in the order in which items entered the
	// queue: among items of equal priority, the lower value is served
	// first, whatever their Arrival. Callers take it from a counter that
	// grows with every enqueue (the router uses the store's
	// store.Conversation.Seq); items a caller does not number (all Seq 0)
	// are served by Arrival.
	Seq uint64
}

// Less reports whether a is served before b: higher Priority first, then
// lower Seq (the earlier enqueue), then earlier Arrival, then lower ID.
// Items with distinct IDs are therefore never equivalent, so Less is a
// strict total order over the items of a queue. Seq comes before Arrival
// so that a clock stepped back between two enqueues cannot put the later
// one first.
//
// Arrival times are compared by instant only (monotonic clock readings are
// stripped first), so times that come from a clock and times read back from
// a store compare consistently.
func Less(a, b Item) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if a.Seq != b.Seq {
		return a.Seq < b.Seq
	}
	if c := compareArrival(a.Arrival, b.Arrival); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

// olderLess orders items by age alone: earlier Arrival, then lower Seq, then
// lower ID. It ignores Priority and backs [Queue.Oldest], which measures
// the longest wait by the clock and so orders by Arrival first.
func olderLess(a, b Item) bool {
	if c := compareArrival(a.Arrival, b.Arrival); c != 0 {
		return c < 0
	}
	if a.Seq != b.Seq {
		return a.Seq < b.Seq
	}
	return a.ID < b.ID
}

// compareArrival compares two arrival instants by wall clock, ignoring any
// monotonic reading. Mixing times with and without a monotonic reading could
// otherwise make the comparison intransitive, which would corrupt a B-tree.
func compareArrival(a, b time.Time) int {
	return a.Round(0).Compare(b.Round(0))
}
