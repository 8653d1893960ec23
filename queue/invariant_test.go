package queue_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/queue"
)

// model is the reference the Queue is checked against: a slice kept sorted
// by a comparator written independently of queue.Less.
type model struct {
	items []queue.Item
}

// compareServing is the specification of serving order: priority desc,
// seq asc, arrival asc, id asc.
func compareServing(a, b queue.Item) int {
	return cmp.Or(
		cmp.Compare(b.Priority, a.Priority),
		cmp.Compare(a.Seq, b.Seq),
		cmp.Compare(a.Arrival.UnixNano(), b.Arrival.UnixNano()),
		cmp.Compare(a.ID, b.ID),
	)
}

// compareAge orders by arrival, then seq, then id, ignoring priority.
func compareAge(a, b queue.Item) int {
	return cmp.Or(
		cmp.Compare(a.Arrival.UnixNano(), b.Arrival.UnixNano()),
		cmp.Compare(a.Seq, b.Seq),
		cmp.Compare(a.ID, b.ID),
	)
}

func (m *model) index(id string) int {
	return slices.IndexFunc(m.items, func(it queue.Item) bool { return it.ID == id })
}

func (m *model) push(it queue.Item) {
	if i := m.index(it.ID); i >= 0 {
		m.items = slices.Delete(m.items, i, i+1)
	}
	i, _ := slices.BinarySearchFunc(m.items, it, compareServing)
	m.items = slices.Insert(m.items, i, it)
}

func (m *model) remove(id string) (queue.Item, bool) {
	i := m.index(id)
	if i < 0 {
		return queue.Item{}, false
	}
	it := m.items[i]
	m.items = slices.Delete(m.items, i, i+1)
	return it, true
}

func (m *model) peek() (queue.Item, bool) {
	if len(m.items) == 0 {
		return queue.Item{}, false
	}
	return m.items[0], true
}

func (m *model) pop() (queue.Item, bool) {
	it, ok := m.peek()
	if ok {
		m.items = m.items[1:]
	}
	return it, ok
}

func (m *model) position(id string) (int, bool) {
	i := m.index(id)
	return i + 1, i >= 0
}

func (m *model) oldest() (queue.Item, bool) {
	if len(m.items) == 0 {
		return queue.Item{}, false
	}
	return slices.MinFunc(m.items, compareAge), true
}

func (m *model) ids() []string {
	ids := make([]string, len(m.items))
	for i, it := range m.items {
		ids[i] = it.ID
	}
	return ids
}

// itemGen draws items whose fields collide often, so that every tie-break
// level of the order is exercised. Arrival instants come in two time zones
// to check that only the instant matters.
func itemGen(id *rapid.Generator[string]) *rapid.Generator[queue.Item] {
	base := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	zones := []*time.Location{time.UTC, time.FixedZone("MSK", 3*60*60)}
	return rapid.Custom(func(t *rapid.T) queue.Item {
		minutes := rapid.IntRange(0, 4).Draw(t, "minutes")
		zone := rapid.SampledFrom(zones).Draw(t, "zone")
		return queue.Item{
			ID:       id.Draw(t, "id"),
			Priority: rapid.IntRange(-1, 2).Draw(t, "priority"),
			Arrival:  base.Add(time.Duration(minutes) * time.Minute).In(zone),
			Seq:      rapid.Uint64Range(0, 4).Draw(t, "seq"),
		}
	})
}

// TestInvariant5_QueueOrder checks invariant 5 (and R7): after any sequence
// of operations, the queue serves higher priority, then earlier enqueue
// (lower seq), then earlier arrival first, and agrees with a sorted-slice
// model on every observable result.
func TestInvariant5_QueueOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q := queue.New()
		m := &model{}
		// A small pool of IDs makes replace-on-push and removal of queued
		// items common; "PushBatch" adds fresh IDs so the B-trees grow past
		// one node and split, merge and rebalance.
		pooled := itemGen(rapid.SampledFrom([]string{"a", "b", "c", "d", "e", "f", "g", "h"}))
		fresh := 0

		// anyID draws the ID of a queued item most of the time, otherwise one
		// that may not be queued.
		anyID := func(t *rapid.T) string {
			if len(m.items) > 0 && rapid.IntRange(0, 3).Draw(t, "queued") > 0 {
				return rapid.SampledFrom(m.ids()).Draw(t, "id")
			}
			return rapid.SampledFrom([]string{"a", "h", "unknown"}).Draw(t, "id")
		}

		t.Repeat(map[string]func(*rapid.T){
			"Push": func(t *rapid.T) {
				it := pooled.Draw(t, "item")
				q.Push(it)
				m.push(it)
			},
			"PushBatch": func(t *rapid.T) {
				n := rapid.IntRange(1, 100).Draw(t, "n")
				for range n {
					fresh++
					it := itemGen(rapid.Just(fmt.Sprintf("n%04d", fresh))).Draw(t, "item")
					q.Push(it)
					m.push(it)
				}
			},
			"Remove": func(t *rapid.T) {
				id := anyID(t)
				got, ok := q.Remove(id)
				want, wantOK := m.remove(id)
				require.Equal(t, wantOK, ok, "Remove(%q) found", id)
				require.Equal(t, want, got, "Remove(%q)", id)
			},
			"Pop": func(t *rapid.T) {
				got, ok := q.Pop()
				want, wantOK := m.pop()
				require.Equal(t, wantOK, ok, "Pop found")
				require.Equal(t, want, got, "Pop")
			},
			"Peek": func(t *rapid.T) {
				got, ok := q.Peek()
				want, wantOK := m.peek()
				require.Equal(t, wantOK, ok, "Peek found")
				require.Equal(t, want, got, "Peek")
			},
			"Position": func(t *rapid.T) {
				id := anyID(t)
				got, ok := q.Position(id)
				want, wantOK := m.position(id)
				require.Equal(t, wantOK, ok, "Position(%q) found", id)
				if wantOK {
					require.Equal(t, want, got, "Position(%q)", id)
				}
			},
			"Oldest": func(t *rapid.T) {
				got, ok := q.Oldest()
				want, wantOK := m.oldest()
				require.Equal(t, wantOK, ok, "Oldest found")
				require.Equal(t, want, got, "Oldest")
			},
			"Len": func(t *rapid.T) {
				require.Equal(t, len(m.items), q.Len())
			},
			"": func(t *rapid.T) {
				require.Equal(t, len(m.items), q.Len(), "Len")

				var order []queue.Item
				q.Ascend(func(it queue.Item) bool {
					order = append(order, it)
					return true
				})
				if !slices.Equal(m.items, order) {
					require.Equal(t, m.items, order, "serving order")
				}
				for i, it := range order {
					if i > 0 && !queue.Less(order[i-1], it) {
						require.Failf(t, "Less disagrees with the model", "at %d: %+v, %+v", i, order[i-1], it)
					}
					if got, ok := q.Get(it.ID); !ok || got != it {
						require.Failf(t, "Get disagrees with Ascend", "Get(%q) = %+v, %v; want %+v", it.ID, got, ok, it)
					}
				}

				head, ok := q.Peek()
				wantHead, wantOK := m.peek()
				require.Equal(t, wantOK, ok, "Peek found")
				require.Equal(t, wantHead, head, "Peek")

				oldest, ok := q.Oldest()
				wantOldest, wantOK := m.oldest()
				require.Equal(t, wantOK, ok, "Oldest found")
				require.Equal(t, wantOldest, oldest, "Oldest")
			},
		})
	})
}
