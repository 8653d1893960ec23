package routing

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/routing/rules"
	"github.com/switchboard-go/switchboard/store"
)

// NewConversation describes a conversation for Enqueue, StartOutbound and
// Reopen.
type NewConversation struct {
	// ID identifies the conversation. Required, unique, at most
	// store.MaxIDLength bytes long (as are Group, Channel and CustomerID).
	ID string
	// Group is the group whose queue it joins. Required (Reopen defaults
	// it to the old conversation's group).
	Group string
	// Channel names where it came from (web, telegram, e-mail, ...).
	Channel string
	// CustomerID identifies the customer; a returning customer's
	// conversation is offered first to their previous operator when the
	// group's policy prefers them (R9).
	CustomerID string
	// Priority orders the queue: higher first.
	Priority int
	// Skills lists what an operator needs to be given it: skill strings,
	// each a name optionally with the minimum level asked for ("de:3"; see
	// policy.Skill), each name once. Routing considers only operators who
	// hold them all; nobody else can be given it by hand either
	// (ErrMissingSkill).
	Skills []string
	// Attributes carries the host's free-form data. Rules read the page
	// URL, site, customer's company and language from it (under
	// rules.AttrURL, AttrSite, AttrCompany and AttrLanguage) and any other
	// key a rule names.
	Attributes map[string]string
	// Tags are labels for the host and for rules.
	Tags []string
}

// validate checks the fields of nc that every store checks on the row it
// makes (ids present and not longer than store.MaxIDLength), so that bad
// input is refused before the store is read.
func (nc NewConversation) validate() error {
	row := store.Conversation{ID: nc.ID, Group: nc.Group, Channel: nc.Channel, CustomerID: nc.CustomerID, State: store.Queued}
	if err := row.Validate(); err != nil {
		return err
	}
	return checkSkills("conversation", nc.ID, nc.Skills)
}

func (nc NewConversation) row(now time.Time) store.Conversation {
	return store.Conversation{
		ID: nc.ID, Group: nc.Group, Channel: nc.Channel, CustomerID: nc.CustomerID, Priority: nc.Priority,
		Skills: slices.Clone(nc.Skills), Attributes: maps.Clone(nc.Attributes), Tags: slices.Clone(nc.Tags),
		State: store.Queued, CreatedAt: now,
	}
}

// Enqueued is what Enqueue and Reopen return: the conversation as stored
// after routing, and its place in its group's queue.
type Enqueued struct {
	store.Conversation
	// Position is the conversation's 1-based place in its group's queue
	// in serving order (queued or offered) when the call returned, for
	// the "you are number N" notice; 0 once it is assigned.
	Position int
}

// enqueued returns c with its position in the view's queue.
func (r *Router) enqueued(c store.Conversation, err error) (Enqueued, error) {
	e := Enqueued{Conversation: c}
	if c.ID != "" && c.State.InQueue() {
		r.inLock(func() { e.Position = r.v.Position(&c) })
	}
	return e, err
}

// Enqueue adds a new conversation to its group and routes it at once: the
// group's policy assigns it, offers it, or keeps it queued. The result
// holds the conversation as stored after routing and its queue position.
// A Queued event (with the
// queue position) reports a kept conversation, and an AllBusy event, once,
// a conversation kept while operators are on shift but none can take it
// (R5). The customer is the command's actor: its events carry
// ByCustomer(nc.CustomerID).
//
// It fails with ErrInvalid for a bad NewConversation (empty or too long
// ids), ErrNotFound for an unknown group, ErrAlreadyExists for a taken id,
// ErrClosed after Stop, and with the store's error (ErrUnavailable,
// ErrOutcomeUnknown, ...); an error matching ErrFollowUp means the
// conversation is stored but routing what followed failed.
func (r *Router) Enqueue(ctx context.Context, nc NewConversation) (Enqueued, error) {
	end, err := r.begin()
	if err != nil {
		return Enqueued{}, err
	}
	defer end()
	if err := nc.validate(); err != nil {
		return Enqueued{}, err
	}
	row := nc.row(r.clock.Now())
	if nc.CustomerID != "" {
		prev, err := r.store.PreviousOperator(ctx, nc.CustomerID)
		if err != nil {
			return Enqueued{}, err
		}
		row.LastOperator = prev
	}
	r.applyRules(rules.OnEnqueue, &row, row.CreatedAt)
	return r.enqueued(r.create(ctx, ByCustomer(nc.CustomerID), row, false))
}

