package routing

import (
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// ActorKind says what kind of party an Actor is.
type ActorKind uint8

// Kinds of actor.
const (
	// OperatorActor is an operator acting for themselves: only on their
	// own status and on conversations they hold or are offered (L11).
	OperatorActor ActorKind = iota + 1
	// AdminActor is an admin or supervisor: they may act on anyone's
	// status and on any conversation (L7).
	AdminActor
	// CustomerActor is the customer of a conversation. Commands a
	// customer's action causes (Enqueue, Reopen, CustomerReplied) take no
	// actor argument: their events carry the customer.
	CustomerActor
	// SystemActor is the Router itself, or the host acting as no person
	// (an import, a scheduled job). It has an admin's rights, and its
	// Cause says why it acted.
	SystemActor
)

var actorKindNames = [...]string{OperatorActor: "operator", AdminActor: "admin", CustomerActor: "customer", SystemActor: "system"}

// String returns the kind's name: "operator", "admin", "customer" or
// "system".
func (k ActorKind) String() string {
	if k > 0 && int(k) < len(actorKindNames) {
		return actorKindNames[k]
	}
	return fmt.Sprintf("actor(%d)", uint8(k))
}

// Cause says why the system acted, in the Actor of the events it caused.
type Cause string

// Causes of the work the Router does on its own.
const (
	// CauseAcceptTimeout: an assignment or offer was not accepted in the
	// group's AcceptTimeout (L2).
	CauseAcceptTimeout Cause = "accept-timeout"
	// CauseAutoClose: the customer did not reply in the group's AutoClose
	// time (L4).
	CauseAutoClose Cause = "auto-close"
	// CauseWaitingExpiry: a conversation waited on its customer for the
	// group's WaitingExpiry (L3).
	CauseWaitingExpiry Cause = "waiting-expiry"
	// CauseWaitLevel: a customer's wait crossed one of the group's wait
	// levels (L10).
	CauseWaitLevel Cause = "wait-level"
	// CauseInactivity: an operator showed no activity for their status's
	// inactivity time (P6).
	CauseInactivity Cause = "inactivity"
	// CauseLastClose: an operator's last conversation closed and their
	// status says where to go then (P5).
	CauseLastClose Cause = "last-close"
	// CauseBusinessHours: a group's business hours opened or closed (R6).
	CauseBusinessHours Cause = "business-hours"
	// CauseTakeover: a change another Router made (followed through the
	// store's change feed) made a queue routable: routed at once when
	// Config.Takeover is zero, else Takeover later if still routable.
	CauseTakeover Cause = "takeover"
	// CauseStart: the Router started and routed the conversations that
	// were waiting in its store.
	CauseStart Cause = "start"
	// CauseResync: the Router made its view equal to its store again
	// (Resync) and routed every queue.
	CauseResync Cause = "resync"
	// CauseSkillRelax: a conversation waited its group's SkillRelaxAfter
	// and its required skills were relaxed (D5).
	CauseSkillRelax Cause = "skill-relax"
	// CausePreferExpiry: a conversation waited for its preferred operator
	// as long as its rule said, and its group's policy took over (D1).
	CausePreferExpiry Cause = "prefer-expiry"
)

// Actor is who issues a command, and who caused an event (Event.By). Make
// one with ByOperator, ByAdmin, ByCustomer or BySystem; the zero Actor is
// invalid, and a command given one fails with ErrInvalid.
type Actor struct {
	// Kind says what kind of party acts.
	Kind ActorKind
	// ID names the operator, admin or customer; empty for the system.
	ID string
	// Cause says why the system acted; empty for the other kinds.
	Cause Cause
}

// ByOperator returns the actor for operator id acting for themselves.
func ByOperator(id string) Actor { return Actor{Kind: OperatorActor, ID: id} }

// ByAdmin returns the actor for an admin or supervisor named id.
func ByAdmin(id string) Actor { return Actor{Kind: AdminActor, ID: id} }

// ByCustomer returns the actor for the customer id.
func ByCustomer(id string) Actor { return Actor{Kind: CustomerActor, ID: id} }

// BySystem returns the actor for the Router, or the host acting as no
// person, with the cause of the action.
func BySystem(cause Cause) Actor { return Actor{Kind: SystemActor, Cause: cause} }

// String returns "kind:id", "system:cause" for the system, and the kind
// alone when it names nobody (a customer without an id).
func (a Actor) String() string {
	switch {
	case a.Kind == SystemActor:
		return a.Kind.String() + ":" + string(a.Cause)
	case a.ID == "":
		return a.Kind.String()
	}
	return a.Kind.String() + ":" + a.ID
}

// IsAdmin reports whether a has an admin's rights: an admin or the system.
func (a Actor) IsAdmin() bool { return a.Kind == AdminActor || a.Kind == SystemActor }

// validate returns an error matching ErrInvalid if a is not a valid actor
// of a command: an operator or an admin with an id, or the system with a
// cause. Customers act through the commands that take no actor.
func (a Actor) validate() error {
	switch a.Kind {
	case OperatorActor, AdminActor:
		return store.CheckID("actor "+a.Kind.String()+" id", a.ID)
	case SystemActor:
		if a.Cause == "" {
			return fmt.Errorf("%w: system actor without a cause", ErrInvalid)
		}
		return nil
	case CustomerActor:
		return fmt.Errorf("%w: %v: a customer acts through Enqueue, Reopen and CustomerReplied only", ErrInvalid, a)
	}
	return fmt.Errorf("%w: no actor (use ByOperator, ByAdmin or BySystem)", ErrInvalid)
}

// assignee returns the assignee precondition a command by a must carry:
// the actor's own id for an operator, none for an admin.
func (a Actor) assignee() string {
	if a.IsAdmin() {
		return ""
	}
	return a.ID
}

// mayActFor checks that a may act on operator id: a valid actor who is
// that operator or has an admin's rights; what names the command, for the
// error.
func (a Actor) mayActFor(id, what string) error {
	if err := a.validate(); err != nil {
		return err
	}
	if !a.IsAdmin() && a.ID != id {
		return fmt.Errorf("%w: %q may not %s of %q", ErrNotAllowed, a.ID, what, id)
	}
	return nil
}

// mustBeAdmin checks that a is a valid actor with an admin's rights; what
// names the command, for the error.
func (a Actor) mustBeAdmin(what string) error {
	if err := a.validate(); err != nil {
		return err
	}
	if !a.IsAdmin() {
		return fmt.Errorf("%w: %q is not an admin and may not %s", ErrNotAllowed, a.ID, what)
	}
	return nil
}
