package queue_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/queue"
)

// serving returns the IDs of q in serving order.
func serving(q *queue.Queue) []string {
	var ids []string
	q.Ascend(func(it queue.Item) bool {
		ids = append(ids, it.ID)
		return true
	})
	return ids
}

// drain pops q empty and returns the IDs in the order they came out.
func drain(t *testing.T, q *queue.Queue) []string {
	t.Helper()
	var ids []string
	for q.Len() > 0 {
		it, ok := q.Pop()
		require.True(t, ok)
		ids = append(ids, it.ID)
	}
	return ids
}

func TestQueue_ServingOrder(t *testing.T) {
	q := queue.New()
	q.Push(queue.Item{ID: "normal-late", Priority: 0, Arrival: t0.Add(2 * time.Minute), Seq: 8})
	q.Push(queue.Item{ID: "urgent-late", Priority: 5, Arrival: t0.Add(3 * time.Minute), Seq: 3})
	q.Push(queue.Item{ID: "normal-early-seq7", Priority: 0, Arrival: t0, Seq: 7})
	q.Push(queue.Item{ID: "normal-early-seq1", Priority: 0, Arrival: t0, Seq: 1})
	q.Push(queue.Item{ID: "low", Priority: -1, Arrival: t0.Add(-time.Hour), Seq: 0})

	want := []string{"urgent-late", "normal-early-seq1", "normal-early-seq7", "normal-late", "low"}
	require.Equal(t, 5, q.Len())
	require.Equal(t, want, serving(q))

	head, ok := q.Peek()
	require.True(t, ok)
	require.Equal(t, "urgent-late", head.ID)
	require.Equal(t, 5, q.Len(), "Peek must not remove")

	require.Equal(t, want, drain(t, q))
}

func TestQueue_ClockSteppedBackKeepsEnqueueOrder(t *testing.T) {
	q := queue.New()
	q.Push(queue.Item{ID: "first", Arrival: t0, Seq: 1})
	q.Push(queue.Item{ID: "urgent", Priority: 1, Arrival: t0.Add(time.Minute), Seq: 2})
	// The clock is stepped back an hour before the next enqueues.
	q.Push(queue.Item{ID: "second", Arrival: t0.Add(-time.Hour), Seq: 3})
	q.Push(queue.Item{ID: "third", Arrival: t0.Add(-time.Hour + time.Minute), Seq: 4})

	require.Equal(t, []string{"urgent", "first", "second", "third"}, serving(q))
	pos, ok := q.Position("first")
	require.True(t, ok)
	require.Equal(t, 2, pos)
	oldest, ok := q.Oldest()
	require.True(t, ok)
	require.Equal(t, "second", oldest.ID, "Oldest measures waits by the clock")
	require.Equal(t, []string{"urgent", "first", "second", "third"}, drain(t, q))
}

func TestQueue_PushReplacesSameID(t *testing.T) {
	q := queue.New()
	q.Push(queue.Item{ID: "a", Arrival: t0, Seq: 1})
	q.Push(queue.Item{ID: "b", Arrival: t0.Add(time.Minute), Seq: 2})
	q.Push(queue.Item{ID: "c", Arrival: t0.Add(2 * time.Minute), Seq: 3})
	require.Equal(t, []string{"a", "b", "c"}, serving(q))

	// Raising c's priority moves it to the front without duplicating it.
	bumped := queue.Item{ID: "c", Priority: 1, Arrival: t0.Add(2 * time.Minute), Seq: 3}
	q.Push(bumped)
	require.Equal(t, 3, q.Len())
	require.Equal(t, []string{"c", "a", "b"}, serving(q))
	got, ok := q.Get("c")
	require.True(t, ok)
	require.Equal(t, bumped, got)

	// Re-queueing a with a later arrival moves it behind b and stops it
	// from being the oldest.
	q.Push(queue.Item{ID: "a", Arrival: t0.Add(5 * time.Minute), Seq: 4})
	require.Equal(t, 3, q.Len())
	require.Equal(t, []string{"c", "b", "a"}, serving(q))
	oldest, ok := q.Oldest()
	require.True(t, ok)
	require.Equal(t, "b", oldest.ID)

	require.Equal(t, []string{"c", "b", "a"}, drain(t, q))
	_, ok = q.Oldest()
	require.False(t, ok, "replaced versions must not linger in any index")
}

func TestQueue_Remove(t *testing.T) {
	q := queue.New()
	a := queue.Item{ID: "a", Arrival: t0, Seq: 1}
	b := queue.Item{ID: "b", Arrival: t0.Add(time.Minute), Seq: 2}
	q.Push(a)
	q.Push(b)

	got, ok := q.Remove("a")
	require.True(t, ok)
	require.Equal(t, a, got)
	require.Equal(t, 1, q.Len())
	require.Equal(t, []string{"b"}, serving(q))
	_, ok = q.Get("a")
	require.False(t, ok)
	oldest, ok := q.Oldest()
	require.True(t, ok)
	require.Equal(t, b, oldest)

	_, ok = q.Remove("a")
	require.False(t, ok, "removing twice must report false")
}

