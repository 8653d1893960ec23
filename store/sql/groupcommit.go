package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultMaxBatch is the most writes one transaction commits together,
// unless WithMaxBatch says otherwise.
const DefaultMaxBatch = 64

// committer commits the writes of concurrent callers together (group
// commit). Callers hand their transaction bodies to it; one goroutine
// takes whatever is waiting, runs the bodies one after the other in one
// transaction and commits once, then tells each caller its own outcome.
// A caller alone is committed alone, at once: nothing waits for company.
//
// Every body checks before it writes: a body that refuses (a store error
// such as store.ErrAlreadyTaken) has written nothing, so the others in the
// batch go on and commit. A database error, on the other hand, may leave
// the transaction unusable (PostgreSQL aborts it): the batch is rolled
// back and each body runs again in a transaction of its own, as it would
// without batching. Bodies in one batch see the writes of the bodies
// before them, exactly as if they had committed one after the other.
//
// One goroutine means one connection writes: on SQLite the only writer
// there is, on PostgreSQL a batch's row locks are never waited for by
// another batch of the same Store (two batches locking rows in different
// orders could deadlock). Batches of different Stores on one database do
// wait for each other's row locks, so a batch runs its bodies in the order
// of the first operator row each locks (writeReq.lockKey): batches of
// bodies that each lock one operator, the assignments of new
// conversations, then take operator rows in one global order and cannot
// deadlock. Any order is right, since the callers of one batch are
// concurrent.
type committer struct {
	s        *Store
	maxBatch int
	reqs     chan *writeReq
	stop     chan struct{}
	done     sync.WaitGroup

	// batches counts the transactions of several writes committed, and
	// rolledBack those rolled back to run each write alone (for tests and
	// benchmarks).
	batches, rolledBack atomic.Int64
	// beforeBatch, when set (by tests), runs before each batch.
	beforeBatch func(n int)
}

// writeReq is one caller's write.
type writeReq struct {
	ctx context.Context
	fn  func(q *writeTx) error
	// lockKey orders the bodies of a batch (see committer).
	lockKey string
	// out receives the outcome, unmapped.
	out chan error
	// state tells whether the loop has taken the write (reqTaken) or its
	// caller has given up on it first (reqAbandoned).
	state atomic.Int32
}

// The states of a writeReq.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

var reqPool = sync.Pool{New: func() any { return &writeReq{out: make(chan error, 1)} }}

func newCommitter(s *Store, maxBatch int) *committer {
	c := &committer{s: s, maxBatch: maxBatch, reqs: make(chan *writeReq, maxBatch), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c
}

// write runs fn in a transaction, batched with those of other callers,
// and returns once it has committed, failed, or ctx has ended, whichever
// comes first: a caller whose context ends before the loop takes its write
// gets the context's error and nothing is written; one whose context ends
// later, while its write may be under way, gets a commitError wrapping the
// context's error (whether the write took effect is unknown). Writes queue
// in c.reqs, which holds up to a batch.
func (c *committer) write(ctx context.Context, lockKey string, fn func(q *writeTx) error) error {
	r := reqPool.Get().(*writeReq)
	r.ctx, r.fn, r.lockKey = ctx, fn, lockKey
	r.state.Store(reqQueued)
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		recycle(r)
		return ctx.Err()
	}
	select {
	case err := <-r.out:
		recycle(r)
		return err
	case <-ctx.Done():
	}
	if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
		// The loop will drop it unseen, and the garbage collector take
		// it: it stays in c.reqs or the batch until then.
		return ctx.Err()
	}
	select {
	case err := <-r.out:
		recycle(r)
		return err
	default:
		// The loop holds it and will report to out, for nobody.
		return commitError{fmt.Errorf("gave up waiting for the commit: %w", ctx.Err())}
	}
}

// recycle returns r, whose outcome was read (or which the loop never got),
// to the pool.
func recycle(r *writeReq) {
	r.ctx, r.fn = nil, nil
	reqPool.Put(r)
}

// close stops the loop. The Store calls it once no call is under way.
func (c *committer) close() {
	close(c.stop)
	c.done.Wait()
}

func (c *committer) loop() {
	defer c.done.Done()
	batch := make([]*writeReq, 0, c.maxBatch)
	for {
		select {
		case r := <-c.reqs:
			batch = append(batch[:0], r)
		case <-c.stop:
			return
		}
	gather:
		for len(batch) < c.maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		c.commit(batch)
		clear(batch)
	}
}

// commit runs one batch and reports to each caller.
func (c *committer) commit(batch []*writeReq) {
	if c.beforeBatch != nil {
		c.beforeBatch(len(batch))
	}
	live := batch[:0:0]
	for _, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			continue // abandoned by its caller
		}
		if err := r.ctx.Err(); err != nil {
			r.out <- err
			continue
		}
		live = append(live, r)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		r := live[0]
		r.out <- c.s.retryTx(r.ctx, r.fn)
		return
	}
	slices.SortStableFunc(live, func(a, b *writeReq) int { return cmp.Compare(a.lockKey, b.lockKey) })
	outcomes, rolledBack, err := c.together(live)
	switch {
	case rolledBack:
		// Nothing of the batch was committed: each runs on its own.
		c.rolledBack.Add(1)
		for _, r := range live {
			r.out <- c.s.retryTx(r.ctx, r.fn)
		}
	case err != nil:
		// The commit failed in a way that does not say whether it took
		// effect (a connection lost during COMMIT, say): running the
		// bodies again could apply them twice, so every caller gets the
		// error, as a lone transaction's caller would.
		for _, r := range live {
			r.out <- err
		}
	default:
		for i, r := range live {
			r.out <- outcomes[i]
		}
	}
}

// together runs the bodies of batch in one transaction. It returns each
// body's refusal (nil for a body whose writes were committed); or
// rolledBack when the transaction surely did not commit; or the error of
// a commit whose outcome is unknown.
func (c *committer) together(batch []*writeReq) (outcomes []error, rolledBack bool, err error) {
	s := c.s
	outcomes = make([]error, len(batch))
	ctx, cancel := untilAllDone(batch)
	defer cancel()
	err = s.transact(ctx, true, func(q *writeTx) error {
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				// Gone while the batch ran: its write is left out.
				outcomes[i] = err
				continue
			}
			// A body stopped by its context may have written half of its
			// changes (and PostgreSQL aborts the transaction): like any
			// error that is not a refusal, it rolls the batch back.
			m := q.mark()
			err := r.fn(q)
			if err != nil && !isStoreError(err) {
				return err
			}
			if err != nil {
				q.rewind(m)
				q.refused = true
			}
			outcomes[i] = err
		}
		return nil
	})
	var commitErr commitError
	switch {
	case err == nil:
		c.batches.Add(1)
		return outcomes, false, nil
	case errors.As(err, &commitErr) && !s.d.isRetryable(err):
		// A failure the database reports as transient (busy, conflict)
		// means the transaction was rolled back; any other may not.
		return nil, false, err
	}
	return nil, true, err
}

// untilAllDone returns a context that ends once the contexts of every
// write of batch have ended, or cancel is called: the transaction of a
// batch runs for as long as one of its callers waits.
func untilAllDone(batch []*writeReq) (ctx context.Context, cancel func()) {
	ctx, end := context.WithCancel(context.Background())
	left := atomic.Int32{}
	left.Store(int32(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, r := range batch {
		stops[i] = context.AfterFunc(r.ctx, func() {
			if left.Add(-1) == 0 {
				end()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		end()
	}
}
