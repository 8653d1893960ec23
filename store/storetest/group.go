package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// groupTests check the stored groups (Store.Groups, PutGroup, DeleteGroup).
var groupTests = []plainTest{
	{"Groups_EmptyAtStart", testGroupsEmpty},
	{"Groups_CreateAndCompareAndSet", testGroupsCompareAndSet},
	{"Groups_Copies", testGroupsCopies},
	{"Groups_Invalid", testGroupsInvalid},
	{"Groups_DeleteRefusedWhileInUse", testGroupsDeleteInUse},
	{"Groups_Delete", testGroupsDelete},
	{"Concurrency_GroupRace", testGroupRace},
}

// getGroups reads the groups of s, normalised.
func getGroups(t tb, s store.Store) []store.GroupRow {
	t.Helper()
	gs, err := s.Groups(bg)
	require.NoError(t, err)
	return normGroups(gs)
}

// putGroup stores g and returns what the store says it stored, normalised.
func putGroup(t tb, s store.Store, g store.GroupRow) store.GroupRow {
	t.Helper()
	got, err := s.PutGroup(bg, g)
	require.NoError(t, err)
	return normGroup(got)
}

// newGroup returns a group row to create.
func newGroup(id, config string, when time.Time) store.GroupRow {
	return store.GroupRow{ID: id, Config: []byte(config), UpdatedAt: when, UpdatedBy: "admin:ann"}
}

// testGroupsEmpty: a new store has no groups, and an empty list (not an
// error) says so.
func testGroupsEmpty(t *testing.T, s store.Store) {
	require.Empty(t, getGroups(t, s))
}

// testGroupsCompareAndSet: a group is created at version 0 and stored at
// version 1; each update expects the stored version, which grows by one;
// a create of an existing id fails with ErrAlreadyExists, an update of a
// stale or unknown version with ErrConflict, one of an unknown id with
// ErrNotFound, and none changes anything; config, time and author round
// trip; groups are listed by id.
func testGroupsCompareAndSet(t *testing.T, s store.Store) {
	when := time.Date(2025, time.March, 3, 9, 0, 1, 0, time.FixedZone("CET", 3600))
	first := newGroup("support", `{"policy":{"kind":"least-loaded"}}`, when)
	want := store.GroupRow{ID: "support", Config: first.Config, Version: 1, UpdatedAt: when.UTC(), UpdatedBy: "admin:ann"}
	require.Equal(t, want, putGroup(t, s, first))
	require.Equal(t, []store.GroupRow{want}, getGroups(t, s))

	requireFails(t, s, store.ErrAlreadyExists, func() error { _, err := s.PutGroup(bg, newGroup("support", "again", at(2))); return err })
	for _, stale := range []int64{2, 7} {
		g := newGroup("support", "other", at(2))
		g.Version = stale
		requireFails(t, s, store.ErrConflict, func() error { _, err := s.PutGroup(bg, g); return err }, "expecting version %d", stale)
	}
	ghost := newGroup("ghost", "x", at(2))
	ghost.Version = 1
	requireFails(t, s, store.ErrNotFound, func() error { _, err := s.PutGroup(bg, ghost); return err })
	require.Equal(t, []store.GroupRow{want}, getGroups(t, s))

	// Each next version, with or without an author; the config is bytes,
	// not text.
	config := []byte{0, 0xff, '\n', 'x'}
	second := putGroup(t, s, store.GroupRow{ID: "support", Version: 1, Config: config, UpdatedAt: at(3)})
	require.Equal(t, store.GroupRow{ID: "support", Version: 2, Config: config, UpdatedAt: at(3)}, second)
	large := bytes.Repeat([]byte("g"), store.MaxGroupConfigSize)
	third := putGroup(t, s, store.GroupRow{ID: "support", Version: 2, Config: large, UpdatedAt: at(4), UpdatedBy: longest("system")})
	require.Equal(t, store.GroupRow{ID: "support", Version: 3, Config: large, UpdatedAt: at(4), UpdatedBy: longest("system")}, third)

	// Other groups keep apart, and come back ordered by id, the longest
	// id too.
	long := putGroup(t, s, newGroup(longest("a"), "long", at(5)))
	sales := putGroup(t, s, newGroup("sales", "sales", at(5)))
	require.Equal(t, []store.GroupRow{long, sales, third}, getGroups(t, s))
	requireFails(t, s, store.ErrConflict, func() error {
		_, err := s.PutGroup(bg, store.GroupRow{ID: "support", Version: 2, Config: []byte("late"), UpdatedAt: at(6)})
		return err
	})

	// Groups and rows keep apart.
	createOp(t, s, "ann", ready, 0, "support")
	createConv(t, s, queuedConv("c1", "support", "", at(7)), store.Require{})
	require.Equal(t, []store.GroupRow{long, sales, third}, getGroups(t, s))
}

