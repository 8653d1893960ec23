package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// TestFollowTakesRowsByVersion: rows another Router's changes left in the
// store are taken only when newer than the view's; a deleted operator
// leaves; Follow returns the groups whose queues may now be routed.
func TestFollowTakesRowsByVersion(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", policy.LeastLoaded()), groupOf("support", policy.LeastLoaded()))
	ann := operatorRow("ann", r, "sales")
	ann.Version = 5
	newBook(t, v, []store.Operator{ann, operatorRow("bob", r, "support")}, []store.Conversation{queuedRow("q1", "sales", 1)})

	older := operatorRow("ann", presence.StatusAway, "sales")
	older.Version = 4
	oldQ := queuedRow("q1", "sales", 1)
	oldQ.Priority = 9
	groups := v.Follow(store.Rows{Operators: []store.Operator{older}, Conversations: []store.Conversation{oldQ}}, at(0))
	require.Equal(t, []string{"sales"}, groups)
	o, err := v.Operator("ann")
	require.NoError(t, err)
	require.Equal(t, r, o.Status, "an older row is not taken")
	q, _ := v.Conversation("q1")
	require.Zero(t, q.Priority)

	newer := older
	newer.Version = 6
	other := operatorRow("zed", r, "elsewhere") // a group this view does not serve
	groups = v.Follow(store.Rows{Operators: []store.Operator{newer, other}, GoneOperators: []string{"bob", "nobody"}}, at(0))
	require.Equal(t, []string{"sales", "support"}, groups)
	o, _ = v.Operator("ann")
	require.Equal(t, presence.StatusAway, o.Status)
	_, err = v.Operator("bob")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = v.Operator("zed")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// TestResyncReplacesRowsWhateverVersions: after the store lost changes,
// a resync puts the store's rows in place of the view's even when older,
// and drops the rows it no longer has (a phantom at the head of a queue,
// an operator deleted, or moved to a group the view does not serve).
func TestResyncReplacesRowsWhateverVersions(t *testing.T) {
	r := presence.StatusReady
	ann := loaded(operatorRow("ann", r, "sales"), 1, t0.Add(-time.Hour))
	ann.Version = 5
	ph := queuedRow("ph", "sales", 1)
	ph.Priority = 9
	q1 := queuedRow("q1", "sales", 2)
	q1.Version = 3
	a1 := assignedRow("a1", "sales", 3, "ann")
	a1.Version = 4
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	newBook(t, v, []store.Operator{ann, operatorRow("bob", r, "sales"), operatorRow("cat", r, "sales")},
		[]store.Conversation{ph, q1, a1})
	require.Equal(t, []string{"a1"}, v.Held("ann"))
	require.Equal(t, "ph", groupInfo(t, v, "sales").Oldest)

	// The store's rows, as it has them after losing changes.
	annStore := operatorRow("ann", presence.StatusAway, "sales")
	annStore.Version = 3
	catStore := operatorRow("cat", r, "elsewhere")
	catStore.Version = 7
	q1Store := queuedRow("q1", "sales", 2)
	q1Store.Priority, q1Store.Version = 3, 2
	a1Store := queuedRow("a1", "sales", 3)
	a1Store.Version = 3

	// By version, none of them would be taken.
	v.AbsorbOperator(annStore, true)
	v.Follow(store.Rows{Conversations: []store.Conversation{q1Store, a1Store}}, at(0))
	o, _ := v.Operator("ann")
	require.Equal(t, int64(5), o.Version)
	c, _ := v.Conversation("a1")
	require.Equal(t, store.Assigned, c.State)

	start := v.Gen()
	v.Resync(start, []store.Operator{annStore, catStore}, []store.Conversation{q1Store, a1Store}, []string{"ph"}, at(time.Second))

	o, err := v.Operator("ann")
	require.NoError(t, err)
	require.Equal(t, annStore, o)
	require.False(t, v.Accepting("ann"))
	for _, id := range []string{"bob", "cat"} {
		_, err = v.Operator(id)
		require.ErrorIs(t, err, store.ErrNotFound, id)
	}
	_, ok := v.Conversation("ph")
	require.False(t, ok, "the phantom is gone")
	c, _ = v.Conversation("q1")
	require.Equal(t, q1Store, c)
	c, _ = v.Conversation("a1")
	require.Equal(t, store.Queued, c.State)
	require.Empty(t, v.Held("ann"))
	require.Equal(t, 1, v.Position(&q1Store))
	require.Equal(t, 2, v.Position(&a1Store))
	g := groupInfo(t, v, "sales")
	require.Equal(t, 2, g.Queued)
	require.False(t, g.Online)
	require.Zero(t, g.Accepting)
}

// TestResyncKeepsRowsChangedSinceGen: a row the view changed after Gen
// was read (a write acknowledged during the store's read) is newer than
// the read: a resync neither drops it nor replaces it with an older row.
func TestResyncKeepsRowsChangedSinceGen(t *testing.T) {
	r := presence.StatusReady
	ph := queuedRow("ph", "sales", 1)
	ph.Skills = []string{"de"}
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	b := newBook(t, v, []store.Operator{operatorRow("ann", r, "sales"), operatorRow("bob", r, "sales")}, []store.Conversation{ph})

	start := v.Gen()
	// The store is read (below); meanwhile this Router's own writes are
	// absorbed.
	p := planNew(t, v, newRow("n1", "sales", 0))
	require.Equal(t, ReasonBehindQueue, p.Decision.Reason)
	b.commit(v, &p, t0)
	b.absorbStatus(v, "bob", presence.StatusAway, t0)
	cat := operatorRow("cat", r, "sales")
	v.AbsorbOperator(cat, false)
	require.Greater(t, v.Gen(), start)

	read := []store.Operator{operatorRow("ann", r, "sales"), operatorRow("bob", r, "sales")}
	v.Resync(start, read, nil, []string{"ph", "n1"}, at(time.Second))

	_, ok := v.Conversation("ph")
	require.False(t, ok, "unchanged since the read began, and not in the store")
	n1, ok := v.Conversation("n1")
	require.True(t, ok, "created during the read")
	require.Equal(t, 1, v.Position(&n1))
	o, err := v.Operator("bob")
	require.NoError(t, err)
	require.Equal(t, presence.StatusAway, o.Status, "the older row read is not taken")
	_, err = v.Operator("cat")
	require.NoError(t, err, "added during the read")
	g := groupInfo(t, v, "sales")
	require.Equal(t, 1, g.Queued)
	require.Equal(t, "n1", g.Oldest)
	require.Equal(t, 2, g.Accepting)
}

// TestRefreshReplacesRereadRows: rows re-read after a stale refusal
// replace the view's whatever their versions, and those the store does
// not have leave, unless they changed since Gen was read.
func TestRefreshReplacesRereadRows(t *testing.T) {
	r := presence.StatusReady
	o1 := offeredRow("o1", "sales", 1, "ann", "bob")
	o1.Version = 4
	v := newView(t, groupOf("sales", policy.Broadcast(0)))
	newBook(t, v, []store.Operator{operatorRow("ann", r, "sales"), operatorRow("bob", r, "sales")},
		[]store.Conversation{o1, queuedRow("ph", "sales", 2)})

	o1Store := queuedRow("o1", "sales", 1)
	o1Store.Version = 2
	annStore := operatorRow("ann", presence.StatusCanHelp, "sales")
	annStore.Version = 1
	start := v.Gen()
	v.Refresh(start, &o1Store, "o1", false, []store.Operator{annStore}, []string{"bob"}, at(0))

	c, ok := v.Conversation("o1")
	require.True(t, ok)
	require.Equal(t, o1Store, c)
	o, err := v.Operator("ann")
	require.NoError(t, err)
	require.Equal(t, annStore, o)
	_, err = v.Operator("bob")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Zero(t, operatorInfo(t, v, "ann").Offers)
	require.Equal(t, 1, groupInfo(t, v, "sales").OfferAvailable)
	require.Zero(t, groupInfo(t, v, "sales").AutoAvailable, "can-help takes no automatic assignment")

	v.Refresh(v.Gen(), nil, "ph", true, nil, nil, at(0))
	_, ok = v.Conversation("ph")
	require.False(t, ok)

	// A newer row absorbed during the read wins over the read.
	start = v.Gen()
	o1Newer := offeredRow("o1", "sales", 1, "ann")
	o1Newer.Version = 3
	v.Follow(store.Rows{Conversations: []store.Conversation{o1Newer}}, at(0))
	o1Older := o1Store
	o1Older.Version = 1
	v.Refresh(start, &o1Older, "o1", false, nil, nil, at(0))
	c, _ = v.Conversation("o1")
	require.Equal(t, int64(3), c.Version)
	v.Refresh(start, nil, "o1", true, nil, nil, at(0))
	c, ok = v.Conversation("o1")
	require.True(t, ok, "changed since the read began: not dropped")
	require.Equal(t, []string{"ann"}, c.OfferedTo)
	require.Equal(t, 1, operatorInfo(t, v, "ann").Offers)
}

// TestTombstonesKeepClosedConversationOut: once a close is absorbed, an
// older open row of the conversation (a feed's notice, a resync begun
// before the close) does not bring it back; a resync begun after the
// close lets the store's row back (the store lost the close).
func TestTombstonesKeepClosedConversationOut(t *testing.T) {
	r := presence.StatusReady
	annRow := loaded(operatorRow("ann", r, "sales"), 1, t0.Add(-time.Minute))
	c1 := assignedRow("c1", "sales", 1, "ann")
	v := newView(t, groupOf("sales", policy.LeastLoaded()))
	b := newBook(t, v, []store.Operator{annRow}, []store.Conversation{c1})
	require.Equal(t, []string{"c1"}, v.Held("ann"))

	before := v.Gen()
	ch := store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Closed, CloseReason: "done", At: t0}
	p := PlanApply(ch)
	out := b.commit(v, &p, t0)
	require.Equal(t, store.Closed, out.Result.Conversation.State)
	_, ok := v.Conversation("c1")
	require.False(t, ok)
	require.Empty(t, v.Held("ann"))
	o, _ := v.Operator("ann")
	require.Zero(t, o.Load)

	// A feed's notice of an earlier change arrives late.
	v.Follow(store.Rows{Conversations: []store.Conversation{c1}}, at(time.Second))
	_, ok = v.Conversation("c1")
	require.False(t, ok, "an older open row after the close is kept out")
	require.Empty(t, v.Held("ann"))
	queuedOld := queuedRow("c1", "sales", 1)
	v.Follow(store.Rows{Conversations: []store.Conversation{queuedOld}}, at(time.Second))
	require.Zero(t, groupInfo(t, v, "sales").Queued)

	// A resync whose read began before the close does not bring it back.
	v.Resync(before, []store.Operator{b.ops["ann"]}, []store.Conversation{c1}, nil, at(2*time.Second))
	_, ok = v.Conversation("c1")
	require.False(t, ok)

	// The store lost the close: a resync begun after it lets the row back.
	after := v.Gen()
	v.Resync(after, []store.Operator{annRow}, []store.Conversation{c1}, nil, at(3*time.Second))
	c, ok := v.Conversation("c1")
	require.True(t, ok)
	require.Equal(t, c1, c)
	require.Equal(t, []string{"c1"}, v.Held("ann"))
	o, _ = v.Operator("ann")
	require.Equal(t, 1, o.Load)
}

