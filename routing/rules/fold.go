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
		r, size := decodeRune(s[i:])
		i += size
		if foldRune(r, p[0]) && foldPrefix(s[i:], p[1:]) {
			return true
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

// asciiFoldContains is foldContains for an ASCII-foldable p, not empty.
func asciiFoldContains(s, p string) bool {
	first := lowerASCII(p[0])
	for i := 0; i+len(p) <= len(s); i++ {
		if lowerASCII(s[i]) == first && asciiEqualFold(s[i+1:i+len(p)], p[1:]) {
			return true
		}
	}
	return false
}
