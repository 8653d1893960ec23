// Package routing is Switchboard's entry point: the Router, which decides
// which operator gets which conversation and keeps track of who is on shift.
//
// A command (enqueue, take, close, set status, ...) enters the Router, which
// asks the presence model who may receive what, asks the group's policy for
// a decision over an in-memory index of candidates, commits the decision
// atomically through the Store, and only then emits events. A decision
// taken on a stale view is refused by the store and taken again on fresh
// data; it is never applied.
//
// What configures the routing is stored too, so that every Router on one
// store, and every restart, agrees: the groups (AddGroup, UpdateGroup,
// SetPolicy, RemoveGroup; Config.Groups only fills in the groups a store
// lacks) and the rule set (SetRules). Each Router follows the changes the
// others make.
//
// The Router is safe for concurrent use. Time comes only from the injected
// clock, so a Router driven by a mock clock with the same commands makes
// the same decisions and emits the same events.
package routing
