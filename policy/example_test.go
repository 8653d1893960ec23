package policy_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/policy"
)

// Balanced routing: the least-loaded operator gets the conversation; between
// equal loads, the one who has waited longest since their last assignment.
func ExampleLeastLoaded() {
	nine := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	ops := policy.NewList(nil,
		policy.Candidate{ID: "anna", Load: 1, LastAssigned: nine.Add(20 * time.Minute)},
		policy.Candidate{ID: "boris", Load: 1, LastAssigned: nine.Add(5 * time.Minute)},
		policy.Candidate{ID: "vera", Load: 3, LastAssigned: nine},
	)
	d := policy.LeastLoaded().Decide(policy.Input{
		Conversation: policy.Conversation{ID: "chat-1"},
		Auto:         ops,
		Offer:        ops,
		Now:          nine.Add(30 * time.Minute),
	})
	fmt.Println(d.Action, d.Operator)
	// Output:
	// assign boris
}

// Broadcast, first take wins: the conversation is offered to every operator
// with the skills it needs, least loaded first, or to the first few.
func ExampleBroadcast() {
	ops := policy.NewList(nil,
		policy.Candidate{ID: "anna", Load: 2, Skills: []string{"en"}},
		policy.Candidate{ID: "boris", Load: 0, Skills: []string{"en"}},
		policy.Candidate{ID: "gleb", Load: 0},
		policy.Candidate{ID: "vera", Load: 1, Skills: []string{"en", "ru"}},
	)
	in := policy.Input{
		Conversation: policy.Conversation{ID: "chat-1", Skills: []string{"en"}},
		Auto:         ops,
		Offer:        ops,
	}

	all := policy.Broadcast(0).Decide(in)
	fmt.Println(all.Action, all.Operators, all.Skipped)

	two := policy.Broadcast(2).Decide(in)
	fmt.Println(two.Action, two.Operators)
	// Output:
	// offer [boris vera anna] [{gleb missing skill en}]
	// offer [boris vera]
}

// Capped: an operator at their cap gets nothing automatically. Caps are the
// operator's own when set, else the group's default.
func ExampleCapped() {
	p := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
	lim := policy.LimiterOf(p)

	anna := policy.Candidate{ID: "anna", Load: 2}           // default cap 2: at cap
	boris := policy.Candidate{ID: "boris", Load: 3, Cap: 5} // own cap 5: below
	vera := policy.Candidate{ID: "vera", Load: 4, Cap: 4}   // own cap 4: at cap
	fmt.Println("caps:", lim.Limit(anna), lim.Limit(boris), lim.Limit(vera))

	ops := policy.NewList(lim, anna, boris, vera)
	d := p.Decide(policy.Input{Conversation: policy.Conversation{ID: "chat-1"}, Auto: ops, Offer: ops})
	fmt.Println(d.Action, d.Operator, d.Skipped)

	busy := policy.NewList(lim, anna, vera)
	d = p.Decide(policy.Input{Conversation: policy.Conversation{ID: "chat-2"}, Auto: busy, Offer: busy})
	fmt.Printf("%s: %s\n", d.Action, d.Reason)
	// Output:
	// caps: 2 5 4
	// assign boris [{anna at cap}]
	// keep: every eligible operator is at cap
}

// Previous operator first: a returning customer goes back to the operator
// who served them, unless that operator is at cap.
func ExamplePreviousOperator() {
	p := policy.PreviousOperator(policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3}))
	conv := policy.Conversation{ID: "chat-1", CustomerID: "cust-7", PreviousOperator: "boris"}

	ops := policy.NewList(policy.LimiterOf(p),
		policy.Candidate{ID: "anna", Load: 0},
		policy.Candidate{ID: "boris", Load: 2},
	)
	d := p.Decide(policy.Input{Conversation: conv, Auto: ops, Offer: ops})
	fmt.Println(d.Action, d.Operator)

	busy := policy.NewList(policy.LimiterOf(p),
		policy.Candidate{ID: "anna", Load: 0},
		policy.Candidate{ID: "boris", Load: 3},
	)
	d = p.Decide(policy.Input{Conversation: conv, Auto: busy, Offer: busy})
	fmt.Println(d.Action, d.Operator, d.Skipped)
	// Output:
	// assign boris
	// assign anna [{boris previous operator not eligible}]
}

// A host's own policy: VIP customers go to the senior operator when she can
// take them; everyone else is routed by load.
func ExampleFunc() {
	vip := policy.Func(func(in policy.Input) policy.Decision {
		if in.Conversation.Attributes["vip"] == "yes" {
			if _, ok := in.Auto.Get("olga"); ok {
				return policy.Decision{Action: policy.Assign, Operator: "olga"}
			}
		}
		return policy.LeastLoaded().Decide(in)
	})

	ops := policy.NewList(nil,
		policy.Candidate{ID: "anna", Load: 0},
		policy.Candidate{ID: "olga", Load: 4},
	)
	for _, attrs := range []map[string]string{{"vip": "yes"}, {"vip": "no"}} {
		conv := policy.Conversation{ID: "chat-" + attrs["vip"], Attributes: attrs}
		d := vip.Decide(policy.Input{Conversation: conv, Auto: ops, Offer: ops})
		fmt.Println(vip.Name(), attrs["vip"], d.Action, d.Operator)
	}
	// Output:
	// func yes assign olga
	// func no assign anna
}

// Fallback: balanced assignment to Ready operators, and when none is below
// cap, an offer to everyone who may take by hand (Cleversite's "Can help").
func ExampleFallback() {
	p := policy.Capped(policy.Fallback(policy.LeastLoaded(), policy.Broadcast(0)), policy.CapOptions{Default: 1})
	ready := policy.NewList(policy.LimiterOf(p), policy.Candidate{ID: "anna", Load: 1})
	takers := policy.NewList(policy.LimiterOf(p), policy.Candidate{ID: "anna", Load: 1}, policy.Candidate{ID: "kim"})
	d := p.Decide(policy.Input{Conversation: policy.Conversation{ID: "c1"}, Auto: ready, Offer: takers})
	fmt.Println(p.Name())
	fmt.Println(d.Action, d.Operators, d.Skipped)
	// Output:
	// capped(fallback(least-loaded,broadcast))
	// offer [kim] [{anna at cap}]
}

// A policy as data: a Spec, read from JSON (an admin UI's, a
// configuration file's), builds the policy; SpecOf describes a policy as a
// Spec again.
func ExampleSpec_Build() {
	var s policy.Spec
	err := json.Unmarshal([]byte(`{"kind": "capped", "default": 3,
		"inner": {"kind": "fallback", "policies": [{"kind": "least-loaded"}, {"kind": "broadcast", "limit": 5}]}}`), &s)
	if err != nil {
		panic(err)
	}
	p, err := s.Build(nil)
	fmt.Println(p.Name(), err)

	back, _ := policy.SpecOf(policy.PreviousOperator(policy.LeastLoaded()))
	text, _ := json.Marshal(back)
	fmt.Println(string(text))

	_, err = policy.Spec{Kind: "capped", Inner: &policy.Spec{Kind: "roundrobin"}}.Build(nil)
	fmt.Println(err)
	// Output:
	// capped(fallback(least-loaded,broadcast(5))) <nil>
	// {"kind":"previous-operator","inner":{"kind":"least-loaded"}}
	// policy: invalid spec: inner.kind: unknown policy kind "roundrobin"
}
