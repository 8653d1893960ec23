package memory

import (
	"context"
	"slices"

	"github.com/switchboard-go/switchboard/store"
)

// DefaultJournalLimit is the most journal entries a Store keeps unless
// WithJournalLimit says otherwise.
const DefaultJournalLimit = 100_000

// Option configures a Store (see New).
type Option func(*Store)

// WithJournalLimit bounds the journal to the n newest entries (at least
// 1): appending beyond it drops the oldest, as PruneJournal would.
func WithJournalLimit(n int) Option {
	return func(s *Store) { s.journal.limit = max(n, 1) }
}

// ring is the journal: the kept entries, oldest first, in a circular
// buffer of up to limit entries. The caller holds Store.mu.
type ring struct {
	buf         []store.Entry
	head, count int
	limit       int
	// newest is the number of the last entry appended (0: none yet).
	newest uint64
	// keys holds the Key of every kept entry that has one.
	keys map[string]bool
}

// at returns the i-th kept entry, 0 being the oldest.
func (r *ring) at(i int) *store.Entry { return &r.buf[(r.head+i)%len(r.buf)] }

// oldest returns the number of the oldest entry kept (0: none).
func (r *ring) oldest() uint64 {
	if r.count == 0 {
		return 0
	}
	return r.at(0).Seq
}

// push appends es, numbering them, and returns them as stored (copies).
func (r *ring) push(es []store.Entry) []store.Entry {
	out := make([]store.Entry, len(es))
	for i, e := range es {
		r.newest++
		e = store.Entry{Seq: r.newest, At: e.At.UTC(), Body: slices.Clone(e.Body), Key: e.Key}
		out[i] = store.Entry{Seq: e.Seq, At: e.At, Body: slices.Clone(e.Body), Key: e.Key}
		if e.Key != "" {
			if r.keys == nil {
				r.keys = map[string]bool{}
			}
			r.keys[e.Key] = true
		}
		if r.count == r.limit {
			r.drop(1)
		}
		if r.count == len(r.buf) {
			r.grow()
		}
		*r.at(r.count) = e
		r.count++
	}
	return out
}

// grow doubles the buffer, up to limit.
func (r *ring) grow() {
	buf := make([]store.Entry, min(max(2*len(r.buf), 64), r.limit))
	for i := range r.count {
		buf[i] = *r.at(i)
	}
	r.buf, r.head = buf, 0
}

// drop removes the n oldest entries.
func (r *ring) drop(n int) {
	for range n {
		delete(r.keys, r.at(0).Key)
		*r.at(0) = store.Entry{}
		r.head = (r.head + 1) % len(r.buf)
		r.count--
	}
}

// journal calls j, if any, with w, checks the entries it returns and
// returns them, or nil for no journal. The caller holds mu and has
// checked the write; it stores the entries with commit once it has
// written the rest.
func journal(j store.Journaler, w store.Written) ([]store.Entry, error) {
	if j == nil {
		return nil, nil
	}
	es := j.Entries(w)
	if err := store.ValidateEntries(es); err != nil {
		return nil, err
	}
	return es, nil
}

// told is a write's news for its Journaler, given once the store's lock
// is released (see tell).
type told struct {
	hook    store.Journaler
	entries []store.Entry
}

// tell tells the hook of the entries stored, if any. A write defers it
// before it takes the lock, so that it runs after the unlock.
func (t *told) tell() {
	if t.hook != nil && len(t.entries) > 0 {
		t.hook.Stored(t.entries)
	}
}

// commitJournal appends es, the entries journal returned for a write
// just stored, and keeps them, numbered, for t's hook j. The caller holds
// mu: a reader sees the write and its entries together.
func (s *Store) commitJournal(t *told, j store.Journaler, es []store.Entry) {
	if len(es) > 0 {
		t.hook, t.entries = j, s.journal.push(es)
	}
}

// AppendJournal appends entries on their own and returns them as stored.
func (s *Store) AppendJournal(ctx context.Context, entries []store.Entry) ([]store.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := store.ValidateAppend(entries); err != nil {
		return nil, err
	}
	return s.journal.push(store.Unkept(entries, func(key string) bool { return s.journal.keys[key] })), nil
}

// ReadJournal returns up to limit entries numbered after after.
func (s *Store) ReadJournal(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := store.CheckJournalPage(limit); err != nil {
		return nil, err
	}
	r := &s.journal
	if after >= r.newest {
		return nil, nil
	}
	oldest := r.oldest()
	if after+1 < oldest {
		return nil, store.PrunedError(after, oldest)
	}
	first := int(after + 1 - oldest)
	n := min(limit, r.count-first)
	out := make([]store.Entry, n)
	for i := range n {
		e := r.at(first + i)
		out[i] = store.Entry{Seq: e.Seq, At: e.At, Body: slices.Clone(e.Body), Key: e.Key}
	}
	return out, nil
}

// JournalBounds returns the numbers of the oldest and newest entries kept.
func (s *Store) JournalBounds(ctx context.Context) (store.JournalBounds, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(ctx); err != nil {
		return store.JournalBounds{}, err
	}
	return store.JournalBounds{Oldest: s.journal.oldest(), Newest: s.journal.newest}, nil
}

// PruneJournal removes the entries p selects.
func (s *Store) PruneJournal(ctx context.Context, p store.JournalPrune) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	if err := p.Validate(); err != nil {
		return 0, err
	}
	r := &s.journal
	n := min(p.Limit, r.count)
	front := make([]store.Entry, n)
	for i := range n {
		front[i] = *r.at(i)
	}
	cut := store.PruneCut(front, r.newest, p)
	r.drop(cut)
	return cut, nil
}