func TestQueue_RemoveUnknownIDChangesNothing(t *testing.T) {
	q := queue.New()
	q.Push(queue.Item{ID: "a", Arrival: t0, Seq: 1})

	got, ok := q.Remove("nope")
	require.False(t, ok)
	require.Zero(t, got)
	require.Equal(t, 1, q.Len())
	require.Equal(t, []string{"a"}, serving(q))
}

func TestQueue_Position(t *testing.T) {
	q := queue.New()
	q.Push(queue.Item{ID: "a", Arrival: t0, Seq: 1})
	q.Push(queue.Item{ID: "b", Arrival: t0.Add(time.Minute), Seq: 2})
	q.Push(queue.Item{ID: "c", Arrival: t0.Add(2 * time.Minute), Seq: 3})

	for want, id := range []string{"a", "b", "c"} {
		pos, ok := q.Position(id)
		require.True(t, ok)
		require.Equal(t, want+1, pos, id)
	}

	q.Push(queue.Item{ID: "vip", Priority: 9, Arrival: t0.Add(time.Hour), Seq: 4})
	pos, ok := q.Position("vip")
	require.True(t, ok)
	require.Equal(t, 1, pos)
	pos, ok = q.Position("c")
	require.True(t, ok)
	require.Equal(t, 4, pos)

	_, ok = q.Remove("a")
	require.True(t, ok)
	pos, ok = q.Position("c")
	require.True(t, ok)
	require.Equal(t, 3, pos)

	pos, ok = q.Position("a")
	require.False(t, ok)
	require.Zero(t, pos)
}

func TestQueue_OldestIgnoresPriority(t *testing.T) {
	q := queue.New()
	q.Push(queue.Item{ID: "urgent", Priority: 9, Arrival: t0.Add(time.Hour), Seq: 1})
	q.Push(queue.Item{ID: "waiting-seq5", Priority: 0, Arrival: t0, Seq: 5})
	q.Push(queue.Item{ID: "waiting-seq3", Priority: -3, Arrival: t0, Seq: 3})

	oldest, ok := q.Oldest()
	require.True(t, ok)
	require.Equal(t, "waiting-seq3", oldest.ID, "earliest arrival wins, ties go to the lower Seq")
	head, ok := q.Peek()
	require.True(t, ok)
	require.Equal(t, "urgent", head.ID)

	_, ok = q.Pop() // urgent
	require.True(t, ok)
	oldest, ok = q.Oldest()
	require.True(t, ok)
	require.Equal(t, "waiting-seq3", oldest.ID)

	_, ok = q.Remove("waiting-seq3")
	require.True(t, ok)
	oldest, ok = q.Oldest()
	require.True(t, ok)
	require.Equal(t, "waiting-seq5", oldest.ID)
}

func TestQueue_Empty(t *testing.T) {
	q := queue.New()

	require.Zero(t, q.Len())
	for name, op := range map[string]func() (queue.Item, bool){
		"Peek":   q.Peek,
		"Pop":    q.Pop,
		"Oldest": q.Oldest,
		"Get":    func() (queue.Item, bool) { return q.Get("a") },
		"Remove": func() (queue.Item, bool) { return q.Remove("a") },
	} {
		it, ok := op()
		require.False(t, ok, name)
		require.Zero(t, it, name)
	}
	pos, ok := q.Position("a")
	require.False(t, ok)
	require.Zero(t, pos)
	q.Ascend(func(queue.Item) bool {
		require.FailNow(t, "Ascend called fn on an empty queue")
		return true
	})

	// A queue emptied by Pop behaves like a new one.
	q.Push(queue.Item{ID: "a", Arrival: t0})
	_, ok = q.Pop()
	require.True(t, ok)
	_, ok = q.Peek()
	require.False(t, ok)
	_, ok = q.Oldest()
	require.False(t, ok)
	require.Zero(t, q.Len())
}

func TestQueue_AscendStopsWhenFnReturnsFalse(t *testing.T) {
	q := queue.New()
	for i, id := range []string{"a", "b", "c", "d"} {
		q.Push(queue.Item{ID: id, Arrival: t0, Seq: uint64(i)})
	}

	var seen []string
	q.Ascend(func(it queue.Item) bool {
		seen = append(seen, it.ID)
		return len(seen) < 2
	})
	require.Equal(t, []string{"a", "b"}, seen)
}
