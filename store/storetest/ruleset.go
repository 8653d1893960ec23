package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// ruleSetTests check the stored rule set (Store.RuleSet, SetRuleSet).
var ruleSetTests = []plainTest{
	{"RuleSet_EmptyAtStart", testRuleSetEmpty},
	{"RuleSet_CompareAndSet", testRuleSetCompareAndSet},
	{"RuleSet_Copies", testRuleSetCopies},
	{"RuleSet_Invalid", testRuleSetInvalid},
	{"Concurrency_RuleSetRace", testRuleSetRace},
}

// getRuleSet reads the rule set of s, normalised.
func getRuleSet(t tb, s store.Store) store.RuleSet {
	t.Helper()
	rs, err := s.RuleSet(bg)
	require.NoError(t, err)
	return normRuleSet(rs)
}

// setRuleSet stores rs and returns what the store says it stored,
// normalised.
func setRuleSet(t tb, s store.Store, rs store.RuleSet) store.RuleSet {
	t.Helper()
	got, err := s.SetRuleSet(bg, rs)
	require.NoError(t, err)
	return normRuleSet(got)
}

// testRuleSetEmpty: a new store has no rule set: Version 0, no body.
func testRuleSetEmpty(t *testing.T, s store.Store) {
	require.Equal(t, store.RuleSet{}, getRuleSet(t, s))
}

// testRuleSetCompareAndSet: the first rule set is stored at version 0,
// each next one at the version stored, which grows by one; a stale or
// unknown version fails with store.ErrConflict and changes nothing; body,
// time and author round trip.
func testRuleSetCompareAndSet(t *testing.T, s store.Store) {
	when := time.Date(2025, time.March, 3, 9, 0, 1, 0, time.FixedZone("CET", 3600))
	first := store.RuleSet{Body: []byte(`{"rules":["vip"]}`), UpdatedAt: when, UpdatedBy: "admin:ann"}
	want := store.RuleSet{Version: 1, Body: first.Body, UpdatedAt: when.UTC(), UpdatedBy: "admin:ann"}
	require.Equal(t, want, setRuleSet(t, s, first))
	require.Equal(t, want, getRuleSet(t, s))

	for _, stale := range []int64{0, 2, 7} {
		rs := store.RuleSet{Version: stale, Body: []byte("other"), UpdatedAt: at(2), UpdatedBy: "bob"}
		requireFails(t, s, store.ErrConflict, func() error { _, err := s.SetRuleSet(bg, rs); return err }, "expecting version %d", stale)
	}
	require.Equal(t, want, getRuleSet(t, s))

	// Each next version, with or without an author; the body is bytes,
	// not text.
	body := []byte{0, 0xff, '\n', 'x'}
	second := setRuleSet(t, s, store.RuleSet{Version: 1, Body: body, UpdatedAt: at(3)})
	require.Equal(t, store.RuleSet{Version: 2, Body: body, UpdatedAt: at(3)}, second)
	third := setRuleSet(t, s, store.RuleSet{Version: 2, Body: []byte("third"), UpdatedAt: at(4), UpdatedBy: longest("system")})
	require.Equal(t, store.RuleSet{Version: 3, Body: []byte("third"), UpdatedAt: at(4), UpdatedBy: longest("system")}, third)
	require.Equal(t, third, getRuleSet(t, s))
	requireFails(t, s, store.ErrConflict, func() error {
		_, err := s.SetRuleSet(bg, store.RuleSet{Version: 2, Body: []byte("late"), UpdatedAt: at(5)})
		return err
	})

	// The largest body.
	large := bytes.Repeat([]byte("r"), store.MaxRuleSetSize)
	require.Equal(t, int64(4), setRuleSet(t, s, store.RuleSet{Version: 3, Body: large, UpdatedAt: at(6)}).Version)
	require.Equal(t, large, getRuleSet(t, s).Body)

	// Rule sets and rows keep apart.
	createOp(t, s, "ann", ready, 0, "sales")
	createConv(t, s, queuedConv("c1", "sales", "", at(7)), store.Require{})
	require.Equal(t, int64(4), getRuleSet(t, s).Version)
	requireConv(t, getConv(t, s, "c1"), getConv(t, s, "c1"))
}

// testRuleSetCopies: the body given to SetRuleSet, and those it and
// RuleSet return, share no memory with what the store keeps.
func testRuleSetCopies(t *testing.T, s store.Store) {
	in := store.RuleSet{Body: []byte("rules"), UpdatedAt: at(1), UpdatedBy: "admin"}
	got, err := s.SetRuleSet(bg, in)
	require.NoError(t, err)
	in.Body[0] = 'X'
	got.Body[1] = 'X'
	read, err := s.RuleSet(bg)
	require.NoError(t, err)
	require.Equal(t, []byte("rules"), read.Body)
	read.Body[2] = 'X'
	require.Equal(t, []byte("rules"), getRuleSet(t, s).Body)
}

// testRuleSetInvalid: an empty or too large body, a zero UpdatedAt, a too
// long UpdatedBy or a negative version is refused with store.ErrInvalid,
// before the version is looked at, and nothing changes.
func testRuleSetInvalid(t *testing.T, s store.Store) {
	setRuleSet(t, s, store.RuleSet{Body: []byte("rules"), UpdatedAt: at(1), UpdatedBy: "admin"})
	ok := store.RuleSet{Version: 1, Body: []byte("next"), UpdatedAt: at(2), UpdatedBy: "admin"}
	for name, spoil := range map[string]func(rs *store.RuleSet){
		"no body":          func(rs *store.RuleSet) { rs.Body = nil },
		"empty body":       func(rs *store.RuleSet) { rs.Body = []byte{} },
		"too large body":   func(rs *store.RuleSet) { rs.Body = make([]byte, store.MaxRuleSetSize+1) },
		"zero time":        func(rs *store.RuleSet) { rs.UpdatedAt = time.Time{} },
		"long updated by":  func(rs *store.RuleSet) { rs.UpdatedBy = tooLong("admin") },
		"negative version": func(rs *store.RuleSet) { rs.Version = -1 },
		"invalid and stale": func(rs *store.RuleSet) {
			rs.Version, rs.Body = 0, nil
		},
	} {
		rs := ok
		spoil(&rs)
		requireFails(t, s, store.ErrInvalid, func() error { _, err := s.SetRuleSet(bg, rs); return err }, name)
	}
	require.Equal(t, int64(2), setRuleSet(t, s, ok).Version, "the same call without the fault goes through")
}

// testRuleSetRace: many callers store a rule set expecting the same
// version at the same time; exactly one succeeds, the others fail with
// store.ErrConflict, and the winner's rule set is stored.
func testRuleSetRace(t *testing.T, s store.Store) {
	setRuleSet(t, s, store.RuleSet{Body: []byte("v1"), UpdatedAt: at(0)})
	body := func(i int) []byte { return fmt.Appendf(nil, "rules of %d", i) }
	stored := make([]store.RuleSet, racers)
	errs := race(func(i int) error {
		var err error
		stored[i], err = s.SetRuleSet(bg, store.RuleSet{Version: 1, Body: body(i), UpdatedAt: at(1), UpdatedBy: fmt.Sprint("racer ", i)})
		return err
	})
	winner := oneWinner(t, errs, store.ErrConflict)
	want := store.RuleSet{Version: 2, Body: body(winner), UpdatedAt: at(1), UpdatedBy: fmt.Sprint("racer ", winner)}
	require.Equal(t, want, normRuleSet(stored[winner]))
	require.Equal(t, want, getRuleSet(t, s))
}
