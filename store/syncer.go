package store

import "context"

// Syncer is implemented by a Store whose reads may return changes that are
// not yet durable: the SQL store on PostgreSQL commits asynchronously and
// flushes after (see its package documentation), and another Store's
// commit is visible in between. A Router that acknowledges a command
// without writing (moving an operator to the status they are in) on the
// strength of such a read calls Sync first.
type Syncer interface {
	// Sync returns once every change the store has shown, to any reader
	// or through its feed, is durable.
	Sync(ctx context.Context) error
}
