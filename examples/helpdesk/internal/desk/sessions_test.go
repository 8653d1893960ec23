package desk_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
)

// TestSessionsLastUntilTheyExpireOrEnd: a session is found by its token
// until it expires or is ended; the table holds no token, and the CSRF
// token is checked exactly.
func TestSessionsLastUntilTheyExpireOrEnd(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		anna := desk.Account{ID: "anna", Name: "Anna", Role: desk.Operator}
		require.NoError(t, k.CreateAccount(ctx, anna, "secret-anna", t0))
		s, err := k.NewSession(ctx, "anna", t0, time.Hour)
		require.NoError(t, err)
		require.Len(t, s.Token, 43, "32 random bytes")
		require.NotEqual(t, s.Token, s.CSRF)

		got, err := k.Session(ctx, s.Token, t0.Add(59*time.Minute))
		require.NoError(t, err)
		require.Equal(t, anna, got.Account)
		require.True(t, got.CheckCSRF(s.CSRF))
		require.False(t, got.CheckCSRF(""))
		require.False(t, got.CheckCSRF(s.CSRF[:len(s.CSRF)-1]))
		_, err = k.Session(ctx, s.Token, t0.Add(time.Hour))
		require.ErrorIs(t, err, desk.ErrNoSession, "expired")
		_, err = k.Session(ctx, "made-up", t0)
		require.ErrorIs(t, err, desk.ErrNoSession)
		_, err = k.Session(ctx, "", t0)
		require.ErrorIs(t, err, desk.ErrNoSession)

		var hash, csrf string
		require.NoError(t, db.QueryRow("SELECT token_hash, csrf FROM helpdesk_sessions").Scan(&hash, &csrf))
		require.NotContains(t, hash, s.Token, "the token itself is not stored")
		require.Len(t, hash, 64, "its SHA-256, in hex")
		require.Equal(t, s.CSRF, csrf)

		other, err := k.NewSession(ctx, "anna", t0, time.Hour)
		require.NoError(t, err)
		require.NotEqual(t, s.Token, other.Token)
		require.NotEqual(t, s.CSRF, other.CSRF)
		require.NoError(t, k.EndSession(ctx, other.Token))
		_, err = k.Session(ctx, other.Token, t0)
		require.ErrorIs(t, err, desk.ErrNoSession, "ended")
		require.NoError(t, k.EndSession(ctx, "made-up"))

		n, err := k.PruneSessions(ctx, t0.Add(2*time.Hour))
		require.NoError(t, err)
		require.Equal(t, int64(1), n, "the expired one")
		require.Zero(t, count(t, db, "helpdesk_sessions"))

		_, err = k.NewSession(ctx, "nobody", t0, time.Hour)
		require.ErrorIs(t, err, desk.ErrNotFound)
		_, err = k.NewSession(ctx, "anna", t0, 0)
		require.ErrorIs(t, err, desk.ErrInvalid)
	})
}
