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

// foldContains reports whether s has a run of runes that folds to p, which
// is not empty.
func foldContains(s string, p []rune) bool {
	for i := 0; i < len(s); {
		if foldPrefix(s[i:], p) {
			return true
		}
		_, size := decodeRune(s[i:])
		i += size
	}
	return false
}
