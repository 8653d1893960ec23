package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// journalTests check the journal (S5): entries appended with the writes
// that carry them (store.Journaler) or on their own (AppendJournal), read
// back in pages (ReadJournal), pruned from the oldest end (PruneJournal).
var journalTests = []plainTest{
	{"Journal_EmptyAtStart", testJournalEmpty},
	{"Journal_WithTheWrites", testJournalWithWrites},
	{"Journal_RefusedWriteAppendsNothing", testJournalRefused},
	{"Journal_Append", testJournalAppend},
	{"Journal_Pages", testJournalPages},
	{"Journal_Prune", testJournalPrune},
	{"Journal_KeysAppendOnce", testJournalKeys},
	{"Concurrency_JournalOrder", testJournalRace},
	{"Concurrency_JournalKeyOnce", testJournalKeyRace},
}

// hook is a store.Journaler that records what it is shown and told.
type hook struct {
	// build returns the entries for what a write stores.
	build func(w store.Written) []store.Entry

	mu     sync.Mutex
	shown  []store.Written
	stored [][]store.Entry
}

func (h *hook) Entries(w store.Written) []store.Entry {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.shown = append(h.shown, w)
	return h.build(w)
}

func (h *hook) Stored(es []store.Entry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stored = append(h.stored, es)
}

// last returns what the hook was last shown, and how many times it was
// told of stored entries.
func (h *hook) last() (store.Written, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.shown) == 0 {
		return store.Written{}, len(h.stored)
	}
	return h.shown[len(h.shown)-1], len(h.stored)
}

// entriesOf returns a hook that journals one entry per body, at when.
func entriesOf(when time.Time, bodies ...string) *hook {
	return &hook{build: func(store.Written) []store.Entry {
		es := make([]store.Entry, len(bodies))
		for i, b := range bodies {
			es[i] = store.Entry{At: when, Body: []byte(b)}
		}
		return es
	}}
}

// entry is a stored entry as the suite compares it.
func entry(seq uint64, when time.Time, body string) store.Entry {
	return store.Entry{Seq: seq, At: when.UTC(), Body: []byte(body)}
}

// normEntries returns es with UTC times.
func normEntries(es []store.Entry) []store.Entry {
	out := make([]store.Entry, len(es))
	for i, e := range es {
		out[i] = store.Entry{Seq: e.Seq, At: e.At.UTC(), Body: e.Body, Key: e.Key}
	}
	return nilIfEmpty(out)
}

// readJournal reads up to limit entries after after, normalised.
func readJournal(t tb, s store.Store, after uint64, limit int) []store.Entry {
	t.Helper()
	es, err := s.ReadJournal(bg, after, limit)
	require.NoError(t, err)
	return normEntries(es)
}

// bounds returns the journal's bounds.
func bounds(t tb, s store.Store) store.JournalBounds {
	t.Helper()
	b, err := s.JournalBounds(bg)
	require.NoError(t, err)
	return b
}

// appendEntries appends one entry per body, the i-th at at(i), and
// returns them as stored, normalised.
func appendEntries(t tb, s store.Store, bodies ...string) []store.Entry {
	t.Helper()
	es := make([]store.Entry, len(bodies))
	for i, b := range bodies {
		es[i] = store.Entry{At: at(i), Body: []byte(b)}
	}
	got, err := s.AppendJournal(bg, es)
	require.NoError(t, err)
	return normEntries(got)
}

// testJournalEmpty: a new store's journal has no entries, and reading it
// returns none.
func testJournalEmpty(t *testing.T, s store.Store) {
	require.Equal(t, store.JournalBounds{}, bounds(t, s))
	require.Empty(t, readJournal(t, s, 0, 10))
}

