package policy_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/policy"
)

// benchCandidates returns n operators with spread loads and last
// assignments; every third one speaks "en".
func benchCandidates(n int) []policy.Candidate {
	cands := make([]policy.Candidate, n)
	for i := range cands {
		cands[i] = policy.Candidate{
			ID:           "op-" + strconv.Itoa(i),
			Status:       "ready",
			Load:         i % 7,
			LastAssigned: t0.Add(time.Duration(i%97) * time.Second),
		}
		if i%3 == 0 {
			cands[i].Skills = []string{"en"}
		}
	}
	return cands
}

func BenchmarkLeastLoaded(b *testing.B) {
	p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})
	l := policy.NewList(policy.LimiterOf(p), benchCandidates(10_000)...)
	in := policy.Input{Conversation: policy.Conversation{ID: "c1", Skills: []string{"en"}}, Auto: l, Offer: l, Now: t0}
	b.ReportAllocs()
	for b.Loop() {
		if d := p.Decide(in); d.Action != policy.Assign {
			b.Fatalf("decision %+v", d)
		}
	}
}

func BenchmarkBroadcast10k(b *testing.B) {
	p := policy.Broadcast(0)
	l := policy.NewList(nil, benchCandidates(10_000)...)
	in := policy.Input{Conversation: policy.Conversation{ID: "c1"}, Auto: l, Offer: l, Now: t0}
	b.ReportAllocs()
	for b.Loop() {
		if d := p.Decide(in); len(d.Operators) != 10_000 {
			b.Fatalf("offered %d", len(d.Operators))
		}
	}
}