// Reopen opens a new conversation for a customer who wrote into closed
// conversation oldID (L5). The new one is linked to the old one and
// routed with previous-operator preference whatever the group's policy.
// Empty Group, Channel and CustomerID in nc default to the old
// conversation's. Its events carry the customer as their actor.
//
// The result holds the new conversation and its queue position. It fails
// with ErrWrongState if oldID is not closed, ErrNotFound if it is unknown,
// and otherwise as Enqueue does.
func (r *Router) Reopen(ctx context.Context, oldID string, nc NewConversation) (Enqueued, error) {
	end, err := r.beginBy(store.CheckID("conversation id", oldID))
	if err != nil {
		return Enqueued{}, err
	}
	defer end()
	old, err := r.store.Conversation(ctx, oldID)
	if err != nil {
		return Enqueued{}, err
	}
	if old.State != store.Closed {
		return Enqueued{}, fmt.Errorf("%w: conversation %q is %v; only a closed conversation is reopened", ErrWrongState, oldID, old.State)
	}
	nc.Group = cmpOr(nc.Group, old.Group)
	nc.Channel = cmpOr(nc.Channel, old.Channel)
	nc.CustomerID = cmpOr(nc.CustomerID, old.CustomerID)
	if err := nc.validate(); err != nil {
		return Enqueued{}, err
	}
	row := nc.row(r.clock.Now())
	row.LinkedTo, row.LastOperator = oldID, old.LastOperator
	r.applyRules(rules.OnReopen, &row, row.CreatedAt)
	return r.enqueued(r.create(ctx, ByCustomer(nc.CustomerID), row, true))
}

// create stores and routes a new conversation.
func (r *Router) create(ctx context.Context, by Actor, row store.Conversation, sticky bool) (store.Conversation, error) {
	c, stale, err := r.createAndRoute(ctx, by, row, sticky)
	if err != nil {
		return c, err
	}
	if err := r.withdrawFrom(ctx, by, stale); err != nil {
		return c, followUp(err)
	}
	if c.State == store.Queued {
		// Behind others, or a slot may have freed between the decision and
		// the commit with its pump finding the queue still empty: route the
		// queue.
		again := false
		r.inLock(func() { again = r.v.HasAvailable(c.Group) })
		if again {
			err := r.pump(ctx, by, c.Group)
			return r.current(ctx, c.ID), followUp(err)
		}
	}
	return c, followUp(r.afterGaining(ctx, by, c.Assignee))
}

// createAndRoute stores and routes a new conversation, under the
// conversation's lock.
// It returns the offerees whose offers went stale meanwhile (see
// staleOfferees).
func (r *Router) createAndRoute(ctx context.Context, by Actor, row store.Conversation, sticky bool) (store.Conversation, []string, error) {
	first := true
	var st stepped
	err := r.step(ctx, by, row.ID, about{"conversation %q", row.ID}, &st, func(v *core.View, _ time.Time, _ *store.Conversation, refused int) (core.Plan, error) {
		p, err := v.PlanNew(&row, first, refused >= maxAttempts, sticky)
		first = false
		return p, err
	}, nil)
	if err != nil {
		return store.Conversation{}, nil, err
	}
	return st.out.Result.Conversation, st.stale, nil
}

// afterGaining follows an operator gaining a conversation: offers they may
// no longer hold at their new load are withdrawn (R3).
func (r *Router) afterGaining(ctx context.Context, by Actor, operatorID string) error {
	if operatorID == "" {
		return nil
	}
	return r.withdrawStale(ctx, by, operatorID)
}

