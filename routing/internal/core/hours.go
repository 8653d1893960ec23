package core

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// TurnHours updates the groups whose business hours opened or closed by
// now (R6), reports their availability, and returns those that opened,
// whose queues are to be routed.
func (v *View) TurnHours(now time.Time, ev *Events) (opened []string) {
	var turned []string
	turnedAt := map[string]time.Time{}
	for id, g := range v.groups {
		if g.hoursNext.IsZero() || g.hoursNext.After(now) {
			continue
		}
		was := g.closed
		turnedAt[id] = g.hoursNext
		g.setHours(now)
		turned = append(turned, id)
		if was && !g.closed {
			opened = append(opened, id)
		}
	}
	slices.Sort(turned)
	from := len(ev.List)
	v.AvailabilityEvents(turned, ev)
	// Every Router on the store sees the hours turn at the same instant.
	ev.KeyAvailability(from, func(group string) string { return "hours " + strconv.FormatInt(turnedAt[group].UnixNano(), 10) })
	return opened
}

// KeyAvailability gives the GroupAvailability events pushed from index
// from on their journal key (see AvailabilityKey), cause naming why each
// group's event was reported.
func (ev *Events) KeyAvailability(from int, cause func(group string) string) {
	for i := range ev.List[from:] {
		e := &ev.List[from+i]
		if e.Kind == GroupAvailability {
			e.Key = AvailabilityKey(e.Group, cause(e.Group), e.Online)
		}
	}
}

// AvailabilityKey returns the journal key of a GroupAvailability event
// that every Router on a store reports alike, for the same cause (the
// business hours turning at an instant, a version of the group served):
// stored under it, the event is journaled once. A key longer than a store
// takes (store.MaxIDLength) is replaced by its SHA-256, in hex.
func AvailabilityKey(group, cause string, online bool) string {
	k := "availability " + strconv.FormatBool(online) + " " + cause + " " + group
	if len(k) > store.MaxIDLength {
		sum := sha256.Sum256([]byte(k))
		return "availability " + hex.EncodeToString(sum[:])
	}
	return k
}

// NextDue returns the earliest time, in Unix nanoseconds, at which
// something in the view is due: a deadline, or a group's business hours
// changing.
func (v *View) NextDue() (int64, bool) {
	due, ok := int64(0), false
	if it, found := v.due.Next(); found {
		due, ok = it.Due, true
	}
	for _, g := range v.groups {
		if !g.hoursNext.IsZero() && (!ok || g.hoursNext.UnixNano() < due) {
			due, ok = g.hoursNext.UnixNano(), true
		}
	}
	return due, ok
}

// Due returns the earliest deadline of the due index if it is due by now
// (Unix nanoseconds), with the row it belongs to as the view holds it: c
// for a conversation's, o for an operator's.
func (v *View) Due(now int64) (it DueItem, c store.Conversation, o store.Operator, ok bool) {
	it, ok = v.due.Next()
	if !ok || it.Due > now {
		return DueItem{}, c, o, false
	}
	if it.Operator {
		o = v.ops[it.ID].row
	} else {
		c = v.convs[it.ID].row
	}
	return it, c, o, true
}
