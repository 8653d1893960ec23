package storetest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// idTests check the bound every store puts on ids (store.MaxIDLength).
var idTests = []plainTest{
	{"IDs_LongestAccepted", testLongestIDs},
	{"IDs_TooLongRefused", testTooLongIDs},
}

// idOf returns an id of exactly n bytes that starts with tag. It mixes in
// characters that take several bytes in UTF-8 or in JSON ("é", "€", a
// quote, a backslash, "<", a control character), so that a store that
// encodes ids (as JSON, in a notification) is held to the bound on the
// encoded form's worst case too.
func idOf(tag string, n int) string {
	var b strings.Builder
	b.WriteString(tag)
	for _, part := range strings.SplitAfter("é€\"\\<\x01-", "") {
		if b.Len()+len(part) > n {
			break
		}
		b.WriteString(part)
	}
	for b.Len()+len("€") <= n {
		b.WriteString("€")
	}
	for b.Len() < n {
		b.WriteByte('x')
	}
	return b.String()
}

// longest returns an id of store.MaxIDLength bytes, tooLong one of a byte
// more.
func longest(tag string) string { return idOf(tag, store.MaxIDLength) }
func tooLong(tag string) string { return idOf(tag, store.MaxIDLength+1) }

// testLongestIDs: ids of store.MaxIDLength bytes are stored, found and
// returned as given, in every field that holds one.
func testLongestIDs(t *testing.T, s store.Store) {
	ann, bob, cat := longest("ann"), longest("bob"), longest("cat")
	sales, support := longest("sales"), longest("support")
	customer, channel := longest("customer"), longest("channel")
	c1, c2 := longest("c1"), longest("c2")
	require.Len(t, ann, store.MaxIDLength)

	for _, id := range []string{ann, bob, cat} {
		createOp(t, s, id, ready, 0, sales, support)
	}
	_, err := s.UpdateOperator(bg, store.Operator{ID: cat, Groups: []string{support}})
	require.NoError(t, err)
	_, err = s.SetStatus(bg, store.StatusChange{Operator: cat, To: away, At: at(1)})
	require.NoError(t, err)
	_, err = s.SetOperatorDeadlines(bg, store.OperatorDeadlines{Operator: cat, Deadlines: []store.Deadline{{Kind: store.Inactivity, Due: at(9)}}})
	require.NoError(t, err)
	history, err := s.StatusHistory(bg, cat, at(0), at(10))
	require.NoError(t, err)
	require.Len(t, history, 2)
	require.Equal(t, cat, history[1].Operator)

	first := assignedConv(c1, sales, customer, ann, at(2))
	first.MissedBy, first.Channel = []string{bob}, channel
	createConv(t, s, first, store.Require{})
	apply(t, s, store.Change{Conversation: c1, From: []store.State{store.Assigned}, Assignee: ann, To: store.Closed, At: at(3)})
	second := queuedConv(c2, sales, customer, at(4))
	second.LinkedTo, second.LastOperator = c1, ann
	second.State, second.OfferedTo = store.Offered, []string{ann, bob}
	createConv(t, s, second, store.Require{})
	apply(t, s, store.Change{
		Conversation: c2, From: []store.State{store.Offered}, To: store.Assigned, NewAssignee: bob,
		AddMissed: []string{ann}, At: at(5),
	})
	res := apply(t, s, store.Change{
		Conversation: c2, From: []store.State{store.Assigned}, Assignee: bob, To: store.Queued, Group: support,
		Requeue: true, At: at(6),
	})
	require.Equal(t, support, res.Conversation.Group)

	got := getConv(t, s, c2)
	require.Equal(t, c2, got.ID)
	require.Equal(t, customer, got.CustomerID)
	require.Equal(t, c1, got.LinkedTo)
	require.Equal(t, bob, got.LastOperator)
	require.Equal(t, []string{ann}, got.MissedBy)
	require.Equal(t, []string{bob}, getConv(t, s, c1).MissedBy)
	prev, err := s.PreviousOperator(bg, customer)
	require.NoError(t, err)
	require.Equal(t, bob, prev)
	queued, err := s.Conversations(bg, store.Filter{Group: support})
	require.NoError(t, err)
	require.Len(t, queued, 1)
	require.Equal(t, c2, queued[0].ID)
	closed, err := s.Conversations(bg, store.Filter{Group: sales, States: []store.State{store.Closed}})
	require.NoError(t, err)
	require.Len(t, closed, 1)
	for _, f := range []store.Filter{
		{Customer: customer, Channel: channel},
		{LastOperator: ann, States: []store.State{store.Closed}},
		{Customer: customer, LastOperator: ann, Limit: 1},
	} {
		page, err := s.Conversations(bg, f)
		require.NoError(t, err)
		require.Len(t, page, 1, "%+v", f)
		require.Equal(t, c1, page[0].ID)
		require.Equal(t, channel, page[0].Channel)
	}
	page, err := s.Conversations(bg, store.Filter{Customer: customer, LastOperator: bob})
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, c2, page[0].ID)
	requireLoads(t, s, ann, 0, bob, 0)
	requireOp(t, store.Operator{ID: cat, Groups: []string{support}, Status: away, StatusSince: at(1),
		Deadlines: []store.Deadline{{Kind: store.Inactivity, Due: at(9)}}, Version: 4}, getOp(t, s, cat))
	require.NoError(t, s.DeleteOperator(bg, cat))
}

