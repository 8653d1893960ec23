package routing

import (
	"fmt"
	"math"
	"time"
)

// A Report holds the service figures of a time window, per group and per
// operator, in periods of a fixed length (an hour unless asked
// otherwise), read back from the store's journal by Router.Report (S2,
// S5). Each figure counts in the period of the event that ends it: a time
// to assignment in the period of the assignment, a time to first reply in
// that of the reply.
type Report struct {
	// From and To bound the window: events at From or later and before
	// To count.
	From, To time.Time
	// Period is the length of each of Periods.
	Period time.Duration
	// Total sums the figures of the whole window.
	Total Period
	// Periods cut the window from From on, each Period long (the last
	// one ends at To, and may be shorter).
	Periods []Period
	// Partial reports that the journal no longer holds all it would take:
	// the events of the start of the window, or the replies before it
	// that tell a first reply in it from a later one. Figures then cover
	// what the journal still holds (see Config.JournalRetention).
	Partial bool
	// Events counts the journal entries read to build the report.
	Events int
}

// A Period holds the figures of one stretch of a Report's window. Its
// JSON has the keys start, end (RFC 3339), groups and operators.
type Period struct {
	// Start and End bound the stretch: From of the first, To of the last.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Groups holds the figures of each group that had one, by group id.
	Groups map[string]PeriodFigures `json:"groups"`
	// Operators holds the figures of each operator that had one, by
	// operator id.
	Operators map[string]PeriodFigures `json:"operators"`
}

// PeriodFigures are the figures of one group or one operator over a
// Period. Durations come from the journal, which keeps milliseconds. Its
// JSON has the keys time_to_assignment, time_to_first_reply (see
// Stat.MarshalJSON), missed and closed.
type PeriodFigures struct {
	// TimeToAssignment sums the waits of first assignments: from when the
	// conversation entered its group's queue (its creation, unless it was
	// transferred to another group before anyone held it) to when an
	// operator first got it, by a policy, a take or an admin (Event.Wait
	// of the conversation's first Assigned event). Outbound conversations,
	// which never waited, are left out, and so is every later assignment
	// (after a release, a miss, a redistribution, a return). Its Count is
	// the number of first assignments.
	TimeToAssignment Stat `json:"time_to_assignment"`
	// TimeToFirstReply sums the times from a conversation's creation to
	// its operator's first reply (Replied events; the operator is who
	// replied). Its Count is the number of conversations first answered.
	TimeToFirstReply Stat `json:"time_to_first_reply"`
	// Missed counts the conversations taken back for not being accepted
	// in time (L2): for a group, each time; for an operator, each time they
	// were among those who let it time out.
	Missed int `json:"missed"`
	// Closed counts the conversations closed; an operator's are those
	// they held when it was closed.
	Closed int `json:"closed"`
}

// ReportWindow asks Router.Report for the figures of the events from From
// (included) to To (excluded), in periods of Period (time.Hour when
// zero).
type ReportWindow struct {
	From, To time.Time
	Period   time.Duration
}

// The policies an Assigned event names for a conversation an operator
// started, and for one a customer's reply gave back to the operator it
// was waiting with (see Event.Policy).
const (
	policyOutbound = "outbound"
	policyReturned = "returned"
)

// maxReportPeriods bounds the periods of one report.
const maxReportPeriods = 10000

// check validates w and returns it with its period set.
func (w ReportWindow) check() (ReportWindow, error) {
	if w.Period == 0 {
		w.Period = time.Hour
	}
	switch {
	case w.From.IsZero() || w.To.IsZero():
		return w, fmt.Errorf("%w: report window: From and To are required", ErrInvalid)
	case !w.From.Before(w.To):
		return w, fmt.Errorf("%w: report window: From %v is not before To %v", ErrInvalid, w.From, w.To)
	case w.Period < 0:
		return w, fmt.Errorf("%w: report window: negative period %v", ErrInvalid, w.Period)
	}
	span := w.To.Sub(w.From)
	if span == math.MaxInt64 {
		return w, fmt.Errorf("%w: report window: From %v and To %v are more than 292 years apart", ErrInvalid, w.From, w.To)
	}
	n := span / w.Period
	if span%w.Period != 0 {
		n++
	}
	if n > maxReportPeriods {
		return w, fmt.Errorf("%w: report window: %d periods of %v; at most %d", ErrInvalid, n, w.Period, maxReportPeriods)
	}
	return w, nil
}

