package routing

import (
	"sync"
	"time"
)

// Observer is told what a Router does, for metrics and tracing. Its
// methods are called from the goroutine that did the work, without the
// view's lock but, for Event, with the lock of the conversation concerned
// held (so that one conversation's events are told in the order of its
// changes): a slow observer delays the commands on that conversation.
// They must be safe for concurrent use and return quickly. They may read the Router (Snapshot, Groups, Subscribe, ...)
// but must not call its commands (what changes conversations, operators,
// groups or rules) nor Stop: events are told in order, and a command's
// events would wait for the Event call that is waiting for the command.
// Package prommetrics implements one for Prometheus.
type Observer interface {
	// Event is called for every event the Router emits itself (not for
	// other Routers' events, which its subscribers get from the journal,
	// nor for those of its own writes of unknown outcome, which it learns
	// from the journal too), once each, in the order its steps handed them over: by Seq for one
	// conversation's events and for commands one after the other; two
	// commands stored at once may be told in either order. Every kind is
	// built while an observer is set, whatever the subscriptions want. Its
	// slices are the subscribers' too: Event must not modify them.
	Event(e Event)
	// StoreWrite is called after every store write the Router makes, with
	// what it was, how long it took and its error (nil when the store took
	// it).
	StoreWrite(w StoreWrite)
}

// StoreWrite is one store write the Router made, as told to
// Observer.StoreWrite.
type StoreWrite struct {
	// Call names the store method: one of the Write constants.
	Call string
	// Took is how long the call took, on Config.Clock (zero on a mock
	// clock nobody advanced during the call).
	Took time.Duration
	// Err is the store's error, nil when it took the write. A change the
	// store refused because the Router's view was stale
	// (store.ErrConflict, ErrNotAllowed, ...) counts as an error too: the
	// Router then reads the rows again and, most often, decides again.
	Err error
}

// The calls a StoreWrite names: the store.Store methods that write.
const (
	// WriteApply is store.Store.Apply: a change of a conversation.
	WriteApply = "apply"
	// WriteCreateConversation is store.Store.CreateConversation.
	WriteCreateConversation = "create-conversation"
	// WriteSetStatus is store.Store.SetStatus.
	WriteSetStatus = "set-status"
	// WriteSetOperatorDeadlines is store.Store.SetOperatorDeadlines.
	WriteSetOperatorDeadlines = "set-operator-deadlines"
	// WriteCreateOperator is store.Store.CreateOperator.
	WriteCreateOperator = "create-operator"
	// WriteUpdateOperator is store.Store.UpdateOperator.
	WriteUpdateOperator = "update-operator"
	// WriteDeleteOperator is store.Store.DeleteOperator.
	WriteDeleteOperator = "delete-operator"
	// WriteSetRuleSet is store.Store.SetRuleSet: a rule set stored by
	// SetRules, or Config.Rules stored at the start.
	WriteSetRuleSet = "set-rule-set"
	// WritePutGroup is store.Store.PutGroup: a group stored by AddGroup,
	// UpdateGroup or SetPolicy, or from Config.Groups at the start.
	WritePutGroup = "put-group"
	// WriteDeleteGroup is store.Store.DeleteGroup, by RemoveGroup.
	WriteDeleteGroup = "delete-group"
)

// WriteCalls lists every call a StoreWrite may name.
func WriteCalls() []string {
	return []string{
		WriteApply, WriteCreateConversation, WriteSetStatus, WriteSetOperatorDeadlines,
		WriteCreateOperator, WriteUpdateOperator, WriteDeleteOperator, WriteSetRuleSet,
		WritePutGroup, WriteDeleteGroup,
	}
}

// writeStart returns when a store write starts, on Config.Clock, for
// writeDone; the zero time, without reading the clock, when no observer
// is set.
func (r *Router) writeStart() time.Time {
	if r.cfg.Observer == nil {
		return time.Time{}
	}
	return r.clock.Clock.Now()
}

// writeDone tells the observer, if any, of a store write started at
// start (see writeStart) that ended with err, and returns err.
func (r *Router) writeDone(call string, start time.Time, err error) error {
	if o := r.cfg.Observer; o != nil {
		o.StoreWrite(StoreWrite{Call: call, Took: r.clock.Clock.Since(start), Err: err})
	}
	return err
}

// eventTurns hands out, in turn, the turns to tell an Observer of the
// events of one step: hub.deliverInOrder numbers a step's turns under
// the hub's lock, and tells the observer after releasing it, so that an
// observer may read the Router, and the next step's delivery to the
// subscribers need not wait for it; a step waits here only for the
// observer to be told of the steps given turns before it.
type eventTurns struct {
	mu   sync.Mutex
	turn sync.Cond
	// told is the turn of the last event the observer was told of.
	told uint64
}

// observe tells obs of evs, the events of one step, whose turns are
// numbered from first, once it was told of every earlier one.
func (t *eventTurns) observe(obs Observer, first uint64, evs []Event) {
	t.mu.Lock()
	if t.turn.L == nil {
		t.turn.L = &t.mu
	}
	for t.told != first-1 {
		t.turn.Wait()
	}
	t.mu.Unlock()
	// Passed on even if obs panics, so that the later steps are told.
	defer t.pass(first + uint64(len(evs)) - 1)
	for _, ev := range evs {
		obs.Event(ev)
	}
}

// pass records that the observer was told of every event up to Seq last,
// and wakes the step whose turn is next.
func (t *eventTurns) pass(last uint64) {
	t.mu.Lock()
	t.told = last
	t.mu.Unlock()
	t.turn.Broadcast()
}
