package sqlstore

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// freshPostgres returns a Store on a fresh schema of the test database,
// named prefix and random hex, migrated and dropped with the test; false
// when SWITCHBOARD_TEST_POSTGRES is not set, which fails the test under CI.
func freshPostgres(t *testing.T, prefix string) (*Store, bool) {
	t.Helper()
	dsn := os.Getenv("SWITCHBOARD_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SWITCHBOARD_TEST_POSTGRES is not set: under CI the PostgreSQL tests must run")
		}
		return nil, false
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	s, err := OpenPostgres(t.Context(), dsn, WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = s.db.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE")
		_ = s.Close()
	})
	require.NoError(t, s.Migrate(t.Context()))
	return s, true
}
