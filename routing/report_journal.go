package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// reportPage is how many journal entries Report reads at a time.
const reportPage = 1000

// reportSkew is how far beyond a window's bounds Report reads the
// journal: Routers stamp events with their own clocks, so the journal's
// order only roughly follows the events' times.
const reportSkew = time.Minute

// Report returns the service figures of the events of w, read from the
// store's journal: those of every Router on the store, whatever restarts
// happened meanwhile (S2, S5). It finds the window's start by a binary
// search on the journal's times and reads the window once, plus, when a
// conversation assigned or answered in the window entered its queue
// before it, the stretch of the journal back to then (to tell a first
// assignment or reply from a later one): its cost follows the events of
// the window and of that stretch, not the journal's length. Events
// stamped by a clock more than a minute off the others' may be missed at
// the window's edges.
//
// It fails with ErrInvalid when w is not a window (From and To required,
// From before To, at most 10,000 periods) or the Router keeps no journal
// (Config.NoJournal), the store's error when it cannot read the journal,
// and ErrClosed after Stop.
func (r *Router) Report(ctx context.Context, w ReportWindow) (Report, error) {
	if r.cfg.NoJournal {
		return Report{}, fmt.Errorf("%w: report: the Router keeps no journal (Config.NoJournal)", ErrInvalid)
	}
	w, err := w.check()
	if err != nil {
		return Report{}, err
	}
	end, err := r.begin()
	if err != nil {
		return Report{}, err
	}
	defer end()
	rep, err := r.buildReport(ctx, w)
	if err != nil {
		return Report{}, fmt.Errorf("routing: report: %w", err)
	}
	return rep, nil
}

// journalScan reads the journal for one report, and notes what it could
// not read any more.
type journalScan struct {
	r       *Router
	ctx     context.Context
	bounds  store.JournalBounds
	partial bool
	read    int
}

func (r *Router) buildReport(ctx context.Context, w ReportWindow) (Report, error) {
	b := newReportBuilder(w)
	bounds, err := r.store.JournalBounds(ctx)
	if err != nil || bounds.Newest == 0 {
		return b.rep, err
	}
	j := &journalScan{r: r, ctx: ctx, bounds: bounds}
	start, err := j.seek(w.From.Add(-reportSkew), bounds.Oldest)
	if err != nil {
		return Report{}, err
	}
	if start > bounds.Newest {
		rep := b.finish(nil)
		rep.Partial, rep.Events = j.partial, j.read
		return rep, nil
	}
	// The window's events, in journal order; its first assignments and
	// replies wait until the journal before it is looked at.
	before := map[firstOf]bool{}
	var startAt time.Time
	err = j.scan(start-1, func(ev *Event) bool {
		if startAt.IsZero() {
			startAt = ev.At
		}
		switch {
		case !ev.At.Before(w.To.Add(reportSkew)):
			return false
		case b.in(ev.At):
			b.observe(ev)
		case firstEvent(ev) && ev.At.Before(w.From):
			before[firstOf{ev.Kind, ev.Conversation}] = true
		}
		return true
	})
	if err != nil {
		return Report{}, err
	}
	pruned := start == bounds.Oldest && bounds.Oldest > 1 // the journal kept nothing before start
	if pruned && startAt.After(w.From) {
		j.partial = true
	}
	if since, ok := b.earliest(); ok && since.Before(startAt) {
		if pruned {
			j.partial = true
		} else if err := j.lookBack(since, start, before); err != nil {
			return Report{}, err
		}
	}
	rep := b.finish(before)
	rep.Partial, rep.Events = j.partial, j.read
	return rep, nil
}

// lookBack reads the journal from the first entry not before since (less
// the skew) up to, not including, entry upTo, and notes in before every
// conversation assigned or replied to there.
func (j *journalScan) lookBack(since time.Time, upTo uint64, before map[firstOf]bool) error {
	from, err := j.seek(since.Add(-reportSkew), j.bounds.Oldest)
	if err != nil {
		return err
	}
	if from == j.bounds.Oldest && j.bounds.Oldest > 1 {
		// The journal may have held an earlier one.
		j.partial = true
	}
	return j.scan(from-1, func(ev *Event) bool {
		if ev.Seq >= upTo {
			return false
		}
		if firstEvent(ev) {
			before[firstOf{ev.Kind, ev.Conversation}] = true
		}
		return true
	})
}

// seek returns the number of the first entry, from lo up to the newest
// of the scan's bounds, whose time is not before t (one more than the
// newest if none is), by a binary search: it takes the journal's times
// to increase with its numbers.
func (j *journalScan) seek(t time.Time, lo uint64) (uint64, error) {
	hi := j.bounds.Newest
	found := hi + 1
	for lo <= hi {
		mid := lo + (hi-lo)/2
		es, err := j.r.store.ReadJournal(j.ctx, mid-1, 1)
		switch {
		case errors.Is(err, store.ErrPruned):
			// Pruned since the bounds were read: older than what is kept.
			j.partial = true
			lo = mid + 1
			continue
		case err != nil:
			return 0, err
		}
		j.read += len(es)
		switch {
		case len(es) == 0 || es[0].Seq > hi:
			hi = mid - 1
		case es[0].At.Before(t):
			lo = es[0].Seq + 1
		default:
			found, hi = es[0].Seq, mid-1
		}
	}
	return found, nil
}

// scan hands each event numbered after after, up to the newest of the
// scan's bounds, to each in journal order, until it returns false.
// Entries that do not decode are reported and skipped, as a replay skips
// them.
func (j *journalScan) scan(after uint64, each func(*Event) bool) error {
	for after < j.bounds.Newest {
		es, err := j.r.store.ReadJournal(j.ctx, after, reportPage)
		if errors.Is(err, store.ErrPruned) {
			// Pruned while read: go on from what is kept.
			var b store.JournalBounds
			if b, err = j.r.store.JournalBounds(j.ctx); err == nil {
				j.partial, after = true, max(after, b.Oldest-1)
				es, err = j.r.store.ReadJournal(j.ctx, after, reportPage)
			}
		}
		if err != nil {
			return err
		}
		if len(es) == 0 {
			return nil
		}
		j.read += len(es)
		for _, e := range es {
			if e.Seq > j.bounds.Newest {
				return nil
			}
			after = e.Seq
			ev, err := decodeEntry(e)
			if err != nil {
				j.r.report(err)
				continue
			}
			if !each(&ev) {
				return nil
			}
		}
	}
	return nil
}
