package routing

import "github.com/switchboard-go/switchboard/policy"

// Reservations: between a decision to assign and the store's answer (a
// commit, a millisecond or more on a SQL store) the view does not yet
// count the new conversation in the operator's load, so every arrival
// decided meanwhile would pick the same least-loaded operator. A decision
// about to be stored therefore reserves its operator: the operator's place
// in candidate order counts it (policy.Candidate.Pending) until the result
// is absorbed or refused. Caps do not count reservations: the store checks
// caps on what is stored, and a reservation may still be refused.

// reserve counts assignment d, about to be stored, in its operator's place
// in candidate order until release. Other decisions do nothing. Caller
// holds r.mu.
func (r *Router) reserve(d *decision) {
	if d.Action != policy.Assign {
		return
	}
	op := r.ops[d.Operator]
	if op == nil {
		return
	}
	op.pending++
	r.rekey(op, op.row)
	d.reserved = op
}

// release undoes d's reservation, once d's result has been absorbed or
// refused. Caller holds r.mu.
func (r *Router) release(d *decision) {
	op := d.reserved
	if op == nil {
		return
	}
	d.reserved = nil
	op.pending--
	if r.ops[op.row.ID] == op {
		// Still in the view (not forgotten meanwhile): move it back.
		r.rekey(op, op.row)
	}
}

// releaseLocked is release for a caller that does not hold r.mu.
func (r *Router) releaseLocked(d *decision) {
	if d.reserved == nil {
		return
	}
	r.mu.Lock()
	r.release(d)
	r.mu.Unlock()
}
