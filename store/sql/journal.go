package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/switchboard-go/switchboard/store"
)

// The journal (store.Journaler) is the table journal: one row per entry,
// keyed by its number. A body of a journaled write asks its hook for
// entries once its checks have passed and before it writes anything
// (journalWrite), and notes them in its writeTx; the transaction numbers
// and inserts the entries of all its bodies together just before it
// commits (appendNoted), and each caller tells its hook of its entries
// once its write has returned (tellStored). Numbers come from
// PostgreSQL's one-row table journal_head, whose lock the transaction
// holds from the statement that takes them (dialect.journalAppend, sent
// with COMMIT when pipelined; journalReserve otherwise) until it commits,
// so that numbers are handed out in commit order across every Store on
// the database and a rolled-back transaction leaves no gap; on SQLite
// from the greatest number stored, read under the write lock every write
// transaction takes first. Pruning keeps the newest entry, so that number
// is never handed out again.

// journalWrite asks hook, if any, for the entries of the write w that the
// body is about to store, checks them, notes copies of them in q and
// returns the copies: the transaction numbers them before it commits,
// and the caller tells hook of them (tellStored) once the write has
// returned. An invalid entry is a store error (ErrInvalid): the body
// returns it before it has written anything.
func (s *Store) journalWrite(q *writeTx, hook store.Journaler, w store.Written) ([]store.Entry, error) {
	if hook == nil {
		return nil, nil
	}
	given := hook.Entries(w)
	if err := store.ValidateEntries(given); err != nil {
		return nil, err
	}
	return q.noteEntries(given), nil
}

// noteEntries notes copies of es in q, for appendNoted, and returns them.
func (q *writeTx) noteEntries(es []store.Entry) []store.Entry {
	if len(es) == 0 {
		return nil
	}
	own := make([]store.Entry, len(es))
	for i, e := range es {
		own[i] = store.Entry{At: e.At, Body: bytes.Clone(e.Body), Key: e.Key}
	}
	q.journal = append(q.journal, own)
	return own
}

// tellStored tells hook, if any, of es, the entries journalWrite returned
// for a write that has returned without error (numbered by then).
func tellStored(hook store.Journaler, es []store.Entry) {
	if hook == nil || len(es) == 0 {
		return
	}
	hook.Stored(storedCopies(es))
}

// storedCopies returns copies of es, entries numbered and stored, as the
// store hands them out.
func storedCopies(es []store.Entry) []store.Entry {
	out := make([]store.Entry, len(es))
	for i, e := range es {
		out[i] = store.Entry{Seq: e.Seq, At: e.At.UTC(), Body: bytes.Clone(e.Body), Key: e.Key}
	}
	return out
}

// appendNoted numbers the entries noted in w and inserts them, in the
// order they were noted: at once, or, on PostgreSQL through pgx, in a
// statement sent with COMMIT, after which numberAppended numbers them
// (the arrays it takes are pgx's to encode).
func (s *Store) appendNoted(ctx context.Context, w *writeTx) error {
	var all []*store.Entry
	for _, es := range w.journal {
		for k := range es {
			all = append(all, &es[k])
		}
	}
	if len(all) == 0 {
		return nil
	}
	if s.q.appendJournal != "" && s.pipelines {
		ats := make([]int64, len(all))
		bodies := make([][]byte, len(all))
		keys := make([]string, len(all))
		for i, e := range all {
			ats[i], bodies[i], keys[i] = e.At.UnixNano(), e.Body, e.Key
		}
		// Numbered once the row is read, with COMMIT (numberAppended).
		w.appended = all
		return w.scanWithNext(ctx, []any{&w.appendedLast}, s.q.appendJournal, len(all), len(all), ats, bodies, keys)
	}
	var args []any
	if s.q.reserveCounts {
		args = []any{len(all), len(all)}
	}
	var last int64
	if err := w.queryRow(ctx, s.q.reserveJournal, args...).Scan(&last); err != nil {
		return err
	}
	for i, e := range all {
		e.Seq = uint64(last) + uint64(i) + 1
	}
	// In runs of entryRuns' sizes, largest first: one statement per run,
	// not per entry. Each has arguments of its own: a pipelined statement
	// keeps them until it is sent.
	for len(all) > 0 {
		i := 0
		for entryRuns[i] > len(all) {
			i++
		}
		args := make([]any, 0, 4*entryRuns[i])
		for _, e := range all[:entryRuns[i]] {
			args = append(args, int64(e.Seq), e.At.UnixNano(), e.Body, nullString(e.Key))
		}
		if err := w.exec(ctx, s.q.insertEntries[i], args...); err != nil {
			return fmt.Errorf("journal: insert entries from %d: %w", all[0].Seq, err)
		}
		all = all[entryRuns[i]:]
	}
	return nil
}

// numberAppended numbers the entries appendNoted left to the COMMIT,
// from the newest number its statement returned. Call it once the
// transaction has committed.
func (w *writeTx) numberAppended() {
	for i, e := range w.appended {
		e.Seq = uint64(w.appendedLast) - uint64(len(w.appended)-1-i)
	}
}

