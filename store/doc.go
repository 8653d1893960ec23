// Package store defines how Switchboard keeps its state: the Store interface,
// the row types it reads and writes, the conditional changes it applies
// atomically, and the sentinel errors every layer of the library returns.
//
// It is a leaf package: it imports nothing else from Switchboard, so stores,
// policies and the router can all share its types and errors.
//
// A Store is the single source of truth. The router decides in memory, then
// asks the store to apply its decision as one conditional change ("the
// conversation is still queued AND the operator's status still allows it AND
// the operator is still below cap → assign"). The store refuses a change whose
// preconditions no longer hold, so a decision taken on a stale view is never
// applied. Every Store implementation must pass the conformance suite in
// package store/storetest.
package store
