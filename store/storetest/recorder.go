package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// Method names the Store write an Op records.
type Method string

// The Store writes a Recorder records.
const (
	// MethodCreateOperator is Store.CreateOperator.
	MethodCreateOperator Method = "CreateOperator"
	// MethodUpdateOperator is Store.UpdateOperator.
	MethodUpdateOperator Method = "UpdateOperator"
	// MethodSetStatus is Store.SetStatus.
	MethodSetStatus Method = "SetStatus"
	// MethodSetOperatorDeadlines is Store.SetOperatorDeadlines.
	MethodSetOperatorDeadlines Method = "SetOperatorDeadlines"
	// MethodDeleteOperator is Store.DeleteOperator.
	MethodDeleteOperator Method = "DeleteOperator"
	// MethodCreateConversation is Store.CreateConversation.
	MethodCreateConversation Method = "CreateConversation"
	// MethodApply is Store.Apply.
	MethodApply Method = "Apply"
)

// ErrClass names the store sentinel a write's error matches.
type ErrClass string

// Error classes. A write that returned an error matching none of the
// sentinels below (a lost connection, a cancelled context, store.ErrClosed)
// is ClassOther: whether it took effect is unknown.
const (
	// ClassOK is a write that succeeded.
	ClassOK ErrClass = ""
	// ClassNotFound matches store.ErrNotFound.
	ClassNotFound ErrClass = "ErrNotFound"
	// ClassAlreadyExists matches store.ErrAlreadyExists.
	ClassAlreadyExists ErrClass = "ErrAlreadyExists"
	// ClassAlreadyTaken matches store.ErrAlreadyTaken.
	ClassAlreadyTaken ErrClass = "ErrAlreadyTaken"
	// ClassWrongState matches store.ErrWrongState.
	ClassWrongState ErrClass = "ErrWrongState"
	// ClassConflict matches store.ErrConflict.
	ClassConflict ErrClass = "ErrConflict"
	// ClassOverCapacity matches store.ErrOverCapacity.
	ClassOverCapacity ErrClass = "ErrOverCapacity"
	// ClassNotAllowed matches store.ErrNotAllowed.
	ClassNotAllowed ErrClass = "ErrNotAllowed"
	// ClassNotAssignee matches store.ErrNotAssignee.
	ClassNotAssignee ErrClass = "ErrNotAssignee"
	// ClassHoldsConversations matches store.ErrHoldsConversations.
	ClassHoldsConversations ErrClass = "ErrHoldsConversations"
	// ClassInvalid matches store.ErrInvalid: the input was malformed and
	// nothing changed.
	ClassInvalid ErrClass = "ErrInvalid"
	// ClassUnavailable matches store.ErrUnavailable: the database could
	// not be reached, and nothing changed.
	ClassUnavailable ErrClass = "ErrUnavailable"
	// ClassOther is an error that matches none of the sentinels above.
	ClassOther ErrClass = "other"
)

// errClasses maps each sentinel to its class, in the order Classify tries
// them.
var errClasses = []struct {
	err   error
	class ErrClass
}{
	{store.ErrInvalid, ClassInvalid},
	{store.ErrNotFound, ClassNotFound},
	{store.ErrAlreadyExists, ClassAlreadyExists},
	{store.ErrAlreadyTaken, ClassAlreadyTaken},
	{store.ErrWrongState, ClassWrongState},
	{store.ErrConflict, ClassConflict},
	{store.ErrOverCapacity, ClassOverCapacity},
	{store.ErrNotAllowed, ClassNotAllowed},
	{store.ErrNotAssignee, ClassNotAssignee},
	{store.ErrHoldsConversations, ClassHoldsConversations},
	{store.ErrUnavailable, ClassUnavailable},
}

// Classify returns the class of a write's error: ClassOK for nil, the
// class of the first sentinel err matches, or ClassOther.
func Classify(err error) ErrClass {
	if err == nil {
		return ClassOK
	}
	for _, c := range errClasses {
		if errors.Is(err, c.err) {
			return c.class
		}
	}
	return ClassOther
}

