package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/switchboard-go/switchboard/store"
)

// The sequential specification CheckLinearizable checks histories
// against (see CheckLinearizable for what it models).

// spec is the state of the sequential specification: the rows that decide
// the outcome of writes, reduced to what decides them. A spec is never
// changed: steps make new ones (maps are copied on write). The zero spec is
// the empty store.
type spec struct {
	convs map[string]specConv
	opers map[string]specOperator
}

// specConv is what the spec keeps of a conversation.
type specConv struct {
	State    store.State
	Assignee string
	Offers   []string
	Group    string
	Version  int64
}

// specOperator is what the spec keeps of an operator that exists.
type specOperator struct {
	Status  string
	Load    int
	Version int64
}

// outcome is what the spec says one write does from one state.
type outcome struct {
	// class is the error class of the write; why says why it fails.
	class ErrClass
	why   string
	// next is the state afterwards (the same one on failure).
	next spec
	// operator is the operator row a successful operator write returns.
	operator specOperator
	// before and after are the conversation rows around a successful
	// CreateConversation or Apply; released and gained are the loads it
	// reports.
	before, after    specConv
	released, gained store.Load
}

// fail is the outcome of a write that fails with class.
func (s spec) fail(class ErrClass, format string, args ...any) outcome {
	return outcome{class: class, why: fmt.Sprintf(format, args...), next: s}
}

// withConv returns s with conversation id set to c.
func (s spec) withConv(id string, c specConv) spec {
	convs := maps.Clone(s.convs)
	if convs == nil {
		convs = map[string]specConv{}
	}
	convs[id] = c
	return spec{convs: convs, opers: s.opers}
}

// withOperator returns s with operator id set to o, or removed if gone.
func (s spec) withOperator(id string, o specOperator, gone bool) spec {
	opers := maps.Clone(s.opers)
	if opers == nil {
		opers = map[string]specOperator{}
	}
	if gone {
		delete(opers, id)
	} else {
		opers[id] = o
	}
	return spec{convs: s.convs, opers: opers}
}

// equal reports whether two states hold the same rows.
func (s spec) equal(t spec) bool {
	return maps.Equal(s.opers, t.opers) && maps.EqualFunc(s.convs, t.convs, func(a, b specConv) bool {
		return a.State == b.State && a.Assignee == b.Assignee && a.Group == b.Group && a.Version == b.Version && slices.Equal(a.Offers, b.Offers)
	})
}

