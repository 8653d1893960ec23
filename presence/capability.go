package presence

import (
	"fmt"
	"strings"
)

// Capability is a bit set of what an operator in a status may receive
// (P1). Capabilities govern only what is new: an operator keeps, and
// may keep answering, the conversations they already hold whatever their
// status (P3).
type Capability uint8

// The capabilities a status may grant.
const (
	// AutoAssign: the operator may be given conversations automatically
	// by a routing policy (balanced, capped, sticky).
	AutoAssign Capability = 1 << iota
	// QueueTake: the operator receives queue offers (broadcast) and may
	// take a conversation from the queue by hand.
	QueueTake
	// Transfers: colleagues may transfer conversations to the operator.
	Transfers
	// AdminAssign: an admin may assign conversations to the operator.
	AdminAssign
)

// All is every capability: the operator may receive anything.
const All = AutoAssign | QueueTake | Transfers | AdminAssign

var capabilityNames = [...]struct {
	bit  Capability
	name string
}{
	{AutoAssign, "auto-assign"},
	{QueueTake, "queue"},
	{Transfers, "transfers"},
	{AdminAssign, "admin-assign"},
}

// Has reports whether c includes every bit of x. Every c has the empty set.
func (c Capability) Has(x Capability) bool { return c&x == x }

// String returns the names of the bits in c joined by "|", in bit order,
// for example "auto-assign|queue|transfers|admin-assign"; "none" for the
// empty set. Bits outside All are shown as one hexadecimal number.
func (c Capability) String() string {
	if c == 0 {
		return "none"
	}
	var names []string
	for _, n := range capabilityNames {
		if c.Has(n.bit) {
			names = append(names, n.name)
		}
	}
	if unknown := c &^ All; unknown != 0 {
		names = append(names, fmt.Sprintf("%#x", uint8(unknown)))
	}
	return strings.Join(names, "|")
}
