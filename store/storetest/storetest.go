package storetest

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// Run runs the whole conformance suite against the stores newStore returns,
// each subtest on a fresh, empty store. newStore may use t (to skip, to
// fail, to register cleanups); the suite closes every store it is given.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	for _, tc := range plainTests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.fn(t, s)
		})
	}
	t.Run("Concurrency_ClaimRace", func(t *testing.T) {
		s := newStore(t)
		t.Cleanup(func() { _ = s.Close() })
		testClaimRace(t, s)
	})
	t.Run("Concurrency_CapRace", func(t *testing.T) {
		s := newStore(t)
		t.Cleanup(func() { _ = s.Close() })
		testCapRace(t, s)
	})
	t.Run("Invariants_StateMachine", func(t *testing.T) {
		testStateMachine(t, newStore)
	})
}

// plainTest is one example-based subtest of Run.
type plainTest struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// plainTests lists Run's example-based subtests, by file.
var plainTests = slices.Concat(operatorTests, conversationTests, applyTests, deadlineTests, historyTests, idTests, miscTests,
	profileTests, ruleSetTests, pageTests, groupTests, journalTests)

// tb is what the helpers need from *testing.T and *rapid.T.
type tb interface {
	require.TestingT
	Helper()
}

// t0 is the time the suite's examples start at.
var t0 = time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC)

// at returns the time min minutes after t0.
func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// bg is the context of every call the suite makes.
var bg = context.Background()

// Statuses used by the examples.
const (
	ready = "ready"
	help  = "can-help"
	away  = "away"
)

func newOp(id, status string, cap int, groups ...string) store.Operator {
	return store.Operator{ID: id, Status: status, Cap: cap, Groups: groups, StatusSince: t0}
}

func createOp(t tb, s store.Store, id, status string, cap int, groups ...string) store.Operator {
	t.Helper()
	op, err := s.CreateOperator(bg, newOp(id, status, cap, groups...))
	require.NoError(t, err)
	return op
}

// queuedConv returns a queued conversation row to create.
func queuedConv(id, group, customer string, created time.Time) store.Conversation {
	return store.Conversation{ID: id, Group: group, CustomerID: customer, Channel: "web", State: store.Queued, CreatedAt: created}
}

// assignedConv returns a conversation row to create assigned to op.
func assignedConv(id, group, customer, op string, created time.Time) store.Conversation {
	c := queuedConv(id, group, customer, created)
	c.State, c.Assignee = store.Assigned, op
	return c
}

func createConv(t tb, s store.Store, c store.Conversation, req store.Require) store.Result {
	t.Helper()
	res, err := s.CreateConversation(bg, c, req)
	require.NoError(t, err)
	return res
}

func apply(t tb, s store.Store, ch store.Change) store.Result {
	t.Helper()
	res, err := s.Apply(bg, ch)
	require.NoError(t, err)
	return res
}

func getOp(t tb, s store.Store, id string) store.Operator {
	t.Helper()
	op, err := s.Operator(bg, id)
	require.NoError(t, err)
	return op
}

func getConv(t tb, s store.Store, id string) store.Conversation {
	t.Helper()
	c, err := s.Conversation(bg, id)
	require.NoError(t, err)
	return c
}

// requireLoads checks the loads of the named operators, given as id, load
// pairs, and that each equals the number of conversations assigned to them.
func requireLoads(t tb, s store.Store, idLoad ...any) {
	t.Helper()
	for i := 0; i < len(idLoad); i += 2 {
		id, want := idLoad[i].(string), idLoad[i+1].(int)
		require.Equal(t, want, getOp(t, s, id).Load, "load of %s", id)
		held, err := s.Conversations(bg, store.Filter{Assignee: id, States: []store.State{store.Assigned}})
		require.NoError(t, err)
		require.Len(t, held, want, "conversations assigned to %s", id)
	}
}

// normOp maps empty slices to nil and times to UTC, so rows from stores
// that do not keep those apart compare equal.
func normOp(o store.Operator) store.Operator {
	o = o.Clone()
	o.Groups = nilIfEmpty(o.Groups)
	o.Skills = nilIfEmpty(o.Skills)
	o.StatusSince = o.StatusSince.UTC()
	o.LastAssigned = o.LastAssigned.UTC()
	o.Deadlines = nilIfEmpty(o.Deadlines)
	for i := range o.Deadlines {
		o.Deadlines[i].Due = o.Deadlines[i].Due.UTC()
	}
	return o
}