// String lists the state's rows, ordered by id.
func (s spec) String() string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(s.opers)) {
		o := s.opers[id]
		fmt.Fprintf(&b, "%s: %s load %d v%d; ", id, o.Status, o.Load, o.Version)
	}
	for _, id := range slices.Sorted(maps.Keys(s.convs)) {
		c := s.convs[id]
		fmt.Fprintf(&b, "%s: %v%s v%d; ", id, c.State, holder(c.Assignee, c.Offers), c.Version)
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// holder describes who has a conversation: its assignee or offers.
func holder(assignee string, offers []string) string {
	switch {
	case assignee != "":
		return " by " + assignee
	case len(offers) > 0:
		return " to " + strings.Join(offers, ",")
	}
	return ""
}

// step returns the states s can be in after op: none if op's recorded
// outcome is not the one the spec gives, both s and the state after op's
// success if op's outcome is unknown.
func (s spec) step(op *Op) []any {
	out := s.decide(op)
	switch {
	case op.Unknown() && out.class == ClassOK:
		return []any{s, out.next}
	case op.Unknown():
		return []any{s}
	case out.mismatch(op) != "":
		return nil
	}
	return []any{out.next}
}

// decide returns what op does from s.
func (s spec) decide(op *Op) outcome {
	in := op.Input
	switch op.Method {
	case MethodCreateOperator:
		return s.createOperator(*in.Operator)
	case MethodUpdateOperator:
		return s.updateOperator(*in.Operator)
	case MethodSetStatus:
		return s.setStatus(*in.Status)
	case MethodSetOperatorDeadlines:
		return s.setOperatorDeadlines(*in.Deadlines)
	case MethodDeleteOperator:
		return s.deleteOperator(in.OperatorID)
	case MethodCreateConversation:
		return s.createConversation(*in.Conversation, *in.Require)
	default:
		return s.apply(*in.Change)
	}
}

// createOperator decides CreateOperator.
func (s spec) createOperator(o store.Operator) outcome {
	if err := o.Validate(); err != nil {
		return s.fail(ClassInvalid, "%v", err)
	}
	if _, ok := s.opers[o.ID]; ok {
		return s.fail(ClassAlreadyExists, "operator %s exists", o.ID)
	}
	row := specOperator{Status: o.Status, Version: 1}
	return outcome{next: s.withOperator(o.ID, row, false), operator: row}
}

// updateOperator decides UpdateOperator.
func (s spec) updateOperator(o store.Operator) outcome {
	if o.Status == "" {
		o.Status = "unused" // UpdateOperator ignores the status
	}
	if err := o.Validate(); err != nil {
		return s.fail(ClassInvalid, "%v", err)
	}
	row, ok := s.opers[o.ID]
	if !ok {
		return s.fail(ClassNotFound, "no operator %s", o.ID)
	}
	row.Version++
	return outcome{next: s.withOperator(o.ID, row, false), operator: row}
}

// setStatus decides SetStatus.
func (s spec) setStatus(ch store.StatusChange) outcome {
	if err := ch.Validate(); err != nil {
		return s.fail(ClassInvalid, "%v", err)
	}
	row, ok := s.opers[ch.Operator]
	if !ok {
		return s.fail(ClassNotFound, "no operator %s", ch.Operator)
	}
	if ch.From != "" && row.Status != ch.From {
		return s.fail(ClassConflict, "operator %s is %s, not %s", ch.Operator, row.Status, ch.From)
	}
	for id, c := range s.convs {
		if c.Assignee == ch.Operator && (c.State == store.Assigned || c.State == store.Waiting) && slices.Contains(ch.Forbid, c.State) {
			return s.fail(ClassHoldsConversations, "operator %s holds %s (%v)", ch.Operator, id, c.State)
		}
	}
	row.Status = ch.To
	row.Version++
	return outcome{next: s.withOperator(ch.Operator, row, false), operator: row}
}

// setOperatorDeadlines decides SetOperatorDeadlines.
func (s spec) setOperatorDeadlines(d store.OperatorDeadlines) outcome {
	if err := d.Validate(); err != nil {
		return s.fail(ClassInvalid, "%v", err)
	}
	row, ok := s.opers[d.Operator]
	if !ok {
		return s.fail(ClassNotFound, "no operator %s", d.Operator)
	}
	if d.Version != 0 && row.Version != d.Version {
		return s.fail(ClassConflict, "operator %s is at v%d, not v%d", d.Operator, row.Version, d.Version)
	}
	row.Version++
	return outcome{next: s.withOperator(d.Operator, row, false), operator: row}
}

// deleteOperator decides DeleteOperator.
func (s spec) deleteOperator(id string) outcome {
	if id == "" {
		return s.fail(ClassInvalid, "empty operator id")
	}
	if _, ok := s.opers[id]; !ok {
		return s.fail(ClassNotFound, "no operator %s", id)
	}
	for cid, c := range s.convs {
		held := (c.State == store.Assigned || c.State == store.Waiting) && c.Assignee == id
		if held || (c.State == store.Offered && slices.Contains(c.Offers, id)) {
			return s.fail(ClassHoldsConversations, "operator %s has %s (%v)", id, cid, c.State)
		}
	}
	return outcome{next: s.withOperator(id, specOperator{}, true)}
}

// createConversation decides CreateConversation.
func (s spec) createConversation(c store.Conversation, req store.Require) outcome {
	if err := store.ValidateNew(c, req); err != nil {
		return s.fail(ClassInvalid, "%v", err)
	}
	if _, ok := s.convs[c.ID]; ok {
		return s.fail(ClassAlreadyExists, "conversation %s exists", c.ID)
	}
	if c.State == store.Assigned {
		if out, ok := s.checkAssignee(c.Assignee, req, true); !ok {
			return out
		}
	}
	if out, ok := s.checkOffers(c.OfferedTo, req); !ok {
		return out
	}
	after := specConv{State: c.State, Assignee: c.Assignee, Offers: nilIfEmpty(slices.Clone(c.OfferedTo)), Group: c.Group, Version: 1}
	out := outcome{next: s.withConv(c.ID, after), after: after}
	if c.State == store.Assigned {
		out.next, out.gained = out.next.changeLoad(c.Assignee, +1, c.CreatedAt)
	}
	return out
}

// apply decides Apply.
func (s spec) apply(ch store.Change) outcome {
	if err := ch.Validate(); err != nil {
		return s.fail(ClassInvalid, "%v", err)
	}
	cur, ok := s.convs[ch.Conversation]
	if !ok {
		return s.fail(ClassNotFound, "no conversation %s", ch.Conversation)
	}
	held := cur.State == store.Assigned || cur.State == store.Waiting
	fromHeld := slices.Contains(ch.From, store.Assigned) || slices.Contains(ch.From, store.Waiting)
	switch {
	case cur.State == store.Closed:
		return s.fail(ClassWrongState, "%s is closed", ch.Conversation)
	case !slices.Contains(ch.From, cur.State) && held && !fromHeld:
		return s.fail(ClassAlreadyTaken, "%s is %v by %s", ch.Conversation, cur.State, cur.Assignee)
	case !slices.Contains(ch.From, cur.State):
		return s.fail(ClassWrongState, "%s is %v, not in %v", ch.Conversation, cur.State, ch.From)
	case ch.Assignee != "" && cur.Assignee != ch.Assignee:
		return s.fail(ClassNotAssignee, "%s is held by %q, not %s", ch.Conversation, cur.Assignee, ch.Assignee)
	case ch.Version != 0 && cur.Version != ch.Version:
		return s.fail(ClassConflict, "%s is at v%d, not v%d", ch.Conversation, cur.Version, ch.Version)
	}
	// Who counts the conversation toward their load, before and after.
	loadBefore, loadAfter := "", ""
	if cur.State == store.Assigned {
		loadBefore = cur.Assignee
	}
	if ch.To == store.Assigned {
		loadAfter = ch.NewAssignee
	}
	if ch.NewAssignee != "" {
		if out, ok := s.checkAssignee(ch.NewAssignee, ch.Require, loadAfter != "" && loadAfter != loadBefore); !ok {
			return out
		}
	}
	if out, ok := s.checkOffers(ch.Offers, ch.Require); !ok {
		return out
	}
	after := specConv{State: ch.To, Assignee: ch.NewAssignee, Offers: nilIfEmpty(slices.Clone(ch.Offers)), Group: cur.Group, Version: cur.Version + 1}
	if ch.Group != "" {
		after.Group = ch.Group
	}
	out := outcome{next: s.withConv(ch.Conversation, after), before: cur, after: after}
	if loadBefore != "" && loadBefore != loadAfter {
		out.next, out.released = out.next.changeLoad(loadBefore, -1, time.Time{})
	}
	if loadAfter != "" && loadAfter != loadBefore {
		out.next, out.gained = out.next.changeLoad(loadAfter, +1, ch.At)
	}
	return out
}

// checkAssignee checks that operator id exists and may be given a
// conversation under req, adds saying whether it adds to their load. It
// returns the failure and false if not.
func (s spec) checkAssignee(id string, req store.Require, adds bool) (outcome, bool) {
	o, ok := s.opers[id]
	switch {
	case !ok:
		return s.fail(ClassNotFound, "no operator %s", id), false
	case req.AssigneeStatuses != nil && !slices.Contains(req.AssigneeStatuses, o.Status):
		return s.fail(ClassNotAllowed, "operator %s is %s", id, o.Status), false
	case adds && req.AssigneeCap > 0 && o.Load >= req.AssigneeCap:
		return s.fail(ClassOverCapacity, "operator %s has load %d of cap %d", id, o.Load, req.AssigneeCap), false
	}
	return outcome{}, true
}

// checkOffers checks, in order, that each operator of offers exists and
// may be offered a conversation under req. It returns the failure and
// false if not.
func (s spec) checkOffers(offers []string, req store.Require) (outcome, bool) {
	for _, id := range offers {
		o, ok := s.opers[id]
		switch {
		case !ok:
			return s.fail(ClassNotFound, "no operator %s", id), false
		case req.OfferStatuses != nil && !slices.Contains(req.OfferStatuses, o.Status):
			return s.fail(ClassNotAllowed, "operator %s is %s", id, o.Status), false
		}
	}
	return outcome{}, true
}

// changeLoad returns s with operator id's load changed by delta and their
// version one higher, and the Load a result reports (LastAssigned is at
// when the load grows, unchecked otherwise). An operator that does not
// exist is left alone.
func (s spec) changeLoad(id string, delta int, at time.Time) (spec, store.Load) {
	o, ok := s.opers[id]
	if !ok {
		return s, store.Load{}
	}
	o.Load += delta
	o.Version++
	return s.withOperator(id, o, false), store.Load{Operator: id, Load: o.Load, LastAssigned: at, Version: o.Version}
}

// mismatch compares op's recorded outcome with the spec's and returns how
// they differ, or "" if they agree.
func (out outcome) mismatch(op *Op) string {
	got := op.Output
	switch {
	case got.Err != out.class && out.class == ClassOK:
		return fmt.Sprintf("recorded %s, spec says it succeeds", got.Err)
	case got.Err != out.class:
		return fmt.Sprintf("recorded %s, spec says %s (%s)", cmp.Or(got.Err, "success"), out.class, out.why)
	case got.Err != ClassOK:
		return ""
	}
	switch op.Method {
	case MethodDeleteOperator:
		return ""
	case MethodCreateOperator, MethodUpdateOperator, MethodSetStatus, MethodSetOperatorDeadlines:
		return operatorMismatch(out.operator, *got.Operator)
	}
	res := got.Result
	var diffs []string
	if op.Method == MethodApply {
		diffs = append(diffs, convMismatch("before", out.before, res.Before)...)
	}
	diffs = append(diffs, convMismatch("after", out.after, res.Conversation)...)
	diffs = append(diffs, loadMismatch("released", out.released, res.Released)...)
	diffs = append(diffs, loadMismatch("gained", out.gained, res.Gained)...)
	return strings.Join(diffs, "; ")
}

// operatorMismatch compares a returned operator row with the spec's.
func operatorMismatch(want specOperator, got store.Operator) string {
	if got.Status != want.Status || got.Load != want.Load || got.Version != want.Version {
		return fmt.Sprintf("returned %s load %d v%d, spec says %s load %d v%d", got.Status, got.Load, got.Version, want.Status, want.Load, want.Version)
	}
	return ""
}

// convMismatch compares a returned conversation row with the spec's.
func convMismatch(what string, want specConv, got store.Conversation) []string {
	if got.State == want.State && got.Assignee == want.Assignee && got.Group == want.Group && got.Version == want.Version && slices.Equal(nilIfEmpty(got.OfferedTo), want.Offers) {
		return nil
	}
	return []string{fmt.Sprintf("%s: returned %v%s in %s v%d, spec says %v%s in %s v%d", what,
		got.State, holder(got.Assignee, got.OfferedTo), got.Group, got.Version,
		want.State, holder(want.Assignee, want.Offers), want.Group, want.Version)}
}

// loadMismatch compares a returned load with the spec's.
func loadMismatch(what string, want, got store.Load) []string {
	if got.Operator == want.Operator && got.Load == want.Load && got.Version == want.Version && (want.LastAssigned.IsZero() || got.LastAssigned.Equal(want.LastAssigned)) {
		return nil
	}
	return []string{fmt.Sprintf("%s: returned %q load %d v%d, spec says %q load %d v%d", what, got.Operator, got.Load, got.Version, want.Operator, want.Load, want.Version)}
}

// String describes the op and its recorded outcome in one line.
func (o Op) String() string {
	in := o.Input
	var call string
	switch o.Method {
	case MethodCreateOperator, MethodUpdateOperator:
		call = fmt.Sprintf("%s(%s %s)", o.Method, in.Operator.ID, in.Operator.Status)
	case MethodSetStatus:
		ch := in.Status
		call = fmt.Sprintf("SetStatus(%s %q→%s forbid %v)", ch.Operator, ch.From, ch.To, ch.Forbid)
	case MethodSetOperatorDeadlines:
		call = fmt.Sprintf("SetOperatorDeadlines(%s v%d)", in.Deadlines.Operator, in.Deadlines.Version)
	case MethodDeleteOperator:
		call = fmt.Sprintf("DeleteOperator(%s)", in.OperatorID)
	case MethodCreateConversation:
		c := in.Conversation
		call = fmt.Sprintf("CreateConversation(%s in %s %v%s cap %d)", c.ID, c.Group, c.State, holder(c.Assignee, c.OfferedTo), in.Require.AssigneeCap)
	default:
		ch := in.Change
		call = fmt.Sprintf("Apply(%s %v→%v%s", ch.Conversation, ch.From, ch.To, holder(ch.NewAssignee, ch.Offers))
		if ch.Assignee != "" {
			call += " if held by " + ch.Assignee
		}
		if ch.Version != 0 {
			call += fmt.Sprintf(" if v%d", ch.Version)
		}
		call += fmt.Sprintf(" cap %d)", ch.Require.AssigneeCap)
	}
	out := o.Output
	var ret string
	switch {
	case o.Return == 0:
		ret = "no return"
	case out.Err != ClassOK:
		ret = string(out.Err)
	case out.Operator != nil:
		ret = fmt.Sprintf("%s load %d v%d", out.Operator.Status, out.Operator.Load, out.Operator.Version)
	case out.Result != nil:
		c := out.Result.Conversation
		ret = fmt.Sprintf("%v%s v%d", c.State, holder(c.Assignee, c.OfferedTo), c.Version)
		for _, l := range out.Result.Loads() {
			ret += fmt.Sprintf(", %s load %d v%d", l.Operator, l.Load, l.Version)
		}
	default:
		ret = "ok"
	}
	return fmt.Sprintf("client %d #%d %s = %s", o.Client, o.Seq, call, ret)
}

// explain describes the first part of a history that could not be
// linearized, given each part's longest partial linearizations (indices
// into the part).
func explain(parts [][]porcupine.Operation, partials [][][]int) string {
	for p, part := range parts {
		var best []int
		if p < len(partials) {
			for _, l := range partials[p] {
				if len(l) > len(best) {
					best = l
				}
			}
		}
		if len(best) == len(part) {
			continue
		}
		return explainPart(part, best)
	}
	return "no part failed"
}

// explainPart describes why part could not be linearized beyond best: the
// last ops of best, the states they lead to, and what the spec says of each
// op that could come next.
func explainPart(part []porcupine.Operation, best []int) string {
	var b strings.Builder
	start := part[0].Call
	at := func(t int64) string {
		if t == math.MaxInt64 {
			return "?"
		}
		return time.Duration(t - start).String()
	}
	fmt.Fprintf(&b, "a part of %d ops could be linearized only up to %d ops", len(part), len(best))
	states := []any{spec{}}
	done := make([]bool, len(part))
	for i, id := range best {
		op := part[id].Input.(*Op)
		var next []any
		for _, s := range states {
			next = append(next, s.(spec).step(op)...)
		}
		states = next
		done[id] = true
		if i >= len(best)-5 {
			fmt.Fprintf(&b, "\n  linearized: %s  [%s, %s]", op, at(part[id].Call), at(part[id].Return))
		}
	}
	for _, s := range states[:min(len(states), 3)] {
		fmt.Fprintf(&b, "\n  state then: %s", s.(spec))
	}
	// The ops that could come next: those called before every remaining
	// op returned.
	first := int64(math.MaxInt64)
	for id, h := range part {
		if !done[id] {
			first = min(first, h.Return)
		}
	}
	shown := 0
	for id, h := range part {
		if done[id] || h.Call > first || shown == 8 {
			continue
		}
		shown++
		op := h.Input.(*Op)
		fmt.Fprintf(&b, "\n  could come next: %s  [%s, %s]", op, at(h.Call), at(h.Return))
		for _, s := range states[:min(len(states), 3)] {
			out := s.(spec).decide(op)
			if why := out.mismatch(op); why != "" && !op.Unknown() {
				fmt.Fprintf(&b, "\n    does not fit: %s", why)
			}
		}
	}
	return b.String()
}
