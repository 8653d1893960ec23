package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// The journal (S5). Every event goes into the store's journal and is
// numbered there: its Seq is the journal's number, one sequence for every
// Router on the store. The events of a conversation write or a status
// change go in the transaction of that write: the step's write carries a
// stepJournal (its store.Journaler): when the
// store has checked the write and knows what it stores, the hook folds
// that into the view and builds the step's events, exactly as a step
// without a journal does after its write, and hands them to the store
// encoded as JSON; once the write is stored the hook learns their
// numbers, and the step hands them to the hub, which delivers events in
// journal order. The others are appended on their own, just after what
// caused them (appendEvents), and are lost if the process dies in
// between: the business hours turning, a group served anew, a reply that
// changes no deadline, group availability after an operator is added,
// changed or removed. Those every Router reports alike go in under a key
// (store.Entry.Key, core.AvailabilityKey), so that the journal holds one.
// Resume replays the journal from a number and goes on live (see
// replay.go).
//
// A hook that ran for a write the store then did not take (a commit that
// failed, or of unknown outcome) has folded into the view a change that
// may not be stored: the Router then resynchronises its view with the
// store, as after any write of unknown outcome. A store that runs the
// transaction again asks the hook again: it hands back the entries it
// built the first time, and asks for a resync too, in case the rows
// stored differ.

// stepJournal is the journal hook of one step's write (see commit). It
// works on copies of the step's plan and answer, which commit copies back
// (the step's own stay on its caller's stack when there is no journal).
type stepJournal struct {
	r      *Router
	plan   core.Plan
	out    core.Outcome
	stale  []string
	ev     *events
	report reportFunc
	// asked counts the store's calls of Entries.
	asked int
	// list holds the step's events, numbered by Stored; entries their
	// encodings.
	list    []Event
	entries []store.Entry
	// stored says that Stored was called.
	stored bool
}

// Entries folds w into the view and builds the step's events (see above).
func (h *stepJournal) Entries(w store.Written) []store.Entry {
	h.asked++
	if h.asked > 1 {
		// commit asks for a resync once the write has returned.
		return h.entries
	}
	if h.plan.Write == core.SetStatus {
		h.out.Operator = w.Operator
	} else {
		h.out.Result = w.Result
	}
	h.stale = h.r.fold(&h.plan, &h.out, h.ev, h.report)
	h.list, h.entries = h.ev.journal()
	return h.entries
}

// Stored numbers the step's events.
func (h *stepJournal) Stored(es []store.Entry) {
	for i := range h.list {
		h.list[i].Seq = es[i].Seq
	}
	h.stored = true
}

// journal returns the collected events stamped with the step's time and
// actor, and their journal entries.
func (ev *events) journal() ([]Event, []store.Entry) {
	list := make([]Event, len(ev.List))
	entries := make([]store.Entry, len(ev.List))
	for i, e := range ev.List {
		list[i] = event(e, ev.at, ev.by)
		entries[i] = store.Entry{At: list[i].At, Body: encodeEvent(list[i]), Key: e.Key}
	}
	return list, entries
}

// encodeEvent returns ev as the journal keeps it: its JSON, without Seq
// (the journal's number is the entry's).
func encodeEvent(ev Event) []byte {
	ev.Seq = 0
	b, err := ev.MarshalJSON() // not json.Marshal, which compacts it again
	if err != nil {
		// Every field of an Event encodes; a kind without a name does
		// not, and no event has one.
		panic(fmt.Sprintf("routing: encoding %v: %v", ev.Kind, err))
	}
	return b
}

// decodeEntry returns the event a journal entry holds, numbered.
func decodeEntry(e store.Entry) (Event, error) {
	ev, ok := decodeEvent(e.Body)
	if !ok {
		if err := ev.UnmarshalJSON(e.Body); err != nil { // not json.Unmarshal, which scans it twice
			return Event{}, fmt.Errorf("routing: journal entry %d: %w", e.Seq, err)
		}
	}
	ev.Seq = e.Seq
	return ev, nil
}

// wantResync asks for a resync of the view with the store, at once when
// the Router follows a feed, else at the next ProcessDue (see
// outcome.go).
func (r *Router) wantResync() {
	r.hub.wantFill()
	r.stale.Store(true)
	select {
	case r.resyncWanted <- struct{}{}:
	default:
	}
}

// appendEvents journals the events collected in ev, which no write
// carried, and hands them to the hub, numbered. Failing that, it logs the
// error and the events are not delivered: every event delivered is in the
// journal. An event under a key the journal holds (another Router's
// report of the same fact) is not stored, and not delivered from here:
// the other Router's, read from the journal, is.
func (r *Router) appendEvents(ev *events) {
	if len(ev.List) == 0 {
		return
	}
	list, entries := ev.journal()
	stored, err := r.store.AppendJournal(r.life, entries)
	if err != nil {
		if r.life.Err() == nil { // not the Router stopping
			r.report(fmt.Errorf("routing: journaling %d events: %w", len(list), err))
		}
		return
	}
	r.hub.deliverInOrder(numbered(list, entries, stored), true)
}

