package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// CreateOperator stores a new operator with Load 0, no LastAssigned and
// Version 1, and opens their status history at StatusSince (if set).
func (s *Store) CreateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	valid := func() error { return firstError(op.Validate(), checkOperator(op, true)) }
	return s.writeOperator(ctx, "create operator", op.ID, valid, func(q *writeTx) (store.Operator, error) {
		row := utcOperator(op.Clone())
		row.Load, row.LastAssigned, row.Version = 0, time.Time{}, 1
		n, err := q.execCount(ctx, s.q.insertOperator, operatorArgs(row)...)
		if err != nil {
			return row, err
		}
		if n == 0 {
			return row, fmt.Errorf("%w: operator %q", store.ErrAlreadyExists, op.ID)
		}
		q.changedOperator(row)
		if !row.StatusSince.IsZero() {
			err = q.exec(ctx, s.q.openInterval, row.ID, row.Status, timeArg(row.StatusSince))
		}
		return row, err
	})
}

// writeOperator is the frame of the writes that return an operator's row:
// it enters the call, runs valid (the input's own checks, before anything
// is read) and then body in a write transaction, and returns the row body
// made. id is the operator whose row body writes.
func (s *Store) writeOperator(ctx context.Context, name, id string, valid func() error, body func(q *writeTx) (store.Operator, error)) (store.Operator, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.Operator{}, err
	}
	defer done()
	if err := valid(); err != nil {
		return store.Operator{}, err
	}
	var row store.Operator
	err = s.write(ctx, name, id, func(q *writeTx) error {
		var err error
		row, err = body(q)
		return err
	})
	if err != nil {
		return store.Operator{}, err
	}
	return row, nil
}

// UpdateOperator replaces the groups, cap and skills of an existing
// operator and keeps every other field. The Status of op is ignored.
func (s *Store) UpdateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	valid := func() error {
		check := op
		if check.Status == "" {
			check.Status = "unused" // the status is not updated, so not checked
		}
		return firstError(check.Validate(), checkOperator(op, false))
	}
	return s.writeOperator(ctx, "update operator", op.ID, valid, func(q *writeTx) (store.Operator, error) {
		row, err := scanOperator(q.queryRow(ctx, s.q.updateProfile, listArg(op.Groups), op.Cap, listArg(op.Skills), op.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return row, notFoundOperator(op.ID)
		}
		q.changedOperator(row)
		return row, err
	})
}

// SetStatus changes an operator's status if its From and Forbid conditions
// hold, closes the operator's current status interval and opens the next.
// The row's version grows even when the status stays the same.
func (s *Store) SetStatus(ctx context.Context, ch store.StatusChange) (store.Operator, error) {
	valid := func() error { return firstError(ch.Validate(), checkStatusChange(ch)) }
	var journaled []store.Entry
	row, err := s.writeOperator(ctx, "set status", ch.Operator, valid, func(q *writeTx) (store.Operator, error) {
		journaled = nil
		row, err := s.lockOperator(ctx, q, ch.Operator)
		if err != nil {
			return row, err
		}
		if ch.From != "" && row.Status != ch.From {
			return row, fmt.Errorf("%w: operator %q is %q, not %q", store.ErrConflict, row.ID, row.Status, ch.From)
		}
		if slices.ContainsFunc(ch.Forbid, store.State.Held) {
			if err := s.checkForbidden(ctx, q, row.ID, ch.Forbid); err != nil {
				return row, err
			}
		}
		row.Status, row.StatusSince = ch.To, utc(ch.At)
		row.Deadlines = utcDeadlines(ch.Deadlines)
		row.Version++
		if journaled, err = s.journalWrite(q, ch.Journal, store.Written{Operator: row}); err != nil {
			return row, err
		}
		q.changedOperator(row)
		if err := q.exec(ctx, s.q.updateStatus, row.Status, timeArg(row.StatusSince), deadlinesArg(row.Deadlines), row.Version, row.ID); err != nil {
			return row, err
		}
		if err := q.exec(ctx, s.q.closeInterval, timeArg(ch.At), row.ID); err != nil {
			return row, err
		}
		err = q.exec(ctx, s.q.openInterval, row.ID, ch.To, timeArg(ch.At))
		return row, err
	})
	if err == nil {
		tellStored(ch.Journal, journaled)
	}
	return row, err
}

// checkForbidden fails with store.ErrHoldsConversations if operator id
// holds a conversation in one of the states of forbid.
func (s *Store) checkForbidden(ctx context.Context, q *writeTx, id string, forbid []store.State) error {
	rows, err := q.query(ctx, s.q.listHeld, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			conv  string
			state int64
		)
		if err := rows.Scan(&conv, &state); err != nil {
			return err
		}
		if st := store.State(state); slices.Contains(forbid, st) {
			return fmt.Errorf("%w: operator %q holds conversation %q (%v)", store.ErrHoldsConversations, id, conv, st)
		}
	}
	return rows.Err()
}

