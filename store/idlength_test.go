package store_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

func TestCheckIDBoundsTheLength(t *testing.T) {
	longest := strings.Repeat("a", store.MaxIDLength)
	require.NoError(t, store.CheckID("operator id", longest))
	require.NoError(t, store.CheckIDLength("customer id", longest))
	require.NoError(t, store.CheckIDLength("customer id", ""), "an optional id may be empty")

	err := store.CheckID("operator id", "")
	require.ErrorIs(t, err, store.ErrInvalid)
	require.EqualError(t, err, "switchboard: invalid input: operator id is empty")

	err = store.CheckID("operator id", longest+"€")
	require.ErrorIs(t, err, store.ErrInvalid)
	require.EqualError(t, err, `switchboard: invalid input: operator id "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... is 259 bytes long, more than MaxIDLength (256)`)
	require.ErrorIs(t, store.CheckIDLength("customer id", longest+"x"), store.ErrInvalid)
}

// TestValidateRefusesIDsLongerThanMaxIDLength: every Validate method
// refuses an id of a byte more than store.MaxIDLength, in each field that
// holds one, naming the field.
func TestValidateRefusesIDsLongerThanMaxIDLength(t *testing.T) {
	long := strings.Repeat("x", store.MaxIDLength+1)
	longest := strings.Repeat("x", store.MaxIDLength)
	conv := store.Conversation{ID: "c", Group: "g", State: store.Queued, CreatedAt: testTime}
	change := store.Change{Conversation: "c", From: []store.State{store.Queued}, To: store.Assigned, NewAssignee: "ann", At: testTime}
	op := store.Operator{ID: "ann", Status: "ready", Groups: []string{"g"}}
	for name, tc := range map[string]struct {
		validate func(id string) error
		field    string
	}{
		"operator id": {func(id string) error { o := op; o.ID = id; return o.Validate() }, "operator id"},
		"operator group": {func(id string) error {
			o := op
			o.Groups = []string{"g", id}
			return o.Validate()
		}, `operator "ann": group 1`},
		"conversation id":    {func(id string) error { c := conv; c.ID = id; return c.Validate() }, "conversation id"},
		"conversation group": {func(id string) error { c := conv; c.Group = id; return c.Validate() }, `conversation "c": group`},
		"customer id":        {func(id string) error { c := conv; c.CustomerID = id; return c.Validate() }, `conversation "c": customer id`},
		"channel":            {func(id string) error { c := conv; c.Channel = id; return c.Validate() }, `conversation "c": channel`},
		"assignee": {func(id string) error {
			c := conv
			c.State, c.Assignee = store.Assigned, id
			return c.Validate()
		}, `conversation "c": assignee`},
		"offer": {func(id string) error {
			c := conv
			c.State, c.OfferedTo = store.Offered, []string{"ann", id}
			return c.Validate()
		}, `conversation "c": offer 1`},
		"last operator": {func(id string) error { c := conv; c.LastOperator = id; return c.Validate() }, `conversation "c": last operator`},
		"linked":        {func(id string) error { c := conv; c.LinkedTo = id; return c.Validate() }, `conversation "c": linked conversation`},
		"missed by":     {func(id string) error { c := conv; c.MissedBy = []string{id}; return c.Validate() }, `conversation "c": missed by 0`},
		"tag":           {func(id string) error { c := conv; c.Tags = []string{"vip", id}; return c.Validate() }, "tag 1"},
		"preferred":     {func(id string) error { c := conv; c.Preferred = id; return c.Validate() }, "preferred operator"},
		"new":           {func(id string) error { c := conv; c.ID = id; return store.ValidateNew(c, store.Require{}) }, "conversation id"},
		"change conversation": {func(id string) error {
			ch := change
			ch.Conversation = id
			return ch.Validate()
		}, "change: conversation id"},
		"change assignee":     {func(id string) error { ch := change; ch.Assignee = id; return ch.Validate() }, `change of "c": assignee`},
		"change new assignee": {func(id string) error { ch := change; ch.NewAssignee = id; return ch.Validate() }, `change of "c": new assignee`},
		"change group":        {func(id string) error { ch := change; ch.Group = id; return ch.Validate() }, `change of "c": group`},
		"change offer": {func(id string) error {
			ch := change
			ch.To, ch.NewAssignee, ch.Offers = store.Offered, "", []string{id}
			return ch.Validate()
		}, `conversation "c": offer 0`},
		"change missed by": {func(id string) error {
			ch := change
			ch.AddMissed = []string{"bob", id}
			return ch.Validate()
		}, `change of "c": AddMissed 1`},
		"change tag": {func(id string) error {
			ch := change
			ch.Profile = &store.Profile{Tags: []string{id}}
			return ch.Validate()
		}, "tag 0"},
		"change preferred": {func(id string) error {
			ch := change
			ch.Profile = &store.Profile{Preferred: id}
			return ch.Validate()
		}, "preferred operator"},
		"status change": {func(id string) error {
			return store.StatusChange{Operator: id, To: "away", At: testTime}.Validate()
		}, "status change: operator id"},
		"operator deadlines": {func(id string) error { return store.OperatorDeadlines{Operator: id}.Validate() }, "operator deadlines: operator id"},
		"filter group":       {func(id string) error { return store.Filter{Group: id}.Validate() }, "filter: group"},
		"filter assignee":    {func(id string) error { return store.Filter{Assignee: id}.Validate() }, "filter: assignee"},
		"filter customer":    {func(id string) error { return store.Filter{Customer: id}.Validate() }, "filter: customer"},
		"filter channel":     {func(id string) error { return store.Filter{Channel: id}.Validate() }, "filter: channel"},
		"filter last operator": {func(id string) error {
			return store.Filter{LastOperator: id}.Validate()
		}, "filter: last operator"},
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, tc.validate(longest))
			err := tc.validate(long)
			require.ErrorIs(t, err, store.ErrInvalid)
			require.Contains(t, err.Error(), tc.field+` "xxxx`)
			require.Contains(t, err.Error(), "is 257 bytes long, more than MaxIDLength (256)")
		})
	}
}

// TestValidateOfValidInputAllocatesNothing: the length checks cost a valid
// row or change no allocation (Validate runs on every write).
func TestValidateOfValidInputAllocatesNothing(t *testing.T) {
	c := store.Conversation{ID: "c", Group: "g", CustomerID: "cu", State: store.Offered, OfferedTo: []string{"ann", "bob"},
		LastOperator: "ann", LinkedTo: "c0", MissedBy: []string{"cat"}, Tags: []string{"vip", "b2b"}, Preferred: "ann",
		Rules: []store.RuleMatch{{Rule: "vip", Changes: []string{"tag vip"}}}, CreatedAt: testTime}
	p := c.Profile()
	ch := store.Change{Conversation: "c", From: []store.State{store.Queued}, To: store.Offered, Offers: []string{"ann", "bob"},
		Group: "h", AddMissed: []string{"cat"}, Profile: &p, At: testTime}
	op := store.Operator{ID: "ann", Status: "ready", Groups: []string{"g", "h"}}
	require.Zero(t, testing.AllocsPerRun(100, func() {
		_ = c.Validate()
		_ = ch.Validate()
		_ = op.Validate()
		_ = store.Filter{Group: "g", Assignee: "ann", Customer: "cu", Channel: "web", LastOperator: "ann", AfterSeq: 9, Limit: 50}.Validate()
	}))
}
