package routing_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing"
)

// TestSubscriptionLagEndsWithMarker: a subscriber that does not read gets
// exactly EventBuffer events, then the Lagged marker with the Seq of the
// first event it was not given, then a closed channel; Lagged, Err and
// SubscriptionStats report it. A subscriber that reads, on the same
// Router, loses nothing, and a filtered one that the events do not
// concern is not touched.
func TestSubscriptionLagEndsWithMarker(t *testing.T) {
	const buffer = 4
	s := newScenario(t, routing.Config{ManualDeadlines: true, EventBuffer: buffer, Groups: []routing.Group{{ID: "g"}}})
	s.addOp("ann", "offline", 0, "g")
	idle := s.r.Subscribe(routing.Queued)
	reader := s.r.Subscribe()
	ann, err := s.r.SubscribeTo(routing.EventFilter{Operator: "ann"})
	require.NoError(t, err)
	require.Equal(t, routing.SubscriptionStats{Active: 3}, s.r.SubscriptionStats())

	var read []routing.Event
	for i := range 2 * buffer {
		s.enqueue(fmt.Sprint("c", i), "g") // ann is offline: each is queued
		read = append(read, <-reader.Events())
	}
	require.Len(t, read, 2*buffer)
	for i, e := range read {
		require.Equal(t, routing.Queued, e.Kind)
		require.Equal(t, read[0].Seq+uint64(i), e.Seq, "the reader lost nothing")
	}

	for i := range buffer {
		e := <-idle.Events()
		require.Equal(t, read[i], e)
	}
	marker, open := <-idle.Events()
	require.True(t, open)
	first := read[buffer] // the first event the idle subscriber was not given
	require.Equal(t, routing.Event{Kind: routing.Lagged, Seq: first.Seq, At: first.At}, marker)
	_, open = <-idle.Events()
	require.False(t, open, "closed after the marker")
	from, lagged := idle.Lagged()
	require.True(t, lagged)
	require.Equal(t, first.Seq, from)
	require.ErrorIs(t, idle.Err(), routing.ErrLagged)
	require.Contains(t, idle.Err().Error(), fmt.Sprintf("sequence %d", first.Seq))
	idle.Cancel() // already ended: changes nothing

	_, lagged = reader.Lagged()
	require.False(t, lagged)
	require.NoError(t, reader.Err())
	require.NoError(t, ann.Err())
	require.Empty(t, ann.Events())
	require.Equal(t, routing.SubscriptionStats{Active: 2, Lagged: 1}, s.r.SubscriptionStats())

	// The Router goes on; the ended subscription gets nothing more.
	s.enqueue("later", "g")
	require.Equal(t, `queued conv=later policy=capped(least-loaded) pos=9 reason="no eligible operator"`, fmtEvent(<-reader.Events()))
	reader.Cancel()
	ann.Cancel()
	require.Equal(t, routing.SubscriptionStats{Lagged: 1}, s.r.SubscriptionStats())
}

// TestSubscriptionLagWhateverTheFilter: the marker reaches a lagging
// subscription filtered on an operator and a kind, a filter that cannot
// name Lagged.
func TestSubscriptionLagWhateverTheFilter(t *testing.T) {
	s := newScenario(t, routing.Config{ManualDeadlines: true, EventBuffer: 1, Groups: []routing.Group{{ID: "g"}}})
	s.addOp("ann", "ready", 5, "g")
	ann, err := s.r.SubscribeTo(routing.EventFilter{Operator: "ann", Kinds: []routing.EventKind{routing.Assigned}})
	require.NoError(t, err)
	s.enqueue("c1", "g")
	s.enqueue("c2", "g")
	got := []routing.Event{<-ann.Events(), <-ann.Events()}
	require.Equal(t, routing.Assigned, got[0].Kind)
	require.Equal(t, routing.Event{Kind: routing.Lagged, Seq: got[0].Seq + 1, At: s.clk.Now()}, got[1])
	_, open := <-ann.Events()
	require.False(t, open)
	require.Equal(t, routing.SubscriptionStats{Lagged: 1}, s.r.SubscriptionStats())
}
