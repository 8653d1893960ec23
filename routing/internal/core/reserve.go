package core

import (
	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/store"
)

// Reservations: between a decision to assign and the store's answer (a
// commit, a millisecond or more on a SQL store) the view does not yet
// count the new conversation in the operator's load, so every arrival
// decided meanwhile would pick the same least-loaded operator. A decision
// about to be stored therefore reserves its operator: the operator's place
// in candidate order counts it (policy.Candidate.Pending) until the result
// is absorbed or refused. Caps do not count reservations: the store checks
// caps on what is stored, and a reservation may still be refused.

// reserve counts assignment d, about to be stored, in its operator's place
// in candidate order until release. Other decisions do nothing.
func (v *View) reserve(d *Decision) {
	if d.Action != policy.Assign {
		return
	}
	op := v.ops[d.Operator]
	if op == nil {
		return
	}
	op.pending++
	v.rekey(op, op.row)
	d.reserved = op
}

// release undoes d's reservation once the store has answered, and absorbs
// res, d's result, when it is not nil (the store took d). Absorbing the
// result moves the operator in the trees anyway (its load and last
// assignment changed), so the reservation is dropped first and the
// operator moved once; it is moved here only if nothing else did.
func (v *View) release(d *Decision, res *store.Result, now int64) {
	op := d.reserved
	d.reserved = nil
	if op != nil {
		op.pending-- // op.key still names its place in the trees
	}
	if res != nil {
		v.absorb(*res, now)
	}
	if op != nil && v.ops[op.row.ID] == op && op.key != keyOf(op) {
		// Still in the view (not forgotten meanwhile) and not moved by
		// the result: move it back.
		v.rekey(op, op.row)
	}
}
