package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
)

// Spec is a policy as data: what to build, not the built thing. It encodes
// to JSON, so that a group's policy can be stored and every process that
// serves the group builds the same one (see Spec.Build and SpecOf):
//
//	{"kind": "capped", "default": 3, "inner": {"kind": "least-loaded"}}
//	{"kind": "fallback", "policies": [{"kind": "least-loaded"}, {"kind": "broadcast", "limit": 5}]}
//
// The built-in kinds are KindLeastLoaded, KindBroadcast (Limit),
// KindCapped (Inner, Default, ManualOverCap), KindPreviousOperator (Inner)
// and KindFallback (Policies); each takes only its own fields. Any other
// kind is the host's, built by the Builder registered for it, which reads
// whatever fields it needs (Params for its own parameters).
type Spec struct {
	// Kind names the policy: one of the built-in kinds, or a kind the host
	// registers a Builder for.
	Kind string `json:"kind"`
	// Limit is Broadcast's limit: Broadcast(Limit). Not negative.
	Limit int `json:"limit,omitempty"`
	// Default is Capped's CapOptions.Default. Not negative.
	Default int `json:"default,omitempty"`
	// ManualOverCap is Capped's CapOptions.ManualOverCap.
	ManualOverCap bool `json:"manual_over_cap,omitempty"`
	// Inner is the policy Capped or PreviousOperator wraps. Required for
	// those kinds.
	Inner *Spec `json:"inner,omitempty"`
	// Policies are the policies Fallback asks in turn (none: it always
	// keeps).
	Policies []Spec `json:"policies,omitempty"`
	// Params are a host kind's own parameters, as JSON; the built-in kinds
	// take none.
	Params json.RawMessage `json:"params,omitempty"`
}

// The built-in kinds of Spec.
const (
	KindLeastLoaded      = "least-loaded"
	KindBroadcast        = "broadcast"
	KindCapped           = "capped"
	KindPreviousOperator = "previous-operator"
	KindFallback         = "fallback"
)

// Bounds of a Spec that Build accepts: nesting at most MaxSpecDepth deep
// (a policy with no nested policy is at depth 1) and at most MaxSpecSize
// policies in all.
const (
	MaxSpecDepth = 16
	MaxSpecSize  = 256
)

// ErrInvalidSpec reports a Spec that Build cannot build. The error wrapping
// it names the path of the bad field, e.g.
// `inner.policies[1].kind: unknown policy kind "roundrobin"`.
var ErrInvalidSpec = errors.New("policy: invalid spec")

// Builder builds a policy of a host's kind from s, whose Kind it was
// registered for. build builds a nested Spec (s.Inner, an element of
// s.Policies, or one the builder decodes from s.Params) with the same
// builders and bounds; return its error as it is. An error of the Builder's
// own is reported wrapped with ErrInvalidSpec and the path of s.
type Builder func(s Spec, build func(Spec) (Policy, error)) (Policy, error)

// Specifier is implemented by a policy that can describe itself as a Spec:
// one that Build, given the Builder of its kind, builds back into a policy
// that behaves the same. The built-in policies implement it; a host's
// policy may, so that SpecOf describes it (and the built-in policies that
// wrap it).
type Specifier interface {
	// Spec returns the policy as data.
	Spec() Spec
}

// IsBuiltinKind reports whether kind is one of the built-in kinds, which
// no Builder may be registered for.
func IsBuiltinKind(kind string) bool {
	switch kind {
	case KindLeastLoaded, KindBroadcast, KindCapped, KindPreviousOperator, KindFallback:
		return true
	}
	return false
}

// Build builds the policy s describes. The built-in kinds are built by the
// package's constructors (Capped for KindCapped, ...); any other kind by
// custom[s.Kind]. It fails with an error matching ErrInvalidSpec that
// names the path of the first bad field: an empty or unknown kind, a field
// the kind does not take, a negative Limit or Default, a missing Inner,
// nesting deeper than MaxSpecDepth or more than MaxSpecSize policies, or
// an error of a Builder. A Builder registered for a built-in kind is never
// called.
func (s Spec) Build(custom map[string]Builder) (Policy, error) {
	b := &specBuilder{custom: custom}
	return b.build(s, "", 1)
}

