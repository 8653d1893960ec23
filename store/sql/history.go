package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// StatusHistory returns the operator's status intervals that overlap
// [from, to), oldest first. The history of a removed operator is kept.
func (s *Store) StatusHistory(ctx context.Context, operatorID string, from, to time.Time) ([]store.StatusInterval, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := store.CheckIDLength("operator id", operatorID); err != nil {
		return nil, err
	}
	out := []store.StatusInterval{}
	if !validText(operatorID) {
		return out, nil
	}
	rows, err := s.reader().QueryContext(ctx, s.q.history, operatorID, boundArg(to), boundArg(from))
	if err != nil {
		return nil, s.mapError(ctx, "read status history", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i          store.StatusInterval
			start, end sql.NullInt64
		)
		if err := rows.Scan(&i.Operator, &i.Status, &start, &end); err != nil {
			return nil, s.mapError(ctx, "read status history", err)
		}
		i.From, i.To = timeOf(start), timeOf(end)
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, "read status history", err)
	}
	return out, nil
}

// LoadChange is one change of an operator's load, as the load history
// keeps it.
type LoadChange struct {
	// Seq orders the changes: an operator's changes in Seq order are in
	// the order they were committed.
	Seq int64
	// Operator is whose load changed, Conversation the conversation that
	// came or went.
	Operator, Conversation string
	// Delta is +1 (the conversation counts toward the operator's load
	// from now on) or -1 (it no longer does).
	Delta int
	// Load is the operator's load after the change.
	Load int
	// At is when the change happened (the router's clock).
	At time.Time
	// Cap is the cap the change was checked against: the store refused
	// it if the operator's load was already at Cap. Zero for a change
	// made without a cap (a release, a transfer, a manual take allowed
	// over the cap, an admin's assignment).
	Cap int
}

// LoadHistory returns every change of the operator's load, or of every
// operator's when operatorID is empty, in Seq order: who held which
// conversation from when to when. The history of a removed operator is
// kept. The history grows with every assignment and release, as the status
// history grows with every status change; nothing prunes either.
func (s *Store) LoadHistory(ctx context.Context, operatorID string) ([]LoadChange, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := store.CheckIDLength("operator id", operatorID); err != nil {
		return nil, err
	}
	query, args := s.q.allLoadHistory, []any(nil)
	if operatorID != "" {
		query, args = s.q.loadHistory, []any{operatorID}
	}
	rows, err := s.reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.mapError(ctx, "read load history", err)
	}
	defer rows.Close()
	out := []LoadChange{}
	for rows.Next() {
		var (
			c  LoadChange
			at int64
		)
		if err := rows.Scan(&c.Seq, &c.Operator, &c.Conversation, &c.Delta, &c.Load, &at, &c.Cap); err != nil {
			return nil, s.mapError(ctx, "read load history", err)
		}
		c.At = time.Unix(0, at).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, "read load history", err)
	}
	return out, nil
}
