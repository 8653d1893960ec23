package core

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// An operator the view forgets while they hold a conversation (another
// Router moved them to a group this one does not serve) gets it back in
// their held set when they come back: listings by assignee and Snapshot
// agree with the conversation's row.
func TestHeldConversationsComeBackWithTheirOperator(t *testing.T) {
	v := newView(t, groupOf("g", capped(3)))
	ann := loaded(operatorRow("ann", presence.StatusReady, "g"), 1, t0)
	c := assignedRow("c1", "g", 1, "ann")
	v.Load([]store.Operator{ann}, []store.Conversation{c}, t0)

	moved := ann
	moved.Groups, moved.Version = []string{"elsewhere"}, ann.Version+1
	v.Resync(v.Gen(), []store.Operator{moved}, []store.Conversation{c}, nil, at(1))
	_, err := v.Operator("ann")
	require.ErrorIs(t, err, store.ErrNotFound, "forgotten")

	back := ann
	back.Version = moved.Version + 1
	v.Follow(store.Rows{Operators: []store.Operator{back}}, at(2))
	rows, _ := v.List(ListFilter{Assignee: "ann", Limit: 10})
	require.Len(t, rows, 1, "c1 is assigned to ann in the view")
	require.Equal(t, []string{"c1"}, v.Held("ann"))
}
