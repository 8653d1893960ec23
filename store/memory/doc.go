// Package memory is an in-memory implementation of store.Store.
//
// It keeps every row in maps guarded by one mutex, so each write is atomic
// and visible to every later read as soon as it returns. Nothing survives the
// process: use it for tests, simulations and single-process deployments that
// accept losing their state on restart, and a database-backed store
// elsewhere.
//
// The store passes the conformance suite in package store/storetest. Beyond
// what the store.Store documentation says, it behaves as follows (the suite
// checks every point, so every other Store behaves alike):
//
//   - Every write validates its input before looking at the stored rows and
//     returns an error matching store.ErrInvalid that names the bad field; an
//     empty id given to Operator, Conversation or DeleteOperator is invalid
//     too. Besides the Validate methods of package store, a write refuses
//     empty or duplicate operator ids in offers (Change.Offers,
//     Conversation.OfferedTo), a negative Require.AssigneeCap on create, and
//     an undefined state in StatusChange.Forbid. UpdateOperator ignores the
//     Status field of its argument, so it need not be set.
//   - Any error leaves every row as it was.
//   - Versions start at 1 and grow by one with every successful write of a
//     row, even one that leaves every other field as it was (setting the
//     status an operator already has, or moving a queued conversation to
//     Queued).
//   - Seq comes from one store-wide counter, set on creation and on every
//     requeue. Failed writes do not consume numbers.
//   - Apply checks, in order: the change's shape (store.Change.Validate),
//     that the conversation exists (store.ErrNotFound), Change.CheckFrom,
//     that the conversation is not closed (store.ErrWrongState: Closed is
//     final, even when From lists it), then the new assignee (existence,
//     then Require.CheckAssignee) and every offered operator in order
//     (existence, then Require.CheckOffer).
//   - Whenever a write names an assignee (CreateConversation in the Assigned
//     state, Apply with a NewAssignee), the conversation's LastOperator
//     becomes that operator and so does PreviousOperator for its customer.
//     AssignedAt is set when the assignee changes; it and LastOperator are
//     kept when the conversation leaves its assignee. PreviousOperator of an
//     empty customer id is "", and it keeps naming an operator after the
//     operator is deleted.
//   - SetStatus refuses a change listed in Forbid only for conversations the
//     operator holds (assigned to them or waiting with them); an offer is
//     not held.
//   - Apply with a Profile replaces the conversation's Priority, Skills,
//     Tags, Attributes, Preferred, OffHours and Rules with the profile's,
//     together with every other effect of the change; without one they are
//     kept. CreateConversation stores them as given.
//   - The rule set is kept in memory too, its current version only.
//     SetRuleSet checks its input (store.RuleSet.ValidateSet), then the
//     version (store.ErrConflict).
//   - Groups are kept in memory too, one row per group. PutGroup checks
//     its input (store.GroupRow.ValidatePut), then the version
//     (store.GroupRow.CheckVersion). DeleteGroup checks its arguments
//     (store.CheckDeleteGroup), the version (store.CheckDeleteVersion),
//     then that no open conversation is of the group and no operator
//     lists it (store.ErrGroupInUse, naming one it found).
//   - The journal is kept in memory too, in a ring of the newest
//     DefaultJournalLimit entries (WithJournalLimit sets another bound):
//     appending beyond it drops the oldest, as a prune would. A journaled
//     write asks its hook for entries after every check has passed and
//     before it changes anything, and stores them with the rows under one
//     lock. The keys of the entries kept are in a set, which an append
//     under a key looks up.
//   - A cancelled context makes a call return the context's error, and
//     after Close every call returns an error matching store.ErrClosed.
package memory
