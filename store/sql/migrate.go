package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/store"
)

// embeddedMigrations holds the schema, one directory per dialect, one file
// per version: NNNN_name.sql. In the files, {{schema}} stands for the
// schema qualifier ("name." or nothing) and {{prefix}} for the table
// prefix; statements end with a semicolon at the end of a line.
//
//go:embed migrations
var embeddedMigrations embed.FS

// migration is one version of the schema.
type migration struct {
	version    int
	name       string
	statements []string
}

var migrationFile = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads the migrations of one dialect from fsys, which has
// the layout of the migrations directory. Versions must run 1, 2, ...
func loadMigrations(fsys fs.FS, dialect string) ([]migration, error) {
	dir := dialect
	if _, err := fs.Stat(fsys, "migrations"); err == nil {
		dir = path.Join("migrations", dialect)
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations of %s: %w", dialect, err)
	}
	var out []migration
	for _, e := range entries {
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlstore: migrations of %s: file %q is not named NNNN_name.sql", dialect, e.Name())
		}
		text, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migrations of %s: %w", dialect, err)
		}
		v, _ := strconv.Atoi(m[1])
		out = append(out, migration{version: v, name: m[2], statements: splitStatements(string(text))})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlstore: migrations of %s: version %d follows version %d", dialect, m.version, i)
		}
	}
	return out, nil
}

// splitStatements splits a migration file into statements, dropping blank
// lines and comment lines.
func splitStatements(text string) []string {
	var (
		out []string
		cur strings.Builder
	)
	for line := range strings.SplitSeq(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// Migrate brings the database's schema to the latest version, creating
// the schema given with WithSchema if needed, in one transaction: either
// every missing migration is applied and recorded, or none is. It does
// nothing on a database already at the latest version, and is safe to run
// from several processes at once. It fails with ErrSchemaTooNew on a
// database migrated by newer code and with ErrForeignSchema on one holding
// tables with the store's names that the store did not create.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrateTo(ctx, len(s.migrations))
}

// migrateTo is Migrate up to version target (for tests, which make
// databases of older versions): below the latest version it applies the
// migrations up to target and records them, but leaves the store unusable
// (ErrSchemaOutdated), as a store of the latest version finds such a
// database.
func (s *Store) migrateTo(ctx context.Context, target int) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return fmt.Errorf("%w: sqlstore", store.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	expand := strings.NewReplacer("{{schema}}", qualifier(s.cfg.schema), "{{prefix}}", s.cfg.prefix).Replace
	err := s.inTx(ctx, "migrate", func(q querier) error {
		if err := s.d.lockMigrations(ctx, q, "switchboard migrations "+s.n.migrations); err != nil {
			return err
		}
		v, err := s.schemaVersion(ctx, q)
		if err != nil {
			return err
		}
		if err := s.tooNew(v); err != nil {
			return err
		}
		if v < target {
			if s.cfg.schema != "" {
				if _, err := q.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+s.cfg.schema); err != nil {
					return fmt.Errorf("create schema %s: %w", s.cfg.schema, err)
				}
			}
			if _, err := q.ExecContext(ctx, s.d.migrationsTable(s.n.migrations)); err != nil {
				return fmt.Errorf("create table %s: %w", s.n.migrations, err)
			}
		}
		for _, m := range s.migrations[min(v, target):target] {
			for _, st := range m.statements {
				if _, err := q.ExecContext(ctx, expand(st)); err != nil {
					return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
				}
			}
			if _, err := q.ExecContext(ctx, s.q.insertMigration, m.version, m.name); err != nil {
				return fmt.Errorf("migration %04d_%s: record it: %w", m.version, m.name, err)
			}
		}
		if target < len(s.migrations) {
			return nil
		}
		return s.checkColumns(ctx, q)
	})
	if err != nil || target < len(s.migrations) {
		return err
	}
	if err := s.prepareAll(ctx); err != nil {
		return s.mapError(ctx, "migrate", err)
	}
	s.migrated.Store(true)
	return nil
}

