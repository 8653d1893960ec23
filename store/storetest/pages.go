package storetest

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// pageTests check a Filter's conditions on the customer, the channel and
// the last operator, and its pages (AfterSeq and Limit).
var pageTests = []plainTest{
	{"Conversations_FilterByCustomerChannelLastOperator", testFilterByIDs},
	{"Conversations_PagesWalkEverything", testPagesWalkEverything},
	{"Conversations_PageAfterRequeue", testPageAfterRequeue},
	{"Conversations_LimitBounds", testLimitBounds},
}

// filterIDs returns the ids of Conversations(f), checking that each passes
// f, that they come in Seq order and that there are at most f.Limit.
func filterIDs(t tb, s store.Store, f store.Filter) []string {
	t.Helper()
	convs, err := s.Conversations(bg, f)
	require.NoError(t, err)
	if f.Limit > 0 {
		require.LessOrEqual(t, len(convs), f.Limit, "%+v", f)
	}
	out := []string{}
	for i, c := range convs {
		require.True(t, f.Match(c), "%s does not match %+v", c.ID, f)
		if i > 0 {
			require.Greater(t, c.Seq, convs[i-1].Seq, "order of %+v", f)
		}
		out = append(out, c.ID)
	}
	return out
}

func testFilterByIDs(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales", "support")
	createOp(t, s, "bob", ready, 0, "sales", "support")
	conv := func(c store.Conversation, channel string) store.Conversation {
		c.Channel = channel
		return c
	}
	createConv(t, s, conv(queuedConv("c1", "sales", "cu1", at(1)), "web"), store.Require{})
	c2 := createConv(t, s, conv(assignedConv("c2", "sales", "cu1", "ann", at(2)), "telegram"), store.Require{}).Conversation
	createConv(t, s, conv(assignedConv("c3", "support", "cu2", "bob", at(3)), "web"), store.Require{})
	apply(t, s, store.Change{Conversation: "c3", From: []store.State{store.Assigned}, To: store.Closed, At: at(4)})
	createConv(t, s, conv(assignedConv("c4", "support", "cu2", "ann", at(5)), "telegram"), store.Require{})
	apply(t, s, store.Change{Conversation: "c4", From: []store.State{store.Assigned}, To: store.Queued, At: at(6)})
	c5 := conv(queuedConv("c5", "sales", "cu3", at(7)), "web")
	c5.LastOperator = "bob" // preset by the writer and kept, but bob never held it
	createConv(t, s, c5, store.Require{})
	apply(t, s, store.Change{Conversation: "c5", From: []store.State{store.Queued}, To: store.Closed, At: at(8)})
	createConv(t, s, conv(assignedConv("c6", "sales", "cu3", "ann", at(9)), "web"), store.Require{})

	closed := []store.State{store.Closed}
	for _, tc := range []struct {
		f    store.Filter
		want []string
	}{
		{store.Filter{Customer: "cu1"}, []string{"c1", "c2"}},
		{store.Filter{Customer: "cu2"}, []string{"c3", "c4"}},
		{store.Filter{Customer: "cu9"}, []string{}},
		{store.Filter{Channel: "web"}, []string{"c1", "c3", "c5", "c6"}},
		{store.Filter{Channel: "telegram"}, []string{"c2", "c4"}},
		{store.Filter{Channel: "email"}, []string{}},
		{store.Filter{LastOperator: "ann"}, []string{"c2", "c4", "c6"}},
		{store.Filter{LastOperator: "bob"}, []string{"c3"}},
		{store.Filter{LastOperator: "cat"}, []string{}},

		{store.Filter{LastOperator: "bob", States: closed}, []string{"c3"}},
		{store.Filter{LastOperator: "ann", States: closed}, []string{}},
		{store.Filter{Customer: "cu2", LastOperator: "bob"}, []string{"c3"}},
		{store.Filter{Customer: "cu2", Channel: "telegram"}, []string{"c4"}},
		{store.Filter{LastOperator: "ann", Assignee: "ann"}, []string{"c2", "c6"}},
		{store.Filter{LastOperator: "ann", Channel: "web"}, []string{"c6"}},
		{store.Filter{LastOperator: "ann", Channel: "email"}, []string{}},
		{store.Filter{Channel: "web", Group: "support"}, []string{"c3"}},
		{store.Filter{Customer: "cu1", Channel: "web", Group: "sales", States: []store.State{store.Queued}}, []string{"c1"}},
		{store.Filter{Customer: "cu3", Channel: "web", LastOperator: "bob", Group: "sales", States: closed}, []string{}},
		{store.Filter{Customer: "cu3", Channel: "web", Group: "sales", States: closed}, []string{"c5"}},

		{store.Filter{Customer: "cu2", AfterSeq: getConv(t, s, "c3").Seq}, []string{"c4"}},
		{store.Filter{Channel: "web", Limit: 2}, []string{"c1", "c3"}},
		{store.Filter{Channel: "web", Limit: 2, AfterSeq: getConv(t, s, "c3").Seq}, []string{"c5", "c6"}},
		{store.Filter{Assignee: "ann", Limit: 1}, []string{"c2"}},
		{store.Filter{Assignee: "ann", AfterSeq: c2.Seq}, []string{"c6"}},
		{store.Filter{Customer: "cu1", Assignee: "ann", Limit: 1}, []string{"c2"}},
	} {
		require.Equal(t, tc.want, filterIDs(t, s, tc.f), "%+v", tc.f)
	}
}

