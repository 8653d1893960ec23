package core

import (
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// A queue's estimated wait goes by how fast the group served its queue
// lately: the times of its latest serviceWindow services (a conversation
// leaving the queue for an operator) within serviceHorizon. With k ≥ 2
// such services, from t1 to tk, one came every (tk - t1)/(k - 1) on
// average; if the last one is longer ago than that, the queue has stalled
// at least since, and the interval is now - tk. The conversation at
// position p is expected to wait p intervals. With fewer than two
// services within the horizon there is no estimate.

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

// interval returns the expected time between two services at now, and
// false when there is no estimate (see above).
func (l *serviceLog) interval(now int64) (time.Duration, bool) {
	k, oldest, newest := 0, now, int64(0)
	for i := range l.n {
		if t := l.at[i]; t > now-serviceHorizon && t <= now {
			k++
			oldest, newest = min(oldest, t), max(newest, t)
		}
	}
	if k < 2 {
		return 0, false
	}
	return time.Duration(max((newest-oldest)/int64(k-1), now-newest)), true
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