// testJournalWithWrites: a create, a change and a status change each
// append their hook's entries, numbered from 1 with no gap, in order, at
// the times given; each hook is shown what its write stores and told of
// its entries as stored; a write without a hook, or whose hook returns
// none, appends nothing.
func testJournalWithWrites(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	when := time.Date(2025, time.March, 3, 9, 0, 0, 500, time.FixedZone("CET", 3600))

	created := entriesOf(when, "queued c1", "all-busy c1")
	res := createConv(t, s, queuedConv("c1", "sales", "cu1", at(1)), store.Require{Journal: created})
	shown, told := created.last()
	require.Equal(t, normConv(res.Conversation), normConv(shown.Result.Conversation), "the create's hook is shown the row stored")
	require.Equal(t, 1, told)
	require.Equal(t, []store.Entry{entry(1, when, "queued c1"), entry(2, when, "all-busy c1")}, normEntries(created.stored[0]))

	changed := entriesOf(at(2), "assigned c1 ann")
	res = apply(t, s, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(2),
		Require: store.Require{Journal: changed}})
	shown, told = changed.last()
	require.Equal(t, normConv(res.Conversation), normConv(shown.Result.Conversation), "the change's hook is shown the row stored")
	require.Equal(t, store.Queued, shown.Result.Before.State, "and the row before")
	require.Equal(t, normLoads(res.Loads()), normLoads(shown.Result.Loads()), "and the loads")
	require.Equal(t, 1, told)
	require.Equal(t, []store.Entry{entry(3, at(2), "assigned c1 ann")}, normEntries(changed.stored[0]))

	status := entriesOf(at(3), "status-changed ann")
	op, err := s.SetStatus(bg, store.StatusChange{Operator: "ann", To: away, At: at(3), Journal: status})
	require.NoError(t, err)
	shown, told = status.last()
	requireOp(t, op, shown.Operator, "the status change's hook is shown the row stored")
	require.Equal(t, 1, told)
	require.Equal(t, []store.Entry{entry(4, at(3), "status-changed ann")}, normEntries(status.stored[0]))

	none := entriesOf(at(4))
	_, err = s.SetStatus(bg, store.StatusChange{Operator: "ann", To: ready, At: at(4), Journal: none})
	require.NoError(t, err)
	_, told = none.last()
	require.Zero(t, told, "a hook that returns no entries is told of none")
	apply(t, s, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(5)})

	require.Equal(t, store.JournalBounds{Oldest: 1, Newest: 4}, bounds(t, s))
	require.Equal(t, []store.Entry{entry(1, when, "queued c1"), entry(2, when, "all-busy c1"), entry(3, at(2), "assigned c1 ann"),
		entry(4, at(3), "status-changed ann")}, readJournal(t, s, 0, 10))
}

// testJournalRefused: a write the store refuses never asks its hook and
// appends nothing; a hook that returns an invalid entry fails its write
// with ErrInvalid, and nothing changes.
func testJournalRefused(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 1, "sales")
	createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(0)), store.Require{})
	appendEntries(t, s, "first")

	refused := entriesOf(at(1), "never")
	createFails(t, s, store.ErrAlreadyExists, queuedConv("c1", "sales", "cu1", at(1)), store.Require{Journal: refused})
	createFails(t, s, store.ErrOverCapacity, assignedConv("c2", "sales", "cu2", "ann", at(1)), store.Require{AssigneeCap: 1, Journal: refused})
	applyFails(t, s, store.ErrAlreadyTaken, store.Change{Conversation: "c1", From: fromQueue, To: store.Assigned, NewAssignee: "ann", At: at(1),
		Require: store.Require{Journal: refused}})
	requireFails(t, s, store.ErrConflict, func() error {
		_, err := s.SetStatus(bg, store.StatusChange{Operator: "ann", From: away, To: ready, At: at(1), Journal: refused})
		return err
	})
	refused.mu.Lock()
	require.Empty(t, refused.shown, "a refused write asks its hook for nothing")
	require.Empty(t, refused.stored)
	refused.mu.Unlock()

	for name, bad := range map[string]store.Entry{
		"zero time":  {Body: []byte("x")},
		"empty body": {At: at(1)},
		"large body": {At: at(1), Body: bytes.Repeat([]byte("x"), store.MaxEntryBody+1)},
	} {
		invalid := &hook{build: func(store.Written) []store.Entry { return []store.Entry{{At: at(1), Body: []byte("ok")}, bad} }}
		applyFails(t, s, store.ErrInvalid, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Closed, At: at(1),
			Require: store.Require{Journal: invalid}}, name)
		createFails(t, s, store.ErrInvalid, queuedConv("c3", "sales", "cu3", at(1)), store.Require{Journal: invalid}, name)
		requireFails(t, s, store.ErrInvalid, func() error {
			_, err := s.SetStatus(bg, store.StatusChange{Operator: "ann", To: away, At: at(1), Journal: invalid})
			return err
		}, name)
		_, told := invalid.last()
		require.Zero(t, told, name)
	}
	require.Equal(t, []store.Entry{entry(1, at(0), "first")}, readJournal(t, s, 0, 10))
}

