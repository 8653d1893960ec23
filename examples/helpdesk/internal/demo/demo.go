// Package demo is the help desk's demonstration set-up: two groups run by
// different policies, a rule set, and the staff who work them. The server
// seeds a new database with it on its first run, and the tests start from
// it.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// The groups.
const (
	// Support is balanced: least loaded first, at most three chats each.
	Support = "support"
	// Sales broadcasts: every free member is offered a chat, and the
	// first to take it wins.
	Sales = "sales"
)

// WaitLevels colour a chat that waits for an answer: yellow after 30
// seconds, red after two minutes.
var WaitLevels = []routing.WaitLevel{{Name: "yellow", After: 30 * time.Second}, {Name: "red", After: 2 * time.Minute}}

// Groups returns the demo's groups, for routing.Config.Groups: they are
// stored on the first start, and what a supervisor changes later (a
// policy switched at run time) is kept over the restarts after it.
func Groups() []routing.Group {
	return []routing.Group{
		{ID: Support, Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 3}), WaitLevels: WaitLevels},
		{ID: Sales, Policy: policy.Broadcast(0), WaitLevels: WaitLevels},
	}
}

// Rules is the demo's rule set: chats from shop pages go to Sales, and
// customers of "Red company" are urgent (priority 10, tag "urgent").
const Rules = `{"rules": [
  {"name": "shop pages go to sales",
   "when": {"field": "url", "op": "contains", "value": "/shop"},
   "then": {"group": "sales"}},
  {"name": "red company is urgent",
   "when": {"field": "company", "op": "equals", "value": "red company", "ignore_case": true},
   "then": {"priority": 10, "tags": ["urgent"]}}
]}`

// Member is one of the staff: their account and, for an operator, the
// groups they serve.
type Member struct {
	desk.Account
	Groups []string
}

// Staff are the demo's operators and supervisor: Anna (Support), Ben
// (Support and Sales), Cleo (Sales), and Sam, the supervisor.
var Staff = []Member{
	{Account: desk.Account{ID: "anna", Name: "Anna", Role: desk.Operator}, Groups: []string{Support}},
	{Account: desk.Account{ID: "ben", Name: "Ben", Role: desk.Operator}, Groups: []string{Support, Sales}},
	{Account: desk.Account{ID: "cleo", Name: "Cleo", Role: desk.Operator}, Groups: []string{Sales}},
	{Account: desk.Account{ID: "sam", Name: "Sam", Role: desk.Supervisor}},
}

// Login is an account Seed created and its password.
type Login struct {
	Member
	Password string
}

// seeder is the admin the demo's set-up acts as.
var seeder = routing.ByAdmin("helpdesk-setup")

// Seed sets the demo up on a new database: the staff's accounts, each with
// password(id) as password, their operators in the Router, and the rule
// set. On a database that has accounts already it does nothing and returns
// no logins. Several server processes starting at once on one database
// agree: the accounts are created together or not at all, so one process
// creates them all and prints them; an operator the Router has already is
// kept as it is.
func Seed(ctx context.Context, r *routing.Router, k *desk.Desk, password func(id string) string, now time.Time) ([]Login, error) {
	accounts, err := k.Accounts(ctx)
	if err != nil || len(accounts) > 0 {
		return nil, err
	}
	var logins []Login
	var create []desk.NewAccount
	for _, m := range Staff {
		if m.Role == desk.Operator {
			_, err := r.AddOperator(ctx, seeder, routing.OperatorSpec{ID: m.ID, Groups: m.Groups})
			if err != nil && !errors.Is(err, routing.ErrAlreadyExists) {
				return nil, fmt.Errorf("demo: operator %s: %w", m.ID, err)
			}
		}
		l := Login{Member: m, Password: password(m.ID)}
		logins = append(logins, l)
		create = append(create, desk.NewAccount{Account: m.Account, Password: l.Password})
	}
	if err := k.CreateAccounts(ctx, create, now); err != nil {
		if errors.Is(err, desk.ErrExists) {
			return nil, nil // another process seeded the desk
		}
		return nil, fmt.Errorf("demo: accounts: %w", err)
	}
	if _, version := r.Rules(); version == 0 {
		set, err := r.DecodeRules([]byte(Rules))
		if err != nil {
			return nil, fmt.Errorf("demo: rules: %w", err)
		}
		if _, err := r.SetRules(ctx, seeder, set); err != nil {
			return nil, fmt.Errorf("demo: rules: %w", err)
		}
	}
	return logins, nil
}

// SetHours sets the business hours of group, for every server on the
// store (the rest of its settings as they are).
func SetHours(ctx context.Context, r *routing.Router, group string, h presence.Hours) error {
	g, err := r.Group(group)
	if err != nil {
		return fmt.Errorf("demo: hours of %s: %w", group, err)
	}
	g.Hours = h
	if err := r.UpdateGroup(ctx, seeder, g); err != nil && !errors.Is(err, routing.ErrFollowUp) {
		return fmt.Errorf("demo: hours of %s: %w", group, err)
	}
	return nil
}