// specBuilder builds a Spec, counting the policies built.
type specBuilder struct {
	custom map[string]Builder
	size   int
}

// at returns the path of a field of the spec at path.
func at(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// invalid returns the error of the field at path.
func invalid(path, format string, args ...any) error {
	if path == "" {
		path = "spec"
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalidSpec, path, fmt.Sprintf(format, args...))
}

func (b *specBuilder) build(s Spec, path string, depth int) (Policy, error) {
	if depth > MaxSpecDepth {
		return nil, invalid(path, "nested deeper than MaxSpecDepth (%d)", MaxSpecDepth)
	}
	if b.size++; b.size > MaxSpecSize {
		return nil, invalid(path, "more than MaxSpecSize (%d) policies", MaxSpecSize)
	}
	if s.Kind == "" {
		return nil, invalid(at(path, "kind"), "empty")
	}
	if !IsBuiltinKind(s.Kind) {
		return b.buildCustom(s, path, depth)
	}
	if err := s.checkFields(path); err != nil {
		return nil, err
	}
	switch s.Kind {
	case KindLeastLoaded:
		return LeastLoaded(), nil
	case KindBroadcast:
		return Broadcast(s.Limit), nil
	case KindFallback:
		ps := make([]Policy, len(s.Policies))
		for i, sub := range s.Policies {
			p, err := b.build(sub, at(path, "policies["+strconv.Itoa(i)+"]"), depth+1)
			if err != nil {
				return nil, err
			}
			ps[i] = p
		}
		return Fallback(ps...), nil
	}
	inner, err := b.build(*s.Inner, at(path, "inner"), depth+1)
	if err != nil {
		return nil, err
	}
	if s.Kind == KindCapped {
		return Capped(inner, CapOptions{Default: s.Default, ManualOverCap: s.ManualOverCap}), nil
	}
	return PreviousOperator(inner), nil
}

// checkFields checks that s, of a built-in kind, sets only the fields its
// kind takes, and those well.
func (s Spec) checkFields(path string) error {
	takes := map[string]bool{}
	switch s.Kind {
	case KindBroadcast:
		takes["limit"] = true
	case KindCapped:
		takes["default"], takes["manual_over_cap"], takes["inner"] = true, true, true
	case KindPreviousOperator:
		takes["inner"] = true
	case KindFallback:
		takes["policies"] = true
	}
	for _, f := range [...]struct {
		name string
		set  bool
	}{
		{"limit", s.Limit != 0},
		{"default", s.Default != 0},
		{"manual_over_cap", s.ManualOverCap},
		{"inner", s.Inner != nil},
		{"policies", len(s.Policies) > 0},
		{"params", !emptyParams(s.Params)},
	} {
		if f.set && !takes[f.name] {
			return invalid(at(path, f.name), "kind %q does not take it", s.Kind)
		}
	}
	switch {
	case s.Limit < 0:
		return invalid(at(path, "limit"), "%d is negative", s.Limit)
	case s.Default < 0:
		return invalid(at(path, "default"), "%d is negative", s.Default)
	case takes["inner"] && s.Inner == nil:
		return invalid(at(path, "inner"), "kind %q needs the policy it wraps", s.Kind)
	}
	return nil
}

// emptyParams reports whether p sets no parameters: empty or JSON null.
func emptyParams(p json.RawMessage) bool {
	t := bytes.TrimSpace(p)
	return len(t) == 0 || string(t) == "null"
}

// buildCustom builds s, of a host's kind, with its Builder.
func (b *specBuilder) buildCustom(s Spec, path string, depth int) (Policy, error) {
	fn := b.custom[s.Kind]
	if fn == nil {
		return nil, invalid(at(path, "kind"), "unknown policy kind %q", s.Kind)
	}
	nested := func(sub Spec) (Policy, error) {
		return b.build(sub, at(path, nestedField(s, sub)), depth+1)
	}
	p, err := fn(s, nested)
	switch {
	case err != nil && errors.Is(err, ErrInvalidSpec):
		return nil, err
	case err != nil:
		return nil, invalid(path, "kind %q: %v", s.Kind, err)
	case p == nil:
		return nil, invalid(path, "kind %q: the builder returned no policy", s.Kind)
	}
	return p, nil
}

// nestedField names the field of s that sub comes from, for the path of
// an error: inner, policies[i], or params (decoded by the builder).
func nestedField(s Spec, sub Spec) string {
	if s.Inner != nil && reflect.DeepEqual(*s.Inner, sub) {
		return "inner"
	}
	for i, p := range s.Policies {
		if reflect.DeepEqual(p, sub) {
			return "policies[" + strconv.Itoa(i) + "]"
		}
	}
	return "params"
}

// SpecOf returns p as a Spec, and whether it could: every built-in policy
// can, unless it wraps (or falls back on) a policy that cannot; any other
// policy can if it implements Specifier. Spec.Build, given the Builders of
// the host's kinds the Spec names, builds a policy with p's Name that
// decides as p does.
func SpecOf(p Policy) (Spec, bool) {
	switch p := p.(type) {
	case nil:
		return Spec{}, false
	case describer:
		return p.describe()
	case Specifier:
		return p.Spec(), true
	}
	return Spec{}, false
}

// describer is implemented by the built-in policies: describe is Spec,
// reporting whether every policy within could be described.
type describer interface {
	describe() (Spec, bool)
}

// innerSpec returns the Spec of a wrapped policy and whether it is whole:
// a policy that has none is named by its Name alone (and false), a
// built-in that wraps one described as far as it goes.
func innerSpec(p Policy) (Spec, bool) {
	if p == nil {
		return Spec{}, false
	}
	if d, ok := p.(describer); ok {
		return d.describe()
	}
	if s, ok := SpecOf(p); ok {
		return s, true
	}
	return Spec{Kind: p.Name()}, false
}

func (leastLoaded) describe() (Spec, bool) { return Spec{Kind: KindLeastLoaded}, true }

// Spec returns {"kind": "least-loaded"}.
func (l leastLoaded) Spec() Spec { s, _ := l.describe(); return s }

func (b *broadcast) describe() (Spec, bool) { return Spec{Kind: KindBroadcast, Limit: b.limit}, true }

// Spec returns {"kind": "broadcast", "limit": limit}.
func (b *broadcast) Spec() Spec { s, _ := b.describe(); return s }

func (p *capped) describe() (Spec, bool) {
	inner, ok := innerSpec(p.inner)
	return Spec{Kind: KindCapped, Default: p.opts.Default, ManualOverCap: p.opts.ManualOverCap, Inner: &inner}, ok
}

// Spec returns {"kind": "capped", ...}; a wrapped policy that has no Spec
// is named by its Name alone (and SpecOf reports false).
func (p *capped) Spec() Spec { s, _ := p.describe(); return s }

func (p *previous) describe() (Spec, bool) {
	inner, ok := innerSpec(p.inner)
	return Spec{Kind: KindPreviousOperator, Inner: &inner}, ok
}

// Spec returns {"kind": "previous-operator", "inner": ...}; a wrapped
// policy that has no Spec is named by its Name alone (and SpecOf reports
// false).
func (p *previous) Spec() Spec { s, _ := p.describe(); return s }

func (f *fallback) describe() (Spec, bool) {
	s := Spec{Kind: KindFallback}
	all := true
	for _, p := range f.policies {
		sub, ok := innerSpec(p)
		all = all && ok
		s.Policies = append(s.Policies, sub)
	}
	return s, all
}

// Spec returns {"kind": "fallback", "policies": [...]}; a policy that has
// no Spec is named by its Name alone (and SpecOf reports false).
func (f *fallback) Spec() Spec { s, _ := f.describe(); return s }
