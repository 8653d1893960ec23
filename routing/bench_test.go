package routing_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/google/btree"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
)

var benchSizes = []int{1_000, 10_000, 100_000}

// benchRouter returns a router with n ready operators in group "g".
func benchRouter(b *testing.B, n int, p policy.Policy) *routing.Router {
	return benchRouterWith(b, n, routing.Config{Groups: []routing.Group{{ID: "g", Policy: p}}})
}

// benchRouterWith is benchRouter with cfg, whose groups it serves.
func benchRouterWith(b *testing.B, n int, cfg routing.Config) *routing.Router {
	b.Helper()
	ctx := context.Background()
	// The real clock: advancing a mock clock yields to the scheduler, and a
	// clock that never moves would make every assignment time tie.
	cfg.Clock = clock.New()
	r, err := routing.New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "op" + strconv.Itoa(i), Groups: []string{"g"}, Status: "ready"}); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// BenchmarkCycle measures one assign+release cycle through the Router: a
// conversation is enqueued (and assigned by the policy), then closed by its
// operator, which frees the slot.
func BenchmarkCycle(b *testing.B) {
	policies := []struct {
		name string
		p    policy.Policy
	}{
		{"least-loaded", policy.LeastLoaded()},
		{"capped", policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})},
	}
	for _, pc := range policies {
		for _, n := range benchSizes {
			b.Run(pc.name+"/ops="+strconv.Itoa(n), func(b *testing.B) {
				cycles(b, benchRouter(b, n, pc.p))
			})
		}
	}
}

// cycles runs BenchmarkCycle's loop on r: enqueue (assigned at once),
// then close by the operator.
func cycles(b *testing.B, r *routing.Router) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := strconv.Itoa(i)
		i++
		c, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.CloseConversation(ctx, routing.ByOperator(c.Assignee), id, "done"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCycleJournal is BenchmarkCycle's least-loaded cycle at 10,000
// operators on the memory store with the journal (every event encoded
// and kept in the store's ring) and without it (Config.NoJournal), the
// two in one run.
func BenchmarkCycleJournal(b *testing.B) {
	for _, off := range []bool{true, false} {
		b.Run(fmt.Sprintf("journal=%v", !off), func(b *testing.B) {
			r := benchRouterWith(b, 10_000, routing.Config{NoJournal: off, Groups: []routing.Group{{ID: "g", Policy: policy.LeastLoaded()}}})
			cycles(b, r)
		})
	}
}

// BenchmarkCycleSkills is BenchmarkCycle's capped cycle at 10,000
// operators with skills: 20 skills, 3 per operator (levels 1–5), and each
// conversation requires 1 or 2 of them at level 1–2. Compare it with
// BenchmarkCycle/capped/ops=10000 of the same run.
func BenchmarkCycleSkills(b *testing.B) {
	b.Run("capped/ops=10000", benchCycleSkills)
}

func benchCycleSkills(b *testing.B) {
	const n, skills = 10_000, 20
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	skill := func(k, level int) string { return "s" + strconv.Itoa(k) + ":" + strconv.Itoa(level) }
	r, err := routing.New(ctx, routing.Config{Clock: clock.New(), Groups: []routing.Group{{ID: "g",
		Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5})}}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		held := rng.Perm(skills)[:3]
		spec := routing.OperatorSpec{ID: "op" + strconv.Itoa(i), Groups: []string{"g"}, Status: "ready"}
		for _, k := range held {
			spec.Skills = append(spec.Skills, skill(k, 1+rng.IntN(5)))
		}
		if _, err := r.AddOperator(ctx, routing.ByAdmin("admin"), spec); err != nil {
			b.Fatal(err)
		}
	}
	const kinds = 1024
	required := make([][]string, kinds)
	for i := range required {
		want := rng.Perm(skills)[:1+rng.IntN(2)]
		for _, k := range want {
			required[i] = append(required[i], skill(k, 1+rng.IntN(2)))
		}
	}
	b.ReportAllocs()
	i, kept := 0, 0
	for b.Loop() {
		id := strconv.Itoa(i)
		c, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g", Skills: required[i%kinds]})
		i++
		if err != nil {
			b.Fatal(err)
		}
		if c.Assignee == "" {
			kept++
			continue
		}
		if _, err := r.CloseConversation(ctx, routing.ByOperator(c.Assignee), id, "done"); err != nil {
			b.Fatal(err)
		}
	}
	if kept > 0 {
		b.Fatalf("%d of %d conversations found nobody with their skills", kept, i)
	}
}

