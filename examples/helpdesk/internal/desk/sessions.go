package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Session is a member of the staff logged in: the cookie's token, the
// token every state-changing request of theirs must carry (CSRF), and when
// it expires.
type Session struct {
	// Token is the session cookie's value; only its hash is stored, so
	// the table does not let anyone log in.
	Token   string
	CSRF    string
	Account Account
	Expires time.Time
}

// newToken returns 32 random bytes in URL-safe base64.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken returns what is stored of token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSession starts a session of account id, at now, lasting ttl.
func (k *Desk) NewSession(ctx context.Context, id string, now time.Time, ttl time.Duration) (Session, error) {
	a, err := k.Account(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if ttl <= 0 {
		return Session{}, fmt.Errorf("%w: session lifetime %v", ErrInvalid, ttl)
	}
	s := Session{Token: newToken(), CSRF: newToken(), Account: a, Expires: now.Add(ttl)}
	_, err = k.db.ExecContext(ctx, k.q(`INSERT INTO helpdesk_sessions (token_hash, account_id, csrf, expires_ns) VALUES (?, ?, ?, ?)`),
		hashToken(s.Token), a.ID, s.CSRF, s.Expires.UnixNano())
	if err != nil {
		return Session{}, fmt.Errorf("desk: new session: %w", err)
	}
	return s, nil
}

// Session returns the session of token at now, or ErrNoSession.
func (k *Desk) Session(ctx context.Context, token string, now time.Time) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	var s Session
	var role string
	var expires int64
	err := k.db.QueryRowContext(ctx, k.q(`SELECT a.id, a.name, a.role, s.csrf, s.expires_ns
		FROM helpdesk_sessions s JOIN helpdesk_accounts a ON a.id = s.account_id WHERE s.token_hash = ?`), hashToken(token)).
		Scan(&s.Account.ID, &s.Account.Name, &role, &s.CSRF, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Session{}, ErrNoSession
	case err != nil:
		return Session{}, fmt.Errorf("desk: session: %w", err)
	}
	s.Token, s.Account.Role, s.Expires = token, Role(role), time.Unix(0, expires)
	if !now.Before(s.Expires) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// CheckCSRF reports whether got is the session's CSRF token, in constant
// time.
func (s Session) CheckCSRF(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) == 1
}

// EndSession ends the session of token (a log out); an unknown token is
// no error.
func (k *Desk) EndSession(ctx context.Context, token string) error {
	if _, err := k.db.ExecContext(ctx, k.q(`DELETE FROM helpdesk_sessions WHERE token_hash = ?`), hashToken(token)); err != nil {
		return fmt.Errorf("desk: end session: %w", err)
	}
	return nil
}

// PruneSessions removes the sessions expired by now and returns how many.
func (k *Desk) PruneSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := k.db.ExecContext(ctx, k.q(`DELETE FROM helpdesk_sessions WHERE expires_ns <= ?`), now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("desk: prune sessions: %w", err)
	}
	return res.RowsAffected()
}
