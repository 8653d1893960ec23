package routing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/store"
)

// A group as the store keeps it (store.GroupRow.Config): its configuration
// but the id (the row's own), as JSON. Durations are whole milliseconds,
// the business hours presence's text form (ParseHours), the policy a
// policy.Spec. For example:
//
//	{"policy": {"kind": "capped", "default": 3, "inner": {"kind": "least-loaded"}},
//	 "site": "eu", "accept_timeout_ms": 30000,
//	 "wait_levels": [{"name": "yellow", "after_ms": 120000}],
//	 "hours": {"zone": "Europe/Berlin", "weekly": "mon-fri 09:00-18:00", "exceptions": ["2026-12-25 closed"]},
//	 "skill_relax_after_ms": 60000, "skill_relax_keep": ["en"]}
//
// Fields left out are zero. A field the Router does not know is an error,
// so that a Router of older code refuses a configuration it could not
// follow in full rather than run part of it.

// groupJSON is a Group as the store keeps it.
type groupJSON struct {
	Policy            policy.Spec     `json:"policy"`
	Site              string          `json:"site,omitempty"`
	WaitLevels        []waitLevelJSON `json:"wait_levels,omitempty"`
	AutoCloseMS       int64           `json:"auto_close_ms,omitempty"`
	WaitingExpiryMS   int64           `json:"waiting_expiry_ms,omitempty"`
	AcceptTimeoutMS   int64           `json:"accept_timeout_ms,omitempty"`
	Hours             *hoursJSON      `json:"hours,omitempty"`
	SkillRelaxAfterMS int64           `json:"skill_relax_after_ms,omitempty"`
	SkillRelaxKeep    []string        `json:"skill_relax_keep,omitempty"`
}

// waitLevelJSON is a WaitLevel as the store keeps it.
type waitLevelJSON struct {
	Name    string `json:"name"`
	AfterMS int64  `json:"after_ms"`
}

// hoursJSON is presence.Hours in the text form of presence.ParseHours.
type hoursJSON struct {
	Zone       string   `json:"zone"`
	Weekly     string   `json:"weekly,omitempty"`
	Exceptions []string `json:"exceptions,omitempty"`
}

// millis returns d in whole milliseconds; a d that is not a whole number
// of them cannot be stored.
func millis(g, field string, d time.Duration) (int64, error) {
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("%w: group %q: %s %v is not a whole number of milliseconds, as a stored group keeps it", ErrInvalidConfig, g, field, d)
	}
	return d.Milliseconds(), nil
}

// specOf returns the Spec a group's policy is stored as: its own, or one
// naming it by its Name when it has none (see Config.Policies).
func specOf(p policy.Policy) policy.Spec {
	if s, ok := policy.SpecOf(p); ok {
		return s
	}
	return policy.Spec{Kind: p.Name()}
}

// encode returns g, which passed withDefaults, as the store keeps it. It
// fails with ErrInvalidConfig for what the stored form cannot hold: a
// duration that is not whole milliseconds, business hours in a zone
// without an IANA name, an encoding larger than store.MaxGroupConfigSize.
func (g Group) encode() ([]byte, error) {
	j := groupJSON{Policy: specOf(g.Policy), Site: g.Site, SkillRelaxKeep: g.SkillRelaxKeep}
	var err error
	for _, d := range []struct {
		field string
		d     time.Duration
		to    *int64
	}{
		{"AutoClose", g.AutoClose, &j.AutoCloseMS},
		{"WaitingExpiry", g.WaitingExpiry, &j.WaitingExpiryMS},
		{"AcceptTimeout", g.AcceptTimeout, &j.AcceptTimeoutMS},
		{"SkillRelaxAfter", g.SkillRelaxAfter, &j.SkillRelaxAfterMS},
	} {
		if *d.to, err = millis(g.ID, d.field, d.d); err != nil {
			return nil, err
		}
	}
	for i, l := range g.WaitLevels {
		ms, err := millis(g.ID, fmt.Sprintf("wait level %d (%q): After", i, l.Name), l.After)
		if err != nil {
			return nil, err
		}
		j.WaitLevels = append(j.WaitLevels, waitLevelJSON{Name: l.Name, AfterMS: ms})
	}
	if j.Hours, err = encodeHours(g.ID, g.Hours); err != nil {
		return nil, err
	}
	data, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("%w: group %q: %w", ErrInvalidConfig, g.ID, err)
	}
	if len(data) > store.MaxGroupConfigSize {
		return nil, fmt.Errorf("%w: group %q: its configuration takes %d bytes, more than store.MaxGroupConfigSize (%d)",
			ErrInvalidConfig, g.ID, len(data), store.MaxGroupConfigSize)
	}
	return data, nil
}