// StartOutbound records a conversation operatorID starts with a customer
// (L8): it is assigned to them directly, without a cap check. by is that
// operator, or an admin acting for them. The operator must be on shift and
// serve the conversation's group. If it brings them to their cap, their
// pending offers are withdrawn.
//
// It fails with ErrInvalid for a bad NewConversation, an empty operator id
// or an invalid actor, ErrMissingSkill (which matches ErrNotAllowed) if the
// operator lacks a skill nc requires, ErrNotAllowed if by may not act for
// the operator or the operator does not serve the group, ErrNotFound for
// an unknown group or operator, ErrAlreadyExists for a taken id, and
// ErrClosed after Stop.
func (r *Router) StartOutbound(ctx context.Context, by Actor, nc NewConversation, operatorID string) (store.Conversation, error) {
	end, err := r.beginBy(by.mayActFor(operatorID, "start conversations on behalf"))
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	if err := nc.validate(); err != nil {
		return store.Conversation{}, err
	}
	c, err := r.startOutbound(ctx, by, operatorID, nc)
	if err != nil {
		return c, err
	}
	return c, followUp(r.afterGaining(ctx, by, operatorID))
}

func (r *Router) startOutbound(ctx context.Context, by Actor, operatorID string, nc NewConversation) (store.Conversation, error) {
	var st stepped
	err := r.step(ctx, by, nc.ID, about{"conversation %q", nc.ID}, &st, func(v *core.View, now time.Time, _ *store.Conversation, _ int) (core.Plan, error) {
		if err := v.CheckGroups([]string{nc.Group}); err != nil {
			return core.Plan{}, err
		}
		op, err := v.Operator(operatorID)
		if err != nil {
			return core.Plan{}, err
		}
		if !op.InGroup(nc.Group) {
			return core.Plan{}, fmt.Errorf("%w: operator %q does not serve group %q", ErrNotAllowed, operatorID, nc.Group)
		}
		row := nc.row(now)
		if err := v.CheckSkills(row, operatorID); err != nil {
			return core.Plan{}, err
		}
		row.State, row.Assignee = store.Assigned, operatorID
		return core.Plan{Write: core.CreateConversation, Row: row, Require: store.Require{AssigneeStatuses: r.onShiftStatuses}, Conversation: nc.ID}, nil
	}, func(_ *core.View, ev *events, out core.Outcome) {
		if c := out.Result.Conversation; ev.Wants(core.Assigned) {
			ev.Push(core.Event{Kind: core.Assigned, Conversation: c.ID, Group: c.Group, Operator: operatorID, Policy: policyOutbound})
		}
	})
	return st.out.Result.Conversation, err
}

// Take gives a queued or offered conversation to the operator by, who
// takes it by hand (R1, R4); an admin gives one to an operator with
// Assign. The operator must serve the conversation's group and be in a
// status that allows queue offers and manual take. If the group's policy
// caps operators, the cap applies unless it lets manual take exceed it.
// When two operators take at once, exactly one wins; the other gets
// ErrAlreadyTaken. The remaining offers are withdrawn.
//
// It fails with ErrInvalid for an empty id or actor, ErrMissingSkill
// (which matches ErrNotAllowed) if by lacks a skill the conversation
// requires, ErrNotAllowed if by is not an operator, does not serve the
// group or their status does not allow taking, ErrNotFound for an unknown operator or conversation,
// ErrAlreadyTaken if someone holds it, ErrWrongState if it is closed,
// ErrOverCapacity at the cap, and ErrClosed after Stop.
func (r *Router) Take(ctx context.Context, by Actor, convID string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	if by.Kind != OperatorActor {
		return store.Conversation{}, fmt.Errorf("%w: %v is not an operator: an admin gives a conversation with Assign", ErrNotAllowed, by)
	}
	operatorID := by.ID
	r.touch(ctx, by)
	res, err := r.mutate(ctx, by, convID, func(c store.Conversation) (store.Change, error) {
		req, err := r.v.TakeRequire(c, operatorID)
		if err != nil {
			return store.Change{}, err
		}
		if err := r.v.CheckSkills(c, operatorID); err != nil {
			return store.Change{}, err
		}
		return store.Change{From: []store.State{store.Queued, store.Offered}, To: store.Assigned, NewAssignee: operatorID, Require: req, DropDeadlines: accepted}, nil
	}, func(ev *events, res store.Result) {
		r.assignedEvents(ev, res, "manual")
	})
	if err != nil {
		return res.Conversation, err
	}
	return res.Conversation, followUp(r.afterGaining(ctx, by, operatorID))
}

