package queue_test

import (
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/queue"
)

// The queue serves higher priority first, then the earlier enqueue (lower
// sequence number), then earlier arrival. Oldest reports the longest waiter
// whatever its priority.
func Example() {
	at := func(hhmm string) time.Time {
		t, err := time.Parse("15:04", hhmm)
		if err != nil {
			panic(err)
		}
		return t
	}

	q := queue.New()
	q.Push(queue.Item{ID: "telegram-7", Priority: 0, Arrival: at("09:00"), Seq: 1})
	q.Push(queue.Item{ID: "widget-3", Priority: 0, Arrival: at("09:05"), Seq: 2})
	q.Push(queue.Item{ID: "red-company", Priority: 10, Arrival: at("09:10"), Seq: 3})
	q.Push(queue.Item{ID: "email-12", Priority: 0, Arrival: at("09:05"), Seq: 4})

	pos, _ := q.Position("widget-3")
	fmt.Println("widget-3 is number", pos)
	oldest, _ := q.Oldest()
	fmt.Println("waiting longest:", oldest.ID)

	for q.Len() > 0 {
		it, _ := q.Pop()
		fmt.Println(it.ID, it.Priority, it.Arrival.Format("15:04"))
	}
	// Output:
	// widget-3 is number 3
	// waiting longest: telegram-7
	// red-company 10 09:10
	// telegram-7 0 09:00
	// widget-3 0 09:05
	// email-12 0 09:05
}
