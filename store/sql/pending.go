package sqlstore

import "slices"

// pendingRows holds the rows that notifications carried and Watch has not
// delivered yet, the last one of each id, in a slice indexed by a map of
// small values: rows are large, and a map holding them by value would
// allocate each one again.
type pendingRows[T any] struct {
	rows []T
	at   map[string]int
	id   func(T) string
}

func newPendingRows[T any](id func(T) string) pendingRows[T] {
	return pendingRows[T]{at: map[string]int{}, id: id}
}

// put records row, replacing the earlier row of its id.
func (p *pendingRows[T]) put(row T) {
	id := p.id(row)
	if i, ok := p.at[id]; ok {
		p.rows[i] = row
		return
	}
	p.at[id] = len(p.rows)
	p.rows = append(p.rows, row)
}

// drop forgets the row of id, if any.
func (p *pendingRows[T]) drop(id string) {
	i, ok := p.at[id]
	if !ok {
		return
	}
	last := len(p.rows) - 1
	if i != last {
		p.rows[i] = p.rows[last]
		p.at[p.id(p.rows[i])] = i
	}
	var zero T
	p.rows[last] = zero
	p.rows = p.rows[:last]
	delete(p.at, id)
}

// take returns the rows ordered by cmp (nil if none) and forgets them.
func (p *pendingRows[T]) take(cmp func(a, b T) int) []T {
	rows := p.rows
	p.rows = nil
	clear(p.at)
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, cmp)
	return rows
}
