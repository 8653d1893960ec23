package sqlstore

import (
	"context"

	"github.com/switchboard-go/switchboard/store"
)

var _ store.Syncer = (*Store)(nil)

// Sync returns once every change committed to the database before the call
// is on disk (see store.Syncer): on PostgreSQL, whose write transactions
// commit asynchronously and are flushed after, it runs the flush; on
// SQLite, and on a PostgreSQL user who may not run it (see the package
// documentation), commits are durable in place and it returns at once.
func (s *Store) Sync(ctx context.Context) error {
	if s.flushAfter == "" {
		return nil
	}
	done, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer done()
	if _, err := s.db.ExecContext(ctx, s.flushAfter); err != nil {
		return s.mapError(ctx, "sync", err)
	}
	return nil
}
