package routing

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
)

// ruleSet is the rule set a Router runs, with the store's version of it.
type ruleSet struct {
	set     *rules.Set
	version int64
}

// Rules returns the rule set the Router runs (D1) and its version in the
// store: 0 and a nil set (which has no rules) before any was stored. Every Router on one
// store runs the same one, once it has followed the latest change.
func (r *Router) Rules() (*rules.Set, int64) {
	rs := r.rules.Load()
	return rs.set, rs.version
}

// DecodeRules decodes a rule set from its JSON encoding (see package
// rules), checking the groups and skills it names against the Router's:
// its groups, and the skills in Config.Skills or held by one of its
// operators. A bad rule set fails with an error matching rules.ErrInvalid
// and ErrInvalid that names the path of the bad field (D3).
func (r *Router) DecodeRules(data []byte) (*rules.Set, error) {
	set, err := rules.Decode(data, catalog{r})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return set, nil
}

// SetRules replaces the rule set every Router on the store runs (D1, D3):
// it is checked as DecodeRules checks it, stored as the store's next
// version, and run on every conversation the triggers of its rules name
// from then on; conversations already routed keep what the rules gave
// them; a nil or empty set clears the rules. by must be an admin (or the
// system). It returns the new version.
//
// It fails with ErrInvalid (and rules.ErrInvalid, naming the bad field)
// for a rule set naming a group or skill the Router does not know,
// ErrNotAllowed if by is not an admin, ErrClosed after Stop, and with the
// store's error; nothing changes then, and the rule set in force stays.
func (r *Router) SetRules(ctx context.Context, by Actor, set *rules.Set) (int64, error) {
	end, err := r.beginBy(by.mustBeAdmin("set the rules"))
	if err != nil {
		return 0, err
	}
	defer end()
	body, err := set.MarshalJSON()
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	checked, err := r.DecodeRules(body)
	if err != nil {
		return 0, err
	}
	return r.storeRules(ctx, by, checked, body)
}

// storeRules stores body, the encoding of set, as the store's next rule
// set and runs it. Another Router's version stored meanwhile is replaced:
// the last rule set stored wins.
func (r *Router) storeRules(ctx context.Context, by Actor, set *rules.Set, body []byte) (int64, error) {
	for attempt := 0; ; attempt++ {
		cur, err := r.store.RuleSet(ctx)
		if err != nil {
			return 0, err
		}
		saved, err := r.store.SetRuleSet(ctx, store.RuleSet{Version: cur.Version, Body: body, UpdatedAt: r.clock.Now(), UpdatedBy: actorName(by)})
		if errors.Is(err, store.ErrConflict) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return 0, err
		}
		r.useRules(set, saved.Version)
		return saved.Version, nil
	}
}

// useRules makes set, of the given version, the rule set the Router runs,
// unless it already runs a later one.
func (r *Router) useRules(set *rules.Set, version int64) {
	next := &ruleSet{set: set, version: version}
	for {
		cur := r.rules.Load()
		if cur.version >= version || r.rules.CompareAndSwap(cur, next) {
			return
		}
	}
}

// loadRules reads the store's rule set and runs it. At the start of a
// Router (seed set), a store that holds none is given Config.Rules, if
// set. A stored rule set that names a group or skill this Router does not
// know fails with ErrInvalidConfig, and the rule set in force stays.
func (r *Router) loadRules(ctx context.Context, seed bool) error {
	cur, err := r.store.RuleSet(ctx)
	if err != nil {
		return fmt.Errorf("routing: reading the rules: %w", err)
	}
	if cur.Version == 0 {
		if !seed || r.cfg.Rules.Len() == 0 {
			return nil
		}
		body, err := r.cfg.Rules.MarshalJSON()
		if err != nil {
			return fmt.Errorf("%w: Rules: %w", ErrInvalidConfig, err)
		}
		set, err := r.DecodeRules(body)
		if err != nil {
			return fmt.Errorf("%w: Rules: %w", ErrInvalidConfig, err)
		}
		_, err = r.storeRules(ctx, BySystem(CauseStart), set, body)
		return err
	}
	if rs := r.rules.Load(); rs.version >= cur.Version {
		return nil
	}
	set, err := r.DecodeRules(cur.Body)
	if err != nil {
		return fmt.Errorf("%w: the store's rule set (version %d): %w", ErrInvalidConfig, cur.Version, err)
	}
	r.useRules(set, cur.Version)
	return nil
}

