package storetest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/switchboard-go/switchboard/store"
)

// Verdict is the answer of CheckLinearizable.
type Verdict string

// Verdicts.
const (
	// Linearizable: some order of the ops explains every outcome.
	Linearizable Verdict = "linearizable"
	// NotLinearizable: no order of the ops explains every outcome.
	NotLinearizable Verdict = "not linearizable"
	// Undecided: the check ran out of time before finding either.
	Undecided Verdict = "undecided"
)

// LinearResult is what CheckLinearizable found.
type LinearResult struct {
	// Verdict is the answer.
	Verdict Verdict
	// Ops is the number of ops checked (after pairing starts with ends).
	Ops int
	// Unknown is how many of them have an unknown outcome.
	Unknown int
	// Partitions is the number of independent parts checked.
	Partitions int
	// Explanation describes, when Verdict is NotLinearizable, a part that
	// could not be linearized: the end of the longest order found that
	// explains its ops, and what the specification says of the ops that
	// could come next; empty otherwise.
	Explanation string

	model porcupine.Model
	info  porcupine.LinearizationInfo
}

// String summarizes the result, with the explanation if there is one.
func (r LinearResult) String() string {
	s := fmt.Sprintf("%s (%d ops, %d with unknown outcome, %d parts)", r.Verdict, r.Ops, r.Unknown, r.Partitions)
	if r.Explanation != "" {
		s += "\n" + r.Explanation
	}
	return s
}

// Visualize writes porcupine's HTML view of the checked history, with the
// longest linearizations found, to the file at path.
func (r LinearResult) Visualize(path string) error {
	if r.model.Init == nil {
		return fmt.Errorf("%w: nothing was checked", store.ErrInvalid)
	}
	return porcupine.VisualizePath(r.model, r.info, path)
}