// Assign is an admin's assignment of a queued or offered conversation to a
// chosen operator (L7), whose status must allow assignment by an admin. No
// cap applies. Only an admin actor (or the system) may assign.
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrMissingSkill (which matches ErrNotAllowed) if the operator lacks a
// skill the conversation requires, ErrNotAllowed if by is not an admin or
// the operator's status does not allow it, ErrNotFound for an unknown
// operator or conversation,
// ErrAlreadyTaken if someone holds it, ErrWrongState if it is closed, and
// ErrClosed after Stop.
func (r *Router) Assign(ctx context.Context, by Actor, convID, operatorID string) (store.Conversation, error) {
	end, err := r.beginBy(by.mustBeAdmin("assign conversations"))
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	res, err := r.mutate(ctx, by, convID, func(c store.Conversation) (store.Change, error) {
		if err := r.v.CheckSkills(c, operatorID); err != nil {
			return store.Change{}, err
		}
		return store.Change{From: []store.State{store.Queued, store.Offered}, To: store.Assigned, NewAssignee: operatorID,
			Require: store.Require{AssigneeStatuses: r.adminStatuses}, DropDeadlines: accepted}, nil
	}, func(ev *events, res store.Result) {
		r.assignedEvents(ev, res, "admin")
	})
	if err != nil {
		return res.Conversation, err
	}
	return res.Conversation, followUp(r.afterGaining(ctx, by, operatorID))
}

func (r *Router) assignedEvents(ev *events, res store.Result, how string) {
	c := &res.Conversation
	if ev.Wants(core.Assigned) {
		ev.Push(core.Event{Kind: core.Assigned, Conversation: c.ID, Group: c.Group, Operator: c.Assignee, From: core.HeldBefore(res),
			Policy: how, Enqueued: c.EnqueuedAt})
	}
	r.v.WithdrawnEvents(&ev.Events, res)
}

// CloseConversation closes a conversation (L1, L7). An operator may close
// only a conversation they hold; an admin may close any open one. The freed
// slot is given at once to the next queued conversation (R7).
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrNotFound for an unknown conversation, ErrNotAssignee if an operator
// does not hold it, ErrWrongState if it is closed already, and ErrClosed
// after Stop; an error matching ErrFollowUp means it is closed but routing
// the freed slot failed.
func (r *Router) CloseConversation(ctx context.Context, by Actor, convID, reason string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	res, err := r.mutate(ctx, by, convID, func(store.Conversation) (store.Change, error) {
		return store.Change{From: openStates, Assignee: by.assignee(), To: store.Closed, CloseReason: reason}, nil
	}, func(ev *events, res store.Result) {
		if ev.Wants(core.Closed) {
			ev.Push(core.Event{Kind: core.Closed, Conversation: convID, Group: res.Before.Group, Operator: res.Before.Assignee, Reason: reason})
		}
		r.v.WithdrawnEvents(&ev.Events, res)
	})
	if err != nil {
		return res.Conversation, err
	}
	return res.Conversation, followUp(r.afterLeaving(ctx, by, res.Before))
}

var openStates = []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}

// afterLeaving follows a conversation leaving its assignee (before is its
// row before the change): the operator's freed slot goes to their groups'
// queues, and an operator whose status says so changes status when their
// last conversation closes (P5). The extra groups are pumped too.
func (r *Router) afterLeaving(ctx context.Context, by Actor, before store.Conversation, extra ...string) error {
	var groups []string
	status, next := "", ""
	r.inLock(func() { groups, status, next = r.v.AfterLeaving(before, extra) })
	if next != "" {
		// Only from the status that asked for it, and only if no
		// conversation came to the operator meanwhile.
		err := r.setStatus(ctx, BySystem(CauseLastClose), before.Assignee, status, next, heldStates, "")
		switch {
		case err == nil:
		case errors.Is(err, ErrConflict) || errors.Is(err, ErrHoldsConversations):
			r.log.Debug("routing: status switch after the last close not made", "operator", before.Assignee, "err", err)
		default:
			return followUp(err)
		}
	}
	return followUp(r.pumpGroups(ctx, by, groups))
}

