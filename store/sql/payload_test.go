package sqlstore

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/store"
)

// TestPayloadsSplitBelowTheLimit: the changes of a large transaction are
// split into payloads PostgreSQL accepts; every id is named once; rows
// travel as last written, a deleted operator as gone, and a row too large
// for a payload as its id alone.
func TestPayloadsSplitBelowTheLimit(t *testing.T) {
	s := &Store{origin: newOrigin()}
	at := time.Date(2026, 11, 21, 9, 30, 0, 123456789, time.FixedZone("X", 3600))
	var (
		ops   []store.Operator
		convs []store.Conversation
	)
	for i := range 300 {
		id := fmt.Sprintf("operator-with-a-long-name-%04d", i)
		ops = append(ops, store.Operator{ID: id, Groups: []string{"g"}, Status: "ready", StatusSince: at, Version: 1},
			store.Operator{ID: id, Groups: []string{"g"}, Status: "ready", StatusSince: at, Load: 1, LastAssigned: at, Version: 2})
		convs = append(convs, store.Conversation{ID: fmt.Sprintf("conversation-\"quoted\"-%04d", i), Group: "g",
			Skills: []string{}, CreatedAt: at, Seq: uint64(i + 1), Version: 1})
	}
	ops = append(ops, store.Operator{ID: "deleted"})
	huge := store.Conversation{ID: "huge", Group: "g", Attributes: map[string]string{"note": strings.Repeat("x", 9000)}, Seq: 999, Version: 1}
	convs = append(convs, huge)

	out := s.payloads(ops, convs, noticeFlags{})
	require.Greater(t, len(out), 1)
	var got store.Notice
	for _, p := range out {
		require.Less(t, len(p), 8000, "PostgreSQL refuses payloads of 8000 bytes or more")
		d, err := decodePayload(p)
		require.NoError(t, err)
		require.Equal(t, s.origin, d.Origin)
		n := d.notice()
		got.Operators = append(got.Operators, n.Operators...)
		got.Conversations = append(got.Conversations, n.Conversations...)
		got.Carried.Operators = append(got.Carried.Operators, n.Carried.Operators...)
		got.Carried.GoneOperators = append(got.Carried.GoneOperators, n.Carried.GoneOperators...)
		got.Carried.Conversations = append(got.Carried.Conversations, n.Carried.Conversations...)
	}
	require.Len(t, got.Operators, 301, "each id once")
	require.True(t, slices.IsSorted(got.Operators))
	require.Contains(t, got.Operators, "deleted")
	require.Equal(t, []string{"deleted"}, got.Carried.GoneOperators)
	require.Len(t, got.Carried.Operators, 300)
	for _, o := range got.Carried.Operators {
		require.EqualValues(t, 2, o.Version, "the last row written")
		require.Equal(t, at.UTC(), o.StatusSince)
		require.Equal(t, at.UTC(), o.LastAssigned)
	}
	require.Len(t, got.Conversations, 301)
	require.Contains(t, got.Conversations, "huge", "named, to be read")
	require.Len(t, got.Carried.Conversations, 300, "all but the huge one carried")
	require.Nil(t, got.Carried.Conversations[0].Skills, "as read back: empty lists are nil")

	one := s.payloads([]store.Operator{{ID: "ann"}}, nil, noticeFlags{})
	require.Equal(t, []string{`{"s":"` + s.origin + `","o":["ann"],"g":["ann"]}`}, one)
}

// TestPayloadsReportARuleSet: a transaction that stored a rule set says so
// in its first payload only, alone or with the rows it changed; one that
// stored none does not.
func TestPayloadsReportARuleSet(t *testing.T) {
	s := &Store{origin: newOrigin()}
	alone := s.payloads(nil, nil, noticeFlags{ruleSet: true})
	require.Equal(t, []string{`{"s":"` + s.origin + `","rs":true}`}, alone)
	d, err := decodePayload(alone[0])
	require.NoError(t, err)
	require.Equal(t, store.Notice{RuleSet: true}, d.notice())

	convs := manyConversations()
	out := decodeAll(t, s.payloads(nil, convs, noticeFlags{ruleSet: true}))
	require.Greater(t, len(out), 1)
	for i, n := range out {
		require.Equal(t, i == 0, n.RuleSet, "payload %d", i)
	}
	for _, n := range decodeAll(t, s.payloads(nil, convs, noticeFlags{})) {
		require.False(t, n.RuleSet)
	}
}

// manyConversations returns rows that take several payloads.
func manyConversations() []store.Conversation {
	var convs []store.Conversation
	for i := range 100 {
		convs = append(convs, store.Conversation{ID: fmt.Sprintf("conversation-%04d", i), Group: strings.Repeat("g", 100), Seq: uint64(i + 1), Version: 1})
	}
	return convs
}

// decodeAll decodes payloads into the notices they report.
func decodeAll(t *testing.T, payloads []string) []store.Notice {
	t.Helper()
	out := make([]store.Notice, len(payloads))
	for i, p := range payloads {
		d, err := decodePayload(p)
		require.NoError(t, err)
		out[i] = d.notice()
	}
	return out
}

// TestPayloadsReportGroups: a transaction that changed the groups says so
// in its first payload only, with or without a rule set and rows.
func TestPayloadsReportGroups(t *testing.T) {
	s := &Store{origin: newOrigin()}
	alone := s.payloads(nil, nil, noticeFlags{groups: true})
	require.Equal(t, []string{`{"s":"` + s.origin + `","gr":true}`}, alone)
	d, err := decodePayload(alone[0])
	require.NoError(t, err)
	require.Equal(t, store.Notice{Groups: true}, d.notice())

	both := s.payloads(nil, nil, noticeFlags{ruleSet: true, groups: true})
	require.Equal(t, []string{`{"s":"` + s.origin + `","rs":true,"gr":true}`}, both)

	out := decodeAll(t, s.payloads(nil, manyConversations(), noticeFlags{groups: true}))
	require.Greater(t, len(out), 1)
	for i, n := range out {
		require.Equal(t, i == 0, n.Groups, "payload %d", i)
		require.False(t, n.RuleSet, "payload %d", i)
	}
}