// testJournalAppend: AppendJournal numbers its entries after those of
// the writes, returns them as stored, and keeps copies; no entries, or an
// invalid one, is ErrInvalid and appends nothing.
func testJournalAppend(t *testing.T, s store.Store) {
	require.Equal(t, []store.Entry{entry(1, at(0), "a"), entry(2, at(1), "b")}, appendEntries(t, s, "a", "b"))
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("c1", "sales", "cu1", at(1)), store.Require{Journal: entriesOf(at(2), "c")})

	given := []store.Entry{{At: at(3), Body: []byte("d")}}
	got, err := s.AppendJournal(bg, given)
	require.NoError(t, err)
	require.Equal(t, []store.Entry{entry(4, at(3), "d")}, normEntries(got))
	given[0].Body[0], got[0].Body[0] = 'x', 'y'
	require.Equal(t, []store.Entry{entry(4, at(3), "d")}, readJournal(t, s, 3, 10), "the store keeps its own copy")
	read := readJournal(t, s, 0, 10)
	read[0].Body[0] = 'z'
	require.Equal(t, entry(1, at(0), "a"), readJournal(t, s, 0, 1)[0], "and hands out copies")

	for name, es := range map[string][]store.Entry{
		"no entries": nil,
		"zero time":  {{At: at(5), Body: []byte("ok")}, {Body: []byte("x")}},
		"empty body": {{At: at(5)}},
		"large body": {{At: at(5), Body: bytes.Repeat([]byte("x"), store.MaxEntryBody+1)}},
	} {
		requireFails(t, s, store.ErrInvalid, func() error { _, err := s.AppendJournal(bg, es); return err }, name)
	}
	require.Equal(t, store.JournalBounds{Oldest: 1, Newest: 4}, bounds(t, s))
}

// testJournalPages: ReadJournal returns the entries after a number, at
// most a page of them, none after the newest; a page outside 1 to
// MaxJournalPage is ErrInvalid.
func testJournalPages(t *testing.T, s store.Store) {
	bodies := make([]string, 7)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("e%d", i+1)
	}
	all := appendEntries(t, s, bodies...)
	require.Equal(t, all[:3], readJournal(t, s, 0, 3))
	require.Equal(t, all[3:6], readJournal(t, s, 3, 3))
	require.Equal(t, all[6:], readJournal(t, s, 6, 3))
	require.Empty(t, readJournal(t, s, 7, 3))
	require.Empty(t, readJournal(t, s, 1000, 3), "a number from the future reads nothing")
	require.Equal(t, all, readJournal(t, s, 0, store.MaxJournalPage))
	for _, limit := range []int{0, -1, store.MaxJournalPage + 1} {
		_, err := s.ReadJournal(bg, 0, limit)
		require.ErrorIs(t, err, store.ErrInvalid, "limit %d", limit)
	}
}

