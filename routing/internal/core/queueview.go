package core

import (
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/store"
)

// QueueEntry is one conversation of a group's queue, for the Router's
// Queue (whose QueueEntry documents the fields).
type QueueEntry struct {
	Row           store.Conversation
	Position      int
	EstimatedWait time.Duration
	Estimated     bool
}

// Queue returns copies of the first limit conversations of group's queue
// (all when limit is 0) in serving order, with their positions and
// estimated waits at now (Unix nanoseconds; see servicerate.go), and the
// queue's length. It fails with ErrNotFound for a group the view does not
// hold.
func (v *View) Queue(group string, limit int, now int64) (entries []QueueEntry, length int, err error) {
	g := v.groups[group]
	if g == nil {
		return nil, 0, fmt.Errorf("%w: group %q", store.ErrNotFound, group)
	}
	n := g.queue.Len()
	if limit == 0 || limit > n {
		limit = n
	}
	entries = make([]QueueEntry, 0, limit)
	every, estimated := g.served.interval(now)
	g.queue.Ascend(func(it queue.Item) bool {
		if len(entries) == limit {
			return false
		}
		e := QueueEntry{Row: v.convs[it.ID].row.Clone(), Position: len(entries) + 1, Estimated: estimated}
		e.EstimatedWait = time.Duration(e.Position) * every
		entries = append(entries, e)
		return true
	})
	return entries, n, nil
}
