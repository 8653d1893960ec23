package rules

// Trigger names when rules run: the Router evaluates a Set on a
// conversation that enters a queue, and says why.
type Trigger string

// The triggers. A rule that lists none runs on OnEnqueue and OnReopen.
const (
	// OnEnqueue: a new conversation enters the queue.
	OnEnqueue Trigger = "enqueue"
	// OnReopen: a closed conversation is reopened.
	OnReopen Trigger = "reopen"
	// OnTransfer: a conversation is transferred to a group.
	OnTransfer Trigger = "transfer"
)

// triggers returns the triggers in their canonical order, the order Rules
// and MarshalJSON list a rule's On in.
func triggers() [3]Trigger { return [...]Trigger{OnEnqueue, OnReopen, OnTransfer} }

// defaultOn is the trigger mask of a rule that lists no triggers.
const defaultOn = 1<<0 | 1<<1

// bit returns the trigger's bit in a rule's trigger mask, or 0 for a
// string that names no trigger.
func (t Trigger) bit() uint8 {
	for i, u := range triggers() {
		if t == u {
			return 1 << i
		}
	}
	return 0
}

// onList returns the triggers of mask in canonical order, or nil for the
// default.
func onList(mask uint8) []Trigger {
	if mask == defaultOn {
		return nil
	}
	var on []Trigger
	for i, t := range triggers() {
		if mask&(1<<i) != 0 {
			on = append(on, t)
		}
	}
	return on
}
