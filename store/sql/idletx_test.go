package sqlstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// The server ends a session of the store left idle inside a transaction (a
// client gone silent mid-transaction), so that it cannot hold row locks
// for ever.
func TestIdleInTransactionTimeoutIsSetOnTheStoresSessions(t *testing.T) {
	dsn := postgresDSN(t)
	for _, c := range []struct {
		name string
		dsn  string
		opts []sqlstore.Option
		want string
	}{
		{"default", dsn, nil, "10s"},
		{"option", dsn, []sqlstore.Option{sqlstore.WithIdleInTransactionTimeout(1500 * time.Millisecond)}, "1500ms"},
		{"the DSN's own setting wins", withParam(dsn, "idle_in_transaction_session_timeout=2000"), nil, "2s"},
	} {
		s, err := sqlstore.OpenPostgres(t.Context(), c.dsn, c.opts...)
		require.NoError(t, err, c.name)
		var got string
		require.NoError(t, sqlstore.DB(s).QueryRowContext(t.Context(), "SHOW idle_in_transaction_session_timeout").Scan(&got))
		require.Equal(t, c.want, got, c.name)
		require.NoError(t, s.Close())
	}
}
