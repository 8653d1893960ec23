package policy_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain raises rapid's number of checks to 1000 unless RAPID_CHECKS (or
// an explicit -rapid.checks flag) says otherwise.
func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv("RAPID_CHECKS"); !ok {
		flag.Parse()
		explicit := false
		flag.Visit(func(f *flag.Flag) {
			if f.Name == "rapid.checks" {
				explicit = true
			}
		})
		if !explicit && flag.Lookup("rapid.checks") != nil {
			if err := flag.Set("rapid.checks", "1000"); err != nil {
				panic(err)
			}
		}
	}
	os.Exit(m.Run())
}
