//go:build !race

package rules_test

// race reports whether the race detector is on (see race_test.go).
const race = false