// numbered returns the events of list whose entries (entries[i] is
// list[i]'s) the store stored, in order, numbered: stored is entries less
// those it skipped for their keys.
func numbered(list []Event, entries, stored []store.Entry) []Event {
	out := list[:0]
	j := 0
	for i := range list {
		if j < len(stored) && (entries[i].Key == "" || stored[j].Key == entries[i].Key) {
			list[i].Seq = stored[j].Seq
			out = append(out, list[i])
			j++
		}
	}
	return out
}

// journalOf returns the journal hook for the write of plan p, or nil when
// the Router keeps no journal or the write carries no events.
func (r *Router) journalOf(p *core.Plan, ev *events, report reportFunc) *stepJournal {
	if r.cfg.NoJournal {
		return nil
	}
	switch p.Write {
	case core.ApplyChange, core.CreateConversation, core.SetStatus:
		return &stepJournal{r: r, plan: *p, ev: ev, report: report}
	}
	return nil
}

// checkAfter checks a Resume's starting point against the journal: after
// may not be beyond the newest event, nor before the oldest kept (less
// one: after is the last event the subscriber had).
func (r *Router) checkAfter(ctx context.Context, after uint64) error {
	b, err := r.store.JournalBounds(ctx)
	if err != nil {
		return err
	}
	switch {
	case after > b.Newest:
		return fmt.Errorf("%w: sequence %d; the newest event is %d", ErrFutureSeq, after, b.Newest)
	case after < b.Newest && after+1 < b.Oldest:
		return store.PrunedError(after, b.Oldest)
	}
	return nil
}

// fillPage is how many entries the filler reads at a time.
const fillPage = 500

// The filler reads from the journal the events the hub has not been
// handed: those of other Routers on the store, and a write of this
// Router's whose outcome it never learnt. The feed follower wakes it on
// every notice of another Router's change, and a write of unknown
// outcome at once; the hub, when it holds events that wait for a lower
// number, after gapWait: that number is most often a concurrent step of
// this Router's, about to hand its events over, and reading the journal
// for it would only compete with the writes.
const gapWait = 5 * time.Millisecond

// wantFill wakes the filler at once.
func (h *hub) wantFill() {
	select {
	case h.fillWanted <- struct{}{}:
	default:
	}
}

// gapSeen wakes the filler after gapWait, unless the gap has closed by
// then.
func (h *hub) gapSeen() {
	select {
	case h.gapWanted <- struct{}{}:
	default:
	}
}

// hasGap reports whether the hub holds events that wait for a lower
// number.
func (h *hub) hasGap() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.held) > 0
}

// fillLoop runs the filler until the Router stops; done is closed when it
// returns.
func (r *Router) fillLoop(done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-r.life.Done():
			return
		case <-r.hub.fillWanted:
		case <-r.hub.gapWanted:
			// Real time, not the Router's clock: how long a step of this
			// process takes to hand its events over.
			select {
			case <-r.life.Done():
				return
			case <-r.hub.fillWanted:
			case <-time.After(gapWait):
				if !r.hub.hasGap() {
					continue
				}
			}
		}
		if err := r.fill(); err != nil && r.life.Err() == nil {
			r.report(fmt.Errorf("routing: reading the journal: %w", err))
			// Try again in a while, events waiting or not: a notice
			// may have been lost with the read.
			select {
			case <-r.life.Done():
				return
			case <-time.After(fillRetry):
				r.hub.wantFill()
			}
		}
	}
}

// fillRetry is how long the filler waits after a failed read of the
// journal before it reads again.
const fillRetry = time.Second

// fill delivers the journal's entries after the last event delivered,
// page by page, until it has read them all. Entries pruned before they
// were delivered are skipped.
func (r *Router) fill() error {
	for {
		after := r.hub.delivered()
		es, err := r.store.ReadJournal(r.life, after, fillPage)
		if errors.Is(err, store.ErrPruned) {
			b, berr := r.store.JournalBounds(r.life)
			if berr != nil {
				return berr
			}
			if b.Oldest <= after+1 {
				return err // the store contradicts itself: do not spin
			}
			r.hub.skipTo(b.Oldest)
			continue
		}
		if err != nil {
			return err
		}
		evs := make([]Event, 0, len(es))
		for _, e := range es {
			ev, err := decodeEntry(e)
			if err != nil {
				// An event this Router cannot read (one of a newer
				// version's kinds, say): skipped, so that the ones after
				// it are delivered.
				r.report(err)
				r.hub.deliverInOrder(evs, false)
				evs = evs[:0]
				r.hub.skipTo(e.Seq + 1)
				continue
			}
			evs = append(evs, ev)
		}
		r.hub.deliverInOrder(evs, false)
		if len(es) < fillPage {
			return nil
		}
	}
}

// delivered returns the number of the last event delivered.
func (h *hub) delivered() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.next - 1
}

// skipTo moves the next event to deliver on to seq, when it is behind it
// (the events before it were pruned before they could be delivered), and
// delivers what it holds from there.
func (h *hub) skipTo(seq uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ; h.next < seq; h.next++ {
		delete(h.held, h.next)
	}
	h.drain()
}
