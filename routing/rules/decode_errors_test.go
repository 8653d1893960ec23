package rules_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing/rules"
)

// set returns a rule set of the rules given as JSON.
func set(rs ...string) string { return `{"rules":[` + strings.Join(rs, ",") + `]}` }

// good returns a valid rule named name, as JSON.
func good(name string) string {
	return `{"name":"` + name + `","then":{"group":"sales"}}`
}

// when returns a rule with the condition given as JSON.
func when(c string) string { return `{"name":"r","when":` + c + `,"then":{"group":"sales"}}` }

// then returns a rule with the actions given as JSON.
func then(a string) string { return `{"name":"r","then":` + a + `}` }

// nested returns a condition of depth n: n-1 nots around a leaf.
func nested(n int) string {
	return strings.Repeat(`{"not":`, n-1) + `{"field":"tag","op":"exists"}` + strings.Repeat(`}`, n-1)
}

// decodeError is a malformed rule set and the fault Decode must name.
type decodeError struct {
	name string
	doc  string
	path string
	msg  string // the whole error, when given
	is   error  // a cause the error matches too, when given
	// jsonOnly: the fault cannot be spelt as Go values (a type, a key, an
	// empty string or list that Go takes as absent), so New is not
	// compared.
	jsonOnly bool
}

