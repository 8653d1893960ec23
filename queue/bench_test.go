package queue_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-go/switchboard/queue"
)

// benchSizes are the queue lengths the benchmarks run at.
var benchSizes = []int{1_000, 100_000}

// benchItems returns n items with distinct IDs, a spread of priorities and
// increasing arrival and seq, in random insertion order.
func benchItems(n int, rng *rand.Rand) []queue.Item {
	base := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	items := make([]queue.Item, n)
	for i := range items {
		items[i] = queue.Item{
			ID:       "conv-" + strconv.Itoa(i),
			Priority: rng.IntN(4),
			Arrival:  base.Add(time.Duration(i) * time.Second),
			Seq:      uint64(i),
		}
	}
	rng.Shuffle(n, func(i, j int) { items[i], items[j] = items[j], items[i] })
	return items
}

// filled returns a queue holding items.
func filled(items []queue.Item) *queue.Queue {
	q := queue.New()
	for _, it := range items {
		q.Push(it)
	}
	return q
}

// BenchmarkPushPop measures one Pop of the head plus one Push that re-queues
// it with a new priority, arrival and seq, on a queue held at n items.
func BenchmarkPushPop(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			items := benchItems(n, rng)
			q := filled(items)
			prios := make([]int, 1024)
			for i := range prios {
				prios[i] = rng.IntN(4)
			}
			seq := uint64(n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				it, _ := q.Pop()
				it.Priority = prios[i%len(prios)]
				it.Arrival = it.Arrival.Add(time.Duration(n) * time.Second)
				it.Seq = seq
				seq++
				q.Push(it)
			}
		})
	}
}

// BenchmarkRemove measures Remove of a random queued item from a queue of n
// items. When the queue runs empty it is refilled with the timer stopped.
func BenchmarkRemove(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(2, uint64(n)))
			items := benchItems(n, rng)
			ids := make([]string, n)
			for i, it := range items {
				ids[i] = it.ID
			}
			q := filled(items)
			rng.Shuffle(n, func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i > 0 && i%n == 0 {
					b.StopTimer()
					q = filled(items)
					b.StartTimer()
				}
				if _, ok := q.Remove(ids[i%n]); !ok {
					b.Fatalf("Remove(%q) found nothing", ids[i%n])
				}
			}
		})
	}
}