// encodeHours returns h in its text form (nil for the zero Hours, always
// open), checking that the text reads back as h.
func encodeHours(group string, h presence.Hours) (*hoursJSON, error) {
	if h.Location == nil && h.Always() {
		return nil, nil
	}
	j := hoursText(h)
	back, err := j.hours()
	if err != nil {
		return nil, fmt.Errorf("%w: group %q: Hours cannot be stored: %w", ErrInvalidConfig, group, err)
	}
	if again := hoursText(back); again.Zone != j.Zone || again.Weekly != j.Weekly || !slices.Equal(again.Exceptions, j.Exceptions) {
		return nil, fmt.Errorf("%w: group %q: Hours do not read back as given from their text form %+v", ErrInvalidConfig, group, *j)
	}
	return j, nil
}

// hoursText returns h in the text form of presence.ParseHours.
func hoursText(h presence.Hours) *hoursJSON {
	j := &hoursJSON{Weekly: h.String()}
	if h.Location != nil {
		j.Zone = h.Location.String()
	}
	for _, e := range h.Exceptions {
		j.Exceptions = append(j.Exceptions, e.String())
	}
	return j
}

// hours returns the Hours j holds.
func (j hoursJSON) hours() (presence.Hours, error) {
	return presence.ParseHours(j.Zone, j.Weekly, j.Exceptions...)
}

// decodeGroup returns group id from data, its stored form, its policy
// built with builders (see Router.builders). It fails with
// ErrInvalidConfig, naming the group and what is wrong (a policy kind
// none of builders builds, say), and validates the result as AddGroup
// does.
func decodeGroup(id string, data []byte, builders map[string]policy.Builder) (Group, error) {
	var j groupJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Group{}, fmt.Errorf("%w: group %q: stored configuration: %w", ErrInvalidConfig, id, err)
	}
	if dec.More() {
		return Group{}, fmt.Errorf("%w: group %q: stored configuration: text after the JSON object", ErrInvalidConfig, id)
	}
	p, err := j.Policy.Build(builders)
	if err != nil {
		return Group{}, fmt.Errorf("%w: group %q: policy of kind %q: %w", ErrInvalidConfig, id, j.Policy.Kind, err)
	}
	p = keepSpec(p, j.Policy)
	g := Group{ID: id, Policy: p, Site: j.Site, SkillRelaxKeep: j.SkillRelaxKeep}
	for _, d := range []struct {
		field string
		ms    int64
		to    *time.Duration
	}{
		{"auto_close_ms", j.AutoCloseMS, &g.AutoClose},
		{"waiting_expiry_ms", j.WaitingExpiryMS, &g.WaitingExpiry},
		{"accept_timeout_ms", j.AcceptTimeoutMS, &g.AcceptTimeout},
		{"skill_relax_after_ms", j.SkillRelaxAfterMS, &g.SkillRelaxAfter},
	} {
		if *d.to, err = duration(id, d.field, d.ms); err != nil {
			return Group{}, err
		}
	}
	for i, l := range j.WaitLevels {
		after, err := duration(id, fmt.Sprintf("wait_levels[%d].after_ms", i), l.AfterMS)
		if err != nil {
			return Group{}, err
		}
		g.WaitLevels = append(g.WaitLevels, WaitLevel{Name: l.Name, After: after})
	}
	if j.Hours != nil {
		if g.Hours, err = j.Hours.hours(); err != nil {
			return Group{}, fmt.Errorf("%w: group %q: stored hours: %w", ErrInvalidConfig, id, err)
		}
	}
	if err := g.validate(); err != nil {
		return Group{}, fmt.Errorf("stored group: %w", err)
	}
	return g, nil
}

// keepSpec returns p, built from s, as a policy that SpecOf describes as
// s: p itself when it does, else p wrapped. A host's Builder may build a
// policy that cannot describe itself (or one inside a built-in wrapper):
// stored again (by an UpdateGroup of the group as read, say), it must be
// stored as it was, not by its Name.
func keepSpec(p policy.Policy, s policy.Spec) policy.Policy {
	if got, ok := policy.SpecOf(p); ok {
		a, errA := json.Marshal(got)
		b, errB := json.Marshal(s)
		if errA == nil && errB == nil && bytes.Equal(a, b) {
			return p
		}
	}
	return specified{Policy: p, spec: s}
}

// specified is a policy built from a stored Spec that it does not
// describe itself: it decides as the policy built, and describes itself as
// the Spec it was built from.
type specified struct {
	policy.Policy
	spec policy.Spec
}

// Spec returns the Spec the policy was built from.
func (p specified) Spec() policy.Spec { return p.spec }

// Unwrap returns the policy built, so that policy.LimiterOf finds its
// caps.
func (p specified) Unwrap() policy.Policy { return p.Policy }

// duration returns n milliseconds, the stored field of group id, or
// fails with ErrInvalidConfig when they do not fit in a time.Duration.
func duration(id, field string, n int64) (time.Duration, error) {
	const most = math.MaxInt64 / int64(time.Millisecond)
	if n > most || n < -most {
		return 0, fmt.Errorf("%w: group %q: stored %s %d is out of range", ErrInvalidConfig, id, field, n)
	}
	return time.Duration(n) * time.Millisecond, nil
}
