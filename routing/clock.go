package routing

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/store"
)

// Clock discipline. Routers that share a store act on each other's
// deadlines: a deadline is a time written by the Router that set it, read
// against the clock of the Router that fires it. A Router whose clock is
// ahead would fire the others' deadlines early (an accept timeout of 30 s
// at once, with a clock 10 minutes ahead), and one whose clock is behind
// would write deadlines the others find already past. So each Router
// measures, when it starts and every Config.ClockCheck, the offset of its
// clock to the store's (store.Clock: the database server's). While the
// offset is within Config.MaxClockSkew the Router runs on its own clock;
// beyond it, the Router reports ErrClockSkew through Config.OnError and runs
// on its clock corrected by the offset: its deadlines, times in rows and
// events, and judgments of other Routers' deadlines are then on the store's
// clock, within the uncertainty of the measurement (half the round trip).
// Every Router is thereby within MaxClockSkew (plus that uncertainty) of
// the store, and within twice that of any other: a Takeover longer than
// twice MaxClockSkew keeps a Router from acting on another's deadline
// before it.

// DefaultMaxClockSkew is Config.MaxClockSkew when zero.
const DefaultMaxClockSkew = 500 * time.Millisecond

// DefaultClockCheck is Config.ClockCheck when zero.
const DefaultClockCheck = 30 * time.Second

// ErrClockSkew reports, through Config.OnError, a Router whose clock is
// further from its store's than Config.MaxClockSkew. The Router runs on the
// store's clock meanwhile; fix the machine's clock synchronisation.
var ErrClockSkew = errors.New("switchboard: the router's clock is too far from the store's")

// skewClock is the Router's clock: Config.Clock, corrected by an offset
// while it is too far from the store's.
type skewClock struct {
	clock.Clock
	// offset is added to the base clock's readings, in nanoseconds.
	offset atomic.Int64
}

func (c *skewClock) shift() time.Duration { return time.Duration(c.offset.Load()) }

// Now returns the base clock's time plus the offset.
func (c *skewClock) Now() time.Time { return c.Clock.Now().Add(c.shift()) }

// Since returns the time elapsed since t on the corrected clock.
func (c *skewClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Until returns the time until t on the corrected clock.
func (c *skewClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// WithDeadline returns a context that ends at d on the corrected clock.
func (c *skewClock) WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	return c.Clock.WithDeadline(parent, d.Add(-c.shift()))
}

// ClockOffset returns the correction the Router applies to Config.Clock:
// zero while its clock is within Config.MaxClockSkew of its store's (or
// the store has no clock), else the offset last measured (see
// ErrClockSkew).
func (r *Router) ClockOffset() time.Duration { return r.clock.shift() }

// checkClock measures the offset of the Router's clock to the store's, if
// the store has a clock and checks are on, and corrects the Router's clock
// while the offset is beyond Config.MaxClockSkew. A failed measurement
// leaves the correction as it was and is reported.
func (r *Router) checkClock(ctx context.Context) {
	sc, ok := r.cfg.Store.(store.Clock)
	if !ok || r.cfg.MaxClockSkew < 0 {
		return
	}
	base := r.clock.Clock
	t0 := base.Now()
	r.inLock(func() { r.lastClockCheck = t0 })
	ref, err := sc.Now(ctx)
	t1 := base.Now()
	switch {
	case errors.Is(err, store.ErrUnsupported):
		r.inLock(func() { r.lastClockCheck = time.Time{} })
		return
	case err != nil:
		r.report(fmt.Errorf("routing: reading the store's clock: %w", err))
		return
	}
	offset := ref.Sub(t0.Add(t1.Sub(t0) / 2))
	if offset.Abs() <= r.cfg.MaxClockSkew {
		r.clock.offset.Store(0)
		return
	}
	r.clock.offset.Store(int64(offset))
	r.report(fmt.Errorf("%w: the store's clock reads %v more than the router's, beyond MaxClockSkew (%v): running on the store's clock",
		ErrClockSkew, offset, r.cfg.MaxClockSkew))
}

// clockCheckDue runs checkClock if the next check is due.
func (r *Router) clockCheckDue(ctx context.Context) {
	due := false
	r.inLock(func() { _, due = r.nextClockCheck() })
	if due {
		r.checkClock(ctx)
	}
}

// nextClockCheck returns when the next clock check is due on the Router's
// clock, and whether it is due now; at is zero when there are no checks.
// A base clock stepped back since the last check makes it due at once.
// Caller holds r.mu.
func (r *Router) nextClockCheck() (at time.Time, due bool) {
	last := r.lastClockCheck
	if last.IsZero() {
		return time.Time{}, false
	}
	now := r.clock.Clock.Now()
	next := last.Add(r.cfg.ClockCheck)
	if now.Before(last) {
		next = now
	}
	return next.Add(r.clock.shift()), !now.Before(next)
}