// Op is one recorded Store write. It encodes to JSON, so that the clients
// of a test may be separate processes that write their ops to files.
//
// An op is identified by (Client, Seq). A Recorder hands its sink each op
// twice: once before the call, with Return zero (the op's start), and once
// after it, with Return and Output set (its end). A client killed between
// the two leaves only the start: an op whose outcome is unknown.
type Op struct {
	// Client identifies the client (the Recorder) that made the call.
	Client int
	// Seq numbers the client's ops from 1.
	Seq uint64
	// Method is the write called.
	Method Method
	// Input holds the call's arguments.
	Input Input
	// Call is when the call was made, in Unix nanoseconds.
	Call int64
	// Return is when the call returned, in Unix nanoseconds; zero if it
	// did not (or not yet): the outcome is then unknown.
	Return int64
	// Output is what the call returned; zero while Return is.
	Output Output
}

// Input holds the arguments of one write: the fields its method takes.
type Input struct {
	// Operator is the row given to CreateOperator or UpdateOperator.
	Operator *store.Operator `json:",omitempty"`
	// OperatorID is the id given to DeleteOperator.
	OperatorID string `json:",omitempty"`
	// Status is the change given to SetStatus.
	Status *store.StatusChange `json:",omitempty"`
	// Deadlines is the change given to SetOperatorDeadlines.
	Deadlines *store.OperatorDeadlines `json:",omitempty"`
	// Conversation is the row given to CreateConversation.
	Conversation *store.Conversation `json:",omitempty"`
	// Require is the requirement given to CreateConversation.
	Require *store.Require `json:",omitempty"`
	// Change is the change given to Apply.
	Change *store.Change `json:",omitempty"`
}

// Output is what one write returned.
type Output struct {
	// Err is the class of the error returned.
	Err ErrClass `json:",omitempty"`
	// Error is the error's text, for people.
	Error string `json:",omitempty"`
	// Operator is the row returned by a successful CreateOperator,
	// UpdateOperator, SetStatus or SetOperatorDeadlines.
	Operator *store.Operator `json:",omitempty"`
	// Result is what a successful CreateConversation or Apply returned.
	Result *store.Result `json:",omitempty"`
}

// Unknown reports whether the op's outcome is unknown: it has no return,
// or it failed with an error of ClassOther.
func (o Op) Unknown() bool { return o.Return == 0 || o.Output.Err == ClassOther }

// Recorder is a store.Store that hands every write made through it to a
// sink, as an Op, and delegates every call to the Store it wraps. Reads
// (and Close) are not recorded, nor is SetRuleSet. A Recorder stands for one client of a
// history; give each client its own, with its own Client number. It is
// safe for concurrent use if its sink is.
//
// A Recorder also implements store.Feed, store.Clock and store.Syncer, by
// delegation:
// their methods fail with store.ErrUnsupported when the wrapped store does
// not implement them.
type Recorder struct {
	s      store.Store
	client int
	sink   func(Op)
	seq    atomic.Uint64
}

var (
	_ store.Store  = (*Recorder)(nil)
	_ store.Feed   = (*Recorder)(nil)
	_ store.Clock  = (*Recorder)(nil)
	_ store.Syncer = (*Recorder)(nil)
)

// NewRecorder returns a Recorder of client's writes to s. For every write
// it calls sink twice (see Op): before the call with the op's start and
// after it with its end. The sink should store (or write out) the op before
// it returns; it must not be nil.
func NewRecorder(s store.Store, client int, sink func(Op)) *Recorder {
	return &Recorder{s: s, client: client, sink: sink}
}

// start hands the sink the start of a new op and returns it.
func (r *Recorder) start(m Method, in Input) Op {
	op := Op{Client: r.client, Seq: r.seq.Add(1), Method: m, Input: in, Call: time.Now().UnixNano()}
	r.sink(op)
	return op
}

// end completes op with the call's outcome, taking the return time first,
// and hands it to the sink.
func (r *Recorder) end(op Op, out Output, err error) {
	op.Return = time.Now().UnixNano()
	op.Output = out
	if err != nil {
		op.Output = Output{Err: Classify(err), Error: err.Error()}
	}
	r.sink(op)
}

// CreateOperator records and delegates Store.CreateOperator.
func (r *Recorder) CreateOperator(ctx context.Context, o store.Operator) (store.Operator, error) {
	in := o.Clone()
	op := r.start(MethodCreateOperator, Input{Operator: &in})
	row, err := r.s.CreateOperator(ctx, o)
	r.end(op, operatorOutput(row), err)
	return row, err
}

