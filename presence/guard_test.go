package presence_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

func TestP8_Guard(t *testing.T) {
	d := presence.Definition{
		Statuses: []presence.Status{
			{Name: "online", Capabilities: presence.All},
			{Name: "lunch"},
			{Name: "away"},
			{Name: "offline"},
		},
		Guards: []presence.Guard{
			{To: []string{"offline"}, Holding: []store.State{store.Waiting, store.Assigned}},
			{To: []string{"away", "offline"}, Holding: []store.State{store.Assigned, store.Assigned}},
			{To: []string{"offline"}, Holding: []store.State{store.Offered}},
		},
	}
	m := presence.MustNew(d)
	require.Equal(t, []store.State{store.Offered, store.Assigned, store.Waiting}, m.Forbidden("offline"),
		"union of every guard naming offline, deduplicated, by state value")
	require.Equal(t, []store.State{store.Assigned}, m.Forbidden("away"))
	require.Nil(t, m.Forbidden("online"), "no guard names online")
	require.Nil(t, m.Forbidden("lunch"))
	require.Nil(t, m.Forbidden("unknown"))

	// Guards do not restrict transitions by themselves.
	require.NoError(t, m.Check("online", "offline"))
}

func TestP8_NoGuards(t *testing.T) {
	for _, m := range []*presence.Model{presence.Standard(), presence.ActiveInactive(), presence.Toggle()} {
		for _, s := range m.With(0) {
			require.Nil(t, m.Forbidden(s))
		}
	}
}
