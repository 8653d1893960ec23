package core

import (
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// A queue's estimated wait goes by how fast the group served its queue
// lately: the times of its latest serviceWindow services (a conversation
// leaving the queue for an operator) within serviceHorizon. With k such
// services, the oldest at t0, the queue was served at k per (now - t0),
// and the conversation at position p is expected to wait p·(now - t0)/k.
// A group that served nobody within the horizon has no estimate.

// serviceWindow is how many of a group's latest services the estimate
// goes by.
const serviceWindow = 32

// serviceHorizon is how far back services count.
const serviceHorizon = int64(time.Hour)

// serviceLog is a ring of a group's latest service times, in Unix
// nanoseconds.
type serviceLog struct {
	at   [serviceWindow]int64
	n    int // entries recorded, at most serviceWindow
	next int // where the next goes
}

func (l *serviceLog) record(now int64) {
	l.at[l.next] = now
	l.next = (l.next + 1) % serviceWindow
	l.n = min(l.n+1, serviceWindow)
}

// estimate returns the expected wait of the conversation at position pos
// at now, and false when there is no estimate (see above).
func (l *serviceLog) estimate(pos int, now int64) (time.Duration, bool) {
	k, oldest := 0, now
	for i := range l.n {
		if t := l.at[i]; t > now-serviceHorizon && t <= now {
			k++
			oldest = min(oldest, t)
		}
	}
	if k == 0 {
		return 0, false
	}
	span := max(now-oldest, int64(time.Millisecond))
	return time.Duration(int64(pos) * span / int64(k)), true
}

// served records, at now, a service of old's group when the change from
// old to row takes a conversation from its queue to an operator.
func (v *View) served(old, row *store.Conversation, now int64) {
	if !old.State.InQueue() || !row.State.Held() {
		return
	}
	if g := v.groups[old.Group]; g != nil {
		g.served.record(now)
	}
}
