package rules_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing/rules"
)

// A Set is safe for concurrent use: goroutines evaluating one Set at once
// get what one goroutine gets alone (and the race detector sees no race).
func TestEvaluateConcurrently(t *testing.T) {
	set := benchSet(t, true)
	example := decodeExample(t)
	inputs := make([]rules.Input, 24)
	for i := range inputs {
		in := copyInput(benchInput)
		in.Now = in.Now.Add(time.Duration(i) * 97 * time.Minute)
		if i%3 == 0 {
			in.Attributes[rules.AttrURL] = "/elsewhere"
		}
		inputs[i] = in
	}
	want := make([][2]rules.Result, len(inputs))
	for i, in := range inputs {
		want[i] = [2]rules.Result{set.Evaluate(rules.OnEnqueue, in), example.Evaluate(rules.OnEnqueue, in)}
	}
	var wg sync.WaitGroup
	got := make([][][2]rules.Result, 8)
	for g := range got {
		wg.Go(func() {
			for range 20 {
				for _, in := range inputs {
					got[g] = append(got[g], [2]rules.Result{set.Evaluate(rules.OnEnqueue, in), example.Evaluate(rules.OnEnqueue, in)})
				}
			}
		})
	}
	wg.Wait()
	for g := range got {
		for k, r := range got[g] {
			require.Equal(t, want[k%len(inputs)], r)
		}
	}
}
