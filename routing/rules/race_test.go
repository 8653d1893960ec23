//go:build race

package rules_test

// race reports whether the race detector is on: it makes sync.Pool drop
// items at random, so the regexp package allocates now and then, and
// allocations cannot be counted.
const race = true
