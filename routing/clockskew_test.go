package routing_test

import (
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
)

// Routers on one store whose clocks differ. a's clock agrees with the
// store's; the other Router's is 10 minutes off.

const (
	skew         = 10 * time.Minute
	skewTakeover = 2 * time.Second
	skewAccept   = 30 * time.Second
)

// skewed is a two-Router cluster with an accept timeout, the store's clock
// being a's; errs collects what the skewed Router reports.
type skewed struct {
	*cluster
	a, b *node
	off  *clock.Mock
	mu   sync.Mutex
	errs []error
}

// newSkewed starts a, and b on a clock offset by off from a's; maxSkew is
// b's Config.MaxClockSkew.
func newSkewed(t *testing.T, off, maxSkew time.Duration) *skewed {
	g := routing.Group{ID: "support", Policy: policy.LeastLoaded(), AcceptTimeout: skewAccept}
	c := newCluster(t, routing.Config{Groups: []routing.Group{g}, Takeover: skewTakeover})
	c.sh.clock = c.clk
	s := &skewed{cluster: c, off: clock.NewMock()}
	s.off.Set(c.clk.Now().Add(off))
	s.a = c.start()
	s.b = c.startWith(func(cfg *routing.Config) {
		cfg.Clock, cfg.MaxClockSkew = s.off, maxSkew
		cfg.OnError = func(err error) {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
		}
	})
	for _, id := range []string{"ann", "bob"} {
		_, err := s.a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support"}, Status: "ready"})
		require.NoError(t, err)
	}
	c.deliver(s.b)
	return s
}

// advance moves every clock on by d, the store's included.
func (s *skewed) advance(d time.Duration) {
	s.clk.Add(d)
	s.off.Add(d)
}

// reported returns what b reported.
func (s *skewed) reported() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// processDue runs both Routers' deadlines, the skewed one first, and
// delivers each one's changes to the other.
func (s *skewed) processDue(t *testing.T) {
	require.NoError(t, s.b.ProcessDue(s.ctx))
	s.deliver(s.a)
	require.NoError(t, s.a.ProcessDue(s.ctx))
	s.deliver(s.b)
}

// missed counts Missed events.
func missed(evs []routing.Event) int {
	n := 0
	for _, e := range evs {
		if e.Kind == routing.Missed {
			n++
		}
	}
	return n
}

func TestClockSkew_AheadRouterWaitsForTheAcceptTimeout(t *testing.T) {
	s := newSkewed(t, skew, 0)
	errs := s.reported()
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], routing.ErrClockSkew, "the skew is reported at start")
	require.Equal(t, -skew, s.b.ClockOffset())
	require.Equal(t, s.clk.Now(), s.b.Clock().Now(), "b runs on the store's clock")

	evA, evB := s.a.Subscribe(routing.Missed), s.b.Subscribe(routing.Missed)
	c1, err := s.a.Enqueue(s.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	first := c1.Assignee
	s.deliver(s.b)

	// Every second up to the timeout and past it, Takeover twice over:
	// the timeout fires once, on a, at its time.
	for range int((skewAccept + 2*skewTakeover) / time.Second) {
		s.advance(time.Second)
		s.processDue(t)
	}
	require.Equal(t, 1, missed(drain(evA)), "a fired its timeout")
	require.Zero(t, missed(drain(evB)), "b did not fire it")
	cv, err := s.st.Conversation(s.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []string{first}, cv.MissedBy)
	require.NotEqual(t, first, cv.Assignee, "given to the other operator, once")
	require.Equal(t, c1.Version+1, cv.Version, "no ping-pong: one change after the assignment")
}

func TestClockSkew_BehindRouterWritesDeadlinesOnTheStoresClock(t *testing.T) {
	s := newSkewed(t, -skew, 0)
	require.Equal(t, skew, s.b.ClockOffset())
	evA := s.a.Subscribe(routing.Missed)
	c1, err := s.b.Enqueue(s.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	d, ok := store.DeadlineOf(c1.Deadlines, store.AcceptTimeout)
	require.True(t, ok)
	require.Equal(t, s.clk.Now().Add(skewAccept), d.Due, "due on the store's clock, not 10 minutes ago")
	s.deliver(s.a)
	s.advance(skewTakeover)
	s.processDue(t)
	require.Zero(t, missed(drain(evA)), "a does not find b's deadline past")
}

func TestClockSkew_CorrectionEndsWhenTheClockIsFixed(t *testing.T) {
	s := newSkewed(t, skew, 0)
	require.Equal(t, -skew, s.b.ClockOffset())
	s.off.Set(s.clk.Now()) // the machine's clock synchronised again
	s.advance(routing.DefaultClockCheck)
	require.NoError(t, s.b.ProcessDue(s.ctx))
	require.Zero(t, s.b.ClockOffset())
	require.Len(t, s.reported(), 1, "nothing more to report")
}

func TestClockSkew_WithinTheBoundTheOwnClockIsKept(t *testing.T) {
	s := newSkewed(t, 300*time.Millisecond, 0)
	require.Zero(t, s.b.ClockOffset())
	require.Empty(t, s.reported())
}

// Without the check, the Router ahead fires the other's timeout at once and
// the two then take the conversation from each other: what the check is for.
func TestClockSkew_UncheckedAheadRouterFiresEarly(t *testing.T) {
	s := newSkewed(t, skew, -1)
	require.Zero(t, s.b.ClockOffset())
	evB := s.b.Subscribe(routing.Missed)
	_, err := s.a.Enqueue(s.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	s.deliver(s.b)
	s.advance(time.Second)
	s.processDue(t)
	require.Equal(t, 1, missed(drain(evB)), "b fired a's 30 s timeout after a second")
}

func TestClockSkew_ClockCheckIsValidated(t *testing.T) {
	_, err := routing.New(t.Context(), routing.Config{ClockCheck: -time.Second})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
}
