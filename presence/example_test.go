package presence_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

func ExampleStandard() {
	m := presence.Standard()
	for _, s := range m.Statuses() {
		fmt.Printf("%-8s %v\n", s.Name, s.Capabilities)
	}
	fmt.Println("auto-assigned:", m.With(presence.AutoAssign))
	fmt.Println("take transfers:", m.With(presence.Transfers))
	fmt.Println("new:", m.Initial(), "log in:", m.LogIn(), "log out:", m.LogOut(), "end shift:", m.OffShift())
	pause, _ := m.Status(presence.StatusPause)
	fmt.Println("pause on last close:", pause.OnLastClose)
	// Output:
	// ready    auto-assign|queue|transfers|admin-assign
	// can-help queue|transfers
	// pause    transfers
	// away     none
	// offline  none
	// auto-assigned: [ready]
	// take transfers: [ready can-help pause]
	// new: offline log in: ready log out: pause end shift: offline
	// pause on last close: away
}

func ExampleActiveInactive() {
	m := presence.ActiveInactive()
	fmt.Println(m.With(presence.AutoAssign), m.Initial(), m.LogOut())
	// Output:
	// [active] inactive inactive
}

func ExampleToggle() {
	m := presence.Toggle()
	fmt.Println(m.Has(presence.StatusGreen, presence.AutoAssign), m.Has(presence.StatusGrey, presence.AutoAssign))
	// Output:
	// true false
}

// An admin defines statuses of their own (P11), like HelpDeskEddy's
// employee statuses: a lunch status, in which nothing new arrives, that
// becomes away after 15 minutes without activity, and a guard that refuses
// going offline while holding assigned conversations (P8).
func ExampleNew() {
	m, err := presence.New(presence.Definition{
		Statuses: []presence.Status{
			{Name: "online", Capabilities: presence.All},
			{Name: "lunch", Inactivity: &presence.Inactivity{After: 15 * time.Minute, Target: "away"}},
			{Name: "away"},
			{Name: "offline"},
		},
		Transitions: []presence.Transition{
			{From: "offline", To: "online"},
			{From: "online", To: "lunch"},
			{From: "lunch", To: "online"},
			{From: "lunch", To: "away"},
			{From: "away", To: "online"},
			{From: "online", To: "offline"},
		},
		Initial: "offline",
		Guards:  []presence.Guard{{To: []string{"offline"}, Holding: []store.State{store.Assigned}}},
	})
	if err != nil {
		panic(err)
	}
	lunch, _ := m.Status("lunch")
	fmt.Println("lunch:", lunch.Capabilities, "then", lunch.Inactivity.Target, "after", lunch.Inactivity.After)
	fmt.Println("end shift:", m.OffShift())
	fmt.Println("offline refused while holding:", m.Forbidden("offline"))
	fmt.Println(m.Check("online", "lunch"))
	err = m.Check("offline", "lunch")
	fmt.Println(errors.Is(err, presence.ErrTransitionNotAllowed), errors.Is(err, store.ErrNotAllowed))

	_, err = presence.New(presence.Definition{
		Statuses: []presence.Status{
			{Name: "online", Capabilities: presence.All},
			{Name: "pause", Inactivity: &presence.Inactivity{After: time.Hour, Target: "lunch"}},
		},
	})
	fmt.Println(err)
	// Output:
	// lunch: none then away after 15m0s
	// end shift: offline
	// offline refused while holding: [assigned]
	// <nil>
	// true true
	// switchboard: invalid input: invalid status definition: status 1 ("pause"): Inactivity.Target "lunch" is not defined
}
