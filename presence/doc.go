// Package presence defines operator statuses (the P behaviours of docs/behaviour.md): what an
// operator in each status may receive, which status changes are allowed, and
// which statuses the system sets by itself on log in, log out, end of shift
// and when an operator's last conversation closes.
//
// Statuses are data. A [Definition] lists [Status] values, each naming its
// [Capability] bits (auto-assignment, queue offers and manual take, transfers
// from colleagues, assignment by an admin) and an optional [Inactivity]
// rule. [New] validates a Definition and returns an immutable [Model] that
// the router asks who may receive what. The statuses of Cleversite, BPMSoft
// and Pyrus are presets built from the same types — [Standard],
// [ActiveInactive] and [Toggle] — so a status an admin defines (P11) is
// no second-class citizen.
//
// The package is pure: it does no I/O and never reads a clock. Changing a
// status never drops the conversations an operator already holds (P3);
// capabilities only govern what is new.
package presence
