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

	out := s.payloads(ops, convs, false)
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

	one := s.payloads([]store.Operator{{ID: "ann"}}, nil, false)
	require.Equal(t, []string{`{"s":"` + s.origin + `","o":["ann"],"g":["ann"]}`}, one)
}

// TestPayloadsReportARuleSet: a transaction that stored a rule set says so
// in its first payload only, alone or with the rows it changed; one that
// stored none does not.
func TestPayloadsReportARuleSet(t *testing.T) {
	s := &Store{origin: newOrigin()}
	alone := s.payloads(nil, nil, true)
	require.Equal(t, []string{`{"s":"` + s.origin + `","rs":true}`}, alone)
	d, err := decodePayload(alone[0])
	require.NoError(t, err)
	require.Equal(t, store.Notice{RuleSet: true}, d.notice())

	var convs []store.Conversation
	for i := range 100 {
		convs = append(convs, store.Conversation{ID: fmt.Sprintf("conversation-%04d", i), Group: strings.Repeat("g", 100), Seq: uint64(i + 1), Version: 1})
	}
	out := s.payloads(nil, convs, true)
	require.Greater(t, len(out), 1)
	for i, p := range out {
		d, err := decodePayload(p)
		require.NoError(t, err)
		require.Equal(t, i == 0, d.notice().RuleSet, "payload %d", i)
	}
	for _, p := range s.payloads(nil, convs, false) {
		d, err := decodePayload(p)
		require.NoError(t, err)
		require.False(t, d.RuleSet)
	}
}
