package rules

import (
	"unicode"
	"unicode/utf8"
)

// Text comparisons without regard to case, by Unicode simple case folding
// rune by rune, as strings.EqualFold compares: text is decoded as UTF-8,
// an invalid byte counting as one U+FFFD. The pattern is the condition's
// value, decoded once at compile time; none of them allocates.

// foldRune reports whether a and b are equal under simple case folding.
func foldRune(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// decodeRune decodes the rune at the start of s, which is not empty.
func decodeRune(s string) (rune, int) {
	if c := s[0]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s)
}

// foldPrefix reports whether s starts with runes that fold to p.
func foldPrefix(s string, p []rune) bool {
	i := 0
	for _, pr := range p {
		if i >= len(s) {
			return false
		}
		r, size := decodeRune(s[i:])
		if !foldRune(r, pr) {
			return false
		}
		i += size
	}
	return true
}

// foldSuffix reports whether s ends with runes that fold to p.
func foldSuffix(s string, p []rune) bool {
	skip := utf8.RuneCountInString(s) - len(p)
	if skip < 0 {
		return false
	}
	i := 0
	for ; skip > 0; skip-- {
		_, size := decodeRune(s[i:])
		i += size
	}
	return foldPrefix(s[i:], p)
}

// foldSearch is a folding value compiled for contains: its runes and
// their failure function (Knuth-Morris-Pratt, under folding, which is an
// equivalence), so that a search takes time linear in the field's length
// whatever the value.
type foldSearch struct {
	runes []rune
	fail  []int32 // fail[i]: the longest proper prefix of runes[:i+1] that folds to its suffix
}

// newFoldSearch compiles the value p, which is not empty.
func newFoldSearch(p string) foldSearch {
	rs := []rune(p)
	fail := make([]int32, len(rs))
	k := int32(0)
	for i := 1; i < len(rs); i++ {
		for k > 0 && !foldRune(rs[i], rs[k]) {
			k = fail[k-1]
		}
		if foldRune(rs[i], rs[k]) {
			k++
		}
		fail[i] = k
	}
	return foldSearch{runes: rs, fail: fail}
}

// in reports whether s has a run of runes that folds to the value.
func (f *foldSearch) in(s string) bool {
	j := int32(0)
	for i := 0; i < len(s); {
		r, size := decodeRune(s[i:])
		i += size
		for j > 0 && !foldRune(r, f.runes[j]) {
			j = f.fail[j-1]
		}
		if foldRune(r, f.runes[j]) {
			j++
			if int(j) == len(f.runes) {
				return true
			}
		}
	}
	return false
}

// A value that is ASCII without the letters k and s folds byte by byte:
// U+212A KELVIN SIGN and U+017F LATIN SMALL LETTER LONG S are the only
// runes beyond ASCII that fold to ASCII letters, so a run of the field
// that folds to such a value is ASCII itself, and no byte of a longer
// rune equals one of the value's.

// asciiFoldable reports whether p folds byte by byte.
func asciiFoldable(p string) bool {
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c >= utf8.RuneSelf, c == 'k', c == 'K', c == 's', c == 'S':
			return false
		}
	}
	return true
}

// lowerASCII returns the ASCII letter c in lower case, any other byte as
// it is.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// asciiEqualFold reports whether s and p, of equal length, are equal but
// for the case of ASCII letters.
func asciiEqualFold(s, p string) bool {
	for i := 0; i < len(p); i++ {
		if lowerASCII(s[i]) != lowerASCII(p[i]) {
			return false
		}
	}
	return true
}

// asciiFoldPrefix is foldPrefix for an ASCII-foldable p.
func asciiFoldPrefix(s, p string) bool { return len(s) >= len(p) && asciiEqualFold(s[:len(p)], p) }

// asciiFoldSuffix is foldSuffix for an ASCII-foldable p.
func asciiFoldSuffix(s, p string) bool {
	return len(s) >= len(p) && asciiEqualFold(s[len(s)-len(p):], p)
}

// asciiSearch is an ASCII-foldable value compiled for contains: its
// bytes in lower case and their failure function.
type asciiSearch struct {
	lower string
	fail  []int32
}

// newASCIISearch compiles the ASCII-foldable value p, which is not empty.
func newASCIISearch(p string) asciiSearch {
	b := []byte(p)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	fail := make([]int32, len(b))
	k := int32(0)
	for i := 1; i < len(b); i++ {
		for k > 0 && b[i] != b[k] {
			k = fail[k-1]
		}
		if b[i] == b[k] {
			k++
		}
		fail[i] = k
	}
	return asciiSearch{lower: string(b), fail: fail}
}

// in reports whether s contains the value, but for the case of ASCII
// letters.
func (a *asciiSearch) in(s string) bool {
	j := int32(0)
	for i := 0; i < len(s); i++ {
		c := lowerASCII(s[i])
		for j > 0 && c != a.lower[j] {
			j = a.fail[j-1]
		}
		if c == a.lower[j] {
			j++
			if int(j) == len(a.lower) {
				return true
			}
		}
	}
	return false
}
