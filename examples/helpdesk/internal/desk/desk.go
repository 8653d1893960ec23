// Package desk keeps the help desk's own data, beside Switchboard's tables
// in the same database: the staff's accounts and their login sessions, the
// visitors' tokens, and the messages of each conversation. Switchboard
// decides who holds a conversation; what was said in it is the host's, and
// lives here.
//
// A Desk works on a database/sql pool of SQLite (driver "sqlite",
// modernc.org/sqlite) or PostgreSQL (driver "pgx"). Its tables are named
// helpdesk_…; Open creates them if they are missing. Times are passed in
// by the caller and stored as Unix nanoseconds. Session and visitor
// tokens are stored as their SHA-256 only, and passwords as bcrypt
// hashes; a session's CSRF token, of no use without the session's, is
// stored as it is. On SQLite the pool should enforce foreign keys
// (_pragma=foreign_keys(1)), as PostgreSQL does.
package desk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/bcrypt"
	"modernc.org/sqlite"
)

// Errors. Every refusal wraps one of them; bad input changes nothing.
var (
	// ErrInvalid: the input is malformed (an empty or too long field, an
	// unknown role).
	ErrInvalid = errors.New("desk: invalid input")
	// ErrExists: an account with that login exists already.
	ErrExists = errors.New("desk: already exists")
	// ErrBadLogin: no account has that login and password.
	ErrBadLogin = errors.New("desk: wrong login or password")
	// ErrNoSession: the token names no session, or one that expired or
	// ended.
	ErrNoSession = errors.New("desk: no such session")
	// ErrNotFound: no such account or visitor.
	ErrNotFound = errors.New("desk: not found")
)

// Dialect names the database a Desk works on.
type Dialect string

// The dialects a Desk speaks.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Desk is the help desk's data on one database. It is safe for concurrent
// use.
type Desk struct {
	db   *sql.DB
	d    Dialect
	cost int
	// dummy is a hash at cost, compared with when a login is unknown, so
	// that a wrong login takes as long as a wrong password.
	dummy func() []byte
}

// Option configures a Desk.
type Option func(*Desk)

// WithBcryptCost sets the cost of the password hashes made from now on
// (bcrypt.DefaultCost unless set; tests use bcrypt.MinCost).
func WithBcryptCost(cost int) Option { return func(d *Desk) { d.cost = cost } }

// Open returns a Desk on db, creating its tables if they are missing. The
// pool stays the caller's.
func Open(ctx context.Context, db *sql.DB, d Dialect, opts ...Option) (*Desk, error) {
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("%w: dialect %q", ErrInvalid, d)
	}
	k := &Desk{db: db, d: d, cost: bcrypt.DefaultCost}
	for _, o := range opts {
		o(k)
	}
	if k.cost < bcrypt.MinCost || k.cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("%w: bcrypt cost %d", ErrInvalid, k.cost)
	}
	k.dummy = sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), k.cost)
		return h
	})
	if err := k.createTables(ctx); err != nil {
		return nil, fmt.Errorf("desk: create tables: %w", err)
	}
	return k, nil
}

// schemaLock is the PostgreSQL advisory lock under which the tables are
// created: two processes creating them at once would both find them
// missing, and one would fail on the catalogue's unique index.
const schemaLock = 0x68656c7064657368 // "helpdesh"

// createTables creates the desk's tables that are missing, in one
// transaction; on PostgreSQL under schemaLock. SQLite serializes the
// transaction on the file's lock.
func (k *Desk) createTables(ctx context.Context) error {
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a rollback after the commit does nothing
	if k.d == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLock)); err != nil {
			return err
		}
	}
	for _, stmt := range schema(k.d) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// q returns query, written with ? placeholders, in the dialect's form.
func (k *Desk) q(query string) string {
	if k.d != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// SQLite's extended result codes of a unique or primary-key violation.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// isUnique reports whether err is a unique-constraint violation, by the
// database's error code.
func isUnique(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqliteConstraintUnique || lite.Code() == sqliteConstraintPrimaryKey
	}
	return false
}