// reportBuilder folds events into a Report. It is pure: the events come
// in journal order. A first assignment or first reply is the first of the
// conversation's in the journal: one in the window counts unless an
// earlier one is in it (seen) or before it, which the caller learns after
// the window (see finish).
type reportBuilder struct {
	rep Report
	// firsts holds, for each conversation and kind (Assigned, Replied),
	// the first such event in the window, which counts unless finish is
	// told of an earlier one; seen, those whose first in the window cannot
	// count (a reassignment: the conversation was held before).
	firsts map[firstOf]Event
	seen   map[firstOf]bool
}

// firstOf names a conversation's first event of a kind.
type firstOf struct {
	kind EventKind
	conv string
}

func newReportBuilder(w ReportWindow) *reportBuilder {
	b := &reportBuilder{firsts: map[firstOf]Event{}, seen: map[firstOf]bool{}}
	b.rep = Report{From: w.From, To: w.To, Period: w.Period, Total: newPeriod(w.From, w.To)}
	for start := w.From; start.Before(w.To); start = start.Add(w.Period) {
		b.rep.Periods = append(b.rep.Periods, newPeriod(start, minTime(start.Add(w.Period), w.To)))
	}
	return b
}

func newPeriod(start, end time.Time) Period {
	return Period{Start: start, End: end, Groups: map[string]PeriodFigures{}, Operators: map[string]PeriodFigures{}}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// in reports whether at falls in the window.
func (b *reportBuilder) in(at time.Time) bool {
	return !at.Before(b.rep.From) && at.Before(b.rep.To)
}

// observe counts ev, which must be in the window.
func (b *reportBuilder) observe(ev *Event) {
	switch ev.Kind {
	case Assigned, Replied:
		k := firstOf{ev.Kind, ev.Conversation}
		if _, ok := b.firsts[k]; ok || b.seen[k] {
			return
		}
		if ev.Kind == Assigned && (ev.From != "" || ev.Policy == policyOutbound || ev.Policy == policyReturned) {
			// Held before, or never waited: no later assignment of it
			// is a first one either.
			b.seen[k] = true
			return
		}
		b.firsts[k] = *ev
	case Missed:
		b.count(ev.At, ev.Group, "", func(f *PeriodFigures) { f.Missed++ })
		for _, id := range ev.Operators {
			b.count(ev.At, "", id, func(f *PeriodFigures) { f.Missed++ })
		}
	case Closed:
		b.count(ev.At, ev.Group, ev.Operator, func(f *PeriodFigures) { f.Closed++ })
	}
}

// firstEvent reports whether ev is of a kind whose first event of a
// conversation a report counts (see reportBuilder).
func firstEvent(ev *Event) bool { return ev.Kind == Assigned || ev.Kind == Replied }

// earliest returns the earliest instant from which the journal may hold
// an earlier event of a conversation first assigned or replied to in the
// window, and false when there is none: an event's At less its Wait (a
// reply's, the conversation's creation; an assignment's, when it entered
// its queue, which a conversation held before it kept).
func (b *reportBuilder) earliest() (time.Time, bool) {
	var first time.Time
	for _, ev := range b.firsts {
		if c := ev.At.Add(-ev.Wait); first.IsZero() || c.Before(first) {
			first = c
		}
	}
	return first, !first.IsZero()
}

// finish counts the first assignments and replies of the window, leaving
// out those the journal had earlier ones of (before), and returns the
// report.
func (b *reportBuilder) finish(before map[firstOf]bool) Report {
	for k, ev := range b.firsts {
		if before[k] {
			continue
		}
		if k.kind == Assigned {
			b.count(ev.At, ev.Group, ev.Operator, func(f *PeriodFigures) { f.TimeToAssignment.add(ev.Wait) })
		} else {
			b.count(ev.At, ev.Group, ev.Operator, func(f *PeriodFigures) { f.TimeToFirstReply.add(ev.Wait) })
		}
	}
	return b.rep
}

// count applies add to the figures of group and operator (each when not
// empty) in the period of at and in the total.
func (b *reportBuilder) count(at time.Time, group, operator string, add func(*PeriodFigures)) {
	p := &b.rep.Periods[int(at.Sub(b.rep.From)/b.rep.Period)]
	for _, in := range []*Period{p, &b.rep.Total} {
		if group != "" {
			f := in.Groups[group]
			add(&f)
			in.Groups[group] = f
		}
		if operator != "" {
			f := in.Operators[operator]
			add(&f)
			in.Operators[operator] = f
		}
	}
}
