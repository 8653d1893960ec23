package store_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

func TestRuleSetValidateSetNamesTheField(t *testing.T) {
	ok := store.RuleSet{Version: 2, Body: []byte("rules"), UpdatedAt: testTime, UpdatedBy: strings.Repeat("a", store.MaxIDLength)}
	require.NoError(t, ok.ValidateSet())
	require.NoError(t, store.RuleSet{Body: make([]byte, store.MaxRuleSetSize), UpdatedAt: testTime}.ValidateSet())
	for name, tc := range map[string]struct {
		mutate func(rs *store.RuleSet)
		want   string
	}{
		"negative version": {func(rs *store.RuleSet) { rs.Version = -1 }, "version -1 is negative"},
		"no body":          {func(rs *store.RuleSet) { rs.Body = nil }, "body is empty"},
		"empty body":       {func(rs *store.RuleSet) { rs.Body = []byte{} }, "body is empty"},
		"large body": {func(rs *store.RuleSet) { rs.Body = make([]byte, store.MaxRuleSetSize+1) },
			"body of 1048577 bytes is larger than MaxRuleSetSize (1048576)"},
		"zero time":       {func(rs *store.RuleSet) { rs.UpdatedAt = zeroTime }, "update time is zero"},
		"long updated by": {func(rs *store.RuleSet) { rs.UpdatedBy += "a" }, "rule set: updated by "},
	} {
		t.Run(name, func(t *testing.T) {
			rs := ok
			tc.mutate(&rs)
			err := rs.ValidateSet()
			require.ErrorIs(t, err, store.ErrInvalid)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestRuleSetNextAndCheckVersion: what SetRuleSet stores is the next
// version, with a body of its own; only the stored version is expected.
func TestRuleSetNextAndCheckVersion(t *testing.T) {
	rs := store.RuleSet{Version: 4, Body: []byte("rules"), UpdatedAt: testTime, UpdatedBy: "admin"}
	next := rs.Next()
	require.Equal(t, store.RuleSet{Version: 5, Body: []byte("rules"), UpdatedAt: testTime, UpdatedBy: "admin"}, next)
	next.Body[0] = 'X'
	require.Equal(t, []byte("rules"), rs.Body)
	clone := rs.Clone()
	clone.Body[0] = 'X'
	require.Equal(t, []byte("rules"), rs.Body)

	require.NoError(t, rs.CheckVersion(4))
	err := rs.CheckVersion(5)
	require.ErrorIs(t, err, store.ErrConflict)
	require.EqualError(t, err, "switchboard: row changed concurrently: rule set is at version 5, want 4")
}
