package policy_test

import (
	"time"

	"github.com/switchboard-go/switchboard/policy"
)

// t0 is the fixed reference time of the tests: policies read no clock.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// op returns a candidate with the given id and load.
func op(id string, load int) policy.Candidate {
	return policy.Candidate{ID: id, Status: "ready", Load: load}
}

// withCap returns c with its own cap set.
func withCap(c policy.Candidate, cp int) policy.Candidate { c.Cap = cp; return c }

// withSkills returns c with the given skills.
func withSkills(c policy.Candidate, skills ...string) policy.Candidate { c.Skills = skills; return c }

// lastAt returns c last assigned d after t0.
func lastAt(c policy.Candidate, d time.Duration) policy.Candidate {
	c.LastAssigned = t0.Add(d)
	return c
}

// input returns an Input for conversation conv over the given views.
func input(conv policy.Conversation, auto, offer policy.Candidates) policy.Input {
	return policy.Input{Conversation: conv, Auto: auto, Offer: offer, Now: t0}
}

// same returns an Input whose Auto and Offer are both the given candidates,
// listed with the policy's limiter as the router would.
func same(p policy.Policy, conv policy.Conversation, cands ...policy.Candidate) policy.Input {
	l := policy.NewList(policy.LimiterOf(p), cands...)
	return input(conv, l, l)
}

// ids lists the ids of the candidates of v in the order v yields them.
func ids(v policy.Candidates) []string {
	var out []string
	v.Ascend(func(c policy.Candidate) bool {
		out = append(out, c.ID)
		return true
	})
	return out
}

// countingCandidates wraps a view and counts the calls to Ascend and the
// candidates it yields.
type countingCandidates struct {
	policy.Candidates
	ascends, visits, gets int
}

func (c *countingCandidates) Ascend(fn func(policy.Candidate) bool) {
	c.ascends++
	c.Candidates.Ascend(func(x policy.Candidate) bool {
		c.visits++
		return fn(x)
	})
}

func (c *countingCandidates) Get(id string) (policy.Candidate, bool) {
	c.gets++
	return c.Candidates.Get(id)
}
