package core

import "time"

// Tombstones of closed conversations. A closed conversation leaves the
// view, and with it the version that closed it: a row of an older version
// arriving afterwards would bring the conversation back, open, held or
// queued, for good (nothing writes a closed conversation again). Such rows
// arrive with a feed (a notice of another Router's earlier change still
// waiting to be followed when this Router's close is absorbed), or from a
// read that began before the close (a resync). So the view keeps, for a
// while, the version at which each conversation closed, and takes no row
// of it that is not newer. A resync drops the tombstones laid before it began: it read the
// store after them, and the store's rows win (a close the database lost in
// a crash must not keep the conversation out of the view).

// Bounds of the tombstones: they are kept TombstoneTTL on the Router's
// clock (twice the bound on one round of its background work, so that a
// row read in a round begun before a close cannot outlive the close's
// tombstone), and at most MaxTombstones of them.
const (
	TombstoneTTL  = 60 * time.Second
	MaxTombstones = 1 << 16
)

// Tombstones holds the closing version of conversations that closed
// recently. The zero value is ready to use.
type Tombstones struct {
	closed map[string]int64
	// order lists them as laid, oldest first; head is the first still
	// in force.
	order []tomb
	head  int
}

// tomb is one tombstone: laid at the view's generation gen, at time at (Unix ns).
type tomb struct {
	id      string
	version int64
	gen     uint64
	at      int64
}

// Lay records that conversation id closed at version, at view generation
// gen and time now, and drops the tombstones past their bounds.
func (t *Tombstones) Lay(id string, version int64, gen uint64, now int64) {
	if t.closed == nil {
		t.closed = map[string]int64{}
	}
	t.closed[id] = version
	t.order = append(t.order, tomb{id: id, version: version, gen: gen, at: now})
	for t.head < len(t.order) {
		o := t.order[t.head]
		if len(t.order)-t.head <= MaxTombstones && now-o.at <= int64(TombstoneTTL) {
			break
		}
		t.drop(o)
	}
	t.compact()
}

// Buries reports whether a row of conversation id at version is older
// than its close.
func (t *Tombstones) Buries(id string, version int64) bool {
	v, ok := t.closed[id]
	return ok && version <= v
}

// DropUpTo drops the tombstones laid at view generation gen or before.
func (t *Tombstones) DropUpTo(gen uint64) {
	for t.head < len(t.order) && t.order[t.head].gen <= gen {
		t.drop(t.order[t.head])
	}
	t.compact()
}

// drop takes out o, the oldest tombstone in force.
func (t *Tombstones) drop(o tomb) {
	if t.closed[o.id] == o.version {
		delete(t.closed, o.id)
	}
	t.order[t.head] = tomb{}
	t.head++
}

// compact reclaims the space of dropped tombstones once they are half of
// order.
func (t *Tombstones) compact() {
	if t.head > 0 && t.head >= len(t.order)/2 {
		t.order = append(t.order[:0], t.order[t.head:]...)
		t.head = 0
	}
}