// Release gives a held conversation back to its group's queue, keeping its
// place, and routes the queue again. An operator may release only a
// conversation they hold. In a group whose policy prefers the previous
// operator the conversation may come back to the same operator; transfer it
// to send it elsewhere.
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrNotFound for an unknown conversation, ErrNotAssignee if an operator
// does not hold it, ErrWrongState if nobody holds it, and ErrClosed after
// Stop.
func (r *Router) Release(ctx context.Context, by Actor, convID string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	res, err := r.mutate(ctx, by, convID, func(store.Conversation) (store.Change, error) {
		return store.Change{From: heldStates, Assignee: by.assignee(), To: store.Queued, DropDeadlines: accepted}, nil
	}, func(ev *events, res store.Result) {
		if ev.Wants(core.Returned) {
			ev.Push(core.Event{Kind: core.Returned, Conversation: convID, Group: res.Conversation.Group, From: res.Before.Assignee, Position: r.v.Position(&res.Conversation), Reason: "released"})
		}
	})
	if err != nil {
		return res.Conversation, err
	}
	err = r.afterLeaving(ctx, by, res.Before, res.Conversation.Group)
	return r.current(ctx, convID), followUp(err)
}

var heldStates = []store.State{store.Assigned, store.Waiting}

// accepted drops the accept timeout of a conversation someone took, was
// given by hand, released or moved on: nobody awaits its acceptance.
var accepted = []store.DeadlineKind{store.AcceptTimeout}

// MarkWaiting marks a conversation as waiting on the customer (L3): it
// keeps its operator but leaves their load, and the freed slot goes to the
// queue.
//
// It fails with ErrInvalid for an empty id or an invalid actor,
// ErrNotFound for an unknown conversation, ErrNotAssignee if an operator
// does not hold it, ErrWrongState unless it is assigned, and ErrClosed
// after Stop.
func (r *Router) MarkWaiting(ctx context.Context, by Actor, convID string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	res, err := r.mutate(ctx, by, convID, func(c store.Conversation) (store.Change, error) {
		holder := c.Assignee
		if !by.IsAdmin() {
			holder = by.ID
		}
		if holder == "" {
			return store.Change{}, fmt.Errorf("%w: conversation %q is %v", ErrWrongState, convID, c.State)
		}
		ch := store.Change{From: []store.State{store.Assigned}, Assignee: holder, To: store.Waiting, NewAssignee: holder, DropDeadlines: accepted}
		if g, ok := r.v.Group(c.Group); ok && g.WaitingExpiry > 0 {
			ch.SetDeadlines = true
			ch.Deadlines = core.With(c.Deadlines, store.Deadline{Kind: store.WaitingExpiry, Due: r.clock.Now().Add(g.WaitingExpiry)})
		}
		return ch, nil
	}, func(ev *events, res store.Result) {
		if ev.Wants(core.Waiting) {
			ev.Push(core.Event{Kind: core.Waiting, Conversation: convID, Group: res.Conversation.Group, Operator: res.Conversation.Assignee})
		}
	})
	if err != nil {
		return res.Conversation, err
	}
	return res.Conversation, followUp(r.afterLeaving(ctx, by, res.Before))
}