// D3: every malformed rule set is refused with an error matching
// ErrInvalid, whose Path names the bad field.
var decodeErrors = []decodeError{
	// The examples of the package documentation, word for word.
	{name: "unknown operator", doc: set(good("a"), good("b"), when(`{"any":[{"field":"url","op":"contians","value":"x"}]}`)),
		path: "rules[2].when.any[0].op", msg: `rules[2].when.any[0].op: unknown operator "contians"`},
	{name: "unknown group", doc: set(then(`{"group":"salse"}`)),
		path: "rules[0].then.group", msg: `rules[0].then.group: unknown group "salse"`, is: rules.ErrUnknownGroup},
	{name: "bad regexp", doc: set(good("a"), when(`{"all":[{"field":"url","op":"matches","value":"a("}]}`)),
		path: "rules[1].when.all[0].value", msg: `rules[1].when.all[0].value: bad regexp "a(": missing closing )`},
	{name: "unknown actions field", doc: set(good("a"), good("b"), good("c"), then(`{"group":"sales","colour":"red"}`)),
		path: "rules[3].then.colour", msg: `rules[3].then.colour: unknown field`, jsonOnly: true},
	{name: "rules missing", doc: `{}`, path: "rules", msg: "rules: missing", jsonOnly: true},
	{name: "duplicate name", doc: set(good("a"), good("vip"), good("b"), good("c"), good("vip")),
		path: "rules[4].name", msg: `rules[4].name: "vip" used twice (rules[1])`},
	{name: "unknown zone", doc: set(when(`{"field":"time","op":"between","value":"09:00-17:00","zone":"Europe/Berln"}`)),
		path: "rules[0].when.zone", msg: `rules[0].when.zone: unknown zone "Europe/Berln"`},
	{name: "no action", doc: set(then(`{}`)), path: "rules[0].then", msg: "rules[0].then: no action"},

	// Unknown fields, at every level.
	{name: "unknown top-level field", doc: `{"rules":[],"version":1}`, path: "version", msg: "version: unknown field", jsonOnly: true},
	{name: "unknown rule field", doc: set(`{"name":"a","then":{"group":"sales"},"priority":1}`), path: "rules[0].priority", jsonOnly: true},
	{name: "unknown condition field", doc: set(when(`{"field":"url","op":"exists","negate":true}`)), path: "rules[0].when.negate", jsonOnly: true},
	{name: "unknown nested condition field", doc: set(when(`{"not":{"any":[{"field":"url","op":"exists","Zone":"UTC"}]}}`)), path: "rules[0].when.not.any[0].Zone", jsonOnly: true},
	{name: "unknown prefer field", doc: set(then(`{"prefer":{"operator":"anna","timeout":"2m"}}`)), path: "rules[0].then.prefer.timeout", jsonOnly: true},
	{name: "unknown field that is no word", doc: set(`{"name":"a","then":{"group":"sales"},"a b":1}`), path: `rules[0]["a b"]`, msg: `rules[0]["a b"]: unknown field`, jsonOnly: true},
	{name: "field names match case", doc: set(`{"Name":"a","then":{"group":"sales"}}`), path: "rules[0].Name", jsonOnly: true},

	// Names.
	{name: "missing name", doc: set(`{"then":{"group":"sales"}}`), path: "rules[0].name", msg: "rules[0].name: missing"},
	{name: "empty name", doc: set(`{"name":"","then":{"group":"sales"}}`), path: "rules[0].name", jsonOnly: true},
	{name: "control character in name", doc: set(`{"name":"a\u0007b","then":{"group":"sales"}}`), path: "rules[0].name"},
	{name: "name too long", doc: set(good(strings.Repeat("n", rules.MaxNameLength+1))), path: "rules[0].name"},

	// Then.
	{name: "missing then", doc: set(`{"name":"a"}`), path: "rules[0].then", msg: "rules[0].then: missing", jsonOnly: true},
	{name: "then with off_hours false only", doc: set(then(`{"off_hours":false}`)), path: "rules[0].then"},
	{name: "empty group", doc: set(then(`{"group":""}`)), path: "rules[0].then.group", jsonOnly: true},
	{name: "unknown skill", doc: set(then(`{"skills":["de","klingon"]}`)), path: "rules[0].then.skills[1]", is: rules.ErrUnknownSkill},
	{name: "bad skill level", doc: set(then(`{"skills":["de:9"]}`)), path: "rules[0].then.skills[0]",
		msg: `rules[0].then.skills[0]: invalid skill "de:9": level must be 1 to 5`, is: policy.ErrInvalidSkill},
	{name: "skill name twice", doc: set(then(`{"skills":["de","en","de:3"]}`)), path: "rules[0].then.skills[2]",
		msg: `rules[0].then.skills[2]: skill "de" given twice (skills[0])`},
	{name: "empty skills", doc: set(then(`{"skills":[]}`)), path: "rules[0].then.skills"},
	{name: "priority float", doc: set(then(`{"priority":1.5}`)), path: "rules[0].then.priority",
		msg: "rules[0].then.priority: must be an integer, not 1.5", jsonOnly: true},
	{name: "priority exponent", doc: set(then(`{"priority":1e2}`)), path: "rules[0].then.priority", jsonOnly: true},
	{name: "priority string", doc: set(then(`{"priority":"10"}`)), path: "rules[0].then.priority", jsonOnly: true},
	{name: "priority too high", doc: set(then(`{"priority":1001}`)), path: "rules[0].then.priority"},
	{name: "priority too low", doc: set(then(`{"priority":-1001}`)), path: "rules[0].then.priority"},
	{name: "priority beyond int", doc: set(then(`{"priority":123456789012345678901234567890}`)), path: "rules[0].then.priority", jsonOnly: true},
	{name: "prefer operator and previous", doc: set(then(`{"prefer":{"operator":"anna","previous":true}}`)), path: "rules[0].then.prefer"},
	{name: "prefer neither", doc: set(then(`{"prefer":{"wait":"2m"}}`)), path: "rules[0].then.prefer"},
	{name: "prefer empty operator", doc: set(then(`{"prefer":{"operator":""}}`)), path: "rules[0].then.prefer.operator", jsonOnly: true},
	{name: "negative wait", doc: set(then(`{"prefer":{"previous":true,"wait":"-1s"}}`)), path: "rules[0].then.prefer.wait"},
	{name: "wait too long", doc: set(then(`{"prefer":{"previous":true,"wait":"24h0m1s"}}`)), path: "rules[0].then.prefer.wait"},
	{name: "bad wait string", doc: set(then(`{"prefer":{"previous":true,"wait":"2 minutes"}}`)), path: "rules[0].then.prefer.wait", jsonOnly: true},
	{name: "wait as a number", doc: set(then(`{"prefer":{"previous":true,"wait":120}}`)), path: "rules[0].then.prefer.wait", jsonOnly: true},
	{name: "empty tags", doc: set(then(`{"tags":[]}`)), path: "rules[0].then.tags"},
	{name: "empty tag", doc: set(then(`{"tags":["vip",""]}`)), path: "rules[0].then.tags[1]"},
	{name: "tag twice", doc: set(then(`{"tags":["vip","vip"]}`)), path: "rules[0].then.tags[1]"},
	{name: "tag too long", doc: set(then(`{"tags":["` + strings.Repeat("t", rules.MaxNameLength+1) + `"]}`)), path: "rules[0].then.tags[0]"},
	{name: "attribute with empty key", doc: set(then(`{"attributes":{"plan":"gold","":"x"}}`)), path: `rules[0].then.attributes[""]`,
		msg: `rules[0].then.attributes[""]: empty key`},
	{name: "attribute not a string", doc: set(then(`{"attributes":{"plan":1}}`)), path: `rules[0].then.attributes["plan"]`, jsonOnly: true},
	{name: "empty attributes", doc: set(then(`{"attributes":{}}`)), path: "rules[0].then.attributes"},

	// Triggers.
	{name: "bad trigger", doc: set(`{"name":"a","on":["enqeue"],"then":{"group":"sales"}}`), path: "rules[0].on[0]"},
	{name: "trigger twice", doc: set(`{"name":"a","on":["enqueue","transfer","enqueue"],"then":{"group":"sales"}}`), path: "rules[0].on[2]"},
	{name: "empty on", doc: set(`{"name":"a","on":[],"then":{"group":"sales"}}`), path: "rules[0].on", jsonOnly: true},

	// Conditions.
	{name: "empty condition", doc: set(when(`{}`)), path: "rules[0].when"},
	{name: "null condition", doc: set(when(`null`)), path: "rules[0].when", jsonOnly: true},
	{name: "missing field", doc: set(when(`{"op":"exists"}`)), path: "rules[0].when.field"},
	{name: "missing op", doc: set(when(`{"field":"url"}`)), path: "rules[0].when.op"},
	{name: "unknown field name", doc: set(when(`{"field":"urll","op":"exists"}`)), path: "rules[0].when.field",
		msg: `rules[0].when.field: unknown field "urll"`},
	{name: "attr with empty key", doc: set(when(`{"field":"attr.","op":"exists"}`)), path: "rules[0].when.field"},
	{name: "zone on a text field", doc: set(when(`{"field":"url","op":"exists","zone":"UTC"}`)), path: "rules[0].when.zone"},
	{name: "zone missing for time", doc: set(when(`{"field":"time","op":"between","value":"09:00-17:00"}`)), path: "rules[0].when.zone"},
	{name: "zone missing for weekday", doc: set(when(`{"field":"weekday","op":"equals","value":"mon"}`)), path: "rules[0].when.zone"},
	{name: "local zone", doc: set(when(`{"field":"weekday","op":"equals","value":"mon","zone":"Local"}`)), path: "rules[0].when.zone"},
	{name: "between on a text field", doc: set(when(`{"field":"url","op":"between","value":"09:00-17:00"}`)), path: "rules[0].when.op"},
	{name: "time with equals", doc: set(when(`{"field":"time","op":"equals","value":"09:00","zone":"UTC"}`)), path: "rules[0].when.op"},
	{name: "bad between hour", doc: set(when(`{"field":"time","op":"between","value":"25:00-06:00","zone":"UTC"}`)), path: "rules[0].when.value"},
	{name: "bad between form", doc: set(when(`{"field":"time","op":"between","value":"9:00-17:00","zone":"UTC"}`)), path: "rules[0].when.value"},
	{name: "between from equals to", doc: set(when(`{"field":"time","op":"between","value":"06:00-06:00","zone":"UTC"}`)), path: "rules[0].when.value"},
	{name: "weekday not a day", doc: set(when(`{"field":"weekday","op":"equals","value":"monday","zone":"UTC"}`)), path: "rules[0].when.value"},
	{name: "weekday list with a non-day", doc: set(when(`{"field":"weekday","op":"in","values":["mon","Tue"],"zone":"UTC"}`)), path: "rules[0].when.values[1]"},
	{name: "weekday contains", doc: set(when(`{"field":"weekday","op":"contains","value":"mon","zone":"UTC"}`)), path: "rules[0].when.op"},
	{name: "values with equals", doc: set(when(`{"field":"url","op":"equals","value":"a","values":["b"]}`)), path: "rules[0].when.values"},
	{name: "value with in", doc: set(when(`{"field":"url","op":"in","value":"a","values":["b"]}`)), path: "rules[0].when.value"},
	{name: "value with exists", doc: set(when(`{"field":"url","op":"exists","value":"a"}`)), path: "rules[0].when.value"},
	{name: "in without values", doc: set(when(`{"field":"url","op":"in"}`)), path: "rules[0].when.values"},
	{name: "empty in list", doc: set(when(`{"field":"url","op":"in","values":[]}`)), path: "rules[0].when.values"},
	{name: "value twice in list", doc: set(when(`{"field":"language","op":"in","values":["de","en","de"]}`)), path: "rules[0].when.values[2]",
		msg: `rules[0].when.values[2]: "de" given twice (values[0])`},
	{name: "empty value in list", doc: set(when(`{"field":"language","op":"in","values":["de",""]}`)), path: "rules[0].when.values[1]"},
	{name: "too many values", doc: set(when(`{"field":"language","op":"in","values":[` + quotedNumbers(rules.MaxValues+1) + `]}`)), path: fmt.Sprintf("rules[0].when.values[%d]", rules.MaxValues)},
	{name: "equals empty", doc: set(when(`{"field":"company","op":"equals","value":""}`)), path: "rules[0].when.value", jsonOnly: true},
	{name: "equals without value", doc: set(when(`{"field":"company","op":"equals"}`)), path: "rules[0].when.value", msg: "rules[0].when.value: missing"},
	{name: "value too long", doc: set(when(`{"field":"url","op":"contains","value":"` + strings.Repeat("v", rules.MaxValueLength+1) + `"}`)), path: "rules[0].when.value"},
	{name: "ignore_case with exists", doc: set(when(`{"field":"url","op":"exists","ignore_case":true}`)), path: "rules[0].when.ignore_case"},
	{name: "ignore_case with weekday", doc: set(when(`{"field":"weekday","op":"equals","value":"mon","ignore_case":true,"zone":"UTC"}`)), path: "rules[0].when.ignore_case"},
	{name: "empty all", doc: set(when(`{"all":[]}`)), path: "rules[0].when.all"},
	{name: "empty any", doc: set(when(`{"not":{"any":[]}}`)), path: "rules[0].when.not.any"},
	{name: "two forms", doc: set(when(`{"all":[{"field":"url","op":"exists"}],"field":"url","op":"exists"}`)), path: "rules[0].when",
		msg: "rules[0].when: has both all and field: a condition is one test (field and op), all, any or not"},
	{name: "all and not", doc: set(when(`{"all":[{"field":"url","op":"exists"}],"not":{"field":"url","op":"exists"}}`)), path: "rules[0].when"},
	{name: "depth 33", doc: set(when(nested(rules.MaxDepth + 1))), path: "rules[0].when" + strings.Repeat(".not", rules.MaxDepth)},
	{name: "bad regexp repeat", doc: set(when(`{"field":"url","op":"matches","value":"a**"}`)), path: "rules[0].when.value"},

	// Types and syntax.
	{name: "name a number", doc: set(`{"name":1,"then":{"group":"sales"}}`), path: "rules[0].name",
		msg: "rules[0].name: must be a string, not a number", jsonOnly: true},
	{name: "enabled a string", doc: set(`{"name":"a","enabled":"yes","then":{"group":"sales"}}`), path: "rules[0].enabled", jsonOnly: true},
	{name: "when an array", doc: set(when(`[]`)), path: "rules[0].when", jsonOnly: true},
	{name: "rules an object", doc: `{"rules":{}}`, path: "rules", jsonOnly: true},
	{name: "rules null", doc: `{"rules":null}`, path: "rules", jsonOnly: true},
	{name: "tags a string", doc: set(then(`{"tags":"vip"}`)), path: "rules[0].then.tags", jsonOnly: true},
	{name: "value null", doc: set(when(`{"field":"url","op":"contains","value":null}`)), path: "rules[0].when.value", jsonOnly: true},
	{name: "not an object", doc: `[{"name":"a"}]`, path: "", msg: "a rule set must be an object, not an array", jsonOnly: true},
	{name: "not JSON", doc: `rules: []`, path: "", jsonOnly: true},
	{name: "empty document", doc: ``, path: "", jsonOnly: true},
	{name: "truncated", doc: `{"rules":[{"name":"a","then":{"group":"sa`, path: "rules[0].then.group", jsonOnly: true},
	{name: "missing comma", doc: set(`{"name":"a" "then":{"group":"sales"}}`), path: "rules[0]", jsonOnly: true},
	{name: "trailing comma", doc: set(good("a") + `,`), path: "rules[1]", jsonOnly: true},
	{name: "trailing garbage", doc: set(good("a")) + ` x`, path: "", msg: "invalid JSON: data after the rule set", jsonOnly: true},
	{name: "two documents", doc: set(good("a")) + set(good("b")), path: "", jsonOnly: true},
	{name: "duplicate JSON key", doc: set(`{"name":"a","then":{"group":"sales"},"name":"b"}`), path: "rules[0].name",
		msg: "rules[0].name: key given twice", jsonOnly: true},
	{name: "duplicate top-level key", doc: `{"rules":[],"rules":[]}`, path: "rules", jsonOnly: true},
	{name: "duplicate escaped key", doc: set(`{"name":"a","then":{"group":"sales","gro\u0075p":"support"}}`), path: "rules[0].then.group", jsonOnly: true},
	{name: "too large", doc: `{"rules":[]}` + strings.Repeat(" ", rules.MaxSize), path: "", jsonOnly: true},
	{name: "too many rules", doc: set(manyRules(rules.MaxRules + 1)...), path: fmt.Sprintf("rules[%d]", rules.MaxRules),
		msg: fmt.Sprintf("rules[%d]: more than %d rules", rules.MaxRules, rules.MaxRules)},

	// The first fault in document order wins.
	{name: "first rule's fault first", doc: set(when(`{"field":"url","op":"contians","value":"x"}`), `{"name":"b","then":{"colour":1}}`), path: "rules[0].when.op"},
	{name: "first key's fault first", doc: set(`{"name":"a","when":{"field":"urll","op":"exists"},"then":{"colour":1}}`), path: "rules[0].when.field"},
	{name: "keys in document order", doc: set(`{"then":{"colour":1},"name":"","when":{"field":"urll","op":"exists"}}`), path: "rules[0].then.colour", jsonOnly: true},
}

