// Package policy decides who gets a conversation. A Policy is pure: it sees
// the conversation, read-only views of the operators who may receive it, and
// the time, and returns a Decision (assign to one operator, offer to several,
// or keep queued), with the reason each operator it passed over was skipped.
// It does no I/O and reads no clock, so the same inputs always give the same
// decision.
//
// The built-ins reproduce the routing modes of docs/behaviour.md, section 1 (R1–R9):
//
//   - LeastLoaded: balanced routing to the least-loaded operator, ties to
//     the one who has waited longest since their last assignment (R2);
//   - Broadcast: offer to every eligible operator, first take wins (R1);
//   - Capped: a wrapper that keeps operators at their cap out of any
//     policy's reach, with a per-group default cap (R3, R4);
//   - PreviousOperator: a wrapper that prefers the customer's previous
//     operator (R9).
//
// Hosts plug in their own policy by implementing Policy or with Func.
//
// A Spec is a policy as data, encoded as JSON: Spec.Build builds the
// policy it describes (a host's kinds with the Builders it registers), and
// SpecOf describes a policy as a Spec, so that a group's policy can be
// stored and every Router that serves the group runs the same one.
package policy