// CustomerReplied reports that the customer wrote into a conversation. One
// waiting on the customer goes back to the same operator if they are still
// on shift (without a cap check: it is theirs), and otherwise to its group's
// queue to be routed (L3). For a queued, offered or assigned conversation
// nothing changes but its deadlines (L4, L10). A CustomerWrote event tells
// the consoles showing the conversation, journaled with the change or, when
// nothing changes, just after. The customer is the command's actor.
//
// It fails with ErrWrongState for a closed conversation (it is not
// reopened: use Reopen), ErrInvalid for an empty id, ErrNotFound for an
// unknown conversation, and ErrClosed after Stop.
func (r *Router) CustomerReplied(ctx context.Context, convID string) (store.Conversation, error) {
	end, err := r.begin()
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	c, err := r.read(ctx, convID)
	if err != nil {
		return c, err
	}
	by := ByCustomer(c.CustomerID)
	switch c.State {
	case store.Closed:
		return c, fmt.Errorf("%w: conversation %q is closed; reopen it", ErrWrongState, convID)
	case store.Waiting:
	case store.Assigned:
		return r.customerWaits(ctx, by, convID)
	default:
		// Queued or offered: nothing changes but the news.
		ev := r.newEvents(r.clock.Now(), by)
		pushCustomerWrote(ev, c)
		ev.emit()
		return c, nil
	}
	res, err := r.mutate(ctx, by, convID, func(cur store.Conversation) (store.Change, error) {
		ds, set := r.customerWrote(cur, r.clock.Now())
		return store.Change{From: []store.State{store.Waiting}, Assignee: c.Assignee, To: store.Assigned, NewAssignee: c.Assignee,
			Require: store.Require{AssigneeStatuses: r.onShiftStatuses}, SetDeadlines: set, Deadlines: keptUnless(set, ds)}, nil
	}, func(ev *events, res store.Result) {
		pushCustomerWrote(ev, res.Before)
		r.assignedEvents(ev, res, policyReturned)
	})
	if err == nil {
		return res.Conversation, followUp(r.afterGaining(ctx, by, c.Assignee))
	}
	if !errors.Is(err, ErrNotAllowed) && !errors.Is(err, ErrNotFound) {
		return res.Conversation, err
	}
	// The operator is off shift (or gone): back to the queue.
	res, err = r.mutate(ctx, by, convID, func(cur store.Conversation) (store.Change, error) {
		ds, set := r.customerWrote(cur, r.clock.Now())
		return store.Change{From: []store.State{store.Waiting}, Assignee: c.Assignee, To: store.Queued, Requeue: true, SetDeadlines: set, Deadlines: keptUnless(set, ds)}, nil
	}, func(ev *events, res store.Result) {
		pushCustomerWrote(ev, res.Before)
		if ev.Wants(core.Returned) {
			ev.Push(core.Event{Kind: core.Returned, Conversation: convID, Group: res.Conversation.Group, From: c.Assignee, Position: r.v.Position(&res.Conversation), Reason: "operator off shift"})
		}
	})
	if err != nil {
		return res.Conversation, err
	}
	err = r.pump(ctx, by, res.Conversation.Group)
	return r.current(ctx, convID), followUp(err)
}

// TransferToOperator hands a held conversation to another operator (L6),
// whose status must allow transfers from colleagues; no cap applies. An
// operator may transfer only a conversation they hold.
//
// It fails with ErrInvalid for an empty id, an invalid actor or a transfer
// to the current holder, ErrNotFound for an unknown operator or
// conversation, ErrMissingSkill (which matches ErrNotAllowed) if the target
// lacks a skill the conversation requires, ErrNotAllowed if the target's
// status refuses transfers,
// ErrNotAssignee if an operator does not hold it, ErrWrongState if nobody
// holds it, and ErrClosed after Stop.
func (r *Router) TransferToOperator(ctx context.Context, by Actor, convID, operatorID string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	res, err := r.mutate(ctx, by, convID, func(c store.Conversation) (store.Change, error) {
		if err := r.v.CheckSkills(c, operatorID); err != nil {
			return store.Change{}, err
		}
		if c.Assignee == operatorID {
			return store.Change{}, fmt.Errorf("%w: conversation %q is already held by %q", ErrInvalid, convID, operatorID)
		}
		return store.Change{From: heldStates, Assignee: by.assignee(), To: store.Assigned, NewAssignee: operatorID,
			Require: store.Require{AssigneeStatuses: r.transferStatuses}, DropDeadlines: accepted}, nil
	}, func(ev *events, res store.Result) {
		if ev.Wants(core.Transferred) {
			ev.Push(core.Event{Kind: core.Transferred, Conversation: convID, Group: res.Conversation.Group, Operator: operatorID, From: res.Before.Assignee})
		}
	})
	if err != nil {
		return res.Conversation, err
	}
	if err := r.afterGaining(ctx, by, operatorID); err != nil {
		return res.Conversation, followUp(err)
	}
	return res.Conversation, followUp(r.afterLeaving(ctx, by, res.Before))
}