// quotedNumbers returns n distinct JSON strings, comma-separated.
func quotedNumbers(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%d"`, i)
	}
	return b.String()
}

// manyRules returns n valid rules.
func manyRules(n int) []string {
	rs := make([]string, n)
	for i := range rs {
		rs[i] = good(fmt.Sprint("r", i))
	}
	return rs
}

func TestD3_DecodeNamesTheBadField(t *testing.T) {
	require.GreaterOrEqual(t, len(decodeErrors), 35)
	seen := map[string]bool{}
	for _, tc := range decodeErrors {
		require.False(t, seen[tc.name], "two cases named %q", tc.name)
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			set, err := rules.Decode([]byte(tc.doc), testCatalog)
			require.Error(t, err)
			require.Nil(t, set)
			requireFault(t, err, tc.path, tc.msg, tc.is)
		})
	}
}

// requireFault checks that err is an *Error at path, matching ErrInvalid,
// with the message msg if given and matching is if given.
func requireFault(t *testing.T, err error, path, msg string, is error) {
	t.Helper()
	require.ErrorIs(t, err, rules.ErrInvalid)
	var e *rules.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, path, e.Path, "%v", err)
	require.NotEmpty(t, e.Msg)
	if path == "" {
		require.Equal(t, e.Msg, err.Error())
	} else {
		require.Equal(t, path+": "+e.Msg, err.Error())
	}
	if msg != "" {
		require.Equal(t, msg, err.Error())
	}
	if is != nil {
		require.ErrorIs(t, err, is)
	}
}

