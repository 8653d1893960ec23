package core

import (
	"github.com/google/btree"

	"github.com/switchboard-go/switchboard/store"
)

// The deadlines of open conversations and of operators are data in their
// rows (see store.Deadline). The Router indexes them by due time, derived
// from its view's rows like its queues are, so that the index always
// agrees with them and a restarted Router re-arms every deadline by
// loading the rows.
//
// With several Routers on one store, each indexes every row's deadlines,
// but a deadline set by another Router is indexed some time after its due
// time (its shift, Config.Takeover): the Router that set it acts first,
// the others only if it did not.

// DueItem is one deadline in a DueIndex.
type DueItem struct {
	// Due is when it goes off in this Router: its due time plus the
	// shift it was indexed with, in Unix nanoseconds.
	Due int64
	// Kind and Level are the deadline's.
	Kind  store.DeadlineKind
	Level int
	// ID is the conversation the deadline belongs to, or, when Operator
	// is set, the operator.
	ID       string
	Operator bool
}

// dueLess orders deadlines by due time, then kind, id, owner and level, so
// that the order is total and the same in every run.
func dueLess(a, b DueItem) bool {
	if a.Due != b.Due {
		return a.Due < b.Due
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if a.ID != b.ID {
		return a.ID < b.ID
	}
	if a.Operator != b.Operator {
		return b.Operator
	}
	return a.Level < b.Level
}

// DueIndex orders pending deadlines by due time. Make it with NewDueIndex.
type DueIndex struct {
	t *btree.BTreeG[DueItem]
	// indexed, when set, is called whenever deadlines are put in the index:
	// an earlier deadline than the one awaited may have arrived.
	indexed func()
}

// NewDueIndex returns an empty index; indexed, if not nil, is called
// whenever deadlines are put in it.
func NewDueIndex(indexed func()) DueIndex {
	return DueIndex{t: btree.NewG(32, dueLess), indexed: indexed}
}

// Put indexes the deadlines ds of conversation id (or, with operator set,
// of operator id), each shift nanoseconds after its due time.
func (x *DueIndex) Put(id string, operator bool, ds []store.Deadline, shift int64) {
	if len(ds) == 0 {
		return
	}
	for _, d := range ds {
		x.t.ReplaceOrInsert(DueItem{Due: d.Due.UnixNano() + shift, Kind: d.Kind, Level: d.Level, ID: id, Operator: operator})
	}
	if x.indexed != nil {
		x.indexed()
	}
}

// Drop takes the deadlines ds of a conversation or an operator, indexed
// with shift, out of the index.
func (x *DueIndex) Drop(id string, operator bool, ds []store.Deadline, shift int64) {
	for _, d := range ds {
		x.t.Delete(DueItem{Due: d.Due.UnixNano() + shift, Kind: d.Kind, Level: d.Level, ID: id, Operator: operator})
	}
}

// Next returns the earliest pending deadline; ok is false when there is
// none.
func (x *DueIndex) Next() (it DueItem, ok bool) { return x.t.Min() }

// Len returns the number of pending deadlines.
func (x *DueIndex) Len() int { return x.t.Len() }
