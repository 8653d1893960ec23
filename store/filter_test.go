package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// TestFilterValidateBoundsTheLimit: a limit from 0 (none) to
// store.MaxFilterLimit is valid; a negative or larger one is refused with
// an error matching ErrInvalid that names the field.
func TestFilterValidateBoundsTheLimit(t *testing.T) {
	for _, limit := range []int{0, 1, store.MaxFilterLimit} {
		require.NoError(t, store.Filter{Limit: limit}.Validate(), "limit %d", limit)
	}
	for _, limit := range []int{-1, store.MaxFilterLimit + 1, -store.MaxFilterLimit} {
		err := store.Filter{Limit: limit}.Validate()
		require.ErrorIs(t, err, store.ErrInvalid, "limit %d", limit)
		require.EqualError(t, err, fmt.Sprintf("switchboard: invalid input: filter: limit %d is outside 0 to MaxFilterLimit (1000)", limit))
	}
}

// TestFilterMatchChecksEachCondition: Match checks every field but Limit;
// a zero field sets no condition.
func TestFilterMatchChecksEachCondition(t *testing.T) {
	c := store.Conversation{ID: "c", Group: "sales", Channel: "web", CustomerID: "cu1", State: store.Closed,
		LastOperator: "ann", AssignedAt: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), Seq: 7}
	preset := c // never held: LastOperator is only the routing preset
	preset.AssignedAt = time.Time{}
	held := c
	held.State, held.Assignee = store.Assigned, "ann"
	for name, tc := range map[string]struct {
		f    store.Filter
		c    store.Conversation
		want bool
	}{
		"zero":                  {store.Filter{}, c, true},
		"state":                 {store.Filter{States: []store.State{store.Queued, store.Closed}}, c, true},
		"other state":           {store.Filter{States: []store.State{store.Queued}}, c, false},
		"group":                 {store.Filter{Group: "sales"}, c, true},
		"other group":           {store.Filter{Group: "support"}, c, false},
		"assignee":              {store.Filter{Assignee: "ann"}, held, true},
		"closed, assignee":      {store.Filter{Assignee: "ann"}, c, false},
		"customer":              {store.Filter{Customer: "cu1"}, c, true},
		"other customer":        {store.Filter{Customer: "cu2"}, c, false},
		"channel":               {store.Filter{Channel: "web"}, c, true},
		"other channel":         {store.Filter{Channel: "telegram"}, c, false},
		"last operator":         {store.Filter{LastOperator: "ann"}, c, true},
		"other last op":         {store.Filter{LastOperator: "bob"}, c, false},
		"preset last op":        {store.Filter{LastOperator: "ann"}, preset, false},
		"after a lower seq":     {store.Filter{AfterSeq: 6}, c, true},
		"after its seq":         {store.Filter{AfterSeq: 7}, c, false},
		"after a higher seq":    {store.Filter{AfterSeq: 8}, c, false},
		"limit is no condition": {store.Filter{Limit: 1}, c, true},
		"all": {store.Filter{States: []store.State{store.Closed}, Group: "sales", Customer: "cu1", Channel: "web",
			LastOperator: "ann", AfterSeq: 6, Limit: 1}, c, true},
		"all but one": {store.Filter{States: []store.State{store.Closed}, Group: "sales", Customer: "cu1", Channel: "chat",
			LastOperator: "ann", AfterSeq: 6}, c, false},
	} {
		require.Equal(t, tc.want, tc.f.Match(tc.c), name)
	}
}