// UpdateOperator records and delegates Store.UpdateOperator.
func (r *Recorder) UpdateOperator(ctx context.Context, o store.Operator) (store.Operator, error) {
	in := o.Clone()
	op := r.start(MethodUpdateOperator, Input{Operator: &in})
	row, err := r.s.UpdateOperator(ctx, o)
	r.end(op, operatorOutput(row), err)
	return row, err
}

// SetStatus records and delegates Store.SetStatus.
func (r *Recorder) SetStatus(ctx context.Context, ch store.StatusChange) (store.Operator, error) {
	in := ch
	in.Forbid, in.Deadlines = slices.Clone(ch.Forbid), slices.Clone(ch.Deadlines)
	op := r.start(MethodSetStatus, Input{Status: &in})
	row, err := r.s.SetStatus(ctx, ch)
	r.end(op, operatorOutput(row), err)
	return row, err
}

// SetOperatorDeadlines records and delegates Store.SetOperatorDeadlines.
func (r *Recorder) SetOperatorDeadlines(ctx context.Context, d store.OperatorDeadlines) (store.Operator, error) {
	in := d
	in.Deadlines = slices.Clone(d.Deadlines)
	op := r.start(MethodSetOperatorDeadlines, Input{Deadlines: &in})
	row, err := r.s.SetOperatorDeadlines(ctx, d)
	r.end(op, operatorOutput(row), err)
	return row, err
}

// DeleteOperator records and delegates Store.DeleteOperator.
func (r *Recorder) DeleteOperator(ctx context.Context, id string) error {
	op := r.start(MethodDeleteOperator, Input{OperatorID: id})
	err := r.s.DeleteOperator(ctx, id)
	r.end(op, Output{}, err)
	return err
}

// CreateConversation records and delegates Store.CreateConversation.
func (r *Recorder) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	inConv, inReq := c.Clone(), cloneRequire(req)
	op := r.start(MethodCreateConversation, Input{Conversation: &inConv, Require: &inReq})
	res, err := r.s.CreateConversation(ctx, c, req)
	r.end(op, resultOutput(res), err)
	return res, err
}

// Apply records and delegates Store.Apply.
func (r *Recorder) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	in := cloneChange(ch)
	op := r.start(MethodApply, Input{Change: &in})
	res, err := r.s.Apply(ctx, ch)
	r.end(op, resultOutput(res), err)
	return res, err
}

// Operator delegates Store.Operator.
func (r *Recorder) Operator(ctx context.Context, id string) (store.Operator, error) {
	return r.s.Operator(ctx, id)
}

// Operators delegates Store.Operators.
func (r *Recorder) Operators(ctx context.Context) ([]store.Operator, error) {
	return r.s.Operators(ctx)
}

// Conversation delegates Store.Conversation.
func (r *Recorder) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	return r.s.Conversation(ctx, id)
}

// Conversations delegates Store.Conversations.
func (r *Recorder) Conversations(ctx context.Context, f store.Filter) ([]store.Conversation, error) {
	return r.s.Conversations(ctx, f)
}

// PreviousOperator delegates Store.PreviousOperator.
func (r *Recorder) PreviousOperator(ctx context.Context, customerID string) (string, error) {
	return r.s.PreviousOperator(ctx, customerID)
}

// StatusHistory delegates Store.StatusHistory.
func (r *Recorder) StatusHistory(ctx context.Context, operatorID string, from, to time.Time) ([]store.StatusInterval, error) {
	return r.s.StatusHistory(ctx, operatorID, from, to)
}

// RuleSet delegates Store.RuleSet.
func (r *Recorder) RuleSet(ctx context.Context) (store.RuleSet, error) {
	return r.s.RuleSet(ctx)
}

// SetRuleSet delegates Store.SetRuleSet without recording it: the rule
// set shares no state with the rows, and the specification that
// CheckLinearizable checks histories against does not model it.
func (r *Recorder) SetRuleSet(ctx context.Context, rs store.RuleSet) (store.RuleSet, error) {
	return r.s.SetRuleSet(ctx, rs)
}

// Groups delegates Store.Groups.
func (r *Recorder) Groups(ctx context.Context) ([]store.GroupRow, error) {
	return r.s.Groups(ctx)
}

