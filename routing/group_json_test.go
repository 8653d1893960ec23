package routing

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
)

// FuzzDecodeGroup: any stored configuration either fails to decode with
// ErrInvalidConfig, or decodes to a valid group whose encoding decodes to
// the same group again, and never panics.
func FuzzDecodeGroup(f *testing.F) {
	for _, seed := range []string{
		`{"policy":{"kind":"least-loaded"}}`,
		`{"policy":{"kind":"capped","default":3,"inner":{"kind":"broadcast","limit":2}},"site":"eu","accept_timeout_ms":30000,` +
			`"wait_levels":[{"name":"yellow","after_ms":120000},{"name":"red","after_ms":300000}],"auto_close_ms":3600000,` +
			`"waiting_expiry_ms":600000,"hours":{"zone":"Europe/Berlin","weekly":"mon-fri 09:00-18:00","exceptions":["2026-12-25 closed"]},` +
			`"skill_relax_after_ms":60000,"skill_relax_keep":["en"]}`,
		`{"policy":{"kind":"fallback","policies":[{"kind":"least-loaded"},{"kind":"tagged"}]}}`,
		`{"policy":{"kind":"least-loaded"},"hours":{"zone":"UTC"}}`,
		`{"policy":{"kind":"least-loaded"},"accept_timeout_ms":-1}`,
		`{"policy":{"kind":"least-loaded"},"wait_levels":[{"name":"a","after_ms":9223372036854775807}]}`,
		`{"policy":{"kind":"least-loaded"},"extra":1}`,
		`{"policy":{"kind":"least-loaded"}} {}`,
	} {
		f.Add([]byte(seed))
	}
	tagged := policy.Func(func(policy.Input) policy.Decision { return policy.Decision{Reason: policy.ReasonNoCandidates} })
	builders := map[string]policy.Builder{
		"tagged": func(policy.Spec, func(policy.Spec) (policy.Policy, error)) (policy.Policy, error) { return tagged, nil },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := decodeGroup("g", data, builders)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidConfig)
			return
		}
		require.NoError(t, g.validate())
		body, err := g.encode()
		require.NoError(t, err)
		again, err := decodeGroup("g", body, builders)
		require.NoError(t, err, "%s", body)
		require.Equal(t, g.Policy.Name(), again.Policy.Name())
		again.Policy, g.Policy = nil, nil
		require.Equal(t, hoursText(g.Hours), hoursText(again.Hours))
		again.Hours.Location, g.Hours.Location = nil, nil
		require.Equal(t, g, again)
	})
}
