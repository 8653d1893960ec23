package rules

import "strconv"

// keyPath returns the path of an object's key: parent.key, or
// parent["key"] for a key that is not a plain word.
func keyPath(parent, key string) string {
	if !plainWord(key) {
		return entryPath(parent, key)
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// entryPath returns the path of a map's entry: parent["key"].
func entryPath(parent, key string) string { return parent + "[" + strconv.Quote(key) + "]" }

// indexPath returns the path of an array's element: parent[i].
func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

// plainWord reports whether s is letters, digits and underscores only, and
// not empty.
func plainWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