// PutGroup delegates Store.PutGroup without recording it: groups share no
// state with the rows the specification models.
func (r *Recorder) PutGroup(ctx context.Context, g store.GroupRow) (store.GroupRow, error) {
	return r.s.PutGroup(ctx, g)
}

// DeleteGroup delegates Store.DeleteGroup without recording it (see
// PutGroup).
func (r *Recorder) DeleteGroup(ctx context.Context, id string, version int64) error {
	return r.s.DeleteGroup(ctx, id, version)
}

// AppendJournal delegates Store.AppendJournal without recording it: the
// journal shares no state with the rows the specification models.
func (r *Recorder) AppendJournal(ctx context.Context, entries []store.Entry) ([]store.Entry, error) {
	return r.s.AppendJournal(ctx, entries)
}

// ReadJournal delegates Store.ReadJournal.
func (r *Recorder) ReadJournal(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	return r.s.ReadJournal(ctx, after, limit)
}

// JournalBounds delegates Store.JournalBounds.
func (r *Recorder) JournalBounds(ctx context.Context) (store.JournalBounds, error) {
	return r.s.JournalBounds(ctx)
}

// PruneJournal delegates Store.PruneJournal without recording it (see
// AppendJournal).
func (r *Recorder) PruneJournal(ctx context.Context, p store.JournalPrune) (int, error) {
	return r.s.PruneJournal(ctx, p)
}

// Close delegates Store.Close.
func (r *Recorder) Close() error { return r.s.Close() }

// Watch delegates store.Feed.Watch, or fails with store.ErrUnsupported if
// the wrapped store has no feed.
func (r *Recorder) Watch(ctx context.Context) (<-chan store.Notice, error) {
	f, ok := r.s.(store.Feed)
	if !ok {
		return nil, fmt.Errorf("%w: recorded store has no feed", store.ErrUnsupported)
	}
	return f.Watch(ctx)
}

// Rows delegates store.Feed.Rows, or fails with store.ErrUnsupported if
// the wrapped store has no feed.
func (r *Recorder) Rows(ctx context.Context, n store.Notice) (store.Rows, error) {
	f, ok := r.s.(store.Feed)
	if !ok {
		return store.Rows{}, fmt.Errorf("%w: recorded store has no feed", store.ErrUnsupported)
	}
	return f.Rows(ctx, n)
}

// operatorOutput is the output of a write that returned row.
func operatorOutput(row store.Operator) Output {
	row = row.Clone()
	return Output{Operator: &row}
}

// resultOutput is the output of a write that returned res.
func resultOutput(res store.Result) Output {
	res.Before, res.Conversation = res.Before.Clone(), res.Conversation.Clone()
	return Output{Result: &res}
}

// cloneRequire returns a copy of r that shares no slices with it.
func cloneRequire(r store.Require) store.Require {
	r.AssigneeStatuses, r.OfferStatuses = slices.Clone(r.AssigneeStatuses), slices.Clone(r.OfferStatuses)
	return r
}

// cloneChange returns a copy of ch that shares no slices with it.
func cloneChange(ch store.Change) store.Change {
	ch.From = slices.Clone(ch.From)
	ch.Offers = slices.Clone(ch.Offers)
	ch.Deadlines = slices.Clone(ch.Deadlines)
	ch.DropDeadlines = slices.Clone(ch.DropDeadlines)
	ch.AddMissed = slices.Clone(ch.AddMissed)
	ch.Require = cloneRequire(ch.Require)
	if ch.Profile != nil {
		p := ch.Profile.Clone()
		ch.Profile = &p
	}
	return ch
}

// Now delegates store.Clock.Now, or fails with store.ErrUnsupported if the
// recorded store has no clock.
func (r *Recorder) Now(ctx context.Context) (time.Time, error) {
	c, ok := r.s.(store.Clock)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: recorded store has no clock", store.ErrUnsupported)
	}
	return c.Now(ctx)
}

// Sync delegates store.Syncer.Sync; a recorded store that is not a Syncer
// is durable as it answers, and Sync returns nil.
func (r *Recorder) Sync(ctx context.Context) error {
	if s, ok := r.s.(store.Syncer); ok {
		return s.Sync(ctx)
	}
	return nil
}
