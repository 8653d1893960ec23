package desk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Role is what an account may do.
type Role string

// The roles. An operator serves conversations; a supervisor watches and
// steers the desk, and is an admin to the Router.
const (
	Operator   Role = "operator"
	Supervisor Role = "supervisor"
)

// Account is a member of the staff. Its ID is their login, and their
// operator id in the Router.
type Account struct {
	ID   string
	Name string
	Role Role
}

// Limits on what an account holds.
const (
	// MaxName is the longest name, in bytes.
	MaxName = 100
	// MaxPassword is the longest password bcrypt takes, in bytes.
	MaxPassword = 72
	// MinPassword is the shortest password accepted.
	MinPassword = 8
)

// validLogin is the form of a login: what an operator id in a URL needs
// no escaping for.
var validLogin = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// checkName checks a display name.
func checkName(what, name string) error {
	if name == "" || len(name) > MaxName || !utf8.ValidString(name) {
		return fmt.Errorf("%w: %s must be 1 to %d bytes of UTF-8", ErrInvalid, what, MaxName)
	}
	return nil
}

// CreateAccount adds an account with password, at now. It fails with
// ErrInvalid for a login not of 1 to 64 lower-case letters, digits, '.',
// '_' or '-' (starting with a letter or digit), a bad name, role or
// password (MinPassword to MaxPassword bytes), and ErrExists when the
// login is taken.
func (k *Desk) CreateAccount(ctx context.Context, a Account, password string, now time.Time) error {
	return k.CreateAccounts(ctx, []NewAccount{{Account: a, Password: password}}, now)
}

// NewAccount is an account to create and its password.
type NewAccount struct {
	Account
	Password string
}

// CreateAccounts adds the accounts at now, all or none: it fails as
// CreateAccount does for any of them (ErrExists when a login is taken,
// also by another of them), and then adds none.
func (k *Desk) CreateAccounts(ctx context.Context, accounts []NewAccount, now time.Time) error {
	hashes := make([][]byte, len(accounts))
	for i, a := range accounts {
		switch {
		case !validLogin.MatchString(a.ID):
			return fmt.Errorf("%w: login %q", ErrInvalid, a.ID)
		case a.Role != Operator && a.Role != Supervisor:
			return fmt.Errorf("%w: role %q", ErrInvalid, a.Role)
		case len(a.Password) < MinPassword || len(a.Password) > MaxPassword:
			return fmt.Errorf("%w: a password has %d to %d bytes", ErrInvalid, MinPassword, MaxPassword)
		}
		if err := checkName("name", a.Name); err != nil {
			return err
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(a.Password), k.cost)
		if err != nil {
			return fmt.Errorf("desk: hash password: %w", err)
		}
		hashes[i] = hash
	}
	tx, err := k.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("desk: create accounts: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a rollback after the commit does nothing
	for i, a := range accounts {
		_, err = tx.ExecContext(ctx, k.q(`INSERT INTO helpdesk_accounts (id, name, role, password_hash, created_ns) VALUES (?, ?, ?, ?, ?)`),
			a.ID, a.Name, string(a.Role), string(hashes[i]), now.UnixNano())
		switch {
		case err != nil && isUnique(err):
			return fmt.Errorf("%w: account %q", ErrExists, a.ID)
		case err != nil:
			return fmt.Errorf("desk: create account %q: %w", a.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		if isUnique(err) {
			return fmt.Errorf("%w: an account of these", ErrExists)
		}
		return fmt.Errorf("desk: create accounts: %w", err)
	}
	return nil
}

// Authenticate returns the account whose login and password these are,
// or ErrBadLogin: the same, after a bcrypt comparison, for an unknown
// login, a wrong password and one longer than MaxPassword (which bcrypt
// would compare by its first 72 bytes only).
func (k *Desk) Authenticate(ctx context.Context, login, password string) (Account, error) {
	var a Account
	var role, hash string
	err := k.db.QueryRowContext(ctx, k.q(`SELECT id, name, role, password_hash FROM helpdesk_accounts WHERE id = ?`), login).
		Scan(&a.ID, &a.Name, &role, &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_ = bcrypt.CompareHashAndPassword(k.dummy(), []byte(password))
		return Account{}, ErrBadLogin
	case err != nil:
		return Account{}, fmt.Errorf("desk: authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || len(password) > MaxPassword {
		return Account{}, ErrBadLogin
	}
	a.Role = Role(role)
	return a, nil
}

// Account returns the account id, or ErrNotFound.
func (k *Desk) Account(ctx context.Context, id string) (Account, error) {
	var a Account
	var role string
	err := k.db.QueryRowContext(ctx, k.q(`SELECT id, name, role FROM helpdesk_accounts WHERE id = ?`), id).Scan(&a.ID, &a.Name, &role)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Account{}, fmt.Errorf("%w: account %q", ErrNotFound, id)
	case err != nil:
		return Account{}, fmt.Errorf("desk: account %q: %w", id, err)
	}
	a.Role = Role(role)
	return a, nil
}

// Accounts returns every account, by login.
func (k *Desk) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := k.db.QueryContext(ctx, `SELECT id, name, role FROM helpdesk_accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("desk: accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var role string
		if err := rows.Scan(&a.ID, &a.Name, &role); err != nil {
			return nil, fmt.Errorf("desk: accounts: %w", err)
		}
		a.Role = Role(role)
		out = append(out, a)
	}
	return out, rows.Err()
}
