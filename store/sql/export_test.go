package sqlstore

import (
	"context"
	"database/sql"

	"github.com/switchboard-go/switchboard/store"
)

// Hooks for the external tests.
var (
	// WithMigrations replaces the embedded migration files.
	WithMigrations = withMigrations
	// EmbeddedMigrations holds the migration files of the code.
	EmbeddedMigrations = embeddedMigrations
)

// RolledBackBatches returns how many batches of several writes the store
// rolled back to run each write alone.
func RolledBackBatches(s *Store) int64 { return s.batch.rolledBack.Load() }

// DB returns the store's pool.
func DB(s *Store) *sql.DB { return s.db }

// FeedLost returns how many connections the store's watches lost.
func FeedLost(s *Store) int64 { return s.feedLost.Load() }

// ReservedWords are the key words WithSchema refuses.
var ReservedWords = reservedWords

// DataTables names the tables of the dialect named ("sqlite" or
// "postgres") but the migrations table, without their prefix, in the
// order the migrations create them.
func DataTables(name string) []string {
	var d dialect = sqliteDialect{}
	if name == "postgres" {
		d = postgresDialect{}
	}
	var out []string
	for _, t := range dialectTables(d) {
		out = append(out, t.name)
	}
	return out
}

// MigrateTo brings the database's schema to the given version, older than
// the latest, as older code would have (see Store.migrateTo).
func MigrateTo(ctx context.Context, s *Store, version int) error { return s.migrateTo(ctx, version) }

// FilterQuery returns the query and arguments of Conversations(f) (see
// Store.filterQuery).
func FilterQuery(s *Store, f store.Filter) (string, []any, bool) { return s.filterQuery(f) }
