// Package storetest is the conformance suite every store.Store must pass.
//
// An adapter runs it from one of its own tests, handing it a constructor
// for a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
//	}
//
// Run calls the constructor once per subtest and once per sequence of the
// state-machine test (whose number is set by rapid's -rapid.checks flag or
// RAPID_CHECKS variable), and closes every store it gets when done with it.
// The suite is library code that imports testing, testify's require and
// rapid, so that every adapter runs the very same checks.
//
// The suite pins down what the store.Store documentation leaves open, so
// that every implementation behaves alike:
//
//   - Writes validate their input before anything else (after ErrClosed and
//     the context): errors match store.ErrInvalid. Besides the Validate
//     methods of package store this covers empty or duplicate operator ids
//     in Change.Offers and Conversation.OfferedTo, a negative
//     Require.AssigneeCap on CreateConversation, an undefined state in
//     StatusChange.Forbid, creating a conversation in the Waiting or Closed
//     state or with a zero CreatedAt, and an empty id given to Operator,
//     Conversation or DeleteOperator. UpdateOperator ignores the Status of
//     its argument, so it may be empty.
//   - Every id (of an operator, a conversation, a group or a customer, in
//     any field of a row or a change, or given to a read) may be up to
//     store.MaxIDLength bytes of UTF-8 text (without NUL bytes), and is
//     returned as given; a longer one is refused with store.ErrInvalid, by
//     reads too (PreviousOperator, StatusHistory, the ids of a Filter). A
//     conversation's Channel is bounded alike.
//   - A failed call changes nothing: every row, version, load and the
//     previous operator of every customer stay as they were.
//   - Versions start at 1 and grow by exactly one with every successful
//     write of the row, even when no other field changes. An operator row
//     changes (and its new Load is returned in Result.Released or
//     Result.Gained) exactly when a write changes its Load or LastAssigned.
//   - Seq values are only compared: each creation and each requeue gets a
//     Seq greater than every Seq handed out before.
//   - Apply checks, in this order: Change.Validate and the offers' shape
//     (ErrInvalid); the conversation exists (ErrNotFound); Change.CheckFrom
//     (ErrAlreadyTaken, ErrWrongState, ErrNotAssignee, ErrConflict); the
//     conversation is not Closed (ErrWrongState: Closed is final even when
//     From lists it); when NewAssignee is set, that operator exists
//     (ErrNotFound) and passes Require.CheckAssignee with Change.AddsLoad
//     (ErrNotAllowed, ErrOverCapacity); then each operator of Offers in
//     order exists and passes Require.CheckOffer. CreateConversation checks
//     the row, then ErrAlreadyExists, then the assignee (as if the load
//     grows) or the offers likewise.
//   - Effects of Apply: State; Assignee (empty unless held); OfferedTo
//     (empty unless Offered); Group when the change names one; EnqueuedAt
//     and Seq on Requeue; ClosedAt and CloseReason on a change to Closed;
//     AssignedAt when the assignee changes; LastOperator whenever the
//     change names a NewAssignee; AllBusyNotified with MarkAllBusy. The old
//     assignee loses one load when the conversation counted toward their
//     load and no longer does; the new assignee gains one, and LastAssigned
//     becomes At, when Change.AddsLoad holds. AssignedAt and LastOperator
//     are kept when a conversation leaves its assignee.
//   - CreateConversation in the Assigned state sets AssignedAt, and the
//     assignee's LastAssigned, to CreatedAt, LastOperator to the assignee,
//     and adds one to their load. Fields the store does not own (LinkedTo,
//     AllBusyNotified, Attributes, ...) are stored as given.
//   - Apply with a Profile sets the conversation's Priority, Skills, Tags,
//     Attributes, Preferred, OffHours and Rules to the profile's (an empty
//     profile clears them), together with every other effect of the change;
//     without one they are kept. Tags, Preferred and Rules are checked by
//     store.Profile.Validate, in rows and profiles alike (ErrInvalid). A
//     SkillRelax or PreferExpiry deadline is kept only while the
//     conversation is Queued or Offered (store.DeadlineKind.Holds).
//   - RuleSet returns Version 0 and no body until a rule set is stored.
//     SetRuleSet checks its input (store.RuleSet.ValidateSet, ErrInvalid),
//     then that the stored version is the one expected (ErrConflict), and
//     stores the next version with the body, UpdatedAt and UpdatedBy given;
//     of concurrent calls expecting the same version exactly one succeeds.
//     Bodies given and returned share no memory with the store's.
//   - Groups returns the stored groups ordered by id, an empty list when
//     there are none. PutGroup checks its input (store.GroupRow.ValidatePut,
//     ErrInvalid), then the version (store.GroupRow.CheckVersion:
//     ErrAlreadyExists, ErrNotFound, ErrConflict); of concurrent calls
//     expecting the same version exactly one succeeds. DeleteGroup checks
//     its arguments (store.CheckDeleteGroup, ErrInvalid), the version
//     (ErrNotFound, ErrConflict), then refuses with ErrGroupInUse while a
//     conversation of the group is open (Queued, Offered, Assigned or
//     Waiting) or an operator lists it. A deleted id may be created again,
//     at version 1. Configs given and returned share no memory with the
//     store's.
//   - PreviousOperator(customer) names the operator of the customer's most
//     recent write that named an assignee (created Assigned, or Apply with
//     a NewAssignee); "" for an unknown or empty customer id. Deleting the
//     operator does not clear it.
//   - SetStatus's Forbid looks only at conversations the operator holds
//     (Assigned or Waiting with them as assignee), not at offers.
//     DeleteOperator refuses an operator who holds a conversation or has
//     one offered to them.
//   - Operators is ordered by id, Conversations by Seq, and both return an
//     empty result (not an error) when nothing matches.
//   - Conversations applies a Filter's Limit after ordering: it returns
//     the first Limit conversations that pass, with a Seq greater than
//     AfterSeq, so that walking pages with the last Seq of each as the
//     next one's AfterSeq returns every conversation once. A Limit below 0
//     or above store.MaxFilterLimit fails with store.ErrInvalid; an
//     AfterSeq no Seq exceeds returns nothing.
//   - After Close every method fails with an error matching
//     store.ErrClosed; a second Close returns nil.
//
// Rows are compared after mapping empty slices and maps to nil and times to
// UTC, so a store may return either for an empty list and need not keep a
// time's location. Times used by the suite are whole seconds.
package storetest