// TransferToGroup moves a conversation to another group's queue (L6),
// even when nobody in that group is online: it then waits there. An
// operator may transfer only a conversation they hold; an admin any open
// one. With Config.RestrictTransfersToSite, the groups' sites must match.
//
// It fails with ErrInvalid for an empty id, an invalid actor or a transfer
// to the conversation's own group, ErrNotFound for an unknown group or
// conversation, ErrNotAllowed if the sites differ, ErrNotAssignee if an
// operator does not hold it, ErrWrongState if it is closed (or, for an
// operator, not held), and ErrClosed after Stop.
func (r *Router) TransferToGroup(ctx context.Context, by Actor, convID, group string) (store.Conversation, error) {
	end, err := r.beginBy(by.validate())
	if err != nil {
		return store.Conversation{}, err
	}
	defer end()
	if err := store.CheckID("group id", group); err != nil {
		return store.Conversation{}, err
	}
	res, err := r.mutate(ctx, by, convID, func(c store.Conversation) (store.Change, error) {
		to, ok := r.v.Group(group)
		if !ok {
			return store.Change{}, fmt.Errorf("%w: group %q", ErrNotFound, group)
		}
		if c.Group == group {
			return store.Change{}, fmt.Errorf("%w: conversation %q is already in group %q", ErrInvalid, convID, group)
		}
		if from, ok := r.v.Group(c.Group); r.cfg.RestrictTransfersToSite && ok && from.Site != to.Site {
			return store.Change{}, fmt.Errorf("%w: group %q is on site %q, conversation %q on site %q", ErrNotAllowed, group, to.Site, convID, from.Site)
		}
		from := openStates
		if !by.IsAdmin() {
			from = heldStates
		}
		ch := store.Change{From: from, Assignee: by.assignee(), To: store.Queued, Group: group, Requeue: true, DropDeadlines: accepted}
		return ch, r.transferRules(&ch, c)
	}, func(ev *events, res store.Result) {
		if ev.Wants(core.Transferred) {
			ev.Push(core.Event{Kind: core.Transferred, Conversation: convID, Group: group, From: res.Before.Group, To: group, Operator: res.Before.Assignee})
		}
		r.v.WithdrawnEvents(&ev.Events, res)
	})
	if err != nil {
		return res.Conversation, err
	}
	err = r.afterLeaving(ctx, by, res.Before, group)
	return r.current(ctx, convID), followUp(err)
}

// mutate applies the change build returns for conversation id, in one
// step (see step.go): under the conversation's lock, the result is folded
// into the view and the events report adds are emitted. build runs with
// r.mu held and gets the view's row (or the store's, for a conversation
// the view does not hold); the change's Conversation and At are filled
// in. On an error the returned result holds the row build was given.
func (r *Router) mutate(ctx context.Context, by Actor, id string, build func(store.Conversation) (store.Change, error), report func(*events, store.Result)) (store.Result, error) {
	if err := store.CheckID("conversation id", id); err != nil {
		return store.Result{}, err
	}
	var c store.Conversation
	var st stepped
	err := r.step(ctx, by, id, about{"conversation %q", id}, &st, func(v *core.View, now time.Time, read *store.Conversation, _ int) (core.Plan, error) {
		var ok bool
		if c, ok = rowOf(v, id, read); !ok {
			return core.Plan{Write: core.ReadConversation, Conversation: id}, nil
		}
		ch, err := build(c)
		if err != nil {
			return core.Plan{}, err
		}
		ch.Conversation, ch.At = id, now
		return core.PlanApply(ch), nil
	}, func(_ *core.View, ev *events, out core.Outcome) {
		report(ev, out.Result)
	})
	if err != nil {
		return store.Result{Conversation: c}, err
	}
	return st.out.Result, nil
}

// read returns conversation id from the view, or from the store when the
// view does not hold it (closed, or not seen yet).
func (r *Router) read(ctx context.Context, id string) (store.Conversation, error) {
	if err := store.CheckID("conversation id", id); err != nil {
		return store.Conversation{}, err
	}
	var c store.Conversation
	held := false
	err := r.locked(func() error {
		c, held = r.v.Conversation(id)
		return r.usable()
	})
	if err != nil || held {
		return c, err
	}
	return r.store.Conversation(ctx, id)
}

// current returns conversation id as the view now holds it, after routing;
// the zero row if it cannot be read.
func (r *Router) current(ctx context.Context, id string) store.Conversation {
	c, _ := r.read(ctx, id)
	return c
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
