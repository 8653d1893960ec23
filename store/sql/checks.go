package sqlstore

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-go/switchboard/store"
)

// The checks below run after the Validate methods of package store, on
// what only a database cannot keep: text that is not valid UTF-8 or holds
// a NUL byte, and times outside the range of int64 nanoseconds. They
// return errors matching store.ErrInvalid that name the field.

// validText reports whether s can be stored as text.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// checkText checks the strings of one field.
func checkText(what string, values ...string) error {
	for _, v := range values {
		if !validText(v) {
			return fmt.Errorf("%w: %s %q is not valid UTF-8 text without NUL bytes", store.ErrInvalid, what, v)
		}
	}
	return nil
}

// checkTime checks one time field.
func checkTime(what string, t time.Time) error {
	if !timeFits(t) {
		return fmt.Errorf("%w: %s %v is outside the years 1678 to 2262 the SQL store can keep", store.ErrInvalid, what, t)
	}
	return nil
}

// checkDeadlines checks the due times of deadlines.
func checkDeadlines(what string, ds []store.Deadline) error {
	for i, d := range ds {
		if err := checkTime(fmt.Sprintf("%s: deadline %d (%v) due time", what, i, d.Kind), d.Due); err != nil {
			return err
		}
	}
	return nil
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkOperator checks what the store keeps of an operator row: all of it
// if full, only the id, groups and skills (what UpdateOperator changes)
// otherwise.
func checkOperator(o store.Operator, full bool) error {
	what := fmt.Sprintf("operator %q:", o.ID)
	err := firstError(
		checkText("operator id", o.ID),
		checkText(what+" group", o.Groups...),
		checkText(what+" skill", o.Skills...),
	)
	if err != nil || !full {
		return err
	}
	return firstError(
		checkText(what+" status", o.Status),
		checkTime(what+" StatusSince", o.StatusSince),
		checkDeadlines(what, o.Deadlines),
	)
}

// checkProfile checks the text of a routing profile (of a row, or of a
// change); what names it.
func checkProfile(what string, p store.Profile) error {
	var attrs []string
	for _, k := range slices.Sorted(maps.Keys(p.Attributes)) {
		attrs = append(attrs, k, p.Attributes[k])
	}
	var rules []string
	for _, m := range p.Rules {
		rules = append(rules, m.Rule)
		rules = append(rules, m.Changes...)
	}
	return firstError(
		checkText(what+" skill", p.Skills...),
		checkText(what+" attribute", attrs...),
		checkText(what+" tag", p.Tags...),
		checkText(what+" preferred operator", p.Preferred),
		checkText(what+" rule match", rules...),
	)
}

// checkConversation checks a conversation row to create.
func checkConversation(c store.Conversation) error {
	what := fmt.Sprintf("conversation %q:", c.ID)
	return firstError(
		checkText("conversation id", c.ID),
		checkText(what+" group", c.Group),
		checkText(what+" channel", c.Channel),
		checkText(what+" customer id", c.CustomerID),
		checkProfile(what, c.Profile()),
		checkText(what+" assignee", c.Assignee),
		checkText(what+" offer", c.OfferedTo...),
		checkText(what+" last operator", c.LastOperator),
		checkText(what+" linked conversation", c.LinkedTo),
		checkText(what+" close reason", c.CloseReason),
		checkText(what+" missed by", c.MissedBy...),
		checkTime(what+" CreatedAt", c.CreatedAt),
		checkTime(what+" EnqueuedAt", c.EnqueuedAt),
		checkTime(what+" AssignedAt", c.AssignedAt),
		checkTime(what+" ClosedAt", c.ClosedAt),
		checkDeadlines(what, c.Deadlines),
	)
}

// checkChange checks what a change stores.
func checkChange(ch store.Change) error {
	what := fmt.Sprintf("change of %q:", ch.Conversation)
	if ch.Profile != nil {
		if err := checkProfile(what+" profile:", *ch.Profile); err != nil {
			return err
		}
	}
	return firstError(
		checkText("conversation id", ch.Conversation),
		checkText(what+" new assignee", ch.NewAssignee),
		checkText(what+" offer", ch.Offers...),
		checkText(what+" group", ch.Group),
		checkText(what+" close reason", ch.CloseReason),
		checkText(what+" missed by", ch.AddMissed...),
		checkTime(what+" time", ch.At),
		checkDeadlines(what, ch.Deadlines),
	)
}

// checkStatusChange checks what a status change stores.
func checkStatusChange(ch store.StatusChange) error {
	what := fmt.Sprintf("status change of %q:", ch.Operator)
	return firstError(
		checkText("operator id", ch.Operator),
		checkText(what+" status", ch.To),
		checkTime(what+" time", ch.At),
		checkDeadlines(what, ch.Deadlines),
	)
}

// checkRuleSet checks what SetRuleSet stores (the body is bytes, kept as
// they are).
func checkRuleSet(rs store.RuleSet) error {
	return firstError(
		checkText("rule set: updated by", rs.UpdatedBy),
		checkTime("rule set: UpdatedAt", rs.UpdatedAt),
	)
}

// checkGroup checks what PutGroup stores (the config is bytes, kept as
// they are).
func checkGroup(g store.GroupRow) error {
	return firstError(
		checkText(fmt.Sprintf("group %q: updated by", g.ID), g.UpdatedBy),
		checkTime(fmt.Sprintf("group %q: UpdatedAt", g.ID), g.UpdatedAt),
	)
}

// validateNew checks a conversation to create and the requirements on it
// (store.ValidateNew), and what the database can keep of it.
func validateNew(c store.Conversation, req store.Require) error {
	if err := store.ValidateNew(c, req); err != nil {
		return err
	}
	return checkConversation(c)
}
