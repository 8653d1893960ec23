package routing_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs at least 1,000 rapid sequences unless RAPID_CHECKS says
// otherwise.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("RAPID_CHECKS") == "" {
		if err := flag.Set("rapid.checks", "1000"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
