package sqlstore

import "database/sql"

// Hooks for the external tests.
var (
	// WithMigrations replaces the embedded migration files.
	WithMigrations = withMigrations
	// EmbeddedMigrations holds the migration files of the code.
	EmbeddedMigrations = embeddedMigrations
)

// DB returns the store's pool.
func DB(s *Store) *sql.DB { return s.db }
