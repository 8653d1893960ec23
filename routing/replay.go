package routing

import (
	"context"
	"fmt"
	"time"
)

// replayPage is how many journal entries a replay reads at a time.
const replayPage = 1000

// Resume returns a subscription to the events f selects that first
// replays, from the store's journal, those numbered after after (the Seq
// of the last event the subscriber had: an SSE client's Last-Event-ID),
// then goes on with the live events, without a gap or a repeat (S5):
// also across restarts of the Router, and with the events of every Router
// on the store. The journal holds the events of conversation and status
// changes with the change itself; the others (business hours turning, a
// group served, a reply that changes no deadline, group availability
// after an operator is added, changed or removed) are stored just after
// what caused them, and a crash in between loses them; those every Router
// reports alike (the hours turning, a group's version served) are
// journaled once, by whichever Router stores them first. With after 0 it
// replays the whole journal kept. The
// replay runs in the background, sending on the subscription's channel as
// fast as the subscriber reads; live events meanwhile wait, up to
// Config.EventBuffer of them, after which the subscription ends with a
// Lagged marker once the replay is done, as a live one would. A replay
// the store fails ends it with a Lagged marker at the first event not
// delivered.
//
// It fails, subscribing nothing, as SubscribeTo does, with ErrFutureSeq
// when after is beyond the newest event, ErrPruned when the events after
// it are no longer kept (the message names the oldest kept), ErrInvalid
// when the Router keeps no journal (Config.NoJournal), the store's error
// when it cannot read the journal's bounds, and ErrClosed after Stop.
func (r *Router) Resume(ctx context.Context, f EventFilter, after uint64) (*Subscription, error) {
	if r.cfg.NoJournal {
		return nil, fmt.Errorf("%w: resume: the Router keeps no journal (Config.NoJournal)", ErrInvalid)
	}
	mask, err := r.checkFilter(f)
	if err != nil {
		return nil, err
	}
	end, err := r.begin()
	if err != nil {
		return nil, err
	}
	defer end()
	if err := r.checkAfter(ctx, after); err != nil {
		return nil, err
	}
	s := r.newSubscription(mask, f)
	s.after, s.replaying, s.stop = after, true, make(chan struct{})
	upTo, ok := r.hub.addReplaying(s)
	if !ok {
		return s, nil // closed: the hub closed its channel
	}
	go r.replay(s, after, upTo)
	return s, nil
}

// addReplaying registers s, a subscription about to replay the journal,
// and returns the number of the last event delivered: the replay covers
// the events up to it, the hub keeps the later ones for s. After close,
// s is returned with its channel closed, and ok false.
func (h *hub) addReplaying(s *Subscription) (upTo uint64, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// Registered and upTo read in one critical section: every event
	// after upTo, and none before, goes to the backlog.
	h.addLocked(s)
	if !s.live {
		return 0, false
	}
	return h.next - 1, true
}

// replay sends s the events it selects numbered from after+1 to upTo,
// read from the journal, then what the hub kept for it meanwhile, and
// hands it over to the hub (see Resume). While s replays, this goroutine
// alone sends on its channel, and closes it if s ends.
func (r *Router) replay(s *Subscription, after, upTo uint64) {
	cursor := after
	for cursor < upTo {
		es, err := r.store.ReadJournal(r.life, cursor, replayPage)
		if err != nil && r.life.Err() != nil {
			// The Router stops: its close ends s.
			<-s.stop
			close(s.c)
			return
		}
		if err != nil || len(es) == 0 {
			r.handOver(s, cursor+1)
			return
		}
		for _, e := range es {
			if e.Seq > upTo {
				break
			}
			cursor = e.Seq
			ev, err := decodeEntry(e)
			if err != nil {
				r.report(err) // and skipped, as the hub skips it
				continue
			}
			if s.selects(&ev) && !s.send(ev) {
				return
			}
		}
	}
	r.handOver(s, 0)
}

