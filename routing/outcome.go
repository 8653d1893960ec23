package routing

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// Writes of unknown outcome, and acknowledgements that rest on reads. A store that loses its connection to the
// database, or whose caller's context ends, after a commit may have been
// sent answers store.ErrOutcomeUnknown: the change may be stored, and the
// view, which takes a change from the store's answer, would then miss it,
// with nobody to tell it (a shared store reports only the other Routers'
// changes). So after such an answer the Router resynchronises its view
// with the store (see resync.go): at once when it follows a feed, else at
// the next ProcessDue.

// outcomeStore is the Router's store: it notes the writes of unknown
// outcome, and tells the observer of every write (see observer.go).
type outcomeStore struct {
	store.Store
	r *Router
}

// note asks for a resync if err leaves a write's outcome unknown, tells
// the observer of the write (see Router.writeDone), and returns err.
func (s outcomeStore) note(call string, start time.Time, err error) error {
	if err != nil && errors.Is(err, store.ErrOutcomeUnknown) {
		s.r.wantResync()
	}
	return s.r.writeDone(call, start, err)
}

func (s outcomeStore) CreateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	start := s.r.writeStart()
	o, err := s.Store.CreateOperator(ctx, op)
	return o, s.note(WriteCreateOperator, start, err)
}

func (s outcomeStore) UpdateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	start := s.r.writeStart()
	o, err := s.Store.UpdateOperator(ctx, op)
	return o, s.note(WriteUpdateOperator, start, err)
}

func (s outcomeStore) SetStatus(ctx context.Context, ch store.StatusChange) (store.Operator, error) {
	start := s.r.writeStart()
	o, err := s.Store.SetStatus(ctx, ch)
	return o, s.note(WriteSetStatus, start, err)
}

func (s outcomeStore) SetOperatorDeadlines(ctx context.Context, d store.OperatorDeadlines) (store.Operator, error) {
	start := s.r.writeStart()
	o, err := s.Store.SetOperatorDeadlines(ctx, d)
	return o, s.note(WriteSetOperatorDeadlines, start, err)
}

func (s outcomeStore) DeleteOperator(ctx context.Context, id string) error {
	start := s.r.writeStart()
	return s.note(WriteDeleteOperator, start, s.Store.DeleteOperator(ctx, id))
}

func (s outcomeStore) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	start := s.r.writeStart()
	res, err := s.Store.CreateConversation(ctx, c, req)
	return res, s.note(WriteCreateConversation, start, err)
}

func (s outcomeStore) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	start := s.r.writeStart()
	res, err := s.Store.Apply(ctx, ch)
	return res, s.note(WriteApply, start, err)
}

func (s outcomeStore) SetRuleSet(ctx context.Context, rs store.RuleSet) (store.RuleSet, error) {
	start := s.r.writeStart()
	saved, err := s.Store.SetRuleSet(ctx, rs)
	// Rule sets are not in the view: an unknown outcome needs no resync.
	return saved, s.r.writeDone(WriteSetRuleSet, start, err)
}

func (s outcomeStore) PutGroup(ctx context.Context, g store.GroupRow) (store.GroupRow, error) {
	start := s.r.writeStart()
	row, err := s.Store.PutGroup(ctx, g)
	return row, s.note(WritePutGroup, start, err)
}

func (s outcomeStore) DeleteGroup(ctx context.Context, id string, version int64) error {
	start := s.r.writeStart()
	return s.note(WriteDeleteGroup, start, s.Store.DeleteGroup(ctx, id, version))
}

// resyncIfStale resynchronises the view if a write's outcome was unknown
// since the last resync, for a Router that follows no feed (one that does
// resynchronises in follow).
func (r *Router) resyncIfStale(ctx context.Context) error {
	if r.feed != nil || !r.stale.CompareAndSwap(true, false) {
		return nil
	}
	if _, err := r.syncGroups(ctx, BySystem(CauseResync)); err != nil {
		r.stale.Store(true)
		return err
	}
	if err := r.resync(ctx); err != nil {
		r.stale.Store(true)
		return err
	}
	return r.pumpAll(ctx, BySystem(CauseResync))
}

// sync makes sure that what the Router read from its store is durable, for
// a command it acknowledges without writing: the row may be another
// Router's change that a crash of the database would lose (see
// store.Syncer).
func (r *Router) sync(ctx context.Context) error {
	if s, ok := r.cfg.Store.(store.Syncer); ok {
		return s.Sync(ctx)
	}
	return nil
}
