package queue_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain raises rapid's default number of checks to 1,000 sequences, unless
// the RAPID_CHECKS environment variable or an explicit -rapid.checks flag
// says otherwise. (rapid divides the count by five under -short.)
func TestMain(m *testing.M) {
	flag.Parse()
	if _, ok := os.LookupEnv("RAPID_CHECKS"); !ok && !flagSet("rapid.checks") {
		if err := flag.Set("rapid.checks", "1000"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
