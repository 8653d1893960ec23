package presence

import (
	"slices"

	"github.com/switchboard-go/switchboard/store"
)

// Guard forbids moving to any of the statuses in To while the operator holds
// conversations in any of the Holding states (P8), for example going
// offline while holding assigned conversations. The router refuses such a
// change with store.ErrHoldsConversations; Model.Forbidden tells it which
// states to look for.
type Guard struct {
	// To lists the guarded target statuses. Required; each must be defined.
	To []string
	// Holding lists the conversation states that block the move. Required;
	// each must be a valid store.State.
	Holding []store.State
}

// clone returns a copy of g that shares no slices with it.
func (g Guard) clone() Guard {
	g.To = slices.Clone(g.To)
	g.Holding = slices.Clone(g.Holding)
	return g
}
