package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

func TestChangeValidateNamesTheField(t *testing.T) {
	at := testTime
	ok := store.Change{Conversation: "c", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: at}
	require.NoError(t, ok.Validate())
	for name, tc := range map[string]struct {
		mutate func(*store.Change)
		want   string
	}{
		"no conversation":  {func(c *store.Change) { c.Conversation = "" }, "conversation id is empty"},
		"no source state":  {func(c *store.Change) { c.From = nil }, "no allowed source state"},
		"bad target":       {func(c *store.Change) { c.To = 0 }, "target state"},
		"held, no one":     {func(c *store.Change) { c.NewAssignee = "" }, "with assignee"},
		"offers, not held": {func(c *store.Change) { c.To, c.NewAssignee, c.Offers = store.Offered, "", []string{"a", "a"} }, "offered to \"a\" twice"},
		"negative cap":     {func(c *store.Change) { c.Require.AssigneeCap = -1 }, "cap -1 is negative"},
		"zero time":        {func(c *store.Change) { c.At = zeroTime }, "time is zero"},
		"requeue assigned": {func(c *store.Change) { c.Requeue = true }, "requeue into state"},
	} {
		t.Run(name, func(t *testing.T) {
			c := ok
			tc.mutate(&c)
			err := c.Validate()
			require.ErrorIs(t, err, store.ErrInvalid)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}
