package sqlstore_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// Routers sharing a PostgreSQL database compare their clocks with the
// server's; SQLite runs in the process and has none of its own.
func TestStoreClock(t *testing.T) {
	s, err := sqlstore.OpenPostgres(t.Context(), postgresDSN(t))
	require.NoError(t, err)
	defer s.Close()
	before := time.Now()
	now, err := s.Now(t.Context())
	require.NoError(t, err)
	require.WithinDuration(t, before, now, 5*time.Second, "this machine's server, on this machine's clock")

	lite, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	defer lite.Close()
	_, err = lite.Now(t.Context())
	require.ErrorIs(t, err, store.ErrUnsupported)
}

func TestStoreClockClosed(t *testing.T) {
	s, err := sqlstore.OpenPostgres(t.Context(), postgresDSN(t))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Now(t.Context())
	require.ErrorIs(t, err, store.ErrClosed)
}

// Sync returns once what the store has shown is on disk: on PostgreSQL it
// flushes, on SQLite commits are durable in place.
func TestStoreSync(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		s := b.mustMigrate(t)
		require.NoError(t, s.Sync(t.Context()))
		require.NoError(t, s.Close())
		if b.name == "Postgres" {
			require.ErrorIs(t, s.Sync(t.Context()), store.ErrClosed)
		}
	})
}
