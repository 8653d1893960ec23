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