// testGroupsCopies: the config given to PutGroup, and those it and Groups
// return, share no memory with what the store keeps.
func testGroupsCopies(t *testing.T, s store.Store) {
	in := newGroup("support", "config", at(1))
	got, err := s.PutGroup(bg, in)
	require.NoError(t, err)
	in.Config[0] = 'X'
	got.Config[1] = 'X'
	read, err := s.Groups(bg)
	require.NoError(t, err)
	require.Equal(t, []byte("config"), read[0].Config)
	read[0].Config[2] = 'X'
	require.Equal(t, []byte("config"), getGroups(t, s)[0].Config)
}

// testGroupsInvalid: an empty or too long id, an empty or too large
// config, a zero UpdatedAt, a too long UpdatedBy or a negative version is
// refused by PutGroup with ErrInvalid, before the version is looked at;
// DeleteGroup refuses an empty or too long id and a version below 1 alike;
// nothing changes.
func testGroupsInvalid(t *testing.T, s store.Store) {
	putGroup(t, s, newGroup("support", "config", at(1)))
	ok := store.GroupRow{ID: "support", Version: 1, Config: []byte("next"), UpdatedAt: at(2), UpdatedBy: "admin"}
	for name, spoil := range map[string]func(g *store.GroupRow){
		"empty id":           func(g *store.GroupRow) { g.ID = "" },
		"long id":            func(g *store.GroupRow) { g.ID = tooLong("support") },
		"no config":          func(g *store.GroupRow) { g.Config = nil },
		"empty config":       func(g *store.GroupRow) { g.Config = []byte{} },
		"too large config":   func(g *store.GroupRow) { g.Config = make([]byte, store.MaxGroupConfigSize+1) },
		"zero time":          func(g *store.GroupRow) { g.UpdatedAt = time.Time{} },
		"long updated by":    func(g *store.GroupRow) { g.UpdatedBy = tooLong("admin") },
		"negative version":   func(g *store.GroupRow) { g.Version = -1 },
		"invalid and exists": func(g *store.GroupRow) { g.Version, g.Config = 0, nil },
	} {
		g := ok
		spoil(&g)
		requireFails(t, s, store.ErrInvalid, func() error { _, err := s.PutGroup(bg, g); return err }, name)
	}
	for name, del := range map[string]struct {
		id      string
		version int64
	}{
		"empty id":     {"", 1},
		"long id":      {tooLong("support"), 1},
		"version zero": {"support", 0},
		"negative":     {"support", -1},
	} {
		requireFails(t, s, store.ErrInvalid, func() error { return s.DeleteGroup(bg, del.id, del.version) }, name)
	}
	require.Equal(t, int64(2), putGroup(t, s, ok).Version, "the same call without the fault goes through")
}

