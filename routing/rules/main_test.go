package rules_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs at least 1,000 rapid sequences unless RAPID_CHECKS or an
// explicit -rapid.checks flag says otherwise.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
	if _, ok := os.LookupEnv("RAPID_CHECKS"); !ok && !explicit {
		if err := flag.Set("rapid.checks", "1000"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