// CheckLinearizable checks whether ops, the writes recorded by Recorders
// on one store since it was empty (possibly by several processes sharing
// it), are linearizable: whether some order of them, respecting real time
// (an op that returned before another was called comes first), explains
// every recorded outcome when the ops are applied one at a time to a
// sequential specification of the store, starting empty. ops may hold both
// the start and the end of an op (they are paired by Client and Seq, the
// end winning) or only its start. A timeout of zero means no limit; when it
// expires the verdict is Undecided. The error, matching store.ErrInvalid,
// reports a malformed op (an unknown method, a missing input, an end
// without output, a return before the call, two different ends of one op).
//
// The specification is deliberately small, written apart from the helpers
// of package store (Change.CheckFrom, Change.Next, Require.CheckAssignee,
// ...): it keeps only what decides the outcome of a write and what the
// check compares.
//
//   - Conversations: state, assignee, offers, group and version.
//   - Operators: existence, status, load and version.
//
// It decides every write in the order of checks the memory store uses:
// input shape (ErrInvalid, by the Validate methods of package store, which
// depend on the input only), existence, the conditions on the row, then
// the operators the change gives the conversation to. Versions start at 1
// and grow by one with every successful write of the row: an operator's
// with UpdateOperator, SetStatus, SetOperatorDeadlines and every change of
// their load. On success the check compares the recorded state, assignee,
// offers, group and version of the conversation (and of Result.Before), the
// operators, loads and versions in Result.Released and Result.Gained (and
// Gained.LastAssigned), and the status, load and version of a returned
// operator row. On failure it compares the error class.
//
// A write that failed with ClassUnavailable is left out: it reached no
// database.
//
// Unknown outcomes. An op with no return (its client died, or the history
// was taken while it ran) or that failed with ClassOther may or may not
// have taken effect: the specification is nondeterministic for it,
// continuing both from the state before it and from the state its success
// would give (if the specification says it can succeed at that point), and
// nothing of its output is compared. It is given Return math.MaxInt64: it
// may take effect at any time after its call. This holds for ClassOther
// too, although its call returned: a database may commit a write after its
// client gave up on it (a lost connection, a cancelled context).
//
// Partitions. The history is split into parts that share no row, checked
// independently (porcupine's Partition). Each op names ids: the operator of
// an operator write; the conversation of CreateConversation with the row's
// Assignee and OfferedTo; the conversation of Apply with its NewAssignee
// and Offers. The ids each op names are joined (union-find); each resulting
// set of ids, with the ops that name them, is one part. This is sound
// because every row a write's outcome depends on, or changes, is in its
// op's part: the current assignee of a conversation (whose load a release
// changes) and the operators it is offered to were named, together with
// the conversation, by the op that made them so; the conversations that
// SetStatus's Forbid and DeleteOperator look at were named, together with
// the operator, by the op that gave them to that operator; an operator's
// load changes only through conversations so joined to them. Apply's
// Assignee condition and AddMissed are not joined: the outcome does not
// depend on those operators' rows. The rule needs the history to cover
// every write since the store was empty.
func CheckLinearizable(ops []Op, timeout time.Duration) (LinearResult, error) {
	merged, err := pairOps(ops)
	if err != nil {
		return LinearResult{}, err
	}
	clients := map[int]int{}
	for _, op := range merged {
		if _, ok := clients[op.Client]; !ok {
			clients[op.Client] = len(clients)
		}
	}
	history := make([]porcupine.Operation, len(merged))
	res := LinearResult{Ops: len(merged)}
	for i, op := range merged {
		ret := op.Return
		if op.Unknown() {
			ret = math.MaxInt64
			res.Unknown++
		}
		history[i] = porcupine.Operation{ClientId: clients[op.Client], Input: op, Call: op.Call, Output: op, Return: ret}
	}
	nm := porcupine.NondeterministicModel{
		Partition: partition,
		Init:      func() []any { return []any{spec{}} },
		Step: func(state, input, _ any) []any {
			return state.(spec).step(input.(*Op))
		},
		Equal:             func(a, b any) bool { return a.(spec).equal(b.(spec)) },
		DescribeOperation: func(input, _ any) string { return input.(*Op).String() },
		DescribeState:     func(state any) string { return state.(spec).String() },
	}
	res.model = nm.ToModel()
	parts := partition(history)
	res.Partitions = len(parts)
	verdict, info := porcupine.CheckOperationsVerbose(res.model, history, timeout)
	res.info = info
	switch verdict {
	case porcupine.Ok:
		res.Verdict = Linearizable
	case porcupine.Illegal:
		res.Verdict = NotLinearizable
		res.Explanation = explain(parts, info.PartialLinearizations())
	default:
		res.Verdict = Undecided
	}
	return res, nil
}

// opKey identifies an op in a history.
type opKey struct {
	client int
	seq    uint64
}

// pairOps pairs the starts and ends of ops, checks each op's shape and
// returns the ops ordered by call time.
func pairOps(records []Op) ([]*Op, error) {
	byKey := make(map[opKey]*Op, len(records))
	var out []*Op
	for i := range records {
		rec := records[i]
		if err := rec.validate(); err != nil {
			return nil, err
		}
		k := opKey{rec.Client, rec.Seq}
		prev, ok := byKey[k]
		switch {
		case !ok:
			op := rec
			byKey[k] = &op
			out = append(out, &op)
		case prev.Return == 0:
			*prev = rec
		case rec.Return != 0 && (rec.Return != prev.Return || rec.Call != prev.Call):
			return nil, fmt.Errorf("%w: op %d of client %d ended twice", store.ErrInvalid, rec.Seq, rec.Client)
		}
	}
	// A write refused as ClassUnavailable reached no database: it changed
	// nothing, whatever the state, and is left out.
	out = slices.DeleteFunc(out, func(op *Op) bool { return op.Return != 0 && op.Output.Err == ClassUnavailable })
	slices.SortFunc(out, func(a, b *Op) int {
		return cmp.Or(cmp.Compare(a.Call, b.Call), cmp.Compare(a.Client, b.Client), cmp.Compare(a.Seq, b.Seq))
	})
	return out, nil
}