// AppendJournal appends entries on their own, in a write transaction of
// their own (batched with others like every write).
func (s *Store) AppendJournal(ctx context.Context, entries []store.Entry) ([]store.Entry, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := store.ValidateAppend(entries); err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := checkText("journal entry key", e.Key); err != nil {
			return nil, err
		}
	}
	var own []store.Entry
	if !store.Keyed(entries) {
		err = s.write(ctx, "append to journal", "", func(q *writeTx) error {
			own = q.noteEntries(entries)
			return nil
		})
	} else {
		// In a transaction of its own, not a batch's: it waits for the
		// numbering lock, which the others take only as they commit.
		err = s.mapError(ctx, "append to journal", s.retryTx(ctx, func(q *writeTx) error {
			kept, err := s.keptKeys(ctx, q, entries)
			if err != nil {
				return err
			}
			own = q.noteEntries(store.Unkept(entries, func(key string) bool { return kept[key] }))
			return nil
		}))
	}
	if err != nil {
		return nil, err
	}
	return storedCopies(own), nil
}

// keptKeys takes the lock that numbers entries, where every write does
// not hold it already, and returns which keys of es the journal holds.
func (s *Store) keptKeys(ctx context.Context, q *writeTx, es []store.Entry) (map[string]bool, error) {
	if s.q.lockJournal != "" {
		var head int64
		if err := q.queryRow(ctx, s.q.lockJournal).Scan(&head); err != nil {
			return nil, err
		}
	}
	var keys []string
	for _, e := range es {
		if e.Key != "" {
			keys = append(keys, e.Key)
		}
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	rows, err := q.query(ctx, s.q.keptKeys, string(list))
	if err != nil {
		return nil, err
	}
	kept := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			_ = rows.Close()
			return nil, err
		}
		kept[k] = true
	}
	return kept, firstError(rows.Err(), rows.Close())
}

// ReadJournal returns up to limit entries numbered after after.
func (s *Store) ReadJournal(ctx context.Context, after uint64, limit int) ([]store.Entry, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := store.CheckJournalPage(limit); err != nil {
		return nil, err
	}
	if after >= 1<<63 {
		return nil, nil
	}
	rows, err := s.reader().QueryContext(ctx, s.q.readJournal, int64(after), limit)
	if err != nil {
		return nil, s.mapError(ctx, "read journal", err)
	}
	defer rows.Close()
	var out []store.Entry
	for rows.Next() {
		var (
			seq int64
			at  sql.NullInt64
			key sql.NullString
			e   store.Entry
		)
		if err := rows.Scan(&seq, &at, &e.Body, &key); err != nil {
			return nil, s.mapError(ctx, "read journal", err)
		}
		e.Seq, e.At, e.Key = uint64(seq), timeOf(at), key.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, "read journal", err)
	}
	if len(out) > 0 && out[0].Seq != after+1 {
		return nil, store.PrunedError(after, out[0].Seq)
	}
	return out, nil
}

// JournalBounds returns the numbers of the oldest and newest entries kept.
func (s *Store) JournalBounds(ctx context.Context) (store.JournalBounds, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.JournalBounds{}, err
	}
	defer done()
	var oldest, newest int64
	if err := s.reader().QueryRowContext(ctx, s.q.journalBounds).Scan(&oldest, &newest); err != nil {
		return store.JournalBounds{}, s.mapError(ctx, "read journal bounds", err)
	}
	return store.JournalBounds{Oldest: uint64(oldest), Newest: uint64(newest)}, nil
}

// PruneJournal removes the entries p selects, in a write transaction: it
// reads the Limit oldest entries' numbers and times, picks the prefix p
// removes (store.PruneCut) and deletes it.
func (s *Store) PruneJournal(ctx context.Context, p store.JournalPrune) (int, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	if err := p.Validate(); err != nil {
		return 0, err
	}
	var cut int
	err = s.write(ctx, "prune journal", "", func(q *writeTx) error {
		cut = 0
		var newest int64
		if err := q.queryRow(ctx, s.q.journalNewest).Scan(&newest); err != nil {
			return err
		}
		rows, err := q.query(ctx, s.q.journalFront, p.Limit)
		if err != nil {
			return err
		}
		front := make([]store.Entry, 0, p.Limit)
		for rows.Next() {
			var (
				seq int64
				at  sql.NullInt64
			)
			if err := rows.Scan(&seq, &at); err != nil {
				_ = rows.Close()
				return err
			}
			front = append(front, store.Entry{Seq: uint64(seq), At: timeOf(at)})
		}
		if err := firstError(rows.Err(), rows.Close()); err != nil {
			return err
		}
		cut = store.PruneCut(front, uint64(newest), p)
		if cut == 0 {
			return nil
		}
		return q.exec(ctx, s.q.pruneJournal, int64(front[cut-1].Seq))
	})
	if err != nil {
		return 0, err
	}
	return cut, nil
}