// testJournalPrune: pruning by count keeps the newest entries, by age
// those from the first not older than the cut on, at most Limit per
// call, never the newest; reading from a pruned number is ErrPruned
// naming the oldest kept; numbers are not handed out again; a prune that
// selects nothing or asks for too much is ErrInvalid.
func testJournalPrune(t *testing.T, s store.Store) {
	bodies := make([]string, 10)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("e%d", i+1)
	}
	all := appendEntries(t, s, bodies...) // e(i+1) at at(i)

	prune := func(p store.JournalPrune) int {
		t.Helper()
		n, err := s.PruneJournal(bg, p)
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 2, prune(store.JournalPrune{Keep: 7, Limit: 2}), "at most Limit")
	require.Equal(t, store.JournalBounds{Oldest: 3, Newest: 10}, bounds(t, s))
	require.Equal(t, 1, prune(store.JournalPrune{Keep: 7, Limit: 100}))
	require.Zero(t, prune(store.JournalPrune{Keep: 7, Limit: 100}))
	require.Equal(t, all[3:], readJournal(t, s, 3, 100))
	for _, after := range []uint64{0, 1, 2} {
		_, err := s.ReadJournal(bg, after, 10)
		require.ErrorIs(t, err, store.ErrPruned, "after %d", after)
		require.ErrorContains(t, err, "oldest kept is 4")
	}

	// By age: e4 at at(3) ... e10 at at(9).
	require.Equal(t, 2, prune(store.JournalPrune{Before: at(5), Limit: 100}), "e4 and e5 are older than at(5)")
	require.Equal(t, 2, prune(store.JournalPrune{Before: at(6), Keep: 3, Limit: 100}), "e6 by both cuts, e7 by the count")
	require.Equal(t, store.JournalBounds{Oldest: 8, Newest: 10}, bounds(t, s))
	require.Equal(t, 2, prune(store.JournalPrune{Before: at(100), Limit: 100}), "the newest is kept")
	require.Equal(t, []store.Entry{all[9]}, readJournal(t, s, 9, 100))
	require.Zero(t, prune(store.JournalPrune{Keep: 1, Limit: 100}))

	// Numbers go on from the newest; an entry not older than the cut
	// keeps every later one, however old.
	got, err := s.AppendJournal(bg, []store.Entry{{At: at(1), Body: []byte("late")}, {At: at(50), Body: []byte("x")}})
	require.NoError(t, err)
	require.Equal(t, []uint64{11, 12}, []uint64{got[0].Seq, got[1].Seq})
	require.Equal(t, 0, prune(store.JournalPrune{Before: at(5), Limit: 100}), "e10 at at(9) is not older than at(5)")
	require.Equal(t, store.JournalBounds{Oldest: 10, Newest: 12}, bounds(t, s))

	for name, p := range map[string]store.JournalPrune{
		"no cut":      {Limit: 10},
		"zero limit":  {Keep: 1},
		"large limit": {Keep: 1, Limit: store.MaxJournalPage + 1},
	} {
		requireFails(t, s, store.ErrInvalid, func() error { _, err := s.PruneJournal(bg, p); return err }, name)
	}
}

// keyed is an entry as given to AppendJournal, under key.
func keyed(when time.Time, body, key string) store.Entry {
	return store.Entry{At: when, Body: []byte(body), Key: key}
}

