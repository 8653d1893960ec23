package store

import (
	"context"
	"time"
)

// Clock is implemented by a Store that several Routers share and whose
// database has a clock of its own (the SQL store on PostgreSQL): the one
// clock all of them can compare theirs with. Routers that share a store
// must agree on time, since each acts on deadlines the others set; each
// measures its offset to the store's clock (see routing.Config.MaxClockSkew).
type Clock interface {
	// Now returns the current time on the store's clock. It fails with
	// ErrUnsupported if the store has no clock of its own.
	Now(ctx context.Context) (time.Time, error)
}
