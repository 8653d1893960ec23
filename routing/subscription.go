package routing

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// Subscription receives the events its filter selects, in the order of
// their Seq. Its channel holds Config.EventBuffer events; the Router never
// waits for a subscriber. When an event for the subscription finds its
// buffer full, the subscription ends: instead of that event it receives a
// Lagged event whose Seq is that event's, and its channel is closed after
// it. Events from that sequence on were not delivered to this
// subscription. A host that sees the marker (or Lagged reporting it)
// subscribes again, and reloads what it shows from the Router (Snapshot,
// Conversation) since events were missed.
type Subscription struct {
	c    chan Event
	mask uint64
	// conversation, operator and group are the filter's ids ("" when not
	// set): the subscription is in hub.byConversation[conversation] when
	// conversation is set, else in hub.byOperator[operator] when operator
	// is set, else in hub.byGroup[group] when group is set, else in
	// hub.all.
	conversation, operator, group string
	hub                           *hub
	// lagged is the Seq of the first event not delivered, once the
	// subscription lagged; 0 before (sequences start at 1).
	lagged atomic.Uint64

	// Guarded by hub.mu.
	// live: in the hub, its channel open.
	live bool
	// seen is the Seq of the last event that reached it, so that an event
	// naming it twice (Operator and From) is delivered once.
	seen uint64
	// replaying: a Resume's replay of the journal is under way, and the
	// replay, not the hub, sends on c (see replay.go). Meanwhile the hub
	// keeps the live events for it in backlog, up to a buffer's worth;
	// overflow is the Seq of the first it could not keep (0: none),
	// overflowAt that event's time. stop is closed when the subscription
	// ends during the replay.
	replaying  bool
	backlog    []Event
	overflow   uint64
	overflowAt time.Time
	stop       chan struct{}
	// after is a Resume's starting point: events numbered up to it are
	// not for s (set before s is added, then only read).
	after uint64
}

// Events returns the channel events arrive on. It is closed by Cancel,
// when the router closes, and after a Lagged marker.
func (s *Subscription) Events() <-chan Event { return s.c }

// Lagged reports whether the subscription ended because it fell behind,
// and if so from, the sequence of the first event it was not given:
// events from that sequence on were not delivered to this subscription.
func (s *Subscription) Lagged() (from uint64, ok bool) {
	from = s.lagged.Load()
	return from, from != 0
}

// Err returns nil, or, once the subscription ended because it fell
// behind, an error matching ErrLagged that names the first sequence not
// delivered.
func (s *Subscription) Err() error {
	if from, ok := s.Lagged(); ok {
		return fmt.Errorf("%w: events from sequence %d on were not delivered to this subscription", ErrLagged, from)
	}
	return nil
}

// Cancel stops the subscription and closes its channel. It is safe to call
// more than once.
func (s *Subscription) Cancel() { s.hub.remove(s) }

// SubscriptionStats counts the Router's subscriptions, for metrics.
type SubscriptionStats struct {
	// Active is the number of live subscriptions.
	Active int
	// Lagged is the number of subscriptions ended by a Lagged marker since
	// the Router started.
	Lagged uint64
}

// hub fans events out to subscriptions. It indexes them by their filter's
// ids, so that an event costs nothing for a subscription filtered on a
// conversation, an operator or a group it does not name.
type hub struct {
	mu sync.Mutex
	// all holds the subscriptions with no id in their filter;
	// byConversation those with a conversation, byOperator those with an
	// operator and no conversation, byGroup those with only a group (the
	// filter's other ids, if any, are checked at delivery: alsoSelects).
	all            []*Subscription
	byConversation map[string][]*Subscription
	byOperator     map[string][]*Subscription
	byGroup        map[string][]*Subscription
	// kinds counts the subscriptions that want each kind; mask is the
	// union of their kinds.
	kinds [kindCount]int
	mask  atomic.Uint64
	// lagging holds the subscriptions the current event made lag, until
	// they are removed after its delivery.
	lagging []*Subscription
	active  int
	lagged  uint64
	// next is the number of the next event to deliver (events are
	// delivered in journal order), held the events handed to the hub
	// before their turn (see deliverInOrder).
	next uint64
	held map[uint64]Event
	// turn counts the Router's own events, in the order they are handed
	// to the hub: the order the observer is told of them in.
	turn   uint64
	closed bool
	// fillWanted and gapWanted wake the filler (see journal.go).
	fillWanted, gapWanted chan struct{}
	// obs is Config.Observer, told of every event in turn (see
	// eventTurns); set by New, then only read.
	obs   Observer
	turns eventTurns
}

