package memory

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/google/btree"

	"github.com/switchboard-go/switchboard/store"
)

// Store is an in-memory store.Store. It is safe for concurrent use. A Store
// must be created with New; the zero value is not usable.
type Store struct {
	mu     sync.RWMutex
	closed bool
	// seq is the last Seq handed out.
	seq uint64

	ops   map[string]*store.Operator
	convs map[string]*store.Conversation
	// bySeq orders every conversation by Seq, for the pages of
	// Conversations.
	bySeq *btree.BTreeG[seqItem]
	// held maps an operator to the ids of the conversations they hold
	// (assigned to them or waiting with them).
	held map[string]set
	// offered holds the ids of the conversations in the Offered state. An
	// offer may name thousands of operators, so offers are not indexed per
	// operator: the rare DeleteOperator scans these conversations instead.
	offered set
	// previous maps a customer to the operator last given one of their
	// conversations.
	previous map[string]string
	// history holds each operator's status intervals, oldest first.
	history map[string][]store.StatusInterval
	// rules is the stored rule set (Version 0: none).
	rules store.RuleSet
	// groups holds the stored groups by id.
	groups map[string]store.GroupRow
	// journal holds the newest journal entries.
	journal ring
}

var _ store.Store = (*Store)(nil)

// set is a set of conversation ids.
type set map[string]struct{}

// seqItem is a conversation's entry in Store.bySeq: its Seq, copied so
// that the entry's key does not change while the row does, and its row.
type seqItem struct {
	seq  uint64
	conv *store.Conversation
}

// seqLess orders seqItems by Seq, then id (every Seq is handed out once,
// so the id only keeps the order total). A pivot of a search has no row
// and comes before every entry of its Seq.
func seqLess(a, b seqItem) bool {
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	switch {
	case b.conv == nil:
		return false
	case a.conv == nil:
		return true
	}
	return a.conv.ID < b.conv.ID
}

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{
		ops:      make(map[string]*store.Operator),
		convs:    make(map[string]*store.Conversation),
		bySeq:    btree.NewG(32, seqLess),
		held:     make(map[string]set),
		offered:  make(set),
		previous: make(map[string]string),
		history:  make(map[string][]store.StatusInterval),
		groups:   make(map[string]store.GroupRow),
		journal:  ring{limit: DefaultJournalLimit},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// usable returns the error a call must fail with before it looks at its
// input: ErrClosed after Close, or the context's error. The caller holds mu.
func (s *Store) usable(ctx context.Context) error {
	if s.closed {
		return fmt.Errorf("%w: memory store", store.ErrClosed)
	}
	return ctx.Err()
}

// CreateOperator stores a new operator with Load 0, no LastAssigned and
// Version 1.
func (s *Store) CreateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.Operator{}, err
	}
	if err := op.Validate(); err != nil {
		return store.Operator{}, err
	}
	if _, ok := s.ops[op.ID]; ok {
		return store.Operator{}, fmt.Errorf("%w: operator %q", store.ErrAlreadyExists, op.ID)
	}
	row := op.Clone()
	row.Load = 0
	row.LastAssigned = time.Time{}
	row.Version = 1
	s.ops[row.ID] = &row
	if !row.StatusSince.IsZero() {
		s.history[row.ID] = append(s.history[row.ID], store.StatusInterval{Operator: row.ID, Status: row.Status, From: row.StatusSince})
	}
	return row.Clone(), nil
}

// UpdateOperator replaces the groups, cap and skills of an existing
// operator and keeps every other field. The Status of op is ignored.
func (s *Store) UpdateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.Operator{}, err
	}
	check := op
	if check.Status == "" {
		check.Status = "unused" // the status is not updated, so not checked
	}
	if err := check.Validate(); err != nil {
		return store.Operator{}, err
	}
	row, ok := s.ops[op.ID]
	if !ok {
		return store.Operator{}, notFoundOperator(op.ID)
	}
	row.Groups = slices.Clone(op.Groups)
	row.Cap = op.Cap
	row.Skills = slices.Clone(op.Skills)
	row.Version++
	return row.Clone(), nil
}

