package core

import (
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// Write names the store call a Plan makes.
type Write uint8

// The store calls of a plan.
const (
	// NoWrite: the command has nothing (more) to store.
	NoWrite Write = iota
	// ReadConversation is no write: the view does not hold conversation
	// Plan.Conversation (it is closed, or not seen yet), and the command
	// is to be decided again on the store's row of it.
	ReadConversation
	// ApplyChange: store.Store.Apply(Plan.Change).
	ApplyChange
	// CreateConversation: store.Store.CreateConversation(Plan.Row,
	// Plan.Require).
	CreateConversation
	// SetStatus: store.Store.SetStatus(Plan.Status).
	SetStatus
	// SetOperatorDeadlines: store.Store.SetOperatorDeadlines(Plan.Deadlines).
	SetOperatorDeadlines
	// CreateOperator: store.Store.CreateOperator(Plan.Operator).
	CreateOperator
	// UpdateOperator: store.Store.UpdateOperator(Plan.Operator).
	UpdateOperator
	// DeleteOperator: store.Store.DeleteOperator(Plan.Operator.ID).
	DeleteOperator
)

// Plan is what the core decided a command is to store: one write, the
// conversation whose lock it needs, and what to do if the store refuses it
// as stale. The Router carries it out and hands the store's answer to
// Absorb and Report.
type Plan struct {
	Write Write
	// The write's argument, by Write.
	Change    store.Change
	Row       store.Conversation
	Require   store.Require
	Status    store.StatusChange
	Deadlines store.OperatorDeadlines
	Operator  store.Operator
	// At, when not zero, is the time of the write's events, in place of
	// the time the plan was decided at (a new conversation's events are
	// at its arrival).
	At time.Time
	// Conversation is the conversation the write concerns, whose lock it
	// takes ("" for an operator's write).
	Conversation string
	// Routed says that the write places a conversation as Decision
	// decides (an assignment reserves its operator until Absorb); New that
	// it is a new conversation's first placing.
	Routed, New bool
	Decision    Decision
	// Relaxed says that the write relaxes the skills the conversation
	// requires (see PlanExpired).
	Relaxed bool
	// Retry says that a stale refusal (see the Router's retry rule) is
	// decided again on fresh rows; RefreshConversation and
	// RefreshOperators name those rows, the conversation and the operators
	// to re-read (for a routed plan, the operators are those its decision
	// names: see Refresh).
	Retry               bool
	RefreshConversation string
	RefreshOperators    []string
}

// Refresh returns the operators to re-read after a stale refusal of p.
func (p *Plan) Refresh() []string {
	if p.Routed {
		return p.Decision.Named()
	}
	return p.RefreshOperators
}

// Outcome is the store's answer to a plan's write.
type Outcome struct {
	// Result is the answer to ApplyChange and CreateConversation.
	Result store.Result
	// Operator is the answer to the operator writes.
	Operator store.Operator
}

// PlanRoute plans storing decision d about conversation c, as the view
// holds it, at now: the change is conditional on c being unchanged, and a
// stale refusal re-reads c and the operators d names, and decides again.
func PlanRoute(c store.Conversation, d Decision, now time.Time) Plan {
	return Plan{
		Write: ApplyChange, Change: d.Change(c, now), Conversation: c.ID,
		Routed: true, Decision: d, Retry: true, RefreshConversation: c.ID,
	}
}

// PlanNew plans storing new conversation row where the view decides it
// goes (see decideNew). A stale refusal of an assignment or an offer
// re-reads the operators it names and decides again; a conversation kept
// in the queue is not refused as stale.
func (v *View) PlanNew(row *store.Conversation, first, spent, sticky bool) (Plan, error) {
	d, allBusy, err := v.decideNew(row, first, spent, sticky)
	if err != nil {
		return Plan{}, err
	}
	return Plan{
		Write: CreateConversation, Row: d.NewRow(*row, allBusy), Require: d.Require, Conversation: row.ID, At: row.CreatedAt,
		Routed: true, New: true, Decision: d, Retry: d.Action != policy.Keep,
	}, nil
}

// PlanApply plans applying ch to conversation ch.Conversation; a stale
// refusal re-reads the conversation, and is the command's answer.
func PlanApply(ch store.Change) Plan {
	return Plan{Write: ApplyChange, Change: ch, Conversation: ch.Conversation, RefreshConversation: ch.Conversation}
}

// Absorb folds the store's answer to p into the view: out, when the store
// took the write (ok), and in any case the end of the reservation p's
// decision made. at is the time on the Router's own clock, in Unix
// nanoseconds (see Tombstones).
func (v *View) Absorb(p *Plan, out *Outcome, ok bool, at int64) {
	switch {
	case p.Routed && ok:
		v.release(&p.Decision, &out.Result, at)
	case p.Routed:
		v.release(&p.Decision, nil, at)
	case !ok:
	case p.Write == ApplyChange || p.Write == CreateConversation:
		v.absorb(out.Result, at)
	case p.Write == DeleteOperator:
		v.forgetOperator(p.Operator.ID)
	default:
		v.absorbOperator(out.Operator, false)
	}
}

// Report adds the events of the routing p stored, absorbed with out (see
// routedEvents), and returns the operators whose offers of it went stale
// meanwhile (see staleOfferees), to be withdrawn. It reports nothing of a
// plan that routes nothing: the command reports its own events.
func (v *View) Report(p *Plan, out *Outcome, ev *Events) (stale []string) {
	if !p.Routed {
		return nil
	}
	res := &out.Result
	if p.Relaxed && ev.Wants(SkillsRelaxed) {
		c := &res.Conversation
		ev.Push(Event{Kind: SkillsRelaxed, Conversation: c.ID, Group: c.Group, Skills: c.Skills})
	}
	v.routedEvents(ev, *res, p.Decision)
	if p.New && p.Decision.Reason == ReasonOffHours && ev.Wants(OffHours) {
		ev.Push(Event{Kind: OffHours, Conversation: res.Conversation.ID, Group: res.Conversation.Group, Position: v.Position(&res.Conversation)})
	}
	return v.staleOfferees(res.Conversation, p.Decision)
}