// normConv is normOp for conversations.
func normConv(c store.Conversation) store.Conversation {
	c = c.Clone()
	c.Skills = nilIfEmpty(c.Skills)
	c.OfferedTo = nilIfEmpty(c.OfferedTo)
	if len(c.Attributes) == 0 {
		c.Attributes = nil
	}
	c.CreatedAt = c.CreatedAt.UTC()
	c.EnqueuedAt = c.EnqueuedAt.UTC()
	c.AssignedAt = c.AssignedAt.UTC()
	c.ClosedAt = c.ClosedAt.UTC()
	c.Deadlines = nilIfEmpty(c.Deadlines)
	c.MissedBy = nilIfEmpty(c.MissedBy)
	c.Tags = nilIfEmpty(c.Tags)
	c.Rules = nilIfEmpty(c.Rules)
	for i := range c.Rules {
		c.Rules[i].Changes = nilIfEmpty(c.Rules[i].Changes)
	}
	for i := range c.Deadlines {
		c.Deadlines[i].Due = c.Deadlines[i].Due.UTC()
	}
	return c
}

// normRuleSet is normOp for rule sets.
func normRuleSet(rs store.RuleSet) store.RuleSet {
	rs = rs.Clone()
	rs.Body = nilIfEmpty(rs.Body)
	rs.UpdatedAt = rs.UpdatedAt.UTC()
	return rs
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func normOps(ops []store.Operator) []store.Operator {
	out := make([]store.Operator, 0, len(ops))
	for _, o := range ops {
		out = append(out, normOp(o))
	}
	return out
}

func normConvs(cs []store.Conversation) []store.Conversation {
	out := make([]store.Conversation, 0, len(cs))
	for _, c := range cs {
		out = append(out, normConv(c))
	}
	return out
}

// sortedOps returns ops normalised and sorted by id.
func sortedOps(ops []store.Operator) []store.Operator {
	out := normOps(ops)
	slices.SortFunc(out, func(a, b store.Operator) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// loadsOf returns the loads of the given operators' rows, ordered by
// operator id, in the form Result.Loads returns them.
func loadsOf(ops ...store.Operator) []store.Load {
	out := make([]store.Load, 0, len(ops))
	for _, o := range sortedOps(ops) {
		out = append(out, store.LoadOf(o))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// normLoads gives times one location, so loads compare with Equal.
func normLoads(ls []store.Load) []store.Load {
	for i := range ls {
		ls[i].LastAssigned = ls[i].LastAssigned.UTC()
	}
	return ls
}

func requireOp(t tb, want, got store.Operator, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, normOp(want), normOp(got), msgAndArgs...)
}

func requireConv(t tb, want, got store.Conversation, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, normConv(want), normConv(got), msgAndArgs...)
}

// snapshot is everything a store shows: rows, versions, loads, the
// previous operator of every customer it was taken for, the rule set and
// the groups (left empty by the state-machine test, which sets neither).
type snapshot struct {
	Operators     []store.Operator
	Conversations []store.Conversation
	Previous      map[string]string
	RuleSet       store.RuleSet
	Groups        []store.GroupRow
	Journal       store.JournalBounds
}

// takeSnapshot reads everything s shows, with the previous operator of
// every customer of a stored conversation and of the customers named.
func takeSnapshot(t tb, s store.Store, customers ...string) snapshot {
	t.Helper()
	ops, err := s.Operators(bg)
	require.NoError(t, err)
	convs, err := s.Conversations(bg, store.Filter{})
	require.NoError(t, err)
	rs, err := s.RuleSet(bg)
	require.NoError(t, err)
	groups, err := s.Groups(bg)
	require.NoError(t, err)
	bounds, err := s.JournalBounds(bg)
	require.NoError(t, err)
	snap := snapshot{Operators: normOps(ops), Conversations: normConvs(convs), Previous: map[string]string{}, RuleSet: normRuleSet(rs),
		Groups: normGroups(groups), Journal: bounds}
	for _, c := range convs {
		customers = append(customers, c.CustomerID)
	}
	for _, cu := range customers {
		if cu == "" {
			continue
		}
		prev, err := s.PreviousOperator(bg, cu)
		require.NoError(t, err)
		snap.Previous[cu] = prev
	}
	return snap
}

// requireUnchanged checks that s shows exactly what before recorded.
func requireUnchanged(t tb, s store.Store, before snapshot) {
	t.Helper()
	after := takeSnapshot(t, s, slices.Collect(maps.Keys(before.Previous))...)
	require.Equal(t, before, after, "a failed call changed the store")
}

// requireFails runs call, checks that it fails with an error matching
// target, and that it changed nothing.
func requireFails(t tb, s store.Store, target error, call func() error, msgAndArgs ...any) {
	t.Helper()
	before := takeSnapshot(t, s)
	err := call()
	require.ErrorIs(t, err, target, msgAndArgs...)
	requireUnchanged(t, s, before)
}

// applyFails is requireFails for one Apply.
func applyFails(t tb, s store.Store, target error, ch store.Change, msgAndArgs ...any) {
	t.Helper()
	requireFails(t, s, target, func() error {
		_, err := s.Apply(bg, ch)
		return err
	}, msgAndArgs...)
}

// createFails is requireFails for one CreateConversation.
func createFails(t tb, s store.Store, target error, c store.Conversation, req store.Require, msgAndArgs ...any) {
	t.Helper()
	requireFails(t, s, target, func() error {
		_, err := s.CreateConversation(bg, c, req)
		return err
	}, msgAndArgs...)
}