// D3: New refuses the same faults at the same paths, with the same
// messages, when they are given as Go values.
func TestD3_NewNamesTheBadFieldAsDecodeDoes(t *testing.T) {
	compared := 0
	for _, tc := range decodeErrors {
		if tc.jsonOnly {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			rs, err := mirrorRules([]byte(tc.doc))
			require.NoError(t, err, "the case cannot be spelt in Go: mark it jsonOnly")
			_, decodeErr := rules.Decode([]byte(tc.doc), testCatalog)
			_, newErr := rules.New(rs, testCatalog)
			require.Error(t, newErr)
			requireFault(t, newErr, tc.path, tc.msg, tc.is)
			require.Equal(t, decodeErr.Error(), newErr.Error())
		})
		compared++
	}
	require.Greater(t, compared, 40)
}

// The mirror types read a JSON rule set into Go values with
// encoding/json alone, checking nothing, so that New sees what Decode
// sees.
type (
	mirrorSet struct {
		Rules []mirrorRule `json:"rules"`
	}
	mirrorRule struct {
		Name    string          `json:"name"`
		Enabled *bool           `json:"enabled"`
		On      []rules.Trigger `json:"on"`
		RawWhen json.RawMessage `json:"when"`
		Then    mirrorActions   `json:"then"`
		Stop    bool            `json:"stop"`
	}
	mirrorCondition struct {
		All        []json.RawMessage `json:"all"`
		Any        []json.RawMessage `json:"any"`
		Not        json.RawMessage   `json:"not"`
		Field      string            `json:"field"`
		Op         rules.Op          `json:"op"`
		Value      string            `json:"value"`
		Values     []string          `json:"values"`
		IgnoreCase bool              `json:"ignore_case"`
		Zone       string            `json:"zone"`
	}
	mirrorActions struct {
		Group      string            `json:"group"`
		Priority   *int              `json:"priority"`
		Skills     []string          `json:"skills"`
		Prefer     *mirrorPrefer     `json:"prefer"`
		Tags       []string          `json:"tags"`
		Attributes map[string]string `json:"attributes"`
		OffHours   bool              `json:"off_hours"`
	}
	mirrorPrefer struct {
		Operator string `json:"operator"`
		Previous bool   `json:"previous"`
		Wait     string `json:"wait"`
	}
)

