//go:build race

package rules_test

// raceSlack is how many allocations per evaluation the race detector adds:
// it makes sync.Pool drop items at random, so the regexp package allocates
// now and then (2 measured with 10 regexps in the set; one to spare).
const raceSlack = 3
