package store

import (
	"context"
	"errors"
)

// ErrUnsupported reports that a Store does not offer an optional
// capability (a change feed on SQLite, say).
var ErrUnsupported = errors.New("switchboard: not supported by this store")

// Feed is implemented by a Store that several processes share (the SQL
// store on PostgreSQL). It tells each Store which rows the others changed,
// so that the Router on top of it keeps its in-memory view current without
// polling, and acts on work another instance left (a freed slot, a due
// deadline, an instance that died).
type Feed interface {
	// Watch starts following the changes that other Stores (other
	// processes, or other connection pools) commit to the same database.
	// Once it returns, each change committed afterwards is reported on the
	// channel, in commit order: by a Notice that names its rows (or, for a
	// new rule set, has RuleSet set, and for a group created, changed or
	// deleted, Groups), or by a later Notice with Resync set, which covers
	// every change before it.
	// Changes made through this Store are not reported. The channel is
	// closed when ctx ends or the Store is closed. A receiver that stops
	// reading holds the changes back; none is dropped. It fails with
	// ErrUnsupported if the store's database cannot report changes.
	Watch(ctx context.Context) (<-chan Notice, error)
	// Rows returns the rows of the operators and conversations that n
	// names: those n carries as they are, the others as they are now in
	// the database.
	Rows(ctx context.Context, n Notice) (Rows, error)
}

// Notice names rows that another Store changed, and says whether it
// stored a new rule set or changed the groups.
type Notice struct {
	// Operators and Conversations are the ids of the changed rows, each
	// id once.
	Operators, Conversations []string
	// RuleSet reports that another Store stored a new rule set; read it
	// with Store.RuleSet.
	RuleSet bool
	// Groups reports that another Store created, changed or deleted a
	// group; read them with Store.Groups.
	Groups bool
	// Resync reports that changes may have been missed (the connection
	// that follows them was lost and made again): everything must be read
	// again, the rule set and the groups included, whether RuleSet and
	// Groups are set or not.
	Resync bool
	// Carried holds rows among those named, as the changes reported
	// committed them (and the operators they deleted), so that Rows need
	// not read them. Rows too large to travel with the notice are named
	// only.
	Carried Rows
}

// Rows are the current rows of the operators and conversations of a
// Notice.
type Rows struct {
	// Operators are the operators that exist, ordered by id.
	Operators []Operator
	// GoneOperators are the ids of the operators the notice named that no
	// longer exist.
	GoneOperators []string
	// Conversations are the conversations, ordered by Seq (conversations
	// are never deleted; an unknown id is left out).
	Conversations []Conversation
}