// testJournalKeys: AppendJournal skips an entry whose key the journal
// keeps, or an earlier entry of the call has, numbering the others with
// no gap; a pruned key may be appended again; a write's entry may not
// have a key, and a key is at most MaxIDLength bytes.
func testJournalKeys(t *testing.T, s store.Store) {
	got, err := s.AppendJournal(bg, []store.Entry{keyed(at(0), "a", "k1"), keyed(at(1), "b", ""), keyed(at(2), "c", "k1")})
	require.NoError(t, err)
	a, b := store.Entry{Seq: 1, At: at(0).UTC(), Body: []byte("a"), Key: "k1"}, entry(2, at(1), "b")
	require.Equal(t, []store.Entry{a, b}, normEntries(got))

	got, err = s.AppendJournal(bg, []store.Entry{keyed(at(3), "d", "k1"), keyed(at(4), "e", "k2")})
	require.NoError(t, err)
	e := store.Entry{Seq: 3, At: at(4).UTC(), Body: []byte("e"), Key: "k2"}
	require.Equal(t, []store.Entry{e}, normEntries(got))

	got, err = s.AppendJournal(bg, []store.Entry{keyed(at(5), "f", "k2")})
	require.NoError(t, err)
	require.Empty(t, got, "every entry's key is kept")
	require.Equal(t, []store.Entry{a, b, e}, readJournal(t, s, 0, 10), "read back with their keys")
	require.Equal(t, store.JournalBounds{Oldest: 1, Newest: 3}, bounds(t, s))

	createOp(t, s, "ann", ready, 0, "sales")
	keyedHook := &hook{build: func(store.Written) []store.Entry { return []store.Entry{keyed(at(6), "g", "k3")} }}
	requireFails(t, s, store.ErrInvalid, func() error {
		_, err := s.CreateConversation(bg, queuedConv("c1", "sales", "cu1", at(6)), store.Require{Journal: keyedHook})
		return err
	}, "a key on a write's entry")
	requireFails(t, s, store.ErrInvalid, func() error {
		_, err := s.AppendJournal(bg, []store.Entry{keyed(at(6), "g", strings.Repeat("k", store.MaxIDLength+1))})
		return err
	}, "a key too long")

	n, err := s.PruneJournal(bg, store.JournalPrune{Keep: 1, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	got, err = s.AppendJournal(bg, []store.Entry{keyed(at(7), "h", "k1"), keyed(at(8), "i", "k2")})
	require.NoError(t, err)
	require.Equal(t, []store.Entry{{Seq: 4, At: at(7).UTC(), Body: []byte("h"), Key: "k1"}}, normEntries(got),
		"k1 was pruned, k2 is kept")
}

// testJournalKeyRace: writers appending one fact under one key at once
// store it once, and the journal has no gap.
func testJournalKeyRace(t *testing.T, s store.Store) {
	got := make([][]store.Entry, racers)
	errs := race(func(i int) error {
		var err error
		got[i], err = s.AppendJournal(bg, []store.Entry{keyed(at(i), fmt.Sprintf("w%02d", i), "hours-open"), keyed(at(i), fmt.Sprintf("own%02d", i), "")})
		return err
	})
	winners := 0
	for i, err := range errs {
		require.NoError(t, err, "writer %d", i)
		switch len(got[i]) {
		case 2:
			winners++
			require.Equal(t, "hours-open", got[i][0].Key)
			require.Equal(t, got[i][0].Seq+1, got[i][1].Seq)
		case 1:
			require.Equal(t, fmt.Sprintf("own%02d", i), string(got[i][0].Body))
		default:
			t.Fatalf("writer %d stored %d entries", i, len(got[i]))
		}
	}
	require.Equal(t, 1, winners, "one writer stores the keyed entry")
	read := readJournal(t, s, 0, store.MaxJournalPage)
	require.Len(t, read, racers+1)
	for i, e := range read {
		require.Equal(t, uint64(i+1), e.Seq)
	}
}

// testJournalRace: concurrent journaled writes and appends number their
// entries store-wide with no gap and no repeat, each write's entries one
// run in its order, and every hook is told of exactly the entries stored.
func testJournalRace(t *testing.T, s store.Store) {
	for i := range racers {
		createOp(t, s, fmt.Sprintf("op%02d", i), ready, 0, "sales")
	}
	hooks := make([]*hook, racers)
	for i := range hooks {
		hooks[i] = entriesOf(at(i), fmt.Sprintf("w%02d-1", i), fmt.Sprintf("w%02d-2", i), fmt.Sprintf("w%02d-3", i))
	}
	appended := make([][]store.Entry, racers)
	errs := race(func(i int) error {
		op := fmt.Sprintf("op%02d", i)
		var err error
		switch i % 3 {
		case 0:
			_, err = s.CreateConversation(bg, assignedConv(fmt.Sprintf("c%02d", i), "sales", "cu", op, at(1)), store.Require{Journal: hooks[i]})
		case 1:
			_, err = s.SetStatus(bg, store.StatusChange{Operator: op, To: away, At: at(1), Journal: hooks[i]})
		default:
			es := hooks[i].build(store.Written{})
			appended[i], err = s.AppendJournal(bg, es)
			hooks[i].Stored(appended[i])
		}
		return err
	})
	for i, err := range errs {
		require.NoError(t, err, "writer %d", i)
	}
	stored := map[uint64]string{}
	for i, h := range hooks {
		require.Len(t, h.stored, 1, "writer %d is told once", i)
		es := h.stored[0]
		require.Len(t, es, 3)
		for j, e := range es {
			require.Equal(t, es[0].Seq+uint64(j), e.Seq, "writer %d's entries are one run", i)
			require.Equal(t, fmt.Sprintf("w%02d-%d", i, j+1), string(e.Body))
			stored[e.Seq] = string(e.Body)
		}
	}
	read := readJournal(t, s, 0, store.MaxJournalPage)
	require.Len(t, read, 3*racers)
	for i, e := range read {
		require.Equal(t, uint64(i+1), e.Seq)
		require.Equal(t, stored[e.Seq], string(e.Body), "entry %d", e.Seq)
		require.True(t, strings.HasPrefix(string(e.Body), "w"))
	}
}
