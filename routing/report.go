package routing

import (
	"fmt"
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
	// operator got it, by a policy, a take or an admin (Event.Wait of an
	// Assigned event with no From). Outbound conversations, which never
	// waited, and a waiting conversation's return to its operator are left
	// out. Its Count is the number of first assignments.
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
	if n := (w.To.Sub(w.From) + w.Period - 1) / w.Period; n > maxReportPeriods {
		return w, fmt.Errorf("%w: report window: %d periods of %v; at most %d", ErrInvalid, n, w.Period, maxReportPeriods)
	}
	return w, nil
}

// reportBuilder folds events into a Report. It is pure: the events come
// in journal order. A reply is a first reply unless the conversation was
// replied to before: earlier in the window (seen holds it), or before it,
// which the caller learns after the window (see finish).
type reportBuilder struct {
	rep Report
	// replies holds the first reply in the window to each conversation,
	// which counts unless finish is told of an earlier one.
	replies map[string]Event
}

func newReportBuilder(w ReportWindow) *reportBuilder {
	b := &reportBuilder{replies: map[string]Event{}}
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
	case Assigned:
		if ev.From != "" || ev.Policy == policyOutbound || ev.Policy == policyReturned {
			return
		}
		b.count(ev.At, ev.Group, ev.Operator, func(f *PeriodFigures) { f.TimeToAssignment.add(ev.Wait) })
	case Replied:
		if _, seen := b.replies[ev.Conversation]; !seen {
			b.replies[ev.Conversation] = *ev
		}
	case Missed:
		b.count(ev.At, ev.Group, "", func(f *PeriodFigures) { f.Missed++ })
		for _, id := range ev.Operators {
			b.count(ev.At, "", id, func(f *PeriodFigures) { f.Missed++ })
		}
	case Closed:
		b.count(ev.At, ev.Group, ev.Operator, func(f *PeriodFigures) { f.Closed++ })
	}
}

// earliestReplied returns the earliest creation (a reply's At less its
// Wait) of the conversations replied to in the window, and false when
// there is none.
func (b *reportBuilder) earliestReplied() (time.Time, bool) {
	var first time.Time
	for _, ev := range b.replies {
		if c := ev.At.Add(-ev.Wait); first.IsZero() || c.Before(first) {
			first = c
		}
	}
	return first, !first.IsZero()
}

// finish counts the first replies of the window, leaving out the
// conversations answered before it, and returns the report.
func (b *reportBuilder) finish(answeredBefore map[string]bool) Report {
	for id, ev := range b.replies {
		if !answeredBefore[id] {
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
