package rules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// foldRuns reports whether some run of s's runes at one of the offsets
// folds to p: the definition the folding comparisons implement.
func foldRuns(s, p string, offsets func(n, m int) []int) bool {
	rs, n := []rune(s), len([]rune(p))
	for _, i := range offsets(len(rs), n) {
		if i >= 0 && i+n <= len(rs) && strings.EqualFold(string(rs[i:i+n]), p) {
			return true
		}
	}
	return false
}

// The folding comparisons, rune by rune and byte by byte, agree with
// strings.EqualFold on every run of runes, invalid UTF-8 included.
func TestFoldingComparisonsAgreeWithEqualFold(t *testing.T) {
	alphabet := []string{"a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ", "é", "É", "\xff", "\xe2\x82", "\uFFFD", "-", "z"}
	text := rapid.Custom(func(t *rapid.T) string {
		return strings.Join(rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 6).Draw(t, "pieces"), "")
	})
	rapid.Check(t, func(t *rapid.T) {
		s := text.Draw(t, "s")
		p := strings.ToValidUTF8(text.Draw(t, "p"), "\uFFFD")
		if p == "" {
			p = "a"
		}
		rs := []rune(p)
		all := func(n, m int) []int {
			var out []int
			for i := 0; i <= n-m; i++ {
				out = append(out, i)
			}
			return out
		}
		contains := foldRuns(s, p, all)
		prefix := foldRuns(s, p, func(int, int) []int { return []int{0} })
		suffix := foldRuns(s, p, func(n, m int) []int { return []int{n - m} })
		require.Equal(t, contains, foldContains(s, rs), "contains %q %q", s, p)
		require.Equal(t, prefix, foldPrefix(s, rs), "prefix %q %q", s, p)
		require.Equal(t, suffix, foldSuffix(s, rs), "suffix %q %q", s, p)
		if asciiFoldable(p) {
			require.Equal(t, contains, asciiFoldContains(s, p), "ascii contains %q %q", s, p)
			require.Equal(t, prefix, asciiFoldPrefix(s, p), "ascii prefix %q %q", s, p)
			require.Equal(t, suffix, asciiFoldSuffix(s, p), "ascii suffix %q %q", s, p)
		}
	})
}