// SetOperatorDeadlines replaces an operator's deadlines if the row is still
// at the given version.
func (s *Store) SetOperatorDeadlines(ctx context.Context, d store.OperatorDeadlines) (store.Operator, error) {
	valid := func() error {
		return firstError(d.Validate(), checkText("operator id", d.Operator), checkDeadlines(fmt.Sprintf("operator %q:", d.Operator), d.Deadlines))
	}
	return s.writeOperator(ctx, "set operator deadlines", d.Operator, valid, func(q *writeTx) (store.Operator, error) {
		row, err := s.lockOperator(ctx, q, d.Operator)
		if err != nil {
			return row, err
		}
		if d.Version != 0 && row.Version != d.Version {
			return row, fmt.Errorf("%w: operator %q is at version %d, want %d", store.ErrConflict, row.ID, row.Version, d.Version)
		}
		row.Deadlines = utcDeadlines(d.Deadlines)
		row.Version++
		q.changedOperator(row)
		err = q.exec(ctx, s.q.updateDeadlines, deadlinesArg(row.Deadlines), row.Version, row.ID)
		return row, err
	})
}

// DeleteOperator removes an operator who holds no conversation and has none
// offered to them. Their status history is kept.
func (s *Store) DeleteOperator(ctx context.Context, id string) error {
	done, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := store.CheckID("operator id", id); err != nil {
		return err
	}
	if err := checkText("operator id", id); err != nil {
		return err
	}
	return s.write(ctx, "delete operator", id, func(q *writeTx) error {
		if _, err := s.lockOperator(ctx, q, id); err != nil {
			return err
		}
		var held int
		if err := q.queryRow(ctx, s.q.countHeld, id).Scan(&held); err != nil {
			return err
		}
		if held > 0 {
			return fmt.Errorf("%w: operator %q holds %d conversations", store.ErrHoldsConversations, id, held)
		}
		if err := s.checkNotOffered(ctx, q, id); err != nil {
			return err
		}
		q.deletedOperator(id)
		err := q.exec(ctx, s.q.deleteOperator, id)
		return err
	})
}

// checkNotOffered fails with store.ErrHoldsConversations if a conversation
// is offered to operator id. Offers may name thousands of operators and
// are not indexed per operator: this reads every offered conversation, as
// the memory store does, which is fine for the rare DeleteOperator.
func (s *Store) checkNotOffered(ctx context.Context, q *writeTx, id string) error {
	rows, err := q.query(ctx, s.q.listOffered)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			conv   string
			offers sql.NullString
		)
		if err := rows.Scan(&conv, &offers); err != nil {
			return err
		}
		ids, err := listOf("offered_to_json", offers)
		if err != nil {
			return fmt.Errorf("conversation %q: %w", conv, err)
		}
		if slices.Contains(ids, id) {
			return fmt.Errorf("%w: operator %q has conversation %q offered", store.ErrHoldsConversations, id, conv)
		}
	}
	return rows.Err()
}

// Operator returns one operator.
func (s *Store) Operator(ctx context.Context, id string) (store.Operator, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.Operator{}, err
	}
	defer done()
	if err := store.CheckID("operator id", id); err != nil {
		return store.Operator{}, err
	}
	if !validText(id) {
		return store.Operator{}, notFoundOperator(id)
	}
	op, err := scanOperator(s.reader().QueryRowContext(ctx, s.q.selectOperator, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Operator{}, notFoundOperator(id)
	}
	if err != nil {
		return store.Operator{}, s.mapError(ctx, "read operator", err)
	}
	return op, nil
}

// Operators returns every operator, ordered by id.
func (s *Store) Operators(ctx context.Context) ([]store.Operator, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := s.reader().QueryContext(ctx, s.q.listOperators)
	if err != nil {
		return nil, s.mapError(ctx, "read operators", err)
	}
	defer rows.Close()
	out := []store.Operator{}
	for rows.Next() {
		op, err := scanOperator(rows)
		if err != nil {
			return nil, s.mapError(ctx, "read operators", err)
		}
		out = append(out, op)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, "read operators", err)
	}
	return out, nil
}

// lockOperator reads operator id's row for a change, or fails with
// store.ErrNotFound.
func (s *Store) lockOperator(ctx context.Context, q *writeTx, id string) (store.Operator, error) {
	op, err := scanOperator(q.queryRow(ctx, s.q.lockOperator, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Operator{}, notFoundOperator(id)
	}
	return op, err
}

// lockOperators reads the rows of the operators among ids that exist, for
// a change, in the order of their ids (so that concurrent writes lock them
// in one order), and returns them by id.
func (s *Store) lockOperators(ctx context.Context, q *writeTx, ids []string) (map[string]store.Operator, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make(map[string]store.Operator, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) == 1 {
		op, err := scanOperator(q.queryRow(ctx, s.q.lockOperator, ids[0]))
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out[op.ID] = op
		return out, nil
	}
	rows, err := q.query(ctx, s.q.lockOperators, listArg(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		op, err := scanOperator(rows)
		if err != nil {
			return nil, err
		}
		out[op.ID] = op
	}
	return out, rows.Err()
}
