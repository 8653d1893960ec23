package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// CreateConversation stores a new conversation in the Queued, Offered or
// Assigned state, checking req on its assignee or offers, in one
// transaction with the assignee's load.
func (s *Store) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.Result{}, err
	}
	defer done()
	if err := validateNew(c, req); err != nil {
		return store.Result{}, err
	}
	// Rows hold UTC times (see the package documentation).
	c = utcConversation(c)
	var (
		res       store.Result
		journaled []store.Entry
	)
	err = s.write(ctx, "create conversation", firstID(c.OfferedTo, c.Assignee), func(q *writeTx) error {
		res, journaled = store.Result{}, nil
		var (
			n   int
			seq int64
		)
		lock := c.Operators()
		// The existence check travels with the operators' lock (one round
		// trip on PostgreSQL); the locks are released if it fails.
		counts := []any{&n, &seq}
		if len(lock) == 0 {
			if err := q.queryRow(ctx, s.q.newConversation, c.ID).Scan(counts...); err != nil {
				return err
			}
		} else if err := q.scanWithNext(ctx, counts, s.q.newConversation, c.ID); err != nil {
			return err
		}
		ops, err := s.lockOperators(ctx, q, lock)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: conversation %q", store.ErrAlreadyExists, c.ID)
		}
		t, err := store.NewConversation(c, req, rowsOf(ops), uint64(seq))
		if err != nil {
			return err
		}
		row := t.Result.Conversation
		if journaled, err = s.journalWrite(q, req.Journal, store.Written{Result: t.Result}); err != nil {
			return err
		}
		if err := s.writeTransition(ctx, q, t, row.CreatedAt, req.AssigneeCap,
			s.q.insertConversation, append([]any{row.ID}, conversationValues(row)...)...); err != nil {
			return err
		}
		res = t.Result
		return nil
	})
	if err != nil {
		return store.Result{}, err
	}
	tellStored(req.Journal, journaled)
	return res, nil
}

// Apply applies one conditional change in one transaction: it locks the
// conversation, then the operators the change names (Change.Operators),
// checks the change on them (Change.Transition) and writes the
// conversation and the loads it changes.
func (s *Store) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.Result{}, err
	}
	defer done()
	if err := ch.Validate(); err != nil {
		return store.Result{}, err
	}
	if err := checkChange(ch); err != nil {
		return store.Result{}, err
	}
	// Rows hold UTC times (see the package documentation).
	ch.At, ch.Deadlines = utc(ch.At), utcDeadlines(ch.Deadlines)
	var (
		res       store.Result
		journaled []store.Entry
	)
	err = s.write(ctx, "apply change", firstID(ch.Offers, ch.NewAssignee, ch.Assignee), func(q *writeTx) error {
		res, journaled = store.Result{}, nil
		cur, err := scanConversation(q.queryRow(ctx, s.q.lockConversation, ch.Conversation))
		if errors.Is(err, sql.ErrNoRows) {
			return notFoundConversation(ch.Conversation)
		}
		if err != nil {
			return err
		}
		// Transition checks this first too; a change refused by it locks
		// no operator.
		if err := ch.CheckFrom(cur); err != nil {
			return err
		}
		ops, err := s.lockOperators(ctx, q, ch.Operators(cur))
		if err != nil {
			return err
		}
		t, err := ch.Transition(cur, rowsOf(ops), func() (uint64, error) { return s.nextSeq(ctx, q) })
		if err != nil {
			return err
		}
		next := t.Result.Conversation
		if journaled, err = s.journalWrite(q, ch.Require.Journal, store.Written{Result: t.Result}); err != nil {
			return err
		}
		if err := s.writeTransition(ctx, q, t, ch.At, ch.Require.AssigneeCap,
			s.q.updateConversation, append(conversationValues(next), next.ID)...); err != nil {
			return err
		}
		res = t.Result
		return nil
	})
	if err != nil {
		return store.Result{}, err
	}
	tellStored(ch.Require.Journal, journaled)
	return res, nil
}

// rowsOf looks up operators' rows in ops (see store.OperatorRows).
func rowsOf(ops map[string]store.Operator) store.OperatorRows {
	return func(id string) (store.Operator, bool) {
		op, ok := ops[id]
		return op, ok
	}
}

// writeTransition stores t: the loads it moves, with their rows of the
// load history at at (a gain checked against cap, 0: none), then the
// conversation's row with stmt and args, then the customer's previous
// operator.
func (s *Store) writeTransition(ctx context.Context, q *writeTx, t store.Transition, at time.Time, cap int, stmt string, args ...any) error {
	row := t.Result.Conversation
	if t.Loser.ID != "" {
		if err := s.writeLoad(ctx, q, t.Loser, row.ID, -1, at, 0); err != nil {
			return err
		}
	}
	if t.Gainer.ID != "" {
		if err := s.writeLoad(ctx, q, t.Gainer, row.ID, 1, at, cap); err != nil {
			return err
		}
	}
	q.changedConversation(row)
	if err := q.exec(ctx, stmt, args...); err != nil {
		return err
	}
	if t.Previous != "" {
		return q.exec(ctx, s.q.upsertPrevious, row.CustomerID, t.Previous)
	}
	return nil
}

// writeLoad stores the load part of an operator's row, and a row of the
// load history: conversation conv changed their load by delta at at,
// checked against cap (0: none).
func (s *Store) writeLoad(ctx context.Context, q *writeTx, op store.Operator, conv string, delta int, at time.Time, cap int) error {
	q.changedOperator(op)
	if s.d.loadWithHistory() {
		err := q.exec(ctx, s.q.updateLoad, op.Load, timeArg(op.LastAssigned), op.Version, op.ID, conv, delta, timeArg(at), cap)
		return err
	}
	if err := q.exec(ctx, s.q.updateLoad, op.Load, timeArg(op.LastAssigned), op.Version, op.ID); err != nil {
		return err
	}
	err := q.exec(ctx, s.q.insertLoad, op.ID, conv, delta, op.Load, timeArg(at), cap)
	return err
}