// createMixed creates n conversations in every state, spread over groups,
// customers and channels, some requeued after all were created, and
// returns every conversation in Seq order.
func createMixed(t *testing.T, s store.Store, n int) []store.Conversation {
	for _, op := range []string{"ann", "bob", "cat"} {
		createOp(t, s, op, ready, 0, "sales", "support")
	}
	channels := []string{"web", "telegram", "email"}
	var requeue []string
	for i := range n {
		id := fmt.Sprintf("c%02d", i)
		group := []string{"sales", "support"}[i%2]
		c := queuedConv(id, group, fmt.Sprintf("cu%d", i%4), at(i))
		c.Channel = channels[i%3]
		switch i % 6 {
		case 0: // queued
			if i%4 == 0 {
				requeue = append(requeue, id)
			}
		case 1:
			c.State, c.OfferedTo = store.Offered, []string{"bob", "cat"}
		case 2:
			c.State, c.Assignee = store.Assigned, "ann"
		case 3:
			c.State, c.Assignee = store.Assigned, "bob"
		case 4:
			c.State, c.Assignee = store.Assigned, "cat"
		}
		createConv(t, s, c, store.Require{})
		switch i % 6 {
		case 3:
			apply(t, s, store.Change{Conversation: id, From: []store.State{store.Assigned}, To: store.Waiting, NewAssignee: "bob", At: at(i)})
		case 4, 5:
			apply(t, s, store.Change{Conversation: id, From: []store.State{store.Assigned, store.Queued}, To: store.Closed, At: at(i)})
		}
	}
	for _, id := range requeue {
		apply(t, s, store.Change{Conversation: id, From: []store.State{store.Queued}, To: store.Queued, Requeue: true, At: at(n)})
	}
	all, err := s.Conversations(bg, store.Filter{})
	require.NoError(t, err)
	require.Len(t, all, n)
	return all
}

// walk reads Conversations(f) a page of limit at a time, from f.AfterSeq,
// each page after the Seq of the last one, until a page is short, and
// returns the rows of every page; there must be at most most rows.
func walk(t *testing.T, s store.Store, f store.Filter, limit int, most int) []store.Conversation {
	t.Helper()
	var out []store.Conversation
	f.Limit = limit
	for pages := 0; ; pages++ {
		require.LessOrEqual(t, pages, most/limit, "pages of %d walking %+v", limit, f)
		page, err := s.Conversations(bg, f)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), limit, "page of %+v", f)
		out = append(out, page...)
		if len(page) < limit {
			return out
		}
		f.AfterSeq = page[len(page)-1].Seq
	}
}

