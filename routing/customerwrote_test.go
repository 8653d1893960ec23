package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// TestCustomerWroteReachesWhoeverShowsIt: each message of a customer is a
// CustomerWrote event, by the customer, for the consoles that show the
// conversation: its holder's (twice in a row too, when the second changes
// no deadline), the offerees' while it is offered, nobody's while it
// waits in the queue; a conversation waiting on the customer then goes
// back to its operator. The journal replays the same events.
func TestCustomerWroteReachesWhoeverShowsIt(t *testing.T) {
	s := filterScenario(t) // ann ready in ga and gb, bob paused, cid in gc
	all := s.subscribeTo(routing.EventFilter{Kinds: []routing.EventKind{routing.CustomerWrote, routing.Assigned}})
	ann := s.subscribeTo(routing.EventFilter{Operator: "ann", Kinds: []routing.EventKind{routing.CustomerWrote}})
	s.enqueueConv(routing.NewConversation{ID: "c1", Group: "ga", CustomerID: "kim"})
	s.enqueueConv(routing.NewConversation{ID: "c2", Group: "gb", CustomerID: "lee"}) // offered to ann
	wrote := func(id string) {
		t.Helper()
		_, err := s.r.CustomerReplied(s.ctx, id)
		require.NoError(t, err)
	}
	wrote("c1") // arms the wait level: written with the deadline
	wrote("c1") // changes nothing but the news
	wrote("c2")
	_, err := s.r.MarkWaiting(s.ctx, routing.ByOperator("ann"), "c1")
	require.NoError(t, err)
	wrote("c1") // back to ann
	require.NoError(t, s.r.SetStatus(s.ctx, routing.ByOperator("ann"), "ann", presence.StatusAway))
	s.enqueue("c3", "ga") // nobody can take it
	wrote("c3")

	got := all.raw()
	want := []string{
		"assigned conv=c1 op=ann policy=capped(least-loaded)",
		"customer-wrote conv=c1 op=ann",
		"customer-wrote conv=c1 op=ann",
		"customer-wrote conv=c2 ops=ann",
		"customer-wrote conv=c1 op=ann",
		"assigned conv=c1 op=ann policy=returned",
		"customer-wrote conv=c3",
	}
	require.Equal(t, want, fmtEvents(got))
	for _, e := range got {
		if e.Kind == routing.CustomerWrote {
			require.Equal(t, routing.CustomerActor, e.By.Kind, fmtEvent(e))
		}
	}
	require.Equal(t, routing.ByCustomer("kim"), got[1].By)
	require.Equal(t, []string{want[1], want[2], want[3], want[4]}, ann.take())

	resumed, err := s.r.Resume(s.ctx, routing.EventFilter{Kinds: []routing.EventKind{routing.CustomerWrote, routing.Assigned}}, 0)
	require.NoError(t, err)
	t.Cleanup(resumed.Cancel)
	var replayed []routing.Event
	for len(replayed) < len(want) {
		select {
		case e := <-resumed.Events():
			replayed = append(replayed, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("the replay sent %v", fmtEvents(replayed))
		}
	}
	require.Equal(t, want, fmtEvents(replayed))
}
