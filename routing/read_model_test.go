package routing_test

import (
	"cmp"
	"slices"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// checkReads verifies, after every step of the Router state machine, that
// the read API agrees with the store's rows and with Snapshot: every
// listing of open conversations (whole, by assignee, group, customer,
// channel and state, walked in pages of a drawn size) returns exactly the
// store's rows that pass it, in Seq order; each operator's offers are the
// store's; each queue lists the store's queued and offered rows in
// serving order (queue.Less), with positions 1, 2, ...; Operators by
// group agrees with Snapshot.
func (m *routerMachine) checkReads(t *rapid.T, after machineState) {
	open := []store.Conversation{}
	for _, c := range after.convs {
		if c.State != store.Closed {
			open = append(open, c)
		}
	}
	pageSize := rapid.IntRange(1, 4).Draw(t, "page size")
	// walk returns every row of the listing f, page by page; rows are
	// the rows it may return, for a bound on the pages.
	walk := func(f routing.ConversationFilter, rows int) []store.Conversation {
		var got []store.Conversation
		f.Limit = pageSize
		for pages := 0; ; pages++ {
			require.Less(t, pages, rows+2, "listing %+v does not end", f)
			page, err := m.r.Conversations(m.ctx, f)
			require.NoError(t, err)
			got = append(got, page.Conversations...)
			if page.Next == "" {
				return got
			}
			require.Len(t, page.Conversations, pageSize, "a page before the last is full")
			f.Cursor = page.Next
		}
	}
	// listIn checks the listing f against the rows of from that want
	// passes.
	listIn := func(from []store.Conversation, f routing.ConversationFilter, want func(store.Conversation) bool) {
		var exp []store.Conversation
		for _, c := range from {
			if want(c) {
				exp = append(exp, c)
			}
		}
		require.Equal(t, exp, walk(f, len(from)), "listing %+v", f)
	}
	list := func(f routing.ConversationFilter, want func(store.Conversation) bool) { listIn(open, f, want) }
	list(routing.ConversationFilter{}, func(store.Conversation) bool { return true })
	for _, st := range []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting} {
		list(routing.ConversationFilter{State: st}, func(c store.Conversation) bool { return c.State == st })
	}
	for _, g := range machineGroups {
		list(routing.ConversationFilter{Group: g}, func(c store.Conversation) bool { return c.Group == g })
		list(routing.ConversationFilter{Group: g, State: store.Queued}, func(c store.Conversation) bool { return c.Group == g && c.State == store.Queued })
	}
	for _, k := range []string{"k1", "k2"} {
		list(routing.ConversationFilter{Customer: k}, func(c store.Conversation) bool { return c.CustomerID == k })
	}
	list(routing.ConversationFilter{Channel: "web"}, func(c store.Conversation) bool { return c.Channel == "web" })

	// Closed conversations come from the store, by who held them last.
	var closed []store.Conversation
	for _, c := range after.convs {
		if c.State == store.Closed {
			closed = append(closed, c)
		}
	}
	listClosed := func(f routing.ConversationFilter, want func(store.Conversation) bool) {
		f.State = store.Closed
		listIn(closed, f, want)
	}
	listClosed(routing.ConversationFilter{}, func(store.Conversation) bool { return true })
	listClosed(routing.ConversationFilter{Group: "gb"}, func(c store.Conversation) bool { return c.Group == "gb" })

	for _, o := range after.ops {
		listClosed(routing.ConversationFilter{Assignee: o.ID}, func(c store.Conversation) bool { return c.LastOperator == o.ID && !c.AssignedAt.IsZero() })
		list(routing.ConversationFilter{Assignee: o.ID}, func(c store.Conversation) bool { return c.Assignee == o.ID })
		var offered []store.Conversation
		for _, c := range open {
			if c.State == store.Offered && slices.Contains(c.OfferedTo, o.ID) {
				offered = append(offered, c)
			}
		}
		got, err := m.r.Offers(o.ID)
		require.NoError(t, err)
		require.Equal(t, offered, got, "offers to %s", o.ID)
	}

	for _, g := range machineGroups {
		var queued []store.Conversation
		for _, c := range open {
			if c.Group == g && c.State.InQueue() {
				queued = append(queued, c)
			}
		}
		slices.SortFunc(queued, func(a, b store.Conversation) int {
			switch {
			case queue.Less(itemOf(a), itemOf(b)):
				return -1
			case queue.Less(itemOf(b), itemOf(a)):
				return 1
			}
			return 0
		})
		q, err := m.r.Queue(g, 0)
		require.NoError(t, err)
		require.Equal(t, len(queued), q.Length)
		got := make([]store.Conversation, len(q.Entries))
		for i, e := range q.Entries {
			require.Equal(t, i+1, e.Position)
			got[i] = e.Conversation
		}
		require.Equal(t, nilIfNone(queued), nilIfNone(got), "queue %s in serving order", g)

		members, err := m.r.Operators(routing.OperatorFilter{Group: g})
		require.NoError(t, err)
		var want []routing.OperatorSnapshot
		for _, o := range after.snap.Operators {
			if slices.Contains(o.Groups, g) {
				want = append(want, o)
			}
		}
		require.Equal(t, idsOf(want), idsOf(members), "members of %s", g)
	}
}

// itemOf is c as its group's queue holds it.
func itemOf(c store.Conversation) queue.Item {
	return queue.Item{ID: c.ID, Priority: c.Priority, Arrival: c.EnqueuedAt, Seq: c.Seq}
}

func nilIfNone[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func idsOf(ops []routing.OperatorSnapshot) []string {
	ids := make([]string, len(ops))
	for i, o := range ops {
		ids[i] = o.ID
	}
	return slices.SortedFunc(slices.Values(ids), cmp.Compare[string])
}

// readDuringCommands reads the queues and listings while commands run,
// and checks what each answer must hold at any instant: positions count
// up from 1, a queue lists no more than its length, and a listing by
// assignee returns only that operator's conversations. (Run under -race,
// it also proves the reads take the view's lock.)
func (m *routerMachine) readDuringCommands() {
	for _, g := range machineGroups {
		q, err := m.r.Queue(g, 0)
		if err != nil {
			panic(err)
		}
		if len(q.Entries) != q.Length {
			panic("a queue's entries differ from its length")
		}
		for i, e := range q.Entries {
			if e.Position != i+1 || !e.Conversation.State.InQueue() || e.Conversation.Group != g {
				panic("a queue entry out of place")
			}
		}
	}
	for _, op := range machineOps {
		page, err := m.r.Conversations(m.ctx, routing.ConversationFilter{Assignee: op})
		if err != nil {
			continue // not added yet, or removed
		}
		for _, c := range page.Conversations {
			if c.Assignee != op || !c.State.Held() {
				panic("a listing by assignee returned another's conversation")
			}
		}
	}
}