// everyKind is the mask of every event kind but Lagged.
const everyKind = 1<<kindCount - 2

// add registers s, a new subscription with its filter set. After close, s
// is returned with its channel closed.
func (h *hub) add(s *Subscription) *Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.addLocked(s)
}

// addLocked is add. Caller holds h.mu.
func (h *hub) addLocked(s *Subscription) *Subscription {
	s.hub = h
	if h.closed {
		close(s.c)
		return s
	}
	switch {
	case s.conversation != "":
		h.byConversation = appendSub(h.byConversation, s.conversation, s)
	case s.operator != "":
		h.byOperator = appendSub(h.byOperator, s.operator, s)
	case s.group != "":
		h.byGroup = appendSub(h.byGroup, s.group, s)
	default:
		h.all = append(h.all, s)
	}
	s.live = true
	h.active++
	h.count(s.mask, 1)
	return s
}

// appendSub adds s to m's list for id, making m if needed.
func appendSub(m map[string][]*Subscription, id string, s *Subscription) map[string][]*Subscription {
	if m == nil {
		m = map[string][]*Subscription{}
	}
	m[id] = append(m[id], s)
	return m
}

// count adds d to the count of every kind in mask, and updates h.mask.
func (h *hub) count(mask uint64, d int) {
	eachKind(mask, func(k EventKind) { h.kinds[k] += d })
	var m uint64
	for k, n := range h.kinds {
		if n > 0 {
			m |= 1 << k
		}
	}
	h.mask.Store(m)
}

// remove ends s, if it is still live.
func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.live {
		h.unlink(s)
	}
}

// unlink takes live subscription s out of the hub and closes its channel.
// Caller holds h.mu.
func (h *hub) unlink(s *Subscription) {
	switch {
	case s.conversation != "":
		dropSub(h.byConversation, s.conversation, s)
	case s.operator != "":
		dropSub(h.byOperator, s.operator, s)
	case s.group != "":
		dropSub(h.byGroup, s.group, s)
	default:
		h.all = without(h.all, s)
	}
	s.live = false
	h.active--
	h.count(s.mask, -1)
	s.end()
}

// end closes s's channel or, during a replay, tells the replay to close
// it. Caller holds h.mu.
func (s *Subscription) end() {
	if s.replaying {
		close(s.stop)
		return
	}
	close(s.c)
}

// dropSub removes s from m's list for id, and the list when it is empty.
func dropSub(m map[string][]*Subscription, id string, s *Subscription) {
	if l := without(m[id], s); len(l) > 0 {
		m[id] = l
	} else {
		delete(m, id)
	}
}

// without removes s from l, in place.
func without(l []*Subscription, s *Subscription) []*Subscription {
	kept := l[:0]
	for _, x := range l {
		if x != s {
			kept = append(kept, x)
		}
	}
	clear(l[len(kept):])
	return kept
}

// emit numbers the events of one step, stamped with its time at and actor
// by, and delivers them: the Router's way without a journal
// (Config.NoJournal).
func (h *hub) emit(at time.Time, by Actor, evs []core.Event) {
	if len(evs) == 0 {
		return
	}
	list := make([]Event, len(evs))
	for i, e := range evs {
		list[i] = event(e, at, by)
	}
	h.place(list, true, true)
}

// deliverInOrder hands evs, numbered, to the subscribers that want them,
// in journal order: an event whose turn has not come (one numbered below
// it is still on its way) is held until it has; one numbered below the
// next to deliver was delivered already and is dropped. own says that the
// events are the Router's own: the observer, if any, is told of them,
// once the hub's lock is released.
func (h *hub) deliverInOrder(evs []Event, own bool) { h.place(evs, own, false) }