// BenchmarkReleaseCycle measures one release+assign cycle through the
// Router on a fixed set of conversations: an operator releases a
// conversation, which goes back to the queue and is assigned at once to the
// least-loaded operator. Unlike BenchmarkCycle, the store does not grow.
func BenchmarkReleaseCycle(b *testing.B) {
	for _, n := range benchSizes {
		b.Run("capped/ops="+strconv.Itoa(n), func(b *testing.B) {
			r := benchRouter(b, n, policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 5}))
			ctx := context.Background()
			const convs = 64
			holder := make([]string, convs)
			for i := range convs {
				c, err := r.Enqueue(ctx, routing.NewConversation{ID: strconv.Itoa(i), Group: "g"})
				if err != nil {
					b.Fatal(err)
				}
				holder[i] = c.Assignee
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := i % convs
				i++
				c, err := r.Release(ctx, routing.ByOperator(holder[k]), strconv.Itoa(k))
				if err != nil {
					b.Fatal(err)
				}
				holder[k] = c.Assignee
			}
		})
	}
}

// BenchmarkBaseline does only the bare work of a cycle: a btree of
// operators ordered by (load, last assignment, id), a map of assignments and
// a mutex. The Router's cycle is measured against it.
func BenchmarkBaseline(b *testing.B) {
	type item struct {
		load int
		last int64
		id   string
	}
	less := func(a, b item) bool {
		if a.load != b.load {
			return a.load < b.load
		}
		if a.last != b.last {
			return a.last < b.last
		}
		return a.id < b.id
	}
	for _, n := range benchSizes {
		b.Run("ops="+strconv.Itoa(n), func(b *testing.B) {
			var mu sync.Mutex
			tree := btree.NewG(32, less)
			ops := map[string]item{}
			for i := range n {
				it := item{id: "op" + strconv.Itoa(i)}
				tree.ReplaceOrInsert(it)
				ops[it.id] = it
			}
			assigned := map[string]string{}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				id := strconv.Itoa(i)
				i++
				mu.Lock()
				it, _ := tree.DeleteMin()
				it.load++
				it.last = int64(i)
				tree.ReplaceOrInsert(it)
				ops[it.id] = it
				assigned[id] = it.id
				mu.Unlock()

				mu.Lock()
				op := assigned[id]
				delete(assigned, id)
				it = ops[op]
				tree.Delete(it)
				it.load--
				tree.ReplaceOrInsert(it)
				ops[op] = it
				mu.Unlock()
			}
		})
	}
}

// BenchmarkBroadcast10k measures a broadcast cycle with 10,000 operators:
// the conversation is offered to all of them, one takes it (the 9,999 other
// offers are withdrawn), then closes it.
func BenchmarkBroadcast10k(b *testing.B) {
	r := benchRouter(b, 10_000, policy.Broadcast(0))
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := strconv.Itoa(i)
		taker := "op" + strconv.Itoa(i%10_000)
		i++
		if _, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"}); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Take(ctx, routing.ByOperator(taker), id); err != nil {
			b.Fatal(err)
		}
		if _, err := r.CloseConversation(ctx, routing.ByOperator(taker), id, "done"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBroadcastBacklog measures a cycle in a broadcast group of 1,000
// operators with 200 conversations offered and waiting: a new conversation
// is offered to everyone, an operator takes the oldest and closes it.
func BenchmarkBroadcastBacklog(b *testing.B) {
	const ops, backlog = 1_000, 200
	r := benchRouter(b, ops, policy.Broadcast(0))
	ctx := context.Background()
	for i := range backlog {
		if _, err := r.Enqueue(ctx, routing.NewConversation{ID: strconv.Itoa(i), Group: "g"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		oldest, id := strconv.Itoa(i), strconv.Itoa(i+backlog)
		taker := "op" + strconv.Itoa(i%ops)
		i++
		if _, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "g"}); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Take(ctx, routing.ByOperator(taker), oldest); err != nil {
			b.Fatal(err)
		}
		if _, err := r.CloseConversation(ctx, routing.ByOperator(taker), oldest, "done"); err != nil {
			b.Fatal(err)
		}
	}
}
