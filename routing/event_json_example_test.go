package routing_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// An event encodes to JSON for a web console, and decodes back: kinds by
// name, snake_case keys, empty fields left out, waits in milliseconds.
func ExampleEvent_MarshalJSON() {
	at := time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC)
	ev := routing.Event{
		Seq: 12, Kind: routing.Assigned, At: at, By: routing.ByCustomer("cu1"),
		Conversation: "c1", Group: "support", Operator: "ann", Policy: "least-loaded",
		Skipped: []policy.Skip{{Operator: "bob", Reason: policy.ReasonAtCap}},
		Rules:   []store.RuleMatch{{Rule: "vip", Changes: []string{"priority 10"}}},
	}
	b, _ := json.Marshal(ev)
	fmt.Println(string(b))

	b, _ = json.Marshal(routing.Event{Kind: routing.WaitThreshold, By: routing.BySystem(routing.CauseWaitLevel),
		Conversation: "c2", Reason: "yellow", Wait: 90 * time.Second})
	fmt.Println(string(b))

	var back routing.Event
	err := json.Unmarshal([]byte(`{"kind":"group-availability","group":"sales","online":false}`), &back)
	fmt.Println(back, err)
	err = json.Unmarshal([]byte(`{"kind":"teleported"}`), &back)
	fmt.Println(err)
	// Output:
	// {"seq":12,"kind":"assigned","at":"2026-12-03T10:00:00.123456789Z","by":{"kind":"customer","id":"cu1"},"conversation":"c1","group":"support","operator":"ann","policy":"least-loaded","skipped":[{"operator":"bob","reason":"at cap"}],"rules":[{"rule":"vip","changes":["priority 10"]}]}
	// {"kind":"wait-threshold","by":{"kind":"system","cause":"wait-level"},"conversation":"c2","reason":"yellow","wait_ms":90000}
	// group-availability group=sales online=false <nil>
	// switchboard: invalid input: unknown event kind "teleported"
}
