package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// Times are stored as integer nanoseconds since the Unix epoch, in UTC,
// and the zero time as NULL: exact, portable, and ordered in SQL. These are
// the bounds of what fits.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// timeFits reports whether t can be stored.
func timeFits(t time.Time) bool {
	return t.IsZero() || (!t.Before(minTime) && !t.After(maxTime))
}

// timeArg returns the value t is stored as. t must fit.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// boundArg returns t as nanoseconds for a comparison in a query, clamped
// to the range of int64 (the zero time is before every stored time).
func boundArg(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// timeOf returns the time stored as n, in UTC.
func timeOf(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// nullString stores an empty string as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonArg stores a list as a JSON array, an empty one as NULL. Its
// elements are made of strings and integers, which always marshal.
func jsonArg[T any](l []T) any {
	if len(l) == 0 {
		return nil
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// jsonOf decodes a list stored in column by jsonArg.
func jsonOf[T any](column string, ns sql.NullString) ([]T, error) {
	if !ns.Valid {
		return nil, nil
	}
	var l []T
	if err := json.Unmarshal([]byte(ns.String), &l); err != nil {
		return nil, fmt.Errorf("column %s: %w", column, err)
	}
	return l, nil
}

// listArg stores a list of strings as a JSON array, an empty one as NULL.
func listArg(l []string) any { return jsonArg(l) }

// listOf decodes a list stored by listArg.
func listOf(column string, ns sql.NullString) ([]string, error) { return jsonOf[string](column, ns) }

// attributesArg stores a map as a JSON object, an empty one as NULL.
func attributesArg(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m) // a map[string]string always marshals
	return string(b)
}

// attributesOf decodes a map stored by attributesArg.
func attributesOf(ns sql.NullString) (map[string]string, error) {
	if !ns.Valid {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(ns.String), &m); err != nil {
		return nil, fmt.Errorf("column attributes_json: %w", err)
	}
	return m, nil
}

// deadlineJSON is how a deadline is stored: its kind's number, its due
// time in Unix nanoseconds, and its level.
type deadlineJSON struct {
	Kind  store.DeadlineKind `json:"kind"`
	Due   int64              `json:"due"`
	Level int                `json:"level,omitempty"`
}

// deadlinesArg stores deadlines as a JSON array, none as NULL. Their due
// times must fit.
func deadlinesArg(ds []store.Deadline) any { return jsonArg(deadlinesJSON(ds)) }

// deadlinesOf decodes deadlines stored by deadlinesArg.
func deadlinesOf(ns sql.NullString) ([]store.Deadline, error) {
	in, err := jsonOf[deadlineJSON]("deadlines_json", ns)
	return deadlinesFrom(in), err
}

// mapList returns f of each element of in, nil if in is empty.
func mapList[T, U any](in []T, f func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// deadlinesJSON returns ds as they are encoded, nil if none.
func deadlinesJSON(ds []store.Deadline) []deadlineJSON {
	return mapList(ds, func(d store.Deadline) deadlineJSON {
		return deadlineJSON{Kind: d.Kind, Due: d.Due.UnixNano(), Level: d.Level}
	})
}

// deadlinesFrom returns the deadlines encoded as in, nil if none.
func deadlinesFrom(in []deadlineJSON) []store.Deadline {
	return mapList(in, func(d deadlineJSON) store.Deadline {
		return store.Deadline{Kind: d.Kind, Due: time.Unix(0, d.Due).UTC(), Level: d.Level}
	})
}

// ruleMatchJSON is how a rule match is stored, and travels in a
// notification.
type ruleMatchJSON struct {
	Rule    string   `json:"rule"`
	Changes []string `json:"changes,omitempty"`
}

// rulesArg stores rule matches as a JSON array, none as NULL.
func rulesArg(ms []store.RuleMatch) any { return jsonArg(rulesJSON(ms)) }

// rulesOf decodes rule matches stored by rulesArg.
func rulesOf(ns sql.NullString) ([]store.RuleMatch, error) {
	in, err := jsonOf[ruleMatchJSON]("rules_json", ns)
	return rulesFrom(in), err
}

// rulesJSON returns ms as they are encoded, nil if none.
func rulesJSON(ms []store.RuleMatch) []ruleMatchJSON {
	return mapList(ms, func(m store.RuleMatch) ruleMatchJSON { return ruleMatchJSON(m) })
}

// rulesFrom returns the rule matches encoded as in, nil if none, as the
// store reads them back: a match without changes has nil Changes.
func rulesFrom(in []ruleMatchJSON) []store.RuleMatch {
	return mapList(in, func(m ruleMatchJSON) store.RuleMatch {
		return store.RuleMatch{Rule: m.Rule, Changes: nilIfEmpty(m.Changes)}
	})
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanOperator reads a row of operatorColumns.
func scanOperator(sc scanner) (store.Operator, error) {
	var (
		o                         store.Operator
		groups, skills, deadlines sql.NullString
		since, last               sql.NullInt64
	)
	if err := sc.Scan(&o.ID, &groups, &o.Cap, &skills, &o.Status, &since, &o.Load, &last, &deadlines, &o.Version); err != nil {
		return store.Operator{}, err
	}
	o.StatusSince, o.LastAssigned = timeOf(since), timeOf(last)
	var err error
	if o.Groups, err = listOf("groups_json", groups); err != nil {
		return store.Operator{}, fmt.Errorf("operator %q: %w", o.ID, err)
	}
	if o.Skills, err = listOf("skills_json", skills); err != nil {
		return store.Operator{}, fmt.Errorf("operator %q: %w", o.ID, err)
	}
	if o.Deadlines, err = deadlinesOf(deadlines); err != nil {
		return store.Operator{}, fmt.Errorf("operator %q: %w", o.ID, err)
	}
	return o, nil
}

// operatorArgs returns the values of operatorColumns for o.
func operatorArgs(o store.Operator) []any {
	return []any{
		o.ID, listArg(o.Groups), o.Cap, listArg(o.Skills), o.Status, timeArg(o.StatusSince),
		o.Load, timeArg(o.LastAssigned), deadlinesArg(o.Deadlines), o.Version,
	}
}

// scanConversation reads a row of conversationColumns.
func scanConversation(sc scanner) (store.Conversation, error) {
	var (
		c                                                     store.Conversation
		skills, attrs, assignee, offered, deadlines, missedBy sql.NullString
		tags, rules                                           sql.NullString
		created, enqueued, assigned, closed                   sql.NullInt64
		state                                                 int64
		seq                                                   int64
	)
	err := sc.Scan(&c.ID, &c.Group, &c.Channel, &c.CustomerID, &c.Priority, &skills, &attrs, &state, &assignee, &offered,
		&c.LastOperator, &c.LinkedTo, &created, &enqueued, &seq, &assigned, &closed, &c.CloseReason, &c.AllBusyNotified,
		&deadlines, &missedBy, &tags, &c.Preferred, &c.OffHours, &rules, &c.Version)
	if err != nil {
		return store.Conversation{}, err
	}
	c.State, c.Assignee, c.Seq = store.State(state), assignee.String, uint64(seq)
	c.CreatedAt, c.EnqueuedAt, c.AssignedAt, c.ClosedAt = timeOf(created), timeOf(enqueued), timeOf(assigned), timeOf(closed)
	if c.Skills, err = listOf("skills_json", skills); err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	if c.Attributes, err = attributesOf(attrs); err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	if c.OfferedTo, err = listOf("offered_to_json", offered); err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	if c.Deadlines, err = deadlinesOf(deadlines); err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	if c.MissedBy, err = listOf("missed_by_json", missedBy); err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	if c.Tags, err = listOf("tags_json", tags); err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	if c.Rules, err = rulesOf(rules); err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", c.ID, err)
	}
	return c, nil
}

// conversationValues returns the values of conversationColumns for c,
// without the id.
func conversationValues(c store.Conversation) []any {
	return []any{
		c.Group, c.Channel, c.CustomerID, c.Priority, listArg(c.Skills), attributesArg(c.Attributes), int64(c.State),
		nullString(c.Assignee), listArg(c.OfferedTo), c.LastOperator, c.LinkedTo, timeArg(c.CreatedAt), timeArg(c.EnqueuedAt),
		int64(c.Seq), timeArg(c.AssignedAt), timeArg(c.ClosedAt), c.CloseReason, c.AllBusyNotified,
		deadlinesArg(c.Deadlines), listArg(c.MissedBy), listArg(c.Tags), c.Preferred, c.OffHours, rulesArg(c.Rules), c.Version,
	}
}

// utcOperator returns o with its times in UTC, as the store reads them back.
func utcOperator(o store.Operator) store.Operator {
	o.StatusSince, o.LastAssigned = utc(o.StatusSince), utc(o.LastAssigned)
	o.Deadlines = utcDeadlines(o.Deadlines)
	return o
}

// utcConversation returns c with its times in UTC, as the store reads them
// back.
func utcConversation(c store.Conversation) store.Conversation {
	c.CreatedAt, c.EnqueuedAt, c.AssignedAt, c.ClosedAt = utc(c.CreatedAt), utc(c.EnqueuedAt), utc(c.AssignedAt), utc(c.ClosedAt)
	c.Deadlines = utcDeadlines(c.Deadlines)
	return c
}

// storedOperator returns o as the store reads it back: times in UTC,
// empty lists as nil.
func storedOperator(o store.Operator) store.Operator {
	o = utcOperator(o)
	o.Groups, o.Skills = nilIfEmpty(o.Groups), nilIfEmpty(o.Skills)
	return o
}

// storedConversation returns c as the store reads it back: times in UTC,
// empty lists and maps as nil.
func storedConversation(c store.Conversation) store.Conversation {
	c = utcConversation(c)
	c.Skills, c.OfferedTo, c.MissedBy = nilIfEmpty(c.Skills), nilIfEmpty(c.OfferedTo), nilIfEmpty(c.MissedBy)
	c.Tags, c.Rules = nilIfEmpty(c.Tags), rulesFrom(rulesJSON(c.Rules))
	if len(c.Attributes) == 0 {
		c.Attributes = nil
	}
	return c
}

// nilIfEmpty returns l, or nil if l is empty.
func nilIfEmpty[T any](l []T) []T {
	if len(l) == 0 {
		return nil
	}
	return l
}

func utcDeadlines(ds []store.Deadline) []store.Deadline {
	if len(ds) == 0 {
		return nil
	}
	out := make([]store.Deadline, len(ds))
	for i, d := range ds {
		d.Due = d.Due.UTC()
		out[i] = d
	}
	return out
}

// utc returns t in UTC without its monotonic reading; the zero time as the
// zero time.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano()).UTC()
}
