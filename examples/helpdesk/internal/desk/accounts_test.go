package desk_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
)

// TestAccountsLogIn: an account logs in with its password only; a wrong
// password and an unknown login get the same refusal.
func TestAccountsLogIn(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		anna := desk.Account{ID: "anna", Name: "Anna Schmidt", Role: desk.Operator}
		boss := desk.Account{ID: "boss", Name: "Bo Ss", Role: desk.Supervisor}
		require.NoError(t, k.CreateAccount(ctx, anna, "secret-anna", t0))
		require.NoError(t, k.CreateAccount(ctx, boss, "secret-boss", t0))

		got, err := k.Authenticate(ctx, "anna", "secret-anna")
		require.NoError(t, err)
		require.Equal(t, anna, got)
		_, err = k.Authenticate(ctx, "anna", "secret-boss")
		require.ErrorIs(t, err, desk.ErrBadLogin)
		_, err = k.Authenticate(ctx, "nobody", "secret-anna")
		require.ErrorIs(t, err, desk.ErrBadLogin)

		got, err = k.Account(ctx, "boss")
		require.NoError(t, err)
		require.Equal(t, boss, got)
		_, err = k.Account(ctx, "nobody")
		require.ErrorIs(t, err, desk.ErrNotFound)
		all, err := k.Accounts(ctx)
		require.NoError(t, err)
		require.Equal(t, []desk.Account{anna, boss}, all)

		var hash string
		require.NoError(t, db.QueryRow("SELECT password_hash FROM helpdesk_accounts WHERE id = 'anna'").Scan(&hash))
		require.NotContains(t, hash, "secret-anna")
		require.True(t, strings.HasPrefix(hash, "$2a$"), "a bcrypt hash")

		// bcrypt compares the first 72 bytes only: a longer password
		// that starts with a right one is still wrong.
		long := strings.Repeat("p", desk.MaxPassword)
		require.NoError(t, k.CreateAccount(ctx, desk.Account{ID: "long", Name: "Long", Role: desk.Operator}, long, t0))
		_, err = k.Authenticate(ctx, "long", long)
		require.NoError(t, err)
		_, err = k.Authenticate(ctx, "long", long+"zzz")
		require.ErrorIs(t, err, desk.ErrBadLogin)
	})
}

// TestAccountsRefuseBadInput: a taken login, a malformed login, name, role
// or password are refused, and no account is added.
func TestAccountsRefuseBadInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		require.NoError(t, k.CreateAccount(ctx, desk.Account{ID: "anna", Name: "Anna", Role: desk.Operator}, "secret-anna", t0))
		require.ErrorIs(t, k.CreateAccount(ctx, desk.Account{ID: "anna", Name: "Other", Role: desk.Operator}, "secret-other", t0), desk.ErrExists)
		for name, tc := range map[string]struct {
			a        desk.Account
			password string
		}{
			"upper-case login": {desk.Account{ID: "Anna2", Name: "A", Role: desk.Operator}, "secret-pw"},
			"empty login":      {desk.Account{Name: "A", Role: desk.Operator}, "secret-pw"},
			"login with slash": {desk.Account{ID: "a/b", Name: "A", Role: desk.Operator}, "secret-pw"},
			"long login":       {desk.Account{ID: strings.Repeat("a", 65), Name: "A", Role: desk.Operator}, "secret-pw"},
			"empty name":       {desk.Account{ID: "b", Role: desk.Operator}, "secret-pw"},
			"long name":        {desk.Account{ID: "b", Name: strings.Repeat("n", desk.MaxName+1), Role: desk.Operator}, "secret-pw"},
			"bad UTF-8 name":   {desk.Account{ID: "b", Name: "\xff", Role: desk.Operator}, "secret-pw"},
			"unknown role":     {desk.Account{ID: "b", Name: "B", Role: "root"}, "secret-pw"},
			"short password":   {desk.Account{ID: "b", Name: "B", Role: desk.Operator}, "short"},
			"long password":    {desk.Account{ID: "b", Name: "B", Role: desk.Operator}, strings.Repeat("p", desk.MaxPassword+1)},
		} {
			require.ErrorIs(t, k.CreateAccount(ctx, tc.a, tc.password, t0), desk.ErrInvalid, name)
		}
		require.Equal(t, 1, count(t, db, "helpdesk_accounts"))
	})
}

// TestCreateAccountsAllOrNone: accounts created together are all there,
// or, when one login is taken or one is bad, none is.
func TestCreateAccountsAllOrNone(t *testing.T) {
	forEachDB(t, func(t *testing.T, k *desk.Desk, db *sql.DB, d desk.Dialect) {
		ctx := context.Background()
		anna := desk.NewAccount{Account: desk.Account{ID: "anna", Name: "Anna", Role: desk.Operator}, Password: "secret-anna"}
		ben := desk.NewAccount{Account: desk.Account{ID: "ben", Name: "Ben", Role: desk.Operator}, Password: "secret-ben"}
		cleo := desk.NewAccount{Account: desk.Account{ID: "cleo", Name: "Cleo", Role: desk.Supervisor}, Password: "secret-cleo"}
		require.NoError(t, k.CreateAccount(ctx, ben.Account, ben.Password, t0))
		require.ErrorIs(t, k.CreateAccounts(ctx, []desk.NewAccount{anna, ben}, t0), desk.ErrExists)
		require.ErrorIs(t, k.CreateAccounts(ctx, []desk.NewAccount{anna, anna}, t0), desk.ErrExists)
		bad := cleo
		bad.Password = "short"
		require.ErrorIs(t, k.CreateAccounts(ctx, []desk.NewAccount{anna, bad}, t0), desk.ErrInvalid)
		require.Equal(t, 1, count(t, db, "helpdesk_accounts"), "only ben, from before")
		require.NoError(t, k.CreateAccounts(ctx, []desk.NewAccount{anna, cleo}, t0))
		_, err := k.Authenticate(ctx, "cleo", "secret-cleo")
		require.NoError(t, err)
		require.Equal(t, 3, count(t, db, "helpdesk_accounts"))
	})
}