// checkSchema checks the database's schema: it returns ErrSchemaTooNew,
// ErrForeignSchema, ErrSchemaOutdated, or nil after recording that the
// schema is the latest.
func (s *Store) checkSchema(ctx context.Context) error {
	v, err := s.schemaVersion(ctx, s.db)
	if err != nil {
		return s.mapError(ctx, "check schema", err)
	}
	if err := s.tooNew(v); err != nil {
		return err
	}
	if v < len(s.migrations) {
		return fmt.Errorf("%w: %s is at schema version %d, this code needs version %d", ErrSchemaOutdated, s.what, v, len(s.migrations))
	}
	if err := s.checkColumns(ctx, s.db); err != nil {
		return s.mapError(ctx, "check schema", err)
	}
	if err := s.prepareAll(ctx); err != nil {
		return s.mapError(ctx, "check schema", err)
	}
	s.migrated.Store(true)
	return nil
}

// tooNew returns ErrSchemaTooNew if version is newer than the code's.
func (s *Store) tooNew(version int) error {
	if version > len(s.migrations) {
		return fmt.Errorf("%w: %s is at schema version %d, this code knows versions up to %d", ErrSchemaTooNew, s.what, version, len(s.migrations))
	}
	return nil
}

// schemaVersion returns the number of migrations the database records, 0
// if it has no migrations table. It fails with ErrForeignSchema if the
// store's tables exist without a record of their migration, or if the
// records do not match the code's migrations.
func (s *Store) schemaVersion(ctx context.Context, q querier) (int, error) {
	ok, err := s.d.tableExists(ctx, q, s.cfg.schema, s.cfg.prefix+tableMigrations)
	if err != nil {
		return 0, err
	}
	if !ok {
		for _, t := range dialectTables(s.d) {
			ok, err := s.d.tableExists(ctx, q, s.cfg.schema, s.cfg.prefix+t.name)
			if err != nil {
				return 0, err
			}
			if ok {
				return 0, fmt.Errorf("%w: %s has a table %s%s but no table %s records its migrations",
					ErrForeignSchema, s.what, qualifier(s.cfg.schema)+s.cfg.prefix, t.name, s.n.migrations)
			}
		}
		return 0, nil
	}
	rows, err := q.QueryContext(ctx, s.q.listMigrations)
	if err != nil {
		return 0, s.foreign(ctx, err, "table %s is not a migrations table", s.n.migrations)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			version int
			name    string
		)
		if err := rows.Scan(&version, &name); err != nil {
			return 0, s.foreign(ctx, err, "table %s is not a migrations table", s.n.migrations)
		}
		n++
		if version != n {
			return 0, fmt.Errorf("%w: table %s records version %d where version %d was expected", ErrForeignSchema, s.n.migrations, version, n)
		}
		if n <= len(s.migrations) && s.migrations[n-1].name != name {
			return 0, fmt.Errorf("%w: table %s records migration %04d_%s where this code has %04d_%s",
				ErrForeignSchema, s.n.migrations, version, name, version, s.migrations[n-1].name)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, s.foreign(ctx, err, "table %s is not a migrations table", s.n.migrations)
	}
	return n, nil
}

// checkColumns checks that every table has the columns the code uses.
func (s *Store) checkColumns(ctx context.Context, q querier) error {
	for _, t := range dialectTables(s.d) {
		name := qualifier(s.cfg.schema) + s.cfg.prefix + t.name
		rows, err := q.QueryContext(ctx, "SELECT "+t.columns+" FROM "+name+" WHERE 1 = 0")
		if err != nil {
			return s.foreign(ctx, err, "table %s does not have the columns this code expects", name)
		}
		_ = rows.Close()
	}
	return nil
}

// foreign returns the error of a schema check that failed with err: the
// context's error when ctx is done, a closed database as is, and
// otherwise ErrForeignSchema with the message and err.
func (s *Store) foreign(ctx context.Context, err error, format string, args ...any) error {
	if ctx.Err() != nil || isClosedDB(err) {
		return err
	}
	return fmt.Errorf("%w: %s: %s: %v", ErrForeignSchema, s.what, fmt.Sprintf(format, args...), err)
}