// validate checks that the op has the input of its method and, when it
// succeeded, the output.
func (o Op) validate() error {
	in := o.Input
	var hasIn, rowOut bool
	switch o.Method {
	case MethodCreateOperator, MethodUpdateOperator:
		hasIn, rowOut = in.Operator != nil, true
	case MethodSetStatus:
		hasIn, rowOut = in.Status != nil, true
	case MethodSetOperatorDeadlines:
		hasIn, rowOut = in.Deadlines != nil, true
	case MethodDeleteOperator:
		hasIn = true
	case MethodCreateConversation:
		hasIn = in.Conversation != nil && in.Require != nil
	case MethodApply:
		hasIn = in.Change != nil
	default:
		return fmt.Errorf("%w: op %d of client %d: unknown method %q", store.ErrInvalid, o.Seq, o.Client, o.Method)
	}
	switch {
	case !hasIn:
		return fmt.Errorf("%w: op %d of client %d: %s without its input", store.ErrInvalid, o.Seq, o.Client, o.Method)
	case o.Call <= 0:
		return fmt.Errorf("%w: op %d of client %d: no call time", store.ErrInvalid, o.Seq, o.Client)
	case o.Return != 0 && o.Return < o.Call:
		return fmt.Errorf("%w: op %d of client %d: returned before it was called", store.ErrInvalid, o.Seq, o.Client)
	case o.Return == 0 || o.Output.Err != ClassOK || o.Method == MethodDeleteOperator:
		return nil
	case rowOut && o.Output.Operator == nil, !rowOut && o.Output.Result == nil:
		return fmt.Errorf("%w: op %d of client %d: %s succeeded without output", store.ErrInvalid, o.Seq, o.Client, o.Method)
	}
	return nil
}

// convID is the id partition joins for conversation id.
func convID(id string) string { return "conversation " + id }

// operID is the id partition joins for operator id.
func operID(id string) string { return "operator " + id }

// ids returns the rows op names, for partition (see CheckLinearizable).
func (o Op) ids() []string {
	in := o.Input
	switch o.Method {
	case MethodCreateOperator, MethodUpdateOperator:
		return []string{operID(in.Operator.ID)}
	case MethodSetStatus:
		return []string{operID(in.Status.Operator)}
	case MethodSetOperatorDeadlines:
		return []string{operID(in.Deadlines.Operator)}
	case MethodDeleteOperator:
		return []string{operID(in.OperatorID)}
	case MethodCreateConversation:
		c := in.Conversation
		return withOperators([]string{convID(c.ID)}, append([]string{c.Assignee}, c.OfferedTo...))
	default:
		ch := in.Change
		return withOperators([]string{convID(ch.Conversation)}, append([]string{ch.NewAssignee}, ch.Offers...))
	}
}

// withOperators appends the ids of the operators named in ops, skipping
// empty names.
func withOperators(ids, ops []string) []string {
	for _, id := range ops {
		if id != "" {
			ids = append(ids, operID(id))
		}
	}
	return ids
}

// partition splits history into the parts that share no row (see
// CheckLinearizable), each in history's order, ordered by their first op.
// The operations' inputs are *Op.
func partition(history []porcupine.Operation) [][]porcupine.Operation {
	parent := map[string]string{}
	var find func(id string) string
	find = func(id string) string {
		p, ok := parent[id]
		if !ok || p == id {
			parent[id] = id
			return id
		}
		root := find(p)
		parent[id] = root
		return root
	}
	for _, h := range history {
		ids := h.Input.(*Op).ids()
		root := find(ids[0])
		for _, id := range ids[1:] {
			if r := find(id); r != root {
				parent[r] = root
			}
		}
	}
	index := map[string]int{}
	var parts [][]porcupine.Operation
	for _, h := range history {
		root := find(h.Input.(*Op).ids()[0])
		i, ok := index[root]
		if !ok {
			i = len(parts)
			index[root] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], h)
	}
	return parts
}
