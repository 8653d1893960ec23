package sqlstore

import (
	"context"
)

// Mismatch is an operator whose load counter differs from the number of
// conversations assigned to them.
type Mismatch struct {
	// Operator is the operator's id.
	Operator string
	// Load is the operator's stored load counter.
	Load int
	// Assigned counts the conversations in the Assigned state whose
	// assignee is the operator.
	Assigned int
}

// Reconcile compares every operator's load counter with the number of
// conversations assigned to them, in one statement (so on one consistent
// view of the database), and returns the operators where they differ,
// ordered by id; none when the store is consistent. It changes nothing.
func (s *Store) Reconcile(ctx context.Context) ([]Mismatch, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := s.reader().QueryContext(ctx, s.q.reconcile)
	if err != nil {
		return nil, s.mapError(ctx, "reconcile", err)
	}
	defer rows.Close()
	var out []Mismatch
	for rows.Next() {
		var m Mismatch
		if err := rows.Scan(&m.Operator, &m.Load, &m.Assigned); err != nil {
			return nil, s.mapError(ctx, "reconcile", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(ctx, "reconcile", err)
	}
	return out, nil
}
