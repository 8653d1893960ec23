package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// TestOpenSQLiteNotADatabase: a file that is not a SQLite database is
// refused with an error naming it, and left as it was.
func TestOpenSQLiteNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	garbage := bytes.Repeat([]byte("this is not a database\n"), 400)
	require.NoError(t, os.WriteFile(path, garbage, 0o600))
	_, err := sqlstore.OpenSQLite(t.Context(), path)
	require.Error(t, err)
	require.Contains(t, err.Error(), path)
	require.Contains(t, err.Error(), "not a database")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, garbage, after, "the file is untouched")
}

// TestOpenPostgresNoSuchDatabase: a reachable server without the named
// database gives the server's reason.
func TestOpenPostgresNoSuchDatabase(t *testing.T) {
	postgresPool(t)
	u, err := url.Parse(postgresDSN(t))
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL for this test", postgresEnv)
	}
	u.Path = "/switchboard_no_such_db"
	_, err = sqlstore.OpenPostgres(t.Context(), u.String())
	require.Error(t, err)
	require.Contains(t, err.Error(), "connect to PostgreSQL database")
	require.Contains(t, err.Error(), `"switchboard_no_such_db" does not exist`)
}

// badRouterConfig is a router configuration on s with one group, "g".
func badRouterConfig(s store.Store) routing.Config {
	return routing.Config{Store: s, Clock: clock.NewMock(), ManualDeadlines: true, MaxClockSkew: -1,
		Groups: []routing.Group{{ID: "g", Policy: policy.LeastLoaded()}}}
}

// TestRouterOnCorruptedRow: a row the store cannot read (changed behind
// its back) makes opening a Router fail with an error naming the row and
// column, and nothing is written.
func TestRouterOnCorruptedRow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.mustMigrate(t)
		_, err := s.CreateOperator(ctx, store.Operator{ID: "ann", Status: "ready", Groups: []string{"g"}})
		require.NoError(t, err)
		_, err = s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: t0}, store.Require{})
		require.NoError(t, err)
		b.exec(t, "UPDATE "+b.table("switchboard_operators")+" SET groups_json = 'not json' WHERE id = 'ann'")

		_, err = routing.New(ctx, badRouterConfig(s))
		require.Error(t, err)
		require.Contains(t, err.Error(), "groups_json")
		c, err := s.Conversation(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, store.Queued, c.State, "nothing routed")
		require.EqualValues(t, 1, c.Version, "nothing written")
	})
}

// TestRouterOnClosedStore: once its store is closed, a Router's commands
// fail with ErrClosed and its view does not change; a Router cannot be
// opened on a closed store.
func TestRouterOnClosedStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := context.Background()
		s := b.mustMigrate(t)
		r, err := routing.New(ctx, badRouterConfig(s))
		require.NoError(t, err)
		defer r.Stop(context.Background())
		_, err = r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"g"}, Status: "ready"})
		require.NoError(t, err)
		before := r.Snapshot()
		require.NoError(t, s.Close())

		_, err = r.Enqueue(ctx, routing.NewConversation{ID: "c1", Group: "g"})
		require.ErrorIs(t, err, routing.ErrClosed)
		require.ErrorIs(t, r.SetStatus(ctx, routing.ByOperator("ann"), "ann", "away"), routing.ErrClosed)
		after := r.Snapshot()
		before.At, after.At = time.Time{}, time.Time{}
		require.Equal(t, before, after, "the view did not change")

		_, err = routing.New(ctx, badRouterConfig(s))
		require.ErrorIs(t, err, routing.ErrClosed)

		again := b.mustOpen(t)
		_, err = again.Conversation(ctx, "c1")
		require.ErrorIs(t, err, store.ErrNotFound, "nothing written")
	})
}

// incompressible returns n bytes of hex digits that PostgreSQL cannot
// compress below the size of an index row (as it would a repeated byte).
func incompressible(n int) string {
	var b strings.Builder
	sum := sha256.Sum256(nil)
	for b.Len() < n {
		sum = sha256.Sum256(sum[:])
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()[:n]
}

// TestIDsOfKilobytesRefusedAsInvalid: ids of a few kilobytes, which
// PostgreSQL cannot index (SQLSTATE 54000) or send in a notification
// (22023), are refused by both dialects with store.ErrInvalid before
// anything is written, as longer than store.MaxIDLength.
func TestIDsOfKilobytesRefusedAsInvalid(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		for _, n := range []int{3000, 9000} {
			long := incompressible(n)
			_, err := s.CreateOperator(ctx, store.Operator{ID: long, Status: "ready"})
			require.ErrorIs(t, err, store.ErrInvalid, "%d bytes", n)
			_, err = s.CreateConversation(ctx, store.Conversation{ID: long, Group: "g", State: store.Queued, CreatedAt: t0}, store.Require{})
			require.ErrorIs(t, err, store.ErrInvalid, "%d bytes", n)
			_, err = s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", CustomerID: long, State: store.Queued, CreatedAt: t0}, store.Require{})
			require.ErrorIs(t, err, store.ErrInvalid, "%d bytes", n)
		}
		require.Zero(t, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_operators")))
		require.Zero(t, b.count(t, "SELECT count(*) FROM "+b.table("switchboard_conversations")))
	})
}
