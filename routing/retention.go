package routing

import (
	"fmt"
	"time"

	"github.com/switchboard-go/switchboard/store"
)

// DefaultJournalRetention is how long the journal keeps events unless
// Config.JournalRetention says otherwise.
const DefaultJournalRetention = 7 * 24 * time.Hour

// JournalRetention bounds the journal (S5): events older than MaxAge, or
// beyond the MaxEvents newest, are pruned in the background, a few at a
// time, by every Router on the store. The zero value means MaxAge
// DefaultJournalRetention and no bound on the count.
type JournalRetention struct {
	// MaxAge, when positive, prunes the events older than it; negative:
	// no bound on age (MaxEvents must then be set, or nothing is pruned).
	MaxAge time.Duration
	// MaxEvents, when positive, keeps at most this many newest events.
	MaxEvents uint64
}

// Pruning: every pruneEvery by the Router's clock, pruneBatch events at a
// time until no more are due.
const (
	pruneEvery = time.Minute
	pruneBatch = 1000
)

// retention returns the JournalRetention in force.
func (c Config) retention() JournalRetention {
	j := c.JournalRetention
	if j.MaxAge == 0 {
		j.MaxAge = DefaultJournalRetention
	}
	return j
}

// pruneLoop prunes the journal every pruneEvery until the Router stops;
// done is closed when it returns.
func (r *Router) pruneLoop(done chan<- struct{}) {
	defer close(done)
	tick := r.clock.Ticker(pruneEvery)
	defer tick.Stop()
	for {
		select {
		case <-r.life.Done():
			return
		case <-tick.C:
		}
		if err := r.prune(); err != nil && r.life.Err() == nil {
			r.report(fmt.Errorf("routing: pruning the journal: %w", err))
		}
	}
}

// prune removes the events the retention no longer keeps, pruneBatch at
// a time, and returns how many it removed in all.
func (r *Router) prune() error {
	j := r.cfg.retention()
	p := store.JournalPrune{Keep: j.MaxEvents, Limit: pruneBatch}
	if j.MaxAge > 0 {
		p.Before = r.clock.Now().Add(-j.MaxAge)
	}
	if p.Before.IsZero() && p.Keep == 0 {
		return nil
	}
	for {
		n, err := r.store.PruneJournal(r.life, p)
		if err != nil || n < pruneBatch {
			return err
		}
	}
}