// nextSeq takes the next conversation Seq number (see dialect.nextSeq).
func (s *Store) nextSeq(ctx context.Context, q *writeTx) (uint64, error) {
	var seq int64
	if err := q.queryRow(ctx, s.q.nextSeq).Scan(&seq); err != nil {
		return 0, fmt.Errorf("next seq: %w", err)
	}
	return uint64(seq), nil
}

// Conversation returns one conversation.
func (s *Store) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.Conversation{}, err
	}
	defer done()
	if err := store.CheckID("conversation id", id); err != nil {
		return store.Conversation{}, err
	}
	if !validText(id) {
		return store.Conversation{}, notFoundConversation(id)
	}
	c, err := scanConversation(s.reader().QueryRowContext(ctx, s.q.selectConversation, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Conversation{}, notFoundConversation(id)
	}
	if err != nil {
		return store.Conversation{}, s.mapError(ctx, "read conversation", err)
	}
	return c, nil
}

// Conversations returns the conversations that pass f, ordered by Seq.
func (s *Store) Conversations(ctx context.Context, f store.Filter) ([]store.Conversation, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := f.Validate(); err != nil {
		return nil, err
	}
	out := []store.Conversation{}
	if !validText(f.Group) || !validText(f.Assignee) || !validText(f.Customer) || !validText(f.Channel) ||
		!validText(f.LastOperator) || f.AfterSeq > math.MaxInt64 {
		return out, nil // nothing stored matches
	}
	query, args, ok := s.filterQuery(f)
	if !ok {
		return out, nil // no defined state asked for
	}
	rows, err := s.filterQuerier(ctx, query).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.mapError(ctx, "read conversations", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, s.mapError(ctx, "read conversations", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, "read conversations", err)
	}
	return out, nil
}

// filterQuery returns the query and arguments of Conversations(f), whose
// AfterSeq must fit an int64. The states are sorted and deduplicated, and
// undefined ones dropped, and the Seq bound and the limit are always
// arguments, so that there are few distinct queries (at most 1,024: a set
// of states and a set of ids compared), each prepared once; ok is false if
// f lists only undefined states, which nothing matches.
//
// A page is a range scan, from AfterSeq in Seq order, of one index by a
// column and seq, that stops once Limit rows passed: by state (migration
// 1) or by the group, customer, channel or last operator (migration 4).
// Open conversations are few, as many as the work in hand, while closed
// ones accumulate for good: a filter on open states only reads the index
// by state, any other names an id and reads that id's index. Where the
// database plans without statistics (SQLite), the conditions on the other
// columns are written so that it cannot choose their indexes
// (dialect.unindexed); the assignee's index, of held conversations only,
// stays open to it.
func (s *Store) filterQuery(f store.Filter) (query string, args []any, ok bool) {
	var (
		where    []string
		openOnly = len(f.States) > 0 && !slices.Contains(f.States, store.Closed)
		byID     = f.Group != "" || f.Customer != "" || f.Channel != "" || f.LastOperator != ""
	)
	if len(f.States) > 0 {
		var states []string
		for _, st := range slices.Compact(slices.Sorted(slices.Values(f.States))) {
			if st.Valid() {
				states = append(states, strconv.Itoa(int(st)))
			}
		}
		if len(states) == 0 {
			return "", nil, false
		}
		column := "state"
		if byID && !openOnly {
			column = s.d.unindexed(column)
		}
		where = append(where, column+" IN ("+strings.Join(states, ", ")+")")
	}
	for _, id := range [...]struct {
		column, value string
		indexed       bool
	}{
		{"group_id", f.Group, !openOnly}, {"assignee", f.Assignee, true}, {"customer_id", f.Customer, !openOnly},
		{"channel", f.Channel, !openOnly}, {"last_operator", f.LastOperator, !openOnly},
	} {
		if id.value == "" {
			continue
		}
		column := id.column
		if !id.indexed {
			column = s.d.unindexed(column)
		}
		where = append(where, column+" = ?")
		args = append(args, id.value)
	}
	if f.LastOperator != "" {
		// Held by them, not only preset to them (see store.Filter).
		where = append(where, "assigned_at IS NOT NULL")
	}
	limit := int64(math.MaxInt64) // no limit, in both dialects
	if f.Limit > 0 {
		limit = int64(f.Limit)
	}
	where = append(where, "seq > ?")
	args = append(args, int64(f.AfterSeq), limit)
	query = s.q.listConversations + " WHERE " + strings.Join(where, " AND ") + " ORDER BY seq LIMIT ?"
	return s.d.rebind(query), args, true
}

// PreviousOperator returns the operator most recently given a conversation
// of the customer, or "" if none was (or customerID is empty).
func (s *Store) PreviousOperator(ctx context.Context, customerID string) (string, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	if err := store.CheckIDLength("customer id", customerID); err != nil {
		return "", err
	}
	if customerID == "" || !validText(customerID) {
		return "", nil
	}
	var op string
	err = s.reader().QueryRowContext(ctx, s.q.selectPrevious, customerID).Scan(&op)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.mapError(ctx, "read previous operator", err)
	}
	return op, nil
}

// firstID returns the least of the non-empty ids in ids and more, "" if
// there is none: the first operator row a write locks (see Store.write).
func firstID(ids []string, more ...string) string {
	first := ""
	for _, list := range [2][]string{ids, more} {
		for _, id := range list {
			if id != "" && (first == "" || id < first) {
				first = id
			}
		}
	}
	return first
}
