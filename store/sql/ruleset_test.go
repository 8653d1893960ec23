package sqlstore_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// TestRuleSetHistoryKept: every rule set stored is kept as a row of its
// own, for audit; the current one is the highest version, and a refused
// SetRuleSet adds none.
func TestRuleSetHistoryKept(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		for v := range int64(3) {
			_, err := s.SetRuleSet(ctx, store.RuleSet{Version: v, Body: fmt.Appendf(nil, "rules %d", v+1), UpdatedAt: t0, UpdatedBy: "admin"})
			require.NoError(t, err)
		}
		_, err := s.SetRuleSet(ctx, store.RuleSet{Version: 1, Body: []byte("stale"), UpdatedAt: t0})
		require.ErrorIs(t, err, store.ErrConflict)
		table := b.table("switchboard_rule_sets")
		require.Equal(t, 3, b.count(t, "SELECT count(*) FROM "+table))
		require.Equal(t, 1, b.count(t, "SELECT count(*) FROM "+table+" WHERE version = 1 AND updated_by = 'admin'"))
		rs, err := s.RuleSet(ctx)
		require.NoError(t, err)
		require.Equal(t, store.RuleSet{Version: 3, Body: []byte("rules 3"), UpdatedAt: t0, UpdatedBy: "admin"}, rs)
	})
}

// TestRuleFieldsAndRuleSetSurviveReopen: the rule set and a
// conversation's rule fields are on disk: a store opened anew on the
// database reads them back.
func TestRuleFieldsAndRuleSetSurviveReopen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *backend) {
		ctx := t.Context()
		s := b.mustMigrate(t)
		_, err := s.CreateConversation(ctx, store.Conversation{ID: "c1", Group: "g", State: store.Queued, CreatedAt: t0,
			Tags: []string{"vip"}, Preferred: "ann", OffHours: true, Rules: []store.RuleMatch{{Rule: "night", Changes: []string{"off hours"}}}},
			store.Require{})
		require.NoError(t, err)
		p := store.Profile{Priority: 2, Tags: []string{"vip", "b2b"}, Preferred: "bob", Rules: []store.RuleMatch{{Rule: "vip"}}}
		_, err = s.Apply(ctx, store.Change{Conversation: "c1", From: []store.State{store.Queued}, To: store.Queued, Profile: &p, At: t0})
		require.NoError(t, err)
		stored, err := s.SetRuleSet(ctx, store.RuleSet{Body: []byte("rules"), UpdatedAt: t0.Add(time.Nanosecond), UpdatedBy: "admin"})
		require.NoError(t, err)
		before, err := s.Conversation(ctx, "c1")
		require.NoError(t, err)
		require.NoError(t, s.Close())

		again := b.mustOpen(t)
		after, err := again.Conversation(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, before, after)
		require.Equal(t, p, after.Profile())
		rs, err := again.RuleSet(ctx)
		require.NoError(t, err)
		require.Equal(t, stored, rs)
	})
}

// TestRuleSetRaceAcrossStores: Stores with pools of their own on one
// PostgreSQL database store rule sets expecting the same version at the
// same time, round after round: in each round exactly one succeeds, and
// the versions run 1, 2, ... without a gap.
func TestRuleSetRaceAcrossStores(t *testing.T) {
	stores, pool, schema := storesOnOneSchema(t, 4)
	const callers, rounds = 16, 5
	for round := range int64(rounds) {
		start := make(chan struct{})
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				<-start
				_, errs[i] = stores[i%len(stores)].SetRuleSet(t.Context(), store.RuleSet{Version: round,
					Body: fmt.Appendf(nil, "round %d caller %d", round, i), UpdatedAt: t0, UpdatedBy: fmt.Sprint("caller ", i)})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, winner, "round %d: callers %d and %d both succeeded", round, max(winner, 0), i)
				winner = i
				continue
			}
			require.ErrorIs(t, err, store.ErrConflict, "round %d, caller %d", round, i)
		}
		require.NotEqual(t, -1, winner, "round %d: nobody succeeded", round)
		for _, s := range stores {
			rs, err := s.RuleSet(t.Context())
			require.NoError(t, err)
			require.Equal(t, round+1, rs.Version)
			require.Equal(t, fmt.Sprintf("round %d caller %d", round, winner), string(rs.Body))
		}
	}
	var n, top int64
	require.NoError(t, pool.QueryRowContext(t.Context(), "SELECT count(*), max(version) FROM "+schema+".switchboard_rule_sets").Scan(&n, &top))
	require.Equal(t, int64(rounds), n)
	require.Equal(t, int64(rounds), top)
}
