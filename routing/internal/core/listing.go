package core

import (
	"cmp"
	"slices"

	"github.com/google/btree"

	"github.com/switchboard-go/switchboard/store"
)

// The listing indexes the view's open conversations for the Router's read
// API (Conversations), so that a page costs about its own size: one tree
// of every open conversation in Seq order, one per group and one per
// channel, and the set of each customer's open conversations (customers
// hold few at a time). An operator's held set (operator.held) serves a
// filter by assignee. A conversation's entries move only when it opens,
// closes, or changes Seq, group, channel or customer; the far more
// frequent changes of state, assignee or deadlines leave them alone.

// listTreeDegree is the degree of the listing's trees.
const listTreeDegree = 16

// listKey orders a conversation in the listing: by Seq, then by id.
type listKey struct {
	seq uint64
	id  string
}

func listLess(a, b listKey) bool {
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	return a.id < b.id
}

// listing is the view's index of open conversations.
type listing struct {
	all        *btree.BTreeG[listKey]
	byGroup    map[string]*btree.BTreeG[listKey]
	byChannel  map[string]*btree.BTreeG[listKey]
	byCustomer map[string]map[string]struct{}
}

func newListing() listing {
	return listing{
		all:        btree.NewG(listTreeDegree, listLess),
		byGroup:    map[string]*btree.BTreeG[listKey]{},
		byChannel:  map[string]*btree.BTreeG[listKey]{},
		byCustomer: map[string]map[string]struct{}{},
	}
}

// listEntry is what places a conversation in the listing; the zero
// entry (no id) places nothing.
type listEntry struct {
	key                      listKey
	group, channel, customer string
}

func entryOf(c *store.Conversation) listEntry {
	return listEntry{listKey{c.Seq, c.ID}, c.Group, c.Channel, c.CustomerID}
}

// relist moves a conversation's entries from old (zero: it was not open)
// to e.
func (l *listing) relist(old, e listEntry) {
	if old == e {
		return
	}
	l.unlist(old)
	l.list(e)
}

func (l *listing) list(e listEntry) {
	if e.key.id == "" {
		return
	}
	l.all.ReplaceOrInsert(e.key)
	put := func(m map[string]*btree.BTreeG[listKey], name string) {
		t := m[name]
		if t == nil {
			t = btree.NewG(listTreeDegree, listLess)
			m[name] = t
		}
		t.ReplaceOrInsert(e.key)
	}
	put(l.byGroup, e.group)
	put(l.byChannel, e.channel)
	if e.customer != "" {
		s := l.byCustomer[e.customer]
		if s == nil {
			s = map[string]struct{}{}
			l.byCustomer[e.customer] = s
		}
		s[e.key.id] = struct{}{}
	}
}

func (l *listing) unlist(e listEntry) {
	if e.key.id == "" {
		return
	}
	l.all.Delete(e.key)
	if t := l.byGroup[e.group]; t != nil {
		t.Delete(e.key) // kept when empty: groups are few
	}
	if t := l.byChannel[e.channel]; t != nil {
		// Channels are the host's (or its customers') words: a tree is
		// not kept for one no open conversation came through.
		if t.Delete(e.key); t.Len() == 0 {
			delete(l.byChannel, e.channel)
		}
	}
	if s := l.byCustomer[e.customer]; s != nil {
		delete(s, e.key.id)
		if len(s) == 0 {
			delete(l.byCustomer, e.customer)
		}
	}
}

// ListFilter selects open conversations for View.List; zero fields match
// everything.
type ListFilter struct {
	Assignee, Group, Customer, Channel string
	// State, when not zero, is the one open state to return.
	State store.State
	// After skips the conversations with a Seq up to it (a cursor).
	After uint64
	// Limit bounds the rows returned; it must be positive.
	Limit int
}

func (f *ListFilter) match(c *store.Conversation) bool {
	return (f.After == 0 || c.Seq > f.After) &&
		(f.State == 0 || c.State == f.State) &&
		(f.Assignee == "" || c.Assignee == f.Assignee) &&
		(f.Group == "" || c.Group == f.Group) &&
		(f.Customer == "" || c.CustomerID == f.Customer) &&
		(f.Channel == "" || c.Channel == f.Channel)
}

// List returns, in Seq order, up to f.Limit copies of the open
// conversations that pass f, and whether more follow. It walks the
// smallest index that f names: the assignee's held set, the customer's
// set, the group's tree, the channel's tree, or the tree of all; the
// other conditions are checked on the way.
func (v *View) List(f ListFilter) (rows []store.Conversation, more bool) {
	l := &v.list
	take := func(id string) bool {
		c := &v.convs[id].row
		if !f.match(c) {
			return true
		}
		if len(rows) == f.Limit {
			more = true
			return false
		}
		rows = append(rows, c.Clone())
		return true
	}
	var set map[string]struct{}
	switch {
	case f.Assignee != "":
		if op := v.ops[f.Assignee]; op != nil {
			set = op.held
		}
	case f.Customer != "":
		set = l.byCustomer[f.Customer]
	default:
		t := l.all
		switch {
		case f.Group != "":
			t = l.byGroup[f.Group]
		case f.Channel != "":
			t = l.byChannel[f.Channel]
		}
		switch {
		case t == nil:
		case f.After == 0:
			t.Ascend(func(k listKey) bool { return take(k.id) })
		default:
			t.AscendGreaterOrEqual(listKey{seq: f.After + 1}, func(k listKey) bool { return take(k.id) })
		}
		return rows, more
	}
	keys := make([]listKey, 0, len(set))
	for id := range set {
		if c := &v.convs[id].row; f.After == 0 || c.Seq > f.After {
			keys = append(keys, listKey{c.Seq, id})
		}
	}
	slices.SortFunc(keys, func(a, b listKey) int {
		return cmp.Or(cmp.Compare(a.seq, b.seq), cmp.Compare(a.id, b.id))
	})
	for _, k := range keys {
		if !take(k.id) {
			break
		}
	}
	return rows, more
}
