package routing

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
)

// BenchmarkEmit emits an event that concerns operator "x" to the console
// of x (a subscription filtered on x, read after each event), alone and
// beside 1,000 subscriptions each filtered on another operator: the index
// makes the two cost the same.
func BenchmarkEmit(b *testing.B) {
	evs := []core.Event{{Kind: core.Assigned, Conversation: "c1", Group: "g", Operator: "x", Policy: "least-loaded"}}
	at, by := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC), BySystem("bench")
	for _, others := range []int{0, 1000} {
		b.Run(fmt.Sprintf("others=%d", others), func(b *testing.B) {
			var h hub
			defer h.close()
			x := h.add(&Subscription{c: make(chan Event, 2), mask: kindMask(nil), operator: "x"})
			for i := range others {
				h.add(&Subscription{c: make(chan Event, 2), mask: kindMask(nil), operator: fmt.Sprint("o", i)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				h.emit(at, by, evs)
				<-x.c
			}
		})
	}
}
