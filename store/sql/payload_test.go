package sqlstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPayloadsSplitBelowTheLimit(t *testing.T) {
	s := &Store{origin: newOrigin()}
	var ops, convs []string
	for i := range 500 {
		ops = append(ops, fmt.Sprintf("operator-with-a-long-name-%04d", i))
		convs = append(convs, fmt.Sprintf("conversation-\"quoted\"-%04d", i), fmt.Sprintf("conversation-\"quoted\"-%04d", i))
	}
	out := s.payloads(ops, convs)
	require.Greater(t, len(out), 1)
	var gotOps, gotConvs []string
	for _, p := range out {
		require.Less(t, len(p), 8000, "PostgreSQL refuses payloads of 8000 bytes or more")
		var d payload
		require.NoError(t, json.Unmarshal([]byte(p), &d))
		require.Equal(t, s.origin, d.Origin)
		gotOps = append(gotOps, d.Operators...)
		gotConvs = append(gotConvs, d.Conversations...)
	}
	require.Equal(t, slices.Sorted(slices.Values(ops)), gotOps)
	require.Len(t, gotConvs, 500, "each id once")
	require.Equal(t, slices.Compact(slices.Sorted(slices.Values(convs))), gotConvs)

	one := s.payloads([]string{"ann"}, nil)
	require.Equal(t, []string{`{"s":"` + s.origin + `","o":["ann"]}`}, one)
}
