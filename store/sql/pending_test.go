package sqlstore

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestPendingRows: put, drop and take agree with a map of the last row of
// each id.
func TestPendingRows(t *testing.T) {
	type row struct{ id, v string }
	byID := func(a, b row) int { return strings.Compare(a.id, b.id) }
	rapid.Check(t, func(t *rapid.T) {
		p := newPendingRows(func(r row) string { return r.id })
		model := map[string]row{}
		ids := rapid.SampledFrom([]string{"a", "b", "c", "d", "e"})
		for range rapid.IntRange(0, 60).Draw(t, "steps") {
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0, 1, 2:
				r := row{ids.Draw(t, "id"), rapid.String().Draw(t, "v")}
				p.put(r)
				model[r.id] = r
			case 3, 4:
				id := ids.Draw(t, "id")
				p.drop(id)
				delete(model, id)
			case 5:
				want := slices.SortedFunc(maps.Values(model), byID)
				if len(want) == 0 {
					want = nil
				}
				require.Equal(t, want, p.take(byID))
				clear(model)
			}
		}
		want := slices.SortedFunc(maps.Values(model), byID)
		if len(want) == 0 {
			want = nil
		}
		require.Equal(t, want, p.take(byID))
	})
}