// mirrorRules reads doc into Go rules with the mirror types.
func mirrorRules(doc []byte) ([]rules.Rule, error) {
	var m mirrorSet
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	var rs []rules.Rule
	for _, r := range m.Rules {
		g := rules.Rule{Name: r.Name, Enabled: r.Enabled == nil || *r.Enabled, On: r.On, Stop: r.Stop}
		if r.RawWhen != nil {
			c, err := mirrorCond(r.RawWhen)
			if err != nil {
				return nil, err
			}
			g.When = &c
		}
		a := r.Then
		g.Then = rules.Actions{Group: a.Group, Priority: a.Priority, Skills: a.Skills, Tags: a.Tags, Attributes: a.Attributes, OffHours: a.OffHours}
		if p := a.Prefer; p != nil {
			g.Then.Prefer = &rules.Prefer{Operator: p.Operator, Previous: p.Previous}
			if p.Wait != "" {
				w, err := time.ParseDuration(p.Wait)
				if err != nil {
					return nil, err
				}
				g.Then.Prefer.Wait = w
			}
		}
		rs = append(rs, g)
	}
	return rs, nil
}

// mirrorCond reads one condition with the mirror types.
func mirrorCond(raw json.RawMessage) (rules.Condition, error) {
	var m mirrorCondition
	if err := json.Unmarshal(raw, &m); err != nil {
		return rules.Condition{}, err
	}
	if string(raw) == "null" {
		return rules.Condition{}, errors.New("null condition")
	}
	c := rules.Condition{Field: m.Field, Op: m.Op, Value: m.Value, Values: m.Values, IgnoreCase: m.IgnoreCase, Zone: m.Zone}
	kids := func(raws []json.RawMessage) ([]rules.Condition, error) {
		if raws == nil {
			return nil, nil
		}
		out := []rules.Condition{}
		for _, r := range raws {
			k, err := mirrorCond(r)
			if err != nil {
				return nil, err
			}
			out = append(out, k)
		}
		return out, nil
	}
	var err error
	if c.All, err = kids(m.All); err != nil {
		return c, err
	}
	if c.Any, err = kids(m.Any); err != nil {
		return c, err
	}
	if m.Not != nil {
		n, err := mirrorCond(m.Not)
		if err != nil {
			return c, err
		}
		c.Not = &n
	}
	return c, nil
}

