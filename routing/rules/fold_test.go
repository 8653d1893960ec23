package rules

import (
	"slices"
	"strings"
	"testing"
	"unicode"

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
	t.Run("many runes", func(t *testing.T) {
		checkFolding(t, 6, "a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ", "é", "É", "\xff", "\xe2\x82", "\uFFFD", "-", "z")
	})
	// Few runes, long texts: values that repeat themselves, for the
	// failure functions of contains.
	t.Run("few runes", func(t *testing.T) {
		checkFolding(t, 14, "a", "A", "b", "k", "\u212a", "\xff")
	})
}

// checkFolding checks the folding comparisons on texts of up to n pieces
// of the alphabet.
func checkFolding(t *testing.T, n int, alphabet ...string) {
	text := rapid.Custom(func(t *rapid.T) string {
		return strings.Join(rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, n).Draw(t, "pieces"), "")
	})
	rapid.Check(t, func(t *rapid.T) {
		s := text.Draw(t, "s")
		var p string
		if runes := []rune(s); len(runes) > 0 && rapid.Bool().Draw(t, "from s") {
			// A run of s, some of its runes folded to another case.
			i := rapid.IntRange(0, len(runes)-1).Draw(t, "from")
			j := rapid.IntRange(i+1, len(runes)).Draw(t, "to")
			run := slices.Clone(runes[i:j])
			for k := range run {
				for range rapid.IntRange(0, 2).Draw(t, "folds") {
					run[k] = unicode.SimpleFold(run[k])
				}
			}
			p = string(run)
		} else {
			p = strings.ToValidUTF8(text.Draw(t, "p"), "\uFFFD")
		}
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
		search := newFoldSearch(p)
		require.Equal(t, contains, search.in(s), "contains %q %q", s, p)
		require.Equal(t, prefix, foldPrefix(s, rs), "prefix %q %q", s, p)
		require.Equal(t, suffix, foldSuffix(s, rs), "suffix %q %q", s, p)
		if asciiFoldable(p) {
			search := newASCIISearch(p)
			require.Equal(t, contains, search.in(s), "ascii contains %q %q", s, p)
			require.Equal(t, prefix, asciiFoldPrefix(s, p), "ascii prefix %q %q", s, p)
			require.Equal(t, suffix, asciiFoldSuffix(s, p), "ascii suffix %q %q", s, p)
		}
	})
}
