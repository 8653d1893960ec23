package policy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

func TestR8_FuncAdapter(t *testing.T) {
	conv := policy.Conversation{ID: "c1", Attributes: map[string]string{"vip": "yes"}}
	l := policy.NewList(nil, op("anna", 0), op("olga", 4))
	want := policy.Decision{Action: policy.Assign, Operator: "olga"}

	var got policy.Input
	calls := 0
	var p policy.Policy = policy.Func(func(in policy.Input) policy.Decision {
		calls++
		got = in
		return want
	})

	require.Equal(t, "func", p.Name())
	in := input(conv, l, l)
	require.Equal(t, want, p.Decide(in))
	require.Equal(t, 1, calls)
	require.Equal(t, conv, got.Conversation)
	require.Same(t, l, got.Auto)
	require.Same(t, l, got.Offer)
	require.Equal(t, t0, got.Now)

	t.Run("a host policy by attribute", func(t *testing.T) {
		vip := policy.Func(func(in policy.Input) policy.Decision {
			if in.Conversation.Attributes["vip"] == "yes" {
				if _, ok := in.Auto.Get("olga"); ok {
					return policy.Decision{Action: policy.Assign, Operator: "olga"}
				}
			}
			return policy.LeastLoaded().Decide(in)
		})
		require.Equal(t, "olga", vip.Decide(in).Operator)
		other := input(policy.Conversation{ID: "c2"}, l, l)
		require.Equal(t, "anna", vip.Decide(other).Operator)
	})

	t.Run("wrapped by the built-in wrappers", func(t *testing.T) {
		pick := policy.Func(func(in policy.Input) policy.Decision {
			if _, ok := in.Auto.Get("olga"); ok {
				return policy.Decision{Action: policy.Assign, Operator: "olga"}
			}
			return policy.Decision{Reason: "olga unavailable"}
		})
		p := policy.Capped(pick, policy.CapOptions{Default: 4})
		require.Equal(t, "capped(func)", p.Name())
		d := p.Decide(same(p, conv, op("anna", 0), op("olga", 4)))
		require.Equal(t, policy.Keep, d.Action, "Capped hides olga at cap from the host's policy")
		require.Equal(t, policy.Reason("olga unavailable"), d.Reason)

		d = p.Decide(same(p, conv, op("anna", 0), op("olga", 3)))
		require.Equal(t, policy.Decision{Action: policy.Assign, Operator: "olga"}, d)
	})

	t.Run("a Func hides any limiter from LimiterOf", func(t *testing.T) {
		inner := policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})
		f := policy.Func(inner.Decide)
		require.Nil(t, policy.LimiterOf(f))
	})
}