// New refuses Go values that JSON cannot spell, naming them as JSON would.
func TestD3_NewRefusesBadGoValues(t *testing.T) {
	deep := rules.Condition{Field: rules.FieldTag, Op: rules.OpExists}
	for range rules.MaxDepth {
		d := deep
		deep = rules.Condition{Not: &d}
	}
	cyclic := rules.Condition{}
	cyclic.Not = &cyclic
	for _, tc := range []struct {
		name string
		rs   []rules.Rule
		path string
	}{
		{"name not UTF-8", []rules.Rule{{Name: "a\xff", Then: rules.Actions{Group: "sales"}}}, "rules[0].name"},
		{"value not UTF-8", []rules.Rule{{Name: "a", When: &rules.Condition{Field: "url", Op: rules.OpContains, Value: "\xff"}, Then: rules.Actions{Group: "sales"}}}, "rules[0].when.value"},
		{"tag not UTF-8", []rules.Rule{{Name: "a", Then: rules.Actions{Tags: []string{"ok", "\xc3"}}}}, "rules[0].then.tags[1]"},
		{"attribute key not UTF-8", []rules.Rule{{Name: "a", Then: rules.Actions{Attributes: map[string]string{"\xff": "x"}}}}, `rules[0].then.attributes["\xff"]`},
		{"unknown trigger", []rules.Rule{{Name: "a", On: []rules.Trigger{rules.OnTransfer, "close"}, Then: rules.Actions{Group: "sales"}}}, "rules[0].on[1]"},
		{"empty values", []rules.Rule{{Name: "a", When: &rules.Condition{Field: "url", Op: rules.OpIn, Values: []string{}}, Then: rules.Actions{Group: "sales"}}}, "rules[0].when.values"},
		{"empty all", []rules.Rule{{Name: "a", When: &rules.Condition{All: []rules.Condition{}}, Then: rules.Actions{Group: "sales"}}}, "rules[0].when.all"},
		{"empty tags", []rules.Rule{{Name: "a", Then: rules.Actions{Tags: []string{}}}}, "rules[0].then.tags"},
		{"depth 33", []rules.Rule{{Name: "a", When: &deep, Then: rules.Actions{Group: "sales"}}}, "rules[0].when" + strings.Repeat(".not", rules.MaxDepth)},
		{"a cycle", []rules.Rule{{Name: "a", When: &cyclic, Then: rules.Actions{Group: "sales"}}}, "rules[0].when" + strings.Repeat(".not", rules.MaxDepth)},
		{"wait too long", []rules.Rule{{Name: "a", Then: rules.Actions{Prefer: &rules.Prefer{Previous: true, Wait: 25 * time.Hour}}}}, "rules[0].then.prefer.wait"},
		{"operator too long", []rules.Rule{{Name: "a", Then: rules.Actions{Prefer: &rules.Prefer{Operator: strings.Repeat("o", 257)}}}}, "rules[0].then.prefer.operator"},
		{"too many rules", make([]rules.Rule, rules.MaxRules+1), fmt.Sprintf("rules[%d]", rules.MaxRules)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := rules.New(tc.rs, testCatalog)
			require.Nil(t, set)
			requireFault(t, err, tc.path, "", nil)
		})
	}
}
