package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-go/switchboard/store"
)

// Schema errors. Each matches store.ErrInvalid too: the database given to
// the store is not one it can work with, and nothing was changed.
var (
	// ErrSchemaOutdated reports a database whose schema is older than this
	// code (an empty database included). Open succeeds on it, so that
	// Migrate can be called; every other call fails with this error until
	// Migrate has run.
	ErrSchemaOutdated = fmt.Errorf("%w: database schema is older than this code, call Migrate", store.ErrInvalid)
	// ErrSchemaTooNew reports a database migrated by a newer version of
	// this code. The store refuses to open it: it never downgrades a
	// schema.
	ErrSchemaTooNew = fmt.Errorf("%w: database schema is newer than this code", store.ErrInvalid)
	// ErrForeignSchema reports tables with this store's names that the
	// store did not create, or whose columns are not the ones it expects.
	// The store refuses to open or migrate such a database, and changes
	// nothing in it.
	ErrForeignSchema = fmt.Errorf("%w: database holds tables this store did not create", store.ErrInvalid)
)

// storeErrors lists the sentinels of package store; an error matching one
// of them was produced by the store's own checks and is returned as is.
var storeErrors = []error{
	store.ErrClosed, store.ErrInvalid, store.ErrNotFound, store.ErrAlreadyExists, store.ErrAlreadyTaken,
	store.ErrWrongState, store.ErrConflict, store.ErrOverCapacity, store.ErrNotAllowed,
	store.ErrNotAssignee, store.ErrHoldsConversations, store.ErrGroupInUse,
}

// isStoreError reports whether err matches a sentinel of package store.
func isStoreError(err error) bool {
	for _, s := range storeErrors {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// errDBClosed is the text database/sql gives to the (unexported) error it
// returns for a call on a closed *sql.DB.
const errDBClosed = "sql: database is closed"

// isClosedDB reports whether err says the *sql.DB or its connection is
// closed.
func isClosedDB(err error) bool {
	return errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), errDBClosed)
}

// mapError turns an error from a database call made by op into the error a
// Store method returns: the context's error when ctx is done, the store's
// own errors as they are, a closed database as store.ErrClosed, a database
// no connection could be made to as store.ErrUnavailable, a unique
// violation as store.ErrAlreadyExists, a retryable failure as
// store.ErrConflict, and anything else wrapped with op.
func (s *Store) mapError(ctx context.Context, op string, err error) error {
	var commitErr commitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &commitErr) && !s.d.isRetryable(err) && !isClosedDB(err):
		// Maybe committed: say so.
		return fmt.Errorf("%w: sqlstore: %s: commit failed: %w", store.ErrOutcomeUnknown, op, commitErr.err)
	case ctx.Err() != nil:
		return ctx.Err()
	case isStoreError(err):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case isClosedDB(err):
		return fmt.Errorf("%w: sqlstore: %s: %v", store.ErrClosed, op, err)
	case s.d.unreachable(err):
		return fmt.Errorf("%w: sqlstore: %s: %w", store.ErrUnavailable, op, err)
	case s.d.isUniqueViolation(err):
		return fmt.Errorf("%w: sqlstore: %s: %v", store.ErrAlreadyExists, op, err)
	case s.d.isRetryable(err):
		return fmt.Errorf("%w: sqlstore: %s: the database kept reporting a conflict: %v", store.ErrConflict, op, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

func notFoundOperator(id string) error {
	return fmt.Errorf("%w: operator %q", store.ErrNotFound, id)
}

func notFoundConversation(id string) error {
	return fmt.Errorf("%w: conversation %q", store.ErrNotFound, id)
}
