package core

import (
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/store"
)

// maxKeptPerPump bounds how many queued conversations one pump walks past
// when the policy keeps them although operators are available (they need a
// skill nobody free has, say): they do not block those behind them, but a
// pump does not decide again about an unbounded queue.
const maxKeptPerPump = 256

// Pump is one routing of a group's queue, in serving order (R7,
// invariant 5): NextRoute returns, one at a time, the conversations whose
// routing changes, and the Router stores each before asking for the next.
// Each conversation the policy can place is assigned or offered; one it
// keeps does not block those behind it while operators are available.
// Offered conversations are decided again only when an operator may have
// become eligible for offers since (a member came on shift, joined,
// dropped below cap, or the policy changed): their offers are then
// brought up to date, or withdrawn when the policy would now keep them.
// Offers are not reshuffled as loads move otherwise.
type Pump struct {
	group   string
	done    map[string]bool
	reoffer bool
	started bool
}

// NewPump returns the routing of group's queue.
func NewPump(group string) Pump { return Pump{group: group, done: map[string]bool{}} }

// Done records that conversation id is routed: the pump does not decide
// about it again.
func (p *Pump) Done(id string) { p.done[id] = true }

// NextRoute returns the next conversation of p's queue whose routing
// changes at now, with the decision (an assignment reserves its operator
// until the Router releases it), or ok false when none is left. It fails
// with ErrNotFound for an unknown group.
func (v *View) NextRoute(p *Pump, now time.Time) (c store.Conversation, d Decision, ok bool, err error) {
	g, err := v.group(p.group)
	if err != nil {
		return c, d, false, err
	}
	if !p.started && g.canServe() {
		// Offers are decided again only when someone may have become
		// eligible for them since they were made. A group that cannot be
		// served now (outside its hours, say) keeps the news for the pump
		// that can.
		p.reoffer, g.offersDirty, p.started = g.offersDirty, false, true
	}
	kept := 0
	g.queue.Ascend(func(it queue.Item) bool {
		if p.done[it.ID] {
			return true
		}
		if !g.canServe() {
			return false
		}
		cs := v.convs[it.ID]
		if cs.row.State == store.Offered && !p.reoffer {
			p.done[it.ID] = true
			return true
		}
		dd := v.decide(g, &cs.row, cs.row.LinkedTo != "", now)
		unchanged := dd.Action == policy.Keep
		if cs.row.State == store.Offered {
			unchanged = dd.Action == policy.Offer && sameSet(dd.Operators, cs.row.OfferedTo)
		}
		if !unchanged {
			c, d, ok = cs.row, dd, true
			v.reserve(&d)
			return false
		}
		p.done[it.ID] = true
		if cs.row.State == store.Queued {
			kept++
		}
		return kept < maxKeptPerPump
	})
	return c, d, ok, nil
}
