package routing

import (
	"context"
	"time"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing/internal/core"
	"github.com/switchboard-go/switchboard/store"
)

// fireWaitEnd ends a waiting conversation's wait for something narrower
// than its group: at its SkillRelax deadline it requires only the skills
// its group keeps (D5), at its PreferExpiry deadline it stops waiting for
// its preferred operator (D1). Either way the deadline is dropped and the
// conversation is routed again as it then stands, in by's name. c is the
// conversation as the view held it when the deadline came due.
func (r *Router) fireWaitEnd(ctx context.Context, by Actor, kind store.DeadlineKind, c store.Conversation) error {
	var st stepped
	err := r.step(ctx, by, c.ID, about{"conversation %q", c.ID}, &st, func(v *core.View, now time.Time, read *store.Conversation, _ int) (core.Plan, error) {
		cur, ok := rowOf(v, c.ID, read)
		if !ok {
			return core.Plan{Write: core.ReadConversation, Conversation: c.ID}, nil
		}
		if _, due := store.DeadlineOf(cur.Deadlines, kind); !due {
			return core.Plan{}, nil // taken care of meanwhile
		}
		if p, ok := v.PlanExpired(cur, kind, now); ok {
			return p, nil
		}
		// No longer waiting in a queue of the Router's: only the deadline
		// goes.
		return core.PlanApply(deadlinesChange(cur, core.Without(cur.Deadlines, kind))), nil
	}, nil)
	if err != nil || st.done {
		return err
	}
	if err := r.withdrawFrom(ctx, by, st.stale); err != nil {
		return followUp(err)
	}
	if d := st.plan.Decision; st.plan.Routed && d.Action == policy.Assign {
		return followUp(r.afterGaining(ctx, by, d.Operator))
	}
	return nil
}