// testPagesWalkEverything: walking conversations in mixed states a page
// at a time, with pages of every size and each page after the last Seq of
// the one before, returns every conversation that passes the filter once,
// in Seq order, as one unpaged read does.
func testPagesWalkEverything(t *testing.T, s store.Store) {
	all := createMixed(t, s, 50)
	closed := []store.State{store.Closed}
	for _, f := range []store.Filter{
		{},
		{States: closed},
		{States: []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}},
		{Customer: "cu1"},
		{Customer: "cu2", States: closed},
		{Channel: "web"},
		{Channel: "telegram", Group: "support"},
		{LastOperator: "cat", States: closed},
		{LastOperator: "bob"},
		{Group: "sales", States: closed},
		{Assignee: "ann"},
		{Assignee: "bob", States: []store.State{store.Waiting}},
		{Customer: "cu0", Channel: "telegram", LastOperator: "cat"},
		{AfterSeq: all[20].Seq},
	} {
		want := []store.Conversation{}
		for _, c := range all {
			if f.Match(c) {
				want = append(want, c)
			}
		}
		require.NotEmpty(t, want, "the rows have some of %+v", f)
		for limit := 1; limit <= len(want)+1; limit++ {
			require.Equal(t, normConvs(want), normConvs(walk(t, s, f, limit, len(want))), "pages of %d of %+v", limit, f)
		}
		require.Equal(t, normConvs(want), normConvs(walk(t, s, f, store.MaxFilterLimit, len(want))), "%+v", f)
	}
}

// testPageAfterRequeue: a conversation requeued while pages are read
// takes its new Seq: the walk meets it there (again, if it was read
// before), and a walk begun afterwards only there.
func testPageAfterRequeue(t *testing.T, s store.Store) {
	for i := range 6 {
		createConv(t, s, queuedConv(fmt.Sprintf("c%d", i+1), "sales", "", at(i)), store.Require{})
	}
	first, err := s.Conversations(bg, store.Filter{Limit: 3})
	require.NoError(t, err)
	require.Equal(t, []string{"c1", "c2", "c3"}, []string{first[0].ID, first[1].ID, first[2].ID})
	requeued := map[string]uint64{}
	for _, id := range []string{"c2", "c5"} { // one read, one not yet
		res := apply(t, s, store.Change{Conversation: id, From: []store.State{store.Queued}, To: store.Queued, Requeue: true, At: at(9)})
		requeued[id] = res.Conversation.Seq
	}

	after := first[2].Seq
	require.Equal(t, []string{"c4", "c6", "c2"}, filterIDs(t, s, store.Filter{AfterSeq: after, Limit: 3}))
	rest, err := s.Conversations(bg, store.Filter{AfterSeq: requeued["c2"], Limit: 3})
	require.NoError(t, err)
	require.Len(t, rest, 1)
	require.Equal(t, "c5", rest[0].ID)
	require.Equal(t, requeued["c5"], rest[0].Seq)

	var ids []string
	for _, c := range walk(t, s, store.Filter{}, 2, 6) {
		ids = append(ids, c.ID)
		if seq, ok := requeued[c.ID]; ok {
			require.Equal(t, seq, c.Seq, "%s at its new Seq", c.ID)
		}
	}
	require.Equal(t, []string{"c1", "c3", "c4", "c6", "c2", "c5"}, ids)
}

// testLimitBounds: a Limit below 0 or above store.MaxFilterLimit is
// refused with ErrInvalid and returns nothing; MaxFilterLimit itself is a
// limit; an AfterSeq beyond every Seq returns nothing.
func testLimitBounds(t *testing.T, s store.Store) {
	createConv(t, s, queuedConv("c1", "sales", "cu1", at(1)), store.Require{})
	last := createConv(t, s, queuedConv("c2", "sales", "cu1", at(2)), store.Require{}).Conversation
	for _, f := range []store.Filter{
		{Limit: -1},
		{Limit: store.MaxFilterLimit + 1},
		{Limit: math.MinInt},
		{Limit: math.MaxInt, Customer: "cu1"},
		{Limit: -1, AfterSeq: last.Seq, States: []store.State{store.Closed}},
	} {
		var got []store.Conversation
		requireFails(t, s, store.ErrInvalid, func() error {
			var err error
			got, err = s.Conversations(bg, f)
			return err
		}, "%+v", f)
		require.Empty(t, got, "%+v", f)
	}
	require.Equal(t, []string{"c1", "c2"}, filterIDs(t, s, store.Filter{Limit: store.MaxFilterLimit}))
	for _, after := range []uint64{last.Seq, last.Seq + 1000, math.MaxInt64, math.MaxInt64 + 1, math.MaxUint64} {
		require.Empty(t, filterIDs(t, s, store.Filter{AfterSeq: after}), "after %d", after)
		require.Empty(t, filterIDs(t, s, store.Filter{AfterSeq: after, Customer: "cu1", Limit: 1}), "after %d", after)
	}
}
