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