// send sends ev on s's channel, waiting for room, and reports whether it
// did: false when s ended meanwhile (its channel is then closed).
func (s *Subscription) send(ev Event) bool {
	select {
	case s.c <- ev:
		return true
	case <-s.stop:
		close(s.c)
		return false
	}
}

// handOver sends s the events the hub kept for it during its replay, and
// then hands it over to the hub, which sends it the live ones. With
// failed set, the replay stopped short: s ends with a Lagged marker at
// failed, the first event not delivered. Kept events beyond a buffer's
// worth end it likewise, after those kept.
func (r *Router) handOver(s *Subscription, failed uint64) {
	for {
		evs, lagAt, when, ok := r.hub.takeBacklog(s, failed)
		switch {
		case !ok:
			close(s.c) // ended during the replay
			return
		case evs == nil && lagAt == 0:
			return // the hub has it
		}
		for _, ev := range evs {
			if !s.send(ev) {
				return
			}
		}
		if lagAt != 0 {
			if when.IsZero() {
				when = r.clock.Now() // the replay failed before reading it
			}
			s.lagged.Store(lagAt)
			if s.send(Event{Kind: Lagged, Seq: lagAt, At: when}) {
				r.hub.endLagged(s)
				close(s.c)
			}
			return
		}
	}
}

// takeBacklog returns, and forgets, the events kept for s during its
// replay; lagAt, when not 0, the Seq of a Lagged marker to send after
// them (see handOver), and when the time of that event, if known. When
// nothing is kept and s is not to lag, s is handed over to the hub: its
// replay is done, and evs nil. ok is false when s ended meanwhile.
func (h *hub) takeBacklog(s *Subscription, failed uint64) (evs []Event, lagAt uint64, when time.Time, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !s.live {
		return nil, 0, time.Time{}, false
	}
	if failed != 0 {
		s.backlog = nil
		return nil, failed, time.Time{}, true
	}
	evs, s.backlog = s.backlog, nil
	if len(evs) == 0 {
		if s.overflow != 0 {
			return nil, s.overflow, s.overflowAt, true
		}
		s.replaying = false
		return nil, 0, time.Time{}, true
	}
	return evs, 0, time.Time{}, true
}

// endLagged takes s, ended by a Lagged marker at the end of its replay,
// out of the hub; its channel is the replay's to close.
func (h *hub) endLagged(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.live {
		h.unlink(s) // closes s.stop, which nobody waits on any more
		h.lagged++
	}
}

// selects reports whether ev passes s's filter (the hub checks the same
// through its indexes, see hub.deliver).
func (s *Subscription) selects(ev *Event) bool {
	if s.mask&(1<<ev.Kind) == 0 || ev.Seq <= s.after {
		return false
	}
	return (s.conversation == "" || ev.Conversation == s.conversation) &&
		(s.operator == "" || ev.namesOperator(s.operator)) &&
		(s.group == "" || ev.inGroup(s.group))
}

// alsoSelects reports whether ev passes the conditions of s's filter that
// the hub's index it is in did not check (see hub.deliver): the operator
// and group of one indexed by conversation, the group of one indexed by
// operator.
func (s *Subscription) alsoSelects(ev *Event) bool {
	if s.conversation != "" && s.operator != "" && !ev.namesOperator(s.operator) {
		return false
	}
	return s.group == "" || s.conversation == "" && s.operator == "" || ev.inGroup(s.group)
}

// checkFilter returns the kinds f selects, or the error of a filter
// SubscribeTo refuses.
func (r *Router) checkFilter(f EventFilter) (uint64, error) {
	mask, err := f.mask()
	if err != nil {
		return 0, err
	}
	err = r.locked(func() error {
		if r.closed {
			return nil // the hub hands out a closed subscription
		}
		if f.Operator != "" {
			if _, err := r.v.Operator(f.Operator); err != nil {
				return fmt.Errorf("%w: event filter: operator %q", ErrNotFound, f.Operator)
			}
		}
		if f.Group != "" && !r.v.HasGroup(f.Group) {
			return fmt.Errorf("%w: event filter: group %q", ErrNotFound, f.Group)
		}
		return nil
	})
	return mask, err
}