// catalog tells the rules package what the Router knows.
type catalog struct{ r *Router }

// HasGroup reports whether the Router serves group id.
func (c catalog) HasGroup(id string) bool {
	ok := false
	c.r.inLock(func() { ok = c.r.v.HasGroup(id) })
	return ok
}

// HasSkill reports whether skill name is in Config.Skills or held by one
// of the Router's operators.
func (c catalog) HasSkill(name string) bool {
	if slices.Contains(c.r.cfg.Skills, name) {
		return true
	}
	ok := false
	c.r.inLock(func() { ok = c.r.v.HoldsSkill(name) })
	return ok
}

// applyRules runs the rules of trigger on row, a conversation about to
// join a queue at now, and gives it what they decide: group, priority,
// skills, tags, attributes, preferred operator (with the deadline of the
// wait for them) and the off-hours mark, and the names of the rules that
// matched with what each changed (store.Conversation.Rules). A rule that
// prefers the previous operator names row.LastOperator: Enqueue sets it
// to the customer's previous operator, Reopen to the old conversation's.
// It reports whether a rule matched; row is unchanged otherwise.
func (r *Router) applyRules(trigger rules.Trigger, row *store.Conversation, now time.Time) bool {
	set := r.rules.Load().set
	if set.Len() == 0 {
		return false
	}
	res := set.Evaluate(trigger, rules.Input{
		Channel: row.Channel, Group: row.Group, CustomerID: row.CustomerID, Priority: row.Priority,
		Skills: row.Skills, Tags: row.Tags, Attributes: row.Attributes, Now: now,
	})
	if len(res.Matched) == 0 {
		return false
	}
	row.Group, row.Priority, row.OffHours = res.Group, res.Priority, res.OffHours
	row.Skills, row.Tags = slices.Clone(res.Skills), slices.Clone(res.Tags)
	row.Attributes = maps.Clone(res.Attributes)
	row.Rules = make([]store.RuleMatch, len(res.Matched))
	for i, m := range res.Matched {
		row.Rules[i] = store.RuleMatch{Rule: m.Rule, Changes: slices.Clone(m.Changes)}
	}
	if p := res.Prefer; p != nil {
		row.Preferred = p.Operator
		if p.Previous {
			row.Preferred = row.LastOperator
		}
		row.Deadlines = core.Without(row.Deadlines, store.PreferExpiry)
		if p.Wait > 0 && row.Preferred != "" {
			row.Deadlines = core.With(row.Deadlines, store.Deadline{Kind: store.PreferExpiry, Due: now.Add(p.Wait)})
		}
	}
	return true
}

// transferRules gives ch, the transfer of conversation c to ch.Group, what
// the rules run on a transfer decide (the group too, which must be
// served), and drops c's off-hours mark unless they set it again. The
// conversation's wait of its new group starts: its relaxation deadline,
// if that group relaxes skills, is set (D5).
func (r *Router) transferRules(ch *store.Change, c store.Conversation) error {
	now := ch.At
	if now.IsZero() {
		now = r.clock.Now()
	}
	next := c
	next.Group, next.OffHours = ch.Group, false
	matched := r.applyRules(rules.OnTransfer, &next, now)
	if !r.v.HasGroup(next.Group) {
		return fmt.Errorf("%w: group %q, named by the rules run on the transfer", ErrNotFound, next.Group)
	}
	ch.Group = next.Group
	if matched || c.OffHours {
		p := next.Profile()
		ch.Profile = &p
	}
	ds := core.Without(next.Deadlines, store.SkillRelax)
	if d, ok := r.v.RelaxDeadline(next.Group, next.Skills, now); ok {
		ds = core.With(ds, d)
	}
	if !core.SameDeadlines(ds, c.Deadlines) {
		ch.SetDeadlines, ch.Deadlines = true, ds
	}
	return nil
}

// actorName names by in a stored rule set, within store.MaxIDLength.
func actorName(by Actor) string {
	s := by.String()
	if len(s) > store.MaxIDLength {
		s = strings.ToValidUTF8(s[:store.MaxIDLength], "")
	}
	return s
}
