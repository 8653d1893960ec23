package rules_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/routing/rules"
)

// fuzzCorpus is where the fuzz targets start: the documentation's rule
// set, rule sets that use every field and operator, and malformed ones.
func fuzzCorpus() [][]byte {
	docs := [][]byte{
		[]byte(docExample),
		[]byte(`{"rules":[]}`),
		[]byte(`{"rules":[{"name":"a","when":{"any":[{"field":"customer","op":"starts_with","value":"vip-","ignore_case":true},{"field":"site","op":"ends_with","value":".de"}]},"then":{"group":"sales","priority":-3,"skills":["de:2","en"],"tags":["x"],"attributes":{"plan":"gold"},"off_hours":true},"stop":true}]}`),
		[]byte(`{"rules":[{"name":"b","on":["transfer"],"when":{"not":{"field":"tag","op":"not_equals","value":"K"}},"then":{"prefer":{"previous":true,"wait":"1h"}}},{"name":"c","when":{"field":"group","op":"matches","value":"^s.l","ignore_case":true},"then":{"tags":["seen"]}}]}`),
		[]byte(`{"rules":[{"name":"d","when":{"all":[{"field":"weekday","op":"not_equals","value":"sun","zone":"Asia/Tokyo"},{"field":"time","op":"between","value":"23:30-00:30","zone":"UTC"}]},"then":{"group":"night"}}]}`),
		[]byte(`{"rules":[{"name":"e","when":{"field":"attr.k","op":"in","values":["\u212a","ß","s"],"ignore_case":true},"then":{"priority":1}}]}`),
	}
	for _, tc := range decodeErrors {
		if len(tc.doc) < 4096 {
			docs = append(docs, []byte(tc.doc))
		}
	}
	return docs
}

// Decode never panics; what it refuses it refuses with an *Error matching
// ErrInvalid, and what it accepts round trips.
func FuzzDecode(f *testing.F) {
	for _, doc := range fuzzCorpus() {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		set, err := rules.Decode(doc, nil)
		if err != nil {
			require.Nil(t, set)
			require.ErrorIs(t, err, rules.ErrInvalid)
			var e *rules.Error
			require.True(t, errors.As(err, &e))
			require.NotEmpty(t, e.Msg)
			return
		}
		requireRoundTrip(t, set, nil)
		again, err := rules.New(set.Rules(), nil)
		require.NoError(t, err)
		require.Equal(t, set.Rules(), again.Rules())
	})
}

// A rule set that decodes evaluates as the reference evaluator does.
func FuzzEvaluate(f *testing.F) {
	for i, doc := range fuzzCorpus() {
		f.Add(doc, "telegram", "sales", "https://example.com/shop", "Red Company", "vip", int64(1741215600+i*7919), uint8(i))
	}
	f.Fuzz(func(t *testing.T, doc []byte, channel, group, url, company, tag string, unix int64, trigger uint8) {
		set, err := rules.Decode(doc, nil)
		if err != nil {
			return
		}
		in := rules.Input{
			Channel:    channel,
			Group:      group,
			CustomerID: company + tag,
			Priority:   int(trigger) - 128,
			Skills:     []string{tag, "de:2"},
			Tags:       []string{tag, channel},
			Attributes: map[string]string{rules.AttrURL: url, rules.AttrCompany: company, "k": tag, "plan": group},
			Now:        time.Unix(unix%(1<<36), 0),
		}
		if trigger&1 == 0 {
			in.Tags, in.Attributes = nil, nil
		}
		tr := []rules.Trigger{rules.OnEnqueue, rules.OnReopen, rules.OnTransfer, "other"}[trigger%4]
		before := copyInput(in)
		got := set.Evaluate(tr, in)
		require.Equal(t, before, in)
		require.Equal(t, refEvaluate(set.Rules(), tr, copyInput(in)), got)
	})
}
