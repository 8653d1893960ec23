package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the desk's pool on PostgreSQL
	_ "modernc.org/sqlite"             // the "sqlite" driver

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// database is where the help desk keeps everything: Switchboard's tables
// (the store) and the desk's, in one database.
type database struct {
	store *sqlstore.Store
	desk  *desk.Desk
	pool  *sql.DB
}

// openDatabase opens and migrates the database target names: a PostgreSQL
// URL, or else a SQLite file. On SQLite the store and the desk share one
// connection, so that their writes queue up instead of contending for the
// file's lock.
func openDatabase(ctx context.Context, target string) (*database, error) {
	db := &database{}
	var err error
	if strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://") {
		if db.store, err = sqlstore.OpenPostgres(ctx, target); err != nil {
			return nil, fmt.Errorf("opening PostgreSQL: %w", err) // the URL is not repeated: it may hold a password
		}
		if db.pool, err = sql.Open("pgx", target); err != nil {
			db.close()
			return nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		err = db.finish(ctx, desk.Postgres)
	} else {
		if db.pool, err = sqlstore.OpenSQLiteDB(ctx, target); err != nil {
			return nil, fmt.Errorf("opening %s: %w", target, err)
		}
		if db.store, err = sqlstore.New(ctx, db.pool, sqlstore.SQLite); err != nil {
			db.close()
			return nil, fmt.Errorf("opening %s: %w", target, err)
		}
		err = db.finish(ctx, desk.SQLite)
	}
	if err != nil {
		db.close()
		return nil, err
	}
	return db, nil
}

// finish migrates the store and opens the desk.
func (db *database) finish(ctx context.Context, d desk.Dialect) error {
	if err := db.store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrating the database: %w", err)
	}
	var err error
	db.desk, err = desk.Open(ctx, db.pool, d)
	return err
}

// close closes what is open.
func (db *database) close() {
	if db.store != nil {
		_ = db.store.Close()
	}
	if db.pool != nil {
		_ = db.pool.Close()
	}
}

// newPassword returns a random password of 12 letters and digits.
func newPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
