package core

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// AbsorbOperator folds an operator row into the view and re-indexes it,
// if newer than what the view holds; remote says whether another Router
// may have written it (see shiftOf). It reports whether the operator
// accepts new conversations in some way (automatic or offers).
func (v *View) AbsorbOperator(row store.Operator, remote bool) (accepting bool) {
	return v.absorbOperator(row, remote).accepting()
}

// Operator returns the view's row of operator id. It fails with
// ErrInvalid for an empty or too long id and ErrNotFound for an unknown
// one.
func (v *View) Operator(id string) (store.Operator, error) {
	op, err := v.operator(id)
	if err != nil {
		return store.Operator{}, err
	}
	return op.row, nil
}

// operator is Operator's lookup.
func (v *View) operator(id string) (*operator, error) {
	if err := store.CheckID("operator id", id); err != nil {
		return nil, err
	}
	op := v.ops[id]
	if op == nil {
		return nil, fmt.Errorf("%w: operator %q", store.ErrNotFound, id)
	}
	return op, nil
}

// Held returns the conversations operator id holds (assigned or
// waiting), sorted.
func (v *View) Held(id string) []string {
	if op := v.ops[id]; op != nil {
		return slices.Sorted(maps.Keys(op.held))
	}
	return nil
}

// Touch records activity of operator id at now (P6). It returns their
// row, and claim true when their inactivity switch was armed by another
// Router, which this one is then to re-arm; ok is false for an operator
// the view does not hold.
func (v *View) Touch(id string, now time.Time) (row store.Operator, claim, ok bool) {
	op := v.ops[id]
	if op == nil {
		return store.Operator{}, false, false
	}
	op.lastActive = now
	armed := slices.ContainsFunc(op.row.Deadlines, func(d store.Deadline) bool { return d.Kind == store.Inactivity })
	return op.row, op.shift != 0 && armed, true
}

// LastActive returns when operator id last showed activity, as far as
// this Router knows (zero for an operator the view does not hold).
func (v *View) LastActive(id string) time.Time {
	if op := v.ops[id]; op != nil {
		return op.lastActive
	}
	return time.Time{}
}

// serves reports whether the view can hold operator o: every group of
// theirs is one of the view's and the presence model knows their status.
// Routers sharing a store are expected to be configured alike; rows of
// groups a Router does not serve are left out of its view.
func (v *View) serves(o store.Operator) bool {
	for _, g := range o.Groups {
		if v.groups[g] == nil {
			return false
		}
	}
	_, ok := v.model.Status(o.Status)
	return ok
}

// TakeRequire returns what the store must check when operator
// operatorID takes conversation c by hand (R1, R4): that their status
// allows taking, and their cap under the group's policy unless it lets
// manual take exceed it. It fails with ErrNotFound for an unknown
// operator and ErrNotAllowed if they do not serve c's group.
func (v *View) TakeRequire(c store.Conversation, operatorID string) (store.Require, error) {
	op, err := v.operator(operatorID)
	if err != nil {
		return store.Require{}, err
	}
	g := v.groups[c.Group]
	if g == nil || !op.row.InGroup(c.Group) {
		return store.Require{}, fmt.Errorf("%w: operator %q does not serve group %q", store.ErrNotAllowed, operatorID, c.Group)
	}
	req := store.Require{AssigneeStatuses: v.offerStatuses}
	if g.limiter != nil && !g.limiter.ManualOverCap() {
		req.AssigneeCap = capOf(g, op)
	}
	return req, nil
}

// AfterLeaving returns what follows a conversation leaving its assignee
// (before is its row before the change): the groups whose queues the freed
// slot goes to, those of the extra groups that have a queue, and, when the
// operator holds nothing any more and their status says so (P5), their
// status and the one to switch them to.
func (v *View) AfterLeaving(before store.Conversation, extra []string) (groups []string, status, next string) {
	if op := v.ops[before.Assignee]; op != nil && before.State.Held() {
		groups = v.WaitingGroups(op.row.Groups, groups)
		if len(op.held) == 0 {
			status = op.row.Status
			next = v.status(status).onLastClose
		}
	}
	return v.WaitingGroups(extra, groups), status, next
}

// Accepting reports whether operator id accepts new conversations in some
// way (automatic or offers).
func (v *View) Accepting(id string) bool {
	op := v.ops[id]
	return op != nil && op.accepting()
}