// SetStatus changes an operator's status if its From and Forbid conditions
// hold. The row's version grows even when the status stays the same.
func (s *Store) SetStatus(ctx context.Context, ch store.StatusChange) (store.Operator, error) {
	var news told
	defer news.tell()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.Operator{}, err
	}
	if err := ch.Validate(); err != nil {
		return store.Operator{}, err
	}
	row, ok := s.ops[ch.Operator]
	if !ok {
		return store.Operator{}, notFoundOperator(ch.Operator)
	}
	if ch.From != "" && row.Status != ch.From {
		return store.Operator{}, fmt.Errorf("%w: operator %q is %q, not %q", store.ErrConflict, row.ID, row.Status, ch.From)
	}
	if len(ch.Forbid) > 0 {
		for id := range s.held[row.ID] {
			if c := s.convs[id]; slices.Contains(ch.Forbid, c.State) {
				return store.Operator{}, fmt.Errorf("%w: operator %q holds conversation %q (%v)", store.ErrHoldsConversations, row.ID, id, c.State)
			}
		}
	}
	next := row.Clone()
	next.Status, next.StatusSince, next.Deadlines = ch.To, ch.At, slices.Clone(ch.Deadlines)
	next.Version++
	es, err := journal(ch.Journal, store.Written{Operator: next.Clone()})
	if err != nil {
		return store.Operator{}, err
	}
	*row = next
	h := s.history[row.ID]
	if n := len(h); n > 0 && h[n-1].To.IsZero() {
		h[n-1].To = ch.At
	}
	s.history[row.ID] = append(h, store.StatusInterval{Operator: row.ID, Status: ch.To, From: ch.At})
	s.commitJournal(&news, ch.Journal, es)
	return row.Clone(), nil
}

// SetOperatorDeadlines replaces an operator's deadlines if the row is still
// at the given version.
func (s *Store) SetOperatorDeadlines(ctx context.Context, d store.OperatorDeadlines) (store.Operator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.Operator{}, err
	}
	if err := d.Validate(); err != nil {
		return store.Operator{}, err
	}
	row, ok := s.ops[d.Operator]
	if !ok {
		return store.Operator{}, notFoundOperator(d.Operator)
	}
	if d.Version != 0 && row.Version != d.Version {
		return store.Operator{}, fmt.Errorf("%w: operator %q is at version %d, want %d", store.ErrConflict, row.ID, row.Version, d.Version)
	}
	row.Deadlines = slices.Clone(d.Deadlines)
	row.Version++
	return row.Clone(), nil
}

// StatusHistory returns the operator's status intervals that overlap
// [from, to), oldest first.
func (s *Store) StatusHistory(ctx context.Context, operatorID string, from, to time.Time) ([]store.StatusInterval, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := store.CheckIDLength("operator id", operatorID); err != nil {
		return nil, err
	}
	out := []store.StatusInterval{}
	for _, i := range s.history[operatorID] {
		if i.Overlaps(from, to) {
			out = append(out, i)
		}
	}
	return out, nil
}

// DeleteOperator removes an operator who holds no conversation and has none
// offered to them.
func (s *Store) DeleteOperator(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return err
	}
	if err := store.CheckID("operator id", id); err != nil {
		return err
	}
	if _, ok := s.ops[id]; !ok {
		return notFoundOperator(id)
	}
	if n := len(s.held[id]); n > 0 {
		return fmt.Errorf("%w: operator %q holds %d conversations", store.ErrHoldsConversations, id, n)
	}
	for cid := range s.offered {
		if slices.Contains(s.convs[cid].OfferedTo, id) {
			return fmt.Errorf("%w: operator %q has conversation %q offered", store.ErrHoldsConversations, id, cid)
		}
	}
	delete(s.ops, id)
	delete(s.held, id)
	return nil
}

// Operator returns one operator.
func (s *Store) Operator(ctx context.Context, id string) (store.Operator, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return store.Operator{}, err
	}
	if err := store.CheckID("operator id", id); err != nil {
		return store.Operator{}, err
	}
	row, ok := s.ops[id]
	if !ok {
		return store.Operator{}, notFoundOperator(id)
	}
	return row.Clone(), nil
}

// Operators returns every operator, ordered by id.
func (s *Store) Operators(ctx context.Context) ([]store.Operator, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	out := make([]store.Operator, 0, len(s.ops))
	for _, row := range s.ops {
		out = append(out, row.Clone())
	}
	slices.SortFunc(out, func(a, b store.Operator) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// CreateConversation stores a new conversation in the Queued, Offered or
// Assigned state, checking req on its assignee or offers.
func (s *Store) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	var news told
	defer news.tell()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.Result{}, err
	}
	if err := store.ValidateNew(c, req); err != nil {
		return store.Result{}, err
	}
	if _, ok := s.convs[c.ID]; ok {
		return store.Result{}, fmt.Errorf("%w: conversation %q", store.ErrAlreadyExists, c.ID)
	}
	// The row takes the next Seq; a refused create takes none.
	t, err := store.NewConversation(c, req, s.operator, s.seq+1)
	if err != nil {
		return store.Result{}, err
	}
	t.Result.Conversation = t.Result.Conversation.Clone()
	es, err := journal(req.Journal, store.Written{Result: t.Result})
	if err != nil {
		return store.Result{}, err
	}
	s.seq++
	s.write(&t)
	row := new(store.Conversation)
	*row = t.Result.Conversation
	s.convs[row.ID] = row
	s.bySeq.ReplaceOrInsert(seqItem{row.Seq, row})
	s.index(row)
	t.Result.Conversation = row.Clone()
	s.commitJournal(&news, req.Journal, es)
	return t.Result, nil
}