// place is deliverInOrder; with number set, it first numbers evs from the
// next to deliver.
func (h *hub) place(evs []Event, own, number bool) {
	if len(evs) == 0 {
		return
	}
	var first uint64
	if own && h.obs != nil {
		// Deferred before the unlock, so run after it.
		defer func() { h.turns.observe(h.obs, first, evs) }()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if own {
		first = h.turn + 1
		h.turn += uint64(len(evs))
	}
	if number {
		for i := range evs {
			evs[i].Seq = h.next + uint64(i)
		}
	}
	for i := range evs {
		switch ev := &evs[i]; {
		case ev.Seq == h.next && len(h.held) == 0:
			// Its turn, and nothing waits: the usual case.
			h.next++
			h.deliver(ev)
		case ev.Seq >= h.next:
			if h.held == nil {
				h.held = map[uint64]Event{}
			}
			h.held[ev.Seq] = *ev
		}
	}
	h.drain()
}

// drain delivers the held events whose turn has come, and asks for the
// filler when some still wait for a lower number. Caller holds h.mu.
func (h *hub) drain() {
	for {
		ev, ok := h.held[h.next]
		if !ok {
			break
		}
		delete(h.held, h.next)
		h.next++
		h.deliver(&ev)
	}
	if len(h.held) > 0 {
		h.gapSeen()
	}
}

// deliver hands ev to the subscriptions whose filter selects it: the
// unfiltered ones, and those filtered on a conversation, operator or
// group it names. Caller holds h.mu.
func (h *hub) deliver(ev *Event) {
	for _, s := range h.all {
		h.send(s, ev)
	}
	if len(h.byConversation) > 0 {
		h.sendAll(h.byConversation, ev.Conversation, ev)
	}
	if len(h.byOperator) > 0 {
		op, from, ops := ev.operatorsNamed()
		h.sendAll(h.byOperator, op, ev)
		h.sendAll(h.byOperator, from, ev)
		for _, id := range ops {
			h.sendAll(h.byOperator, id, ev)
		}
	}
	if len(h.byGroup) > 0 {
		g, from, to, gs := ev.groupsNamed()
		h.sendAll(h.byGroup, g, ev)
		h.sendAll(h.byGroup, from, ev)
		h.sendAll(h.byGroup, to, ev)
		for _, id := range gs {
			h.sendAll(h.byGroup, id, ev)
		}
	}
	for i, s := range h.lagging {
		h.unlink(s)
		h.lagged++
		h.lagging[i] = nil
	}
	h.lagging = h.lagging[:0]
}

// sendAll sends ev to the subscriptions of m's list for id.
func (h *hub) sendAll(m map[string][]*Subscription, id string, ev *Event) {
	if id == "" {
		return
	}
	for _, s := range m[id] {
		h.send(s, ev)
	}
}

// send hands ev to s if s wants it and has not had it yet. When s's
// buffer is full, s gets the Lagged marker in the slot kept for it, and
// is ended once ev is delivered. Caller holds h.mu.
func (h *hub) send(s *Subscription, ev *Event) {
	if s.seen == ev.Seq || s.mask&(1<<ev.Kind) == 0 || ev.Seq <= s.after {
		return
	}
	s.seen = ev.Seq
	if !s.alsoSelects(ev) {
		return
	}
	if s.replaying {
		switch {
		case s.overflow != 0:
		case len(s.backlog) < cap(s.c)-1:
			s.backlog = append(s.backlog, *ev)
		default:
			s.overflow, s.overflowAt = ev.Seq, ev.At
		}
		return
	}
	if len(s.c) < cap(s.c)-1 {
		s.c <- *ev
		return
	}
	s.lag(ev)
	h.lagging = append(h.lagging, s)
}

// lag ends s at ev: s gets the Lagged marker instead of ev, in the slot
// kept for it (the caller then unlinks s). Only a subscription just
// handed over by its replay with a full channel has no room for it: it
// then ends without the marker, and Lagged and Err report it. The hub
// never waits for a subscriber.
func (s *Subscription) lag(ev *Event) {
	s.lagged.Store(ev.Seq)
	select {
	case s.c <- Event{Kind: Lagged, Seq: ev.Seq, At: ev.At}:
	default:
	}
}

// stats returns the counts of SubscriptionStats.
func (h *hub) stats() SubscriptionStats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return SubscriptionStats{Active: h.active, Lagged: h.lagged}
}

// close closes every subscription; later ones are born closed.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	closeAll(h.all)
	for _, m := range []map[string][]*Subscription{h.byConversation, h.byOperator, h.byGroup} {
		for _, l := range m {
			closeAll(l)
		}
	}
	h.all, h.byConversation, h.byOperator, h.byGroup = nil, nil, nil, nil
	h.kinds, h.active = [kindCount]int{}, 0
	h.mask.Store(0)
}

// closeAll closes the channels of the subscriptions in l.
func closeAll(l []*Subscription) {
	for _, s := range l {
		s.live = false
		s.end()
	}
}
