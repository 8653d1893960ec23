package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

var _ store.Clock = (*Store)(nil)

// Now returns the time on the database server's clock (see store.Clock):
// Routers that share a PostgreSQL database compare their clocks with it.
// It works on a database whatever its schema.
// On SQLite, which runs in the process, it fails with
// store.ErrUnsupported.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	q := s.d.clock()
	if q == "" {
		return time.Time{}, fmt.Errorf("%w: sqlstore: %s has no clock of its own", store.ErrUnsupported, s.d.name())
	}
	// The clock does not depend on the schema: no enter.
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return time.Time{}, fmt.Errorf("%w: sqlstore", store.ErrClosed)
	}
	var t time.Time
	if err := s.reader().QueryRowContext(ctx, q).Scan(&t); err != nil {
		return time.Time{}, s.mapError(ctx, "read the clock", err)
	}
	return t, nil
}

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
