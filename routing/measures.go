package routing

import (
	"maps"
	"sync"
	"time"
)

// Measures rebuilds the service figures of S2 from the router's events
// (which carry who, what and when, S3): time in queue, time to
// assignment, time to first operator reply and conversation duration, per
// group and per operator, plus missed conversations. Feed it every event
// (Observe, or Follow on a subscription to all kinds); it is safe for
// concurrent use. Conversations whose arrival it did not see are left out.
type Measures struct {
	mu     sync.Mutex
	convs  map[string]*convTimes
	groups map[string]*Figures
	ops    map[string]*Figures
}

// convTimes is what Measures remembers of one open conversation.
type convTimes struct {
	group, operator string
	arrival         time.Time
	// queuedSince is when it last entered the queue; zero while held.
	queuedSince        time.Time
	assigned, answered bool
}

// Figures are the measures of one group or one operator. An operator's
// figures count the conversations they were assigned.
type Figures struct {
	// Conversations counts the conversations that arrived (for a group)
	// or were assigned (for an operator).
	Conversations int
	// TimeInQueue is the time conversations spent waiting in the queue,
	// each stretch from entering it until being assigned.
	TimeInQueue Stat
	// TimeToAssignment runs from arrival to the first assignment.
	TimeToAssignment Stat
	// TimeToFirstReply runs from arrival to the first operator reply.
	TimeToFirstReply Stat
	// Duration runs from arrival to closing.
	Duration Stat
	// Missed counts conversations taken back for not being accepted in
	// time (L2).
	Missed int
}

// Stat summarises durations.
type Stat struct {
	// Count is the number of durations; Total their sum; Max the longest.
	Count int
	Total time.Duration
	Max   time.Duration
}

// Mean returns the average duration, or zero when there is none.
func (s Stat) Mean() time.Duration {
	if s.Count == 0 {
		return 0
	}
	return s.Total / time.Duration(s.Count)
}

func (s *Stat) add(d time.Duration) {
	s.Count++
	s.Total += d
	s.Max = max(s.Max, d)
}

// NewMeasures returns empty measures.
func NewMeasures() *Measures {
	return &Measures{convs: map[string]*convTimes{}, groups: map[string]*Figures{}, ops: map[string]*Figures{}}
}

// Follow observes every event of sub until its channel closes (the
// subscription is cancelled or the router stops). Run it in a goroutine on
// a subscription to all kinds.
func (m *Measures) Follow(sub *Subscription) {
	for ev := range sub.Events() {
		m.Observe(ev)
	}
}

// Observe takes one event into account.
func (m *Measures) Observe(ev Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.convs[ev.Conversation]
	switch ev.Kind {
	case Queued, Offered, OffHours:
		if c == nil {
			c = m.arrive(ev)
		}
		if c.queuedSince.IsZero() {
			c.queuedSince = ev.At
		}
	case Returned, Redistributed:
		if c != nil && c.queuedSince.IsZero() {
			c.queuedSince = ev.At
		}
	case Transferred:
		if c != nil && ev.To != "" { // to a group: back in a queue
			c.group, c.queuedSince = ev.To, ev.At
		} else if c != nil {
			c.operator = ev.Operator
		}
	case Assigned:
		if c == nil {
			c = m.arrive(ev)
		}
		c.operator = ev.Operator
		op := m.figures(m.ops, ev.Operator)
		op.Conversations++
		if !c.queuedSince.IsZero() {
			wait := ev.At.Sub(c.queuedSince)
			m.figures(m.groups, c.group).TimeInQueue.add(wait)
			op.TimeInQueue.add(wait)
			c.queuedSince = time.Time{}
		}
		if !c.assigned {
			c.assigned = true
			d := ev.At.Sub(c.arrival)
			m.figures(m.groups, c.group).TimeToAssignment.add(d)
			op.TimeToAssignment.add(d)
		}
	case Replied:
		if c != nil && !c.answered {
			c.answered = true
			d := ev.At.Sub(c.arrival)
			m.figures(m.groups, c.group).TimeToFirstReply.add(d)
			m.figures(m.ops, ev.Operator).TimeToFirstReply.add(d)
		}
	case Missed:
		for _, id := range ev.Operators {
			m.figures(m.ops, id).Missed++
		}
		m.figures(m.groups, ev.Group).Missed++
	case Closed:
		if c != nil {
			d := ev.At.Sub(c.arrival)
			m.figures(m.groups, c.group).Duration.add(d)
			if c.operator != "" {
				m.figures(m.ops, c.operator).Duration.add(d)
			}
			delete(m.convs, ev.Conversation)
		}
	}
}

// arrive records a conversation seen for the first time. Caller holds m.mu.
func (m *Measures) arrive(ev Event) *convTimes {
	c := &convTimes{group: ev.Group, arrival: ev.At}
	m.convs[ev.Conversation] = c
	m.figures(m.groups, ev.Group).Conversations++
	return c
}

func (m *Measures) figures(in map[string]*Figures, id string) *Figures {
	f := in[id]
	if f == nil {
		f = &Figures{}
		in[id] = f
	}
	return f
}

// Groups returns the figures of every group seen, by group id.
func (m *Measures) Groups() map[string]Figures { return m.copy(m.groups) }

// Operators returns the figures of every operator seen, by operator id.
func (m *Measures) Operators() map[string]Figures { return m.copy(m.ops) }

func (m *Measures) copy(in map[string]*Figures) map[string]Figures {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Figures, len(in))
	for id, f := range maps.All(in) {
		out[id] = *f
	}
	return out
}
