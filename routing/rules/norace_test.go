//go:build !race

package rules_test

// raceSlack is zero without the race detector (see race_test.go).
const raceSlack = 0