// Apply applies one conditional change atomically.
func (s *Store) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	var news told
	defer news.tell()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.Result{}, err
	}
	if err := ch.Validate(); err != nil {
		return store.Result{}, err
	}
	cur, ok := s.convs[ch.Conversation]
	if !ok {
		return store.Result{}, fmt.Errorf("%w: conversation %q", store.ErrNotFound, ch.Conversation)
	}
	seq := s.seq
	t, err := ch.Transition(*cur, s.operator, s.nextSeq)
	if err != nil {
		s.seq = seq
		return store.Result{}, err
	}
	es, err := journal(ch.Require.Journal, store.Written{Result: store.Result{
		Before: cur.Clone(), Conversation: t.Result.Conversation.Clone(), Released: t.Result.Released, Gained: t.Result.Gained}})
	if err != nil {
		s.seq = seq
		return store.Result{}, err
	}
	s.write(&t)
	s.unindex(cur)
	if seq := t.Result.Conversation.Seq; seq != cur.Seq {
		s.bySeq.Delete(seqItem{cur.Seq, cur})
		s.bySeq.ReplaceOrInsert(seqItem{seq, cur})
	}
	*cur = t.Result.Conversation
	s.index(cur)
	// Before keeps the slices of the row just replaced, which the store
	// no longer holds; only the new row is the store's and needs a copy.
	t.Result.Conversation = cur.Clone()
	s.commitJournal(&news, ch.Require.Journal, es)
	return t.Result, nil
}

// operator looks up an operator's row for a transition (see
// store.OperatorRows). The caller holds mu.
func (s *Store) operator(id string) (store.Operator, bool) {
	op, ok := s.ops[id]
	if !ok {
		return store.Operator{}, false
	}
	return *op, true
}

// nextSeq takes the next Seq, for a transition that requeues its
// conversation. The caller holds mu.
func (s *Store) nextSeq() (uint64, error) {
	s.seq++
	return s.seq, nil
}

// write stores the operators' loads and the customer's previous operator
// of t (the conversation's row is the caller's to store). The caller holds
// mu.
func (s *Store) write(t *store.Transition) {
	for _, l := range [...]store.Load{t.Result.Released, t.Result.Gained} {
		if op, ok := s.ops[l.Operator]; ok {
			op.Load, op.LastAssigned, op.Version = l.Load, l.LastAssigned, l.Version
		}
	}
	if t.Previous != "" {
		s.previous[t.Result.Conversation.CustomerID] = t.Previous
	}
}

// index records c in the held and offered indexes. The caller holds mu.
func (s *Store) index(c *store.Conversation) {
	if c.State.Held() {
		add(s.held, c.Assignee, c.ID)
	}
	if c.State == store.Offered {
		s.offered[c.ID] = struct{}{}
	}
}

// unindex removes c from the held and offered indexes. The caller holds mu.
func (s *Store) unindex(c *store.Conversation) {
	if c.State.Held() {
		remove(s.held, c.Assignee, c.ID)
	}
	if c.State == store.Offered {
		delete(s.offered, c.ID)
	}
}

func add(idx map[string]set, op, conv string) {
	ids, ok := idx[op]
	if !ok {
		ids = make(set)
		idx[op] = ids
	}
	ids[conv] = struct{}{}
}

// remove takes conv out of op's set. An emptied set is kept: an operator
// who closes their only conversation usually gets another one soon.
func remove(idx map[string]set, op, conv string) {
	delete(idx[op], conv)
}

// Conversation returns one conversation.
func (s *Store) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return store.Conversation{}, err
	}
	if err := store.CheckID("conversation id", id); err != nil {
		return store.Conversation{}, err
	}
	c, ok := s.convs[id]
	if !ok {
		return store.Conversation{}, fmt.Errorf("%w: conversation %q", store.ErrNotFound, id)
	}
	return c.Clone(), nil
}