// testGroupsDeleteInUse: a group is not deleted while a conversation of
// it is open, in any state but Closed, or while an operator lists it
// (ErrGroupInUse), nor at a stale version (ErrConflict); nothing changes.
// Once the conversations are closed and the operators serve other groups
// or are gone, it is deleted.
func testGroupsDeleteInUse(t *testing.T, s store.Store) {
	g := putGroup(t, s, newGroup("support", "config", at(0)))
	putGroup(t, s, newGroup("sales", "config", at(0)))
	inUse := func(msg string) {
		t.Helper()
		requireFails(t, s, store.ErrGroupInUse, func() error { return s.DeleteGroup(bg, "support", g.Version) }, msg)
	}

	createOp(t, s, "ann", ready, 0, "sales", "support")
	inUse("ann serves it")
	updated, err := s.UpdateOperator(bg, store.Operator{ID: "ann", Groups: []string{"sales"}})
	require.NoError(t, err)
	require.Equal(t, []string{"sales"}, updated.Groups)
	createOp(t, s, "bob", ready, 0, "support")
	inUse("bob serves it")
	require.NoError(t, s.DeleteOperator(bg, "bob"))

	// One conversation in each open state.
	createConv(t, s, queuedConv("queued", "support", "", at(1)), store.Require{})
	createConv(t, s, assignedConv("assigned", "support", "", "ann", at(1)), store.Require{})
	offered := queuedConv("offered", "support", "", at(1))
	offered.State, offered.OfferedTo = store.Offered, []string{"ann"}
	createConv(t, s, offered, store.Require{})
	for _, id := range []string{"queued", "assigned", "offered"} {
		inUse(id + " is open")
		apply(t, s, store.Change{Conversation: id, From: fromOpen, To: store.Closed, CloseReason: "done", At: at(2)})
	}
	// A conversation waiting on its customer is open too.
	createConv(t, s, assignedConv("waiting", "support", "", "ann", at(3)), store.Require{})
	apply(t, s, store.Change{Conversation: "waiting", From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "ann", At: at(3)})
	inUse("waiting is open")
	apply(t, s, store.Change{Conversation: "waiting", From: fromOpen, To: store.Closed, CloseReason: "done", At: at(4)})

	requireFails(t, s, store.ErrConflict, func() error { return s.DeleteGroup(bg, "support", g.Version+1) })
	// Closed conversations of the group do not hold it, nor do those and
	// the operators of other groups.
	createConv(t, s, queuedConv("other", "sales", "", at(5)), store.Require{})
	require.NoError(t, s.DeleteGroup(bg, "support", g.Version))
	require.Equal(t, []string{"sales"}, groupIDs(getGroups(t, s)))
}

// testGroupsDelete: a group deleted is gone (a second delete is
// ErrNotFound, as is one of an unknown id), its id may be created again
// at version 1, and the other groups stay.
func testGroupsDelete(t *testing.T, s store.Store) {
	putGroup(t, s, newGroup("support", "config", at(0)))
	sales := putGroup(t, s, newGroup("sales", "config", at(0)))
	requireFails(t, s, store.ErrNotFound, func() error { return s.DeleteGroup(bg, "ghost", 1) })
	require.NoError(t, s.DeleteGroup(bg, "support", 1))
	requireFails(t, s, store.ErrNotFound, func() error { return s.DeleteGroup(bg, "support", 1) })
	requireFails(t, s, store.ErrNotFound, func() error {
		_, err := s.PutGroup(bg, store.GroupRow{ID: "support", Version: 1, Config: []byte("x"), UpdatedAt: at(1)})
		return err
	})
	require.Equal(t, []store.GroupRow{sales}, getGroups(t, s))
	again := putGroup(t, s, newGroup("support", "new", at(2)))
	require.Equal(t, int64(1), again.Version)
	require.Equal(t, []store.GroupRow{sales, again}, getGroups(t, s))
}

// testGroupRace: many callers create the same group, then update it
// expecting the same version, at the same time; each time exactly one
// succeeds, the others fail with ErrAlreadyExists, then ErrConflict, and
// the winner's row is stored.
func testGroupRace(t *testing.T, s store.Store) {
	config := func(i int) []byte { return fmt.Appendf(nil, "config of %d", i) }
	for _, round := range []struct {
		version int64
		loses   error
	}{{0, store.ErrAlreadyExists}, {1, store.ErrConflict}} {
		stored := make([]store.GroupRow, racers)
		errs := race(func(i int) error {
			var err error
			stored[i], err = s.PutGroup(bg, store.GroupRow{ID: "support", Version: round.version, Config: config(i), UpdatedAt: at(1), UpdatedBy: fmt.Sprint("racer ", i)})
			return err
		})
		winner := oneWinner(t, errs, round.loses)
		want := store.GroupRow{ID: "support", Version: round.version + 1, Config: config(winner), UpdatedAt: at(1), UpdatedBy: fmt.Sprint("racer ", winner)}
		require.Equal(t, want, normGroup(stored[winner]))
		require.Equal(t, []store.GroupRow{want}, getGroups(t, s))
	}
}

// normGroup is normOp for group rows.
func normGroup(g store.GroupRow) store.GroupRow {
	g = g.Clone()
	g.Config = nilIfEmpty(g.Config)
	g.UpdatedAt = g.UpdatedAt.UTC()
	return g
}

// normGroups normalises each of gs; none is an empty list.
func normGroups(gs []store.GroupRow) []store.GroupRow {
	out := make([]store.GroupRow, 0, len(gs))
	for _, g := range gs {
		out = append(out, normGroup(g))
	}
	return out
}

// groupIDs lists the ids of gs.
func groupIDs(gs []store.GroupRow) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}
