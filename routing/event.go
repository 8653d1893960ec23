package routing

import (
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// EventKind names what an event reports.
type EventKind uint16

// Event kinds. Subscribe and EventFilter.Kinds take the kinds a subscriber
// wants.
const (
	// Queued: a conversation entered its group's queue and waits there.
	// Position is its 1-based place in the queue, Reason why it was kept.
	Queued EventKind = iota + 1
	// Offered: a conversation was offered to Operators (broadcast, R1).
	Offered
	// OfferWithdrawn: the offers to Operators were withdrawn, because
	// someone took the conversation, it moved, or they left a status that
	// allows offers.
	OfferWithdrawn
	// Assigned: Operator got the conversation. Policy names the policy
	// that chose them ("manual" for a take, "admin" for an admin
	// assignment, "returned" for a customer's reply to a conversation
	// waiting with them, "outbound" for one they started), Skipped lists
	// the candidates it passed over and why, Wait how long the
	// conversation waited for it (the time to assignment; see Event.Wait).
	// From is the operator who held it before, when another did (it was
	// released, missed, redistributed or transferred to the group): empty
	// for a first assignment. A transfer to an operator is reported by
	// Transferred instead.
	Assigned
	// AllBusy: every eligible operator was at cap when the conversation
	// arrived; reported once per conversation, with its queue Position, so
	// the host can send the "all operators are busy" notice (R5).
	AllBusy
	// Returned: a conversation went back to its group's queue: released
	// by its operator, or its customer replied while the operator it was
	// waiting with was off shift or removed. From is the operator it left.
	// (A conversation redistributed to the queue at the end of a shift is
	// reported by Redistributed and Queued.)
	Returned
	// Transferred: a conversation moved from operator From to Operator, or
	// from group From to group To (L6).
	Transferred
	// Waiting: the operator marked the conversation as waiting on the
	// customer (L3).
	Waiting
	// Closed: a conversation was closed; Reason says why, Operator is who
	// held it.
	Closed
	// StatusChanged: Operator moved from status From to status To.
	StatusChanged
	// GroupAvailability: Group became online (Online true: at least one
	// operator in a status that accepts new conversations) or offline
	// (P10).
	GroupAvailability
	// Redistributed: an operator ending their shift (From) had the
	// conversation taken from them; an Assigned, Offered or Queued event
	// follows with where it went (P4).
	Redistributed
	// WaitThreshold: the customer of the conversation has waited Wait for
	// an operator's answer, crossing the wait level named Reason
	// (L10). Operator is who holds it, if anyone.
	WaitThreshold
	// Missed: the conversation was not accepted in the group's
	// AcceptTimeout by Operators (its assignee, or everyone it was offered
	// to), and is taken back from them (L2); the events that follow
	// say where it went.
	Missed
	// OffHours: a conversation arrived outside its group's business hours
	// and waits in the queue, at Position, so the host can send the
	// off-hours notice (R6).
	OffHours
	// Replied: Operator answered the customer (OperatorReplied); the first
	// one after the conversation's arrival gives the time to first reply
	// (S2). Wait is the conversation's age: from its creation
	// (store.Conversation.CreatedAt) to At.
	Replied
	// SkillsRelaxed: the conversation waited its group's SkillRelaxAfter,
	// and now requires only Skills (D5); the events that follow say where
	// it went.
	SkillsRelaxed
	// CustomerWrote: the customer wrote into the conversation
	// (CustomerReplied), so that the consoles showing it fetch the
	// message: Operator is the operator holding it, Operators those it is
	// offered to (none while it waits in the queue). The changes it
	// brings (a conversation waiting on the customer going back to its
	// operator, or to the queue) follow as their own events.
	CustomerWrote

	// Lagged ends a subscription that fell behind: an event for it found
	// its buffer holding Config.EventBuffer events. Seq is the sequence of
	// that event, the first one not delivered, At its time (when a
	// Resume's replay failed to read it, the Router's time then); events from
	// that sequence on were not delivered to this subscription, and its
	// channel is closed after the marker (see Subscription.Lagged). A
	// subscription gets it whatever its filter asked for; AllKinds does
	// not list it and a filter may not ask for it.
	Lagged

	// kindCount is one more than the highest kind built from the core's
	// events: every kind but Lagged, which the hub makes itself.
	kindCount = iota
)

var kindNames = [...]string{
	Queued: "queued", Offered: "offered", OfferWithdrawn: "offer-withdrawn", Assigned: "assigned",
	AllBusy: "all-busy", Returned: "returned", Transferred: "transferred", Waiting: "waiting",
	Closed: "closed", StatusChanged: "status-changed", GroupAvailability: "group-availability",
	Redistributed: "redistributed", WaitThreshold: "wait-threshold", Missed: "missed", OffHours: "off-hours", Replied: "replied",
	SkillsRelaxed: "skills-relaxed", CustomerWrote: "customer-wrote", Lagged: "lagged",
}

// String returns the kind's name.
func (k EventKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("event(%d)", uint16(k))
}

// AllKinds lists every event kind a subscription can ask for: every kind
// but Lagged.
func AllKinds() []EventKind {
	ks := make([]EventKind, 0, kindCount-1)
	for k := EventKind(1); k < kindCount; k++ {
		ks = append(ks, k)
	}
	return ks
}

// Event is something that happened, reported after the change behind it
// was stored. Fields that do not apply to its Kind are zero. Every event
// carries who, what and when, so statistics can be rebuilt from a stream
// of them (S3).
type Event struct {
	// Seq is the event's number in the store's journal (S5): one
	// sequence for every Router on the store, without gaps, in the order
	// the events were stored (with the change behind them, or just after
	// it: see Router.Resume); subscribers receive events in that order.
	// With Config.NoJournal it numbers the Router's own events, from 1 at
	// each New.
	Seq uint64
	// Kind says what happened.
	Kind EventKind
	// At is when it happened, by the router's clock.
	At time.Time
	// By is who caused it: the actor of the command behind it (the
	// customer, for Enqueue, Reopen and CustomerReplied), also for the
	// routing the command set off (the queue routed after a close, the
	// conversations redistributed at an end of shift); the system with
	// its Cause for the work the Router does on its own (deadlines,
	// business hours, takeovers).
	By Actor
	// Conversation is the conversation concerned, if any.
	Conversation string
	// Group is the group concerned, if any.
	Group string
	// Operator is the operator concerned: the assignee, the one whose
	// status changed, the transfer target (for a transfer to a group, the
	// operator who held the conversation).
	Operator string
	// From is the previous operator (Returned, Redistributed, Transferred
	// between operators), status (StatusChanged) or group (Transferred to
	// a group).
	From string
	// To is the new status or group.
	To string
	// Groups lists, on a StatusChanged event, the groups the operator
	// served when their status changed: the groups whose consoles show
	// it. Subscribers must not modify it.
	Groups []string
	// Operators lists the operators of an Offered, OfferWithdrawn or
	// Missed event.
	Operators []string
	// Policy names what decided an assignment or an offer.
	Policy string
	// Skipped lists the candidates a policy passed over and why.
	Skipped []policy.Skip
	// Position is a queued conversation's 1-based place in its queue.
	Position int
	// Reason says why a conversation was kept, returned or closed.
	Reason string
	// Online reports a group's availability.
	Online bool
	// Wait is how long a customer has waited: for WaitThreshold, for an
	// answer; for Replied, since the conversation was created; for Assigned, the time to assignment: from when the
	// conversation last entered its queue (its
	// store.Conversation.EnqueuedAt) to At, whatever assigned it (a
	// policy, a take, an admin, a customer's return). A release, a missed
	// assignment or offer and a redistribution at an end of shift keep
	// the conversation's place and so its wait, time with an operator
	// included; a transfer to a group and a return to the queue restart
	// it (an Assigned event with From set is such a second assignment).
	// It is zero for an outbound conversation, which never waited, and
	// never negative (a row stamped by a Router whose clock is ahead
	// counts as no wait).
	Wait time.Duration
	// Skills lists the skills the conversation requires after a
	// SkillsRelaxed event.
	Skills []string
	// Rules lists the rules that matched the conversation when it joined
	// its queue, and what each changed (D1), on its Queued, Offered and
	// Assigned events: why it went where it went. It is the same as the
	// conversation's store.Conversation.Rules; subscribers must not
	// modify it.
	Rules []store.RuleMatch
}

// String returns a one-line description, for logs and examples. An
// Assigned event's Wait is not in it.
func (e Event) String() string {
	s := e.Kind.String()
	add := func(k, v string) {
		if v != "" {
			s += " " + k + "=" + v
		}
	}
	add("conv", e.Conversation)
	add("group", e.Group)
	add("op", e.Operator)
	if e.Kind != Assigned {
		add("from", e.From) // an Assigned event's previous holder is in its JSON
	}
	add("to", e.To)
	if len(e.Operators) > 0 {
		s += fmt.Sprintf(" ops=%v", e.Operators)
	}
	add("policy", e.Policy)
	if e.Position > 0 {
		s += fmt.Sprintf(" pos=%d", e.Position)
	}
	add("reason", e.Reason)
	if e.Wait > 0 && e.Kind == WaitThreshold {
		s += " wait=" + e.Wait.String() // not an Assigned event's: it varies with a real clock
	}
	if e.Kind == GroupAvailability {
		s += fmt.Sprintf(" online=%t", e.Online)
	}
	return s
}