// Conversations returns the conversations that pass f, ordered by Seq,
// at most f.Limit of them. A filter on the assignee reads only that
// operator's conversations; others walk the conversations in Seq order
// from f.AfterSeq until the page is full, reading the rows that do not
// pass on the way.
func (s *Store) Conversations(ctx context.Context, f store.Filter) ([]store.Conversation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	out := []store.Conversation{}
	if f.Assignee != "" {
		// Only held conversations have an assignee.
		for id := range s.held[f.Assignee] {
			if c := s.convs[id]; f.Match(*c) {
				out = append(out, c.Clone())
			}
		}
		slices.SortFunc(out, func(a, b store.Conversation) int { return cmp.Compare(a.Seq, b.Seq) })
		if f.Limit > 0 && len(out) > f.Limit {
			out = slices.Delete(out, f.Limit, len(out))
		}
		return out, nil
	}
	if f.AfterSeq == math.MaxUint64 {
		return out, nil // no Seq is greater
	}
	if f.Limit > 0 {
		out = make([]store.Conversation, 0, f.Limit)
	}
	s.bySeq.AscendGreaterOrEqual(seqItem{seq: f.AfterSeq + 1}, func(it seqItem) bool {
		if f.Match(*it.conv) {
			out = append(out, it.conv.Clone())
		}
		return f.Limit == 0 || len(out) < f.Limit
	})
	return out, nil
}

// PreviousOperator returns the operator most recently given a conversation
// of the customer, or "" if none was (or customerID is empty).
func (s *Store) PreviousOperator(ctx context.Context, customerID string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return "", err
	}
	if err := store.CheckIDLength("customer id", customerID); err != nil {
		return "", err
	}
	return s.previous[customerID], nil
}

// RuleSet returns the stored rule set; a RuleSet with Version 0 and no
// Body when none was stored.
func (s *Store) RuleSet(ctx context.Context) (store.RuleSet, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return store.RuleSet{}, err
	}
	return s.rules.Clone(), nil
}

// SetRuleSet stores rs as the next version of the rule set if the stored
// version is still rs.Version. Only the current version is kept.
func (s *Store) SetRuleSet(ctx context.Context, rs store.RuleSet) (store.RuleSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.RuleSet{}, err
	}
	if err := rs.ValidateSet(); err != nil {
		return store.RuleSet{}, err
	}
	if err := rs.CheckVersion(s.rules.Version); err != nil {
		return store.RuleSet{}, err
	}
	s.rules = rs.Next()
	return s.rules.Clone(), nil
}

// Groups returns every stored group, ordered by id.
func (s *Store) Groups(ctx context.Context) ([]store.GroupRow, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	out := make([]store.GroupRow, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g.Clone())
	}
	slices.SortFunc(out, func(a, b store.GroupRow) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// PutGroup creates a group (g.Version 0) or replaces the stored one if it
// is still at g.Version.
func (s *Store) PutGroup(ctx context.Context, g store.GroupRow) (store.GroupRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return store.GroupRow{}, err
	}
	if err := g.ValidatePut(); err != nil {
		return store.GroupRow{}, err
	}
	if err := g.CheckVersion(s.groups[g.ID].Version); err != nil {
		return store.GroupRow{}, err
	}
	row := g.Next()
	s.groups[g.ID] = row
	return row.Clone(), nil
}

// DeleteGroup removes a group at the given version that no open
// conversation and no operator names. It looks at every operator and
// conversation, which is fine for a rare administrative change.
func (s *Store) DeleteGroup(ctx context.Context, id string, version int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return err
	}
	if err := store.CheckDeleteGroup(id, version); err != nil {
		return err
	}
	if err := store.CheckDeleteVersion(id, version, s.groups[id].Version); err != nil {
		return err
	}
	for _, c := range s.convs {
		if c.Group == id && c.State != store.Closed {
			return store.GroupInUse(id, c.ID, "")
		}
	}
	for _, o := range s.ops {
		if o.InGroup(id) {
			return store.GroupInUse(id, "", o.ID)
		}
	}
	delete(s.groups, id)
	return nil
}

// Close discards the store's rows. Every later call fails with an error
// matching store.ErrClosed; closing again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.ops, s.convs, s.bySeq = nil, nil, nil
	s.held, s.offered, s.previous, s.history = nil, nil, nil, nil
	s.rules = store.RuleSet{}
	s.groups = nil
	s.journal = ring{}
	return nil
}

func notFoundOperator(id string) error {
	return fmt.Errorf("%w: operator %q", store.ErrNotFound, id)
}