// testTooLongIDs: an id of a byte more than store.MaxIDLength, in any
// field or argument that holds one, is refused with store.ErrInvalid, and
// the store is left as it was.
func testTooLongIDs(t *testing.T, s store.Store) {
	createOp(t, s, "ann", ready, 0, "sales")
	createOp(t, s, "bob", ready, 0, "sales")
	createConv(t, s, assignedConv("c1", "sales", "cu1", "ann", at(1)), store.Require{})
	createConv(t, s, queuedConv("c2", "sales", "cu2", at(2)), store.Require{})
	long := tooLong("x")

	fails := func(name string, call func() error) {
		t.Helper()
		requireFails(t, s, store.ErrInvalid, call, name)
	}
	createOperator := func(op store.Operator) func() error {
		return func() error { _, err := s.CreateOperator(bg, op); return err }
	}
	fails("CreateOperator: id", createOperator(store.Operator{ID: long, Status: ready}))
	fails("CreateOperator: group", createOperator(store.Operator{ID: "cat", Status: ready, Groups: []string{"sales", long}}))
	fails("UpdateOperator: id", func() error { _, err := s.UpdateOperator(bg, store.Operator{ID: long}); return err })
	fails("UpdateOperator: group", func() error {
		_, err := s.UpdateOperator(bg, store.Operator{ID: "ann", Groups: []string{long}})
		return err
	})
	fails("SetStatus", func() error {
		_, err := s.SetStatus(bg, store.StatusChange{Operator: long, To: away, At: at(3)})
		return err
	})
	fails("SetOperatorDeadlines", func() error {
		_, err := s.SetOperatorDeadlines(bg, store.OperatorDeadlines{Operator: long})
		return err
	})
	fails("DeleteOperator", func() error { return s.DeleteOperator(bg, long) })
	fails("Operator", func() error { _, err := s.Operator(bg, long); return err })
	fails("StatusHistory", func() error { _, err := s.StatusHistory(bg, long, at(0), at(9)); return err })

	with := func(f func(c *store.Conversation)) store.Conversation {
		c := queuedConv("c3", "sales", "cu3", at(3))
		f(&c)
		return c
	}
	for name, c := range map[string]store.Conversation{
		"id":                  with(func(c *store.Conversation) { c.ID = long }),
		"group":               with(func(c *store.Conversation) { c.Group = long }),
		"customer id":         with(func(c *store.Conversation) { c.CustomerID = long }),
		"channel":             with(func(c *store.Conversation) { c.Channel = long }),
		"assignee":            with(func(c *store.Conversation) { c.State, c.Assignee = store.Assigned, long }),
		"offer":               with(func(c *store.Conversation) { c.State, c.OfferedTo = store.Offered, []string{"bob", long} }),
		"last operator":       with(func(c *store.Conversation) { c.LastOperator = long }),
		"linked conversation": with(func(c *store.Conversation) { c.LinkedTo = long }),
		"missed by":           with(func(c *store.Conversation) { c.MissedBy = []string{"bob", long} }),
	} {
		createFails(t, s, store.ErrInvalid, c, store.Require{}, "CreateConversation: "+name)
	}

	take := store.Change{Conversation: "c2", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "bob", At: at(4)}
	change := func(f func(ch *store.Change)) store.Change {
		ch := take
		f(&ch)
		return ch
	}
	for name, ch := range map[string]store.Change{
		"conversation": change(func(ch *store.Change) { ch.Conversation = long }),
		"assignee":     change(func(ch *store.Change) { ch.Assignee = long }),
		"new assignee": change(func(ch *store.Change) { ch.NewAssignee = long }),
		"group":        change(func(ch *store.Change) { ch.Group = long }),
		"offer":        change(func(ch *store.Change) { ch.To, ch.NewAssignee, ch.Offers = store.Offered, "", []string{"bob", long} }),
		"missed by":    change(func(ch *store.Change) { ch.AddMissed = []string{long} }),
	} {
		applyFails(t, s, store.ErrInvalid, ch, "Apply: "+name)
	}

	fails("Conversation", func() error { _, err := s.Conversation(bg, long); return err })
	fails("Conversations: group", func() error { _, err := s.Conversations(bg, store.Filter{Group: long}); return err })
	fails("Conversations: assignee", func() error { _, err := s.Conversations(bg, store.Filter{Assignee: long}); return err })
	fails("Conversations: customer", func() error { _, err := s.Conversations(bg, store.Filter{Customer: long}); return err })
	fails("Conversations: channel", func() error { _, err := s.Conversations(bg, store.Filter{Channel: long}); return err })
	fails("Conversations: last operator", func() error {
		_, err := s.Conversations(bg, store.Filter{LastOperator: long})
		return err
	})
	fails("PreviousOperator", func() error { _, err := s.PreviousOperator(bg, long); return err })

	// Only the long id was wrong: the change without it goes through.
	apply(t, s, take)
}