// TestLateStatusRowKeepsNewerLoad: the view keeps the version of an
// operator's row and of their load apart: a status change stored before
// a take, but absorbed after it, changes the status and keeps the newer
// load.
func TestLateStatusRowKeepsNewerLoad(t *testing.T) {
	r := presence.StatusReady
	v := newView(t, groupOf("sales", capped(2)))
	b := newBook(t, v, []store.Operator{operatorRow("ann", r, "sales")}, []store.Conversation{queuedRow("q1", "sales", 1)})

	// The store takes ann's status change (version 3), then her take of
	// q1 (version 4), whose answer the view absorbs first.
	status := b.setStatus("ann", presence.StatusCanHelp, t0)
	require.Equal(t, int64(3), status.Version)
	q1, _ := v.Conversation("q1")
	req, err := v.TakeRequire(q1, "ann")
	require.NoError(t, err)
	require.Equal(t, store.Require{AssigneeStatuses: []string{r, presence.StatusCanHelp}, AssigneeCap: 2}, req, "R4: the cap applies to a take unless the policy lets it exceed it")
	ch := store.Change{Conversation: "q1", From: []store.State{store.Queued}, Version: q1.Version, To: store.Assigned, NewAssignee: "ann", Require: req, At: t0}
	p := PlanApply(ch)
	out := b.commit(v, &p, t0)
	require.Equal(t, int64(4), out.Result.Gained.Version)

	v.AbsorbOperator(status, false)
	o, err := v.Operator("ann")
	require.NoError(t, err)
	require.Equal(t, presence.StatusCanHelp, o.Status, "the status change is newer than the row's last whole change")
	require.Equal(t, 1, o.Load, "its load is older than the one absorbed")
	require.Equal(t, t0, o.LastAssigned)
	require.Equal(t, int64(4), o.Version)
	require.Equal(t, []string{"q1"}, v.Held("ann"))
	g := groupInfo(t, v, "sales")
	require.Zero(t, g.AutoAvailable, "can-help takes no automatic assignment")
	require.Equal(t, 1, g.OfferAvailable, "load 1 of cap 2")
}
