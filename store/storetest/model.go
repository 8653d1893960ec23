package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-go/switchboard/store"
)

// model is the reference a store is checked against in the state-machine
// test: the rows a store must hold, kept in plain maps, with the rules of
// the store.Store documentation (and of this package's doc) written as
// directly as possible. Its methods predict the outcome of one call: the
// rows it returns, or the error it must fail with. On success they update
// the model; on error they leave it as it was.
type model struct {
	ops   map[string]store.Operator
	convs map[string]store.Conversation
	// prev maps a customer to their previous operator.
	prev map[string]string
	// maxSeq is the greatest Seq the store has handed out.
	maxSeq uint64
}

func newModel() *model {
	return &model{ops: map[string]store.Operator{}, convs: map[string]store.Conversation{}, prev: map[string]string{}}
}

// sentinels lists every error a Store returns, most specific first.
var sentinels = []error{
	store.ErrClosed, store.ErrInvalid, store.ErrNotFound, store.ErrAlreadyExists, store.ErrAlreadyTaken,
	store.ErrWrongState, store.ErrConflict, store.ErrOverCapacity, store.ErrNotAllowed,
	store.ErrNotAssignee, store.ErrHoldsConversations,
}

// sentinel returns the sentinel err matches, or err if none.
func sentinel(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

func errf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

// sortedOperators returns the model's operators ordered by id.
func (m *model) sortedOperators() []store.Operator {
	out := make([]store.Operator, 0, len(m.ops))
	for _, o := range m.ops {
		out = append(out, normOp(o))
	}
	slices.SortFunc(out, func(a, b store.Operator) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// conversations returns the model's conversations that pass f, ordered by
// Seq, the first f.Limit of them.
func (m *model) conversations(f store.Filter) []store.Conversation {
	out := []store.Conversation{}
	for _, c := range m.convs {
		if f.Match(c) {
			out = append(out, normConv(c))
		}
	}
	slices.SortFunc(out, func(a, b store.Conversation) int { return cmp.Compare(a.Seq, b.Seq) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}

// holds reports whether operator id holds a conversation in one of states.
func (m *model) holds(id string, states ...store.State) bool {
	for _, c := range m.convs {
		if c.Assignee == id && c.State.Held() && slices.Contains(states, c.State) {
			return true
		}
	}
	return false
}

// offeredTo reports whether a conversation is offered to operator id.
func (m *model) offeredTo(id string) bool {
	for _, c := range m.convs {
		if slices.Contains(c.OfferedTo, id) {
			return true
		}
	}
	return false
}

func (m *model) createOperator(op store.Operator) (store.Operator, error) {
	if err := op.Validate(); err != nil {
		return store.Operator{}, err
	}
	if _, ok := m.ops[op.ID]; ok {
		return store.Operator{}, errf(store.ErrAlreadyExists, "operator %q", op.ID)
	}
	row := op.Clone()
	row.Load, row.LastAssigned, row.Version = 0, store.Operator{}.LastAssigned, 1
	m.ops[row.ID] = row
	return row.Clone(), nil
}

func (m *model) updateOperator(op store.Operator) (store.Operator, error) {
	switch {
	case op.ID == "":
		return store.Operator{}, errf(store.ErrInvalid, "empty id")
	case op.Cap < 0:
		return store.Operator{}, errf(store.ErrInvalid, "negative cap")
	}
	for i, g := range op.Groups {
		if g == "" || slices.Contains(op.Groups[:i], g) {
			return store.Operator{}, errf(store.ErrInvalid, "group %d", i)
		}
	}
	row, ok := m.ops[op.ID]
	if !ok {
		return store.Operator{}, errf(store.ErrNotFound, "operator %q", op.ID)
	}
	row = row.Clone()
	row.Groups, row.Cap, row.Skills = slices.Clone(op.Groups), op.Cap, slices.Clone(op.Skills)
	row.Version++
	m.ops[row.ID] = row
	return row.Clone(), nil
}

func (m *model) setStatus(ch store.StatusChange) (store.Operator, error) {
	if err := ch.Validate(); err != nil {
		return store.Operator{}, err
	}
	for _, st := range ch.Forbid {
		if !st.Valid() {
			return store.Operator{}, errf(store.ErrInvalid, "forbidden state %v", st)
		}
	}
	row, ok := m.ops[ch.Operator]
	if !ok {
		return store.Operator{}, errf(store.ErrNotFound, "operator %q", ch.Operator)
	}
	if ch.From != "" && ch.From != row.Status {
		return store.Operator{}, errf(store.ErrConflict, "status %q", row.Status)
	}
	if m.holds(row.ID, ch.Forbid...) {
		return store.Operator{}, errf(store.ErrHoldsConversations, "operator %q", row.ID)
	}
	row = row.Clone()
	row.Status, row.StatusSince = ch.To, ch.At
	row.Version++
	m.ops[row.ID] = row
	return row.Clone(), nil
}

func (m *model) deleteOperator(id string) error {
	if id == "" {
		return errf(store.ErrInvalid, "empty id")
	}
	if _, ok := m.ops[id]; !ok {
		return errf(store.ErrNotFound, "operator %q", id)
	}
	if m.holds(id, store.Assigned, store.Waiting) || m.offeredTo(id) {
		return errf(store.ErrHoldsConversations, "operator %q", id)
	}
	delete(m.ops, id)
	return nil
}

// checkOffers predicts the outcome of offering to ops under req.
func (m *model) checkOffers(ops []string, req store.Require) error {
	for _, id := range ops {
		op, ok := m.ops[id]
		if !ok {
			return errf(store.ErrNotFound, "operator %q", id)
		}
		if err := req.CheckOffer(op); err != nil {
			return err
		}
	}
	return nil
}

// badOffers reports empty or duplicate ids in offers.
func badOffers(offers []string) error {
	for i, id := range offers {
		if id == "" || slices.Contains(offers[:i], id) {
			return errf(store.ErrInvalid, "offer %d", i)
		}
	}
	return nil
}

// createConversation predicts CreateConversation; seq is the Seq the store
// gave the row.
func (m *model) createConversation(c store.Conversation, req store.Require, seq uint64) (store.Result, error) {
	if err := c.Validate(); err != nil {
		return store.Result{}, err
	}
	switch {
	case !slices.Contains([]store.State{store.Queued, store.Offered, store.Assigned}, c.State):
		return store.Result{}, errf(store.ErrInvalid, "created %v", c.State)
	case c.CreatedAt.IsZero():
		return store.Result{}, errf(store.ErrInvalid, "zero creation time")
	case req.AssigneeCap < 0:
		return store.Result{}, errf(store.ErrInvalid, "negative cap")
	}
	if err := badOffers(c.OfferedTo); err != nil {
		return store.Result{}, err
	}
	if _, ok := m.convs[c.ID]; ok {
		return store.Result{}, errf(store.ErrAlreadyExists, "conversation %q", c.ID)
	}
	if c.State == store.Assigned {
		op, ok := m.ops[c.Assignee]
		if !ok {
			return store.Result{}, errf(store.ErrNotFound, "operator %q", c.Assignee)
		}
		if err := req.CheckAssignee(op, true); err != nil {
			return store.Result{}, err
		}
	}
	if err := m.checkOffers(c.OfferedTo, req); err != nil {
		return store.Result{}, err
	}

	row := c.Clone()
	row.Seq, row.Version = seq, 1
	m.maxSeq = max(m.maxSeq, seq)
	if row.EnqueuedAt.IsZero() {
		row.EnqueuedAt = row.CreatedAt
	}
	var res store.Result
	if c.State == store.Assigned {
		row.AssignedAt, row.LastOperator = row.CreatedAt, row.Assignee
		op := m.ops[c.Assignee].Clone()
		op.Load++
		op.LastAssigned = row.CreatedAt
		op.Version++
		m.ops[op.ID] = op
		res.Gained = store.LoadOf(op)
		if row.CustomerID != "" {
			m.prev[row.CustomerID] = row.Assignee
		}
	}
	m.convs[row.ID] = row
	res.Conversation = row.Clone()
	return res, nil
}

// apply predicts Apply; seq is the Seq the store returned, used when the
// change requeues.
func (m *model) apply(ch store.Change, seq uint64) (store.Result, error) {
	if err := ch.Validate(); err != nil {
		return store.Result{}, err
	}
	if err := badOffers(ch.Offers); err != nil {
		return store.Result{}, err
	}
	cur, ok := m.convs[ch.Conversation]
	if !ok {
		return store.Result{}, errf(store.ErrNotFound, "conversation %q", ch.Conversation)
	}
	if err := ch.CheckFrom(cur); err != nil {
		return store.Result{}, err
	}
	if cur.State == store.Closed {
		return store.Result{}, errf(store.ErrWrongState, "closed")
	}
	// Loads, counted the slow way: who has it as load before and after.
	loadBefore := func(id string) bool { return cur.State == store.Assigned && cur.Assignee == id }
	loadAfter := func(id string) bool { return ch.To == store.Assigned && ch.NewAssignee == id }
	if ch.NewAssignee != "" {
		op, ok := m.ops[ch.NewAssignee]
		if !ok {
			return store.Result{}, errf(store.ErrNotFound, "operator %q", ch.NewAssignee)
		}
		adds := loadAfter(op.ID) && !loadBefore(op.ID)
		if err := ch.Require.CheckAssignee(op, adds); err != nil {
			return store.Result{}, err
		}
	}
	if err := m.checkOffers(ch.Offers, ch.Require); err != nil {
		return store.Result{}, err
	}

	next := cur.Clone()
	next.State, next.Assignee, next.OfferedTo = ch.To, ch.NewAssignee, slices.Clone(ch.Offers)
	if ch.Group != "" {
		next.Group = ch.Group
	}
	if ch.Requeue {
		next.EnqueuedAt, next.Seq = ch.At, seq
		m.maxSeq = max(m.maxSeq, seq)
	}
	if ch.To == store.Closed {
		next.ClosedAt, next.CloseReason = ch.At, ch.CloseReason
	}
	if ch.NewAssignee != "" {
		if ch.NewAssignee != cur.Assignee {
			next.AssignedAt = ch.At
		}
		next.LastOperator = ch.NewAssignee
		if next.CustomerID != "" {
			m.prev[next.CustomerID] = ch.NewAssignee
		}
	}
	next.AllBusyNotified = next.AllBusyNotified || ch.MarkAllBusy
	if ch.Profile != nil {
		p := ch.Profile.Clone()
		next.Priority, next.Skills, next.Tags, next.Attributes = p.Priority, p.Skills, p.Tags, p.Attributes
		next.Preferred, next.OffHours, next.Rules = p.Preferred, p.OffHours, p.Rules
	}
	next.Version++

	res := store.Result{Before: cur.Clone(), Conversation: next.Clone()}
	ids := []string{cur.Assignee}
	if ch.NewAssignee != cur.Assignee {
		ids = append(ids, ch.NewAssignee)
	}
	for _, id := range ids {
		op, ok := m.ops[id]
		if !ok || loadBefore(id) == loadAfter(id) {
			continue
		}
		op = op.Clone()
		if loadAfter(id) {
			op.Load++
			op.LastAssigned = ch.At
		} else {
			op.Load--
		}
		op.Version++
		m.ops[id] = op
		if loadAfter(id) {
			res.Gained = store.LoadOf(op)
		} else {
			res.Released = store.LoadOf(op)
		}
	}
	m.convs[next.ID] = next
	return res, nil
}
