package routing_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	"github.com/switchboard-go/switchboard/store/memory"
)

// shared is one memory store that several Routers use, each through a
// member of its own that implements store.Feed: a member's successful
// writes become notices for the other members, which the test delivers
// when it chooses (deliver), so that every interleaving is deterministic.
type shared struct {
	mu      sync.Mutex
	members []*member
	// clock, when set, is the store's own clock (see store.Clock).
	clock clock.Clock
}

// member is one Router's access to the shared store.
type member struct {
	store.Store
	sh *shared

	mu      sync.Mutex
	out     chan store.Notice
	ended   bool
	pending store.Notice
	has     bool
	// silent members' writes are not notified (a change the feed missed).
	silent bool
	// unanswered makes the next conversation change stored answer
	// store.ErrOutcomeUnknown.
	unanswered bool
}

func newShared() (*shared, store.Store) { return &shared{}, memory.New() }

// join returns a new member on st.
func (sh *shared) join(st store.Store) *member {
	m := &member{Store: st, sh: sh}
	sh.mu.Lock()
	sh.members = append(sh.members, m)
	sh.mu.Unlock()
	return m
}

// publish records n as pending for every member but from.
func (sh *shared) publish(from *member, n store.Notice) {
	if from.silent {
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, m := range sh.members {
		if m == from {
			continue
		}
		m.mu.Lock()
		m.pending = store.Notice{
			Operators:     append(m.pending.Operators, n.Operators...),
			Conversations: append(m.pending.Conversations, n.Conversations...),
			Groups:        m.pending.Groups || n.Groups,
			Resync:        m.pending.Resync || n.Resync,
		}
		m.has = true
		m.mu.Unlock()
	}
}

func (m *member) Watch(ctx context.Context) (<-chan store.Notice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.out = make(chan store.Notice, 1)
	context.AfterFunc(ctx, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.ended = true
		close(m.out)
	})
	return m.out, nil
}

// Now reads the shared store's clock, if it has one (see store.Clock).
func (m *member) Now(context.Context) (time.Time, error) {
	if m.sh.clock == nil {
		return time.Time{}, store.ErrUnsupported
	}
	return m.sh.clock.Now(), nil
}

func (m *member) Rows(ctx context.Context, n store.Notice) (store.Rows, error) {
	// Carried rows are returned as they are, as store.Feed says.
	rows := store.Rows{Operators: n.Carried.Operators, Conversations: n.Carried.Conversations}
	carried := map[string]bool{}
	for _, o := range n.Carried.Operators {
		carried[o.ID] = true
	}
	for _, c := range n.Carried.Conversations {
		carried[c.ID] = true
	}
	for _, id := range n.Operators {
		if carried[id] {
			continue
		}
		o, err := m.Operator(ctx, id)
		if err != nil {
			rows.GoneOperators = append(rows.GoneOperators, id)
			continue
		}
		rows.Operators = append(rows.Operators, o)
	}
	for _, id := range n.Conversations {
		if carried[id] {
			continue
		}
		if c, err := m.Conversation(ctx, id); err == nil {
			rows.Conversations = append(rows.Conversations, c)
		}
	}
	return rows, nil
}

// take returns the member's pending notice and clears it.
func (m *member) take() (store.Notice, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.pending, m.has
	m.pending, m.has = store.Notice{}, false
	return n, ok
}

// send hands n to the member's Router.
func (m *member) send(n store.Notice) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ended {
		m.out <- n
	}
}

func (m *member) CreateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	o, err := m.Store.CreateOperator(ctx, op)
	m.opChanged(err, op.ID)
	return o, err
}

func (m *member) UpdateOperator(ctx context.Context, op store.Operator) (store.Operator, error) {
	o, err := m.Store.UpdateOperator(ctx, op)
	m.opChanged(err, op.ID)
	return o, err
}

func (m *member) SetStatus(ctx context.Context, ch store.StatusChange) (store.Operator, error) {
	o, err := m.Store.SetStatus(ctx, ch)
	m.opChanged(err, ch.Operator)
	return o, err
}

func (m *member) SetOperatorDeadlines(ctx context.Context, d store.OperatorDeadlines) (store.Operator, error) {
	o, err := m.Store.SetOperatorDeadlines(ctx, d)
	m.opChanged(err, d.Operator)
	return o, err
}

func (m *member) DeleteOperator(ctx context.Context, id string) error {
	err := m.Store.DeleteOperator(ctx, id)
	m.opChanged(err, id)
	return err
}

func (m *member) CreateConversation(ctx context.Context, c store.Conversation, req store.Require) (store.Result, error) {
	res, err := m.Store.CreateConversation(ctx, c, req)
	m.convChanged(err, res)
	return res, m.answer(err)
}

func (m *member) Apply(ctx context.Context, ch store.Change) (store.Result, error) {
	res, err := m.Store.Apply(ctx, ch)
	m.convChanged(err, res)
	return res, m.answer(err)
}

// answer returns err, or store.ErrOutcomeUnknown for a change stored while
// unanswered is set (the answer to its COMMIT was lost).
func (m *member) answer(err error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil && m.unanswered {
		m.unanswered = false
		return store.ErrOutcomeUnknown
	}
	return err
}

func (m *member) PutGroup(ctx context.Context, g store.GroupRow) (store.GroupRow, error) {
	row, err := m.Store.PutGroup(ctx, g)
	if err == nil {
		m.sh.publish(m, store.Notice{Groups: true})
	}
	return row, err
}

func (m *member) DeleteGroup(ctx context.Context, id string, version int64) error {
	err := m.Store.DeleteGroup(ctx, id, version)
	if err == nil {
		m.sh.publish(m, store.Notice{Groups: true})
	}
	return err
}

func (m *member) opChanged(err error, id string) {
	if err == nil {
		m.sh.publish(m, store.Notice{Operators: []string{id}})
	}
}

func (m *member) convChanged(err error, res store.Result) {
	if err != nil {
		return
	}
	n := store.Notice{Conversations: []string{res.Conversation.ID}}
	for _, l := range res.Loads() {
		n.Operators = append(n.Operators, l.Operator)
	}
	m.sh.publish(m, n)
}

// node is one Router of a shared-store test.
type node struct {
	*routing.Router
	m       *member
	noticed chan error
}

// cluster is a shared-store test: Routers on one store, one mock clock.
type cluster struct {
	t   *testing.T
	ctx context.Context
	clk *clock.Mock
	sh  *shared
	st  store.Store
	cfg routing.Config
}

func newCluster(t *testing.T, cfg routing.Config) *cluster {
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	sh, st := newShared()
	cfg.Clock, cfg.ManualDeadlines = clk, true
	// The tests tell the Routers apart by what each one's subscriptions
	// show: its own events alone, without the journal, which gives every
	// Router every Router's events.
	cfg.NoJournal = true
	return &cluster{t: t, ctx: context.Background(), clk: clk, sh: sh, st: st, cfg: cfg}
}

// start opens a Router on the shared store.
func (c *cluster) start() *node {
	c.t.Helper()
	return c.startWith(func(*routing.Config) {})
}

// startWith opens a Router on the shared store, its configuration changed
// by change.
func (c *cluster) startWith(change func(*routing.Config)) *node {
	c.t.Helper()
	m := c.sh.join(c.st)
	cfg := c.cfg
	cfg.Store = m
	noticed := make(chan error, 1)
	cfg.Logger = slog.New(followedHandler{noticed})
	change(&cfg)
	r, err := routing.New(c.ctx, cfg)
	require.NoError(c.t, err)
	c.t.Cleanup(func() { _ = r.Stop(context.Background()) })
	return &node{Router: r, m: m, noticed: noticed}
}

// followedHandler is a log handler that reports, on its channel, the
// outcome of each notice the Router followed (the record with message
// routing.MsgFollowed, its "err" attribute).
type followedHandler struct{ noticed chan<- error }

func (h followedHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h followedHandler) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message != routing.MsgFollowed {
		return nil
	}
	var err error
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			err, _ = a.Value.Any().(error)
		}
		return true
	})
	h.noticed <- err
	return nil
}

func (h followedHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h followedHandler) WithGroup(string) slog.Handler      { return h }

// deliver hands the node the changes the others made since the last
// delivery and waits until its Router has followed them.
func (c *cluster) deliver(n *node) {
	c.t.Helper()
	note, ok := n.m.take()
	if !ok {
		return
	}
	n.m.send(note)
	select {
	case err := <-n.noticed:
		require.NoError(c.t, err)
	case <-time.After(30 * time.Second):
		c.t.Fatal("the notice was not followed")
	}
}

// holds returns the conversations op holds in n's view.
func (n *node) holds(op string) []string {
	for _, o := range n.Snapshot().Operators {
		if o.ID == op {
			return o.Conversations
		}
	}
	return nil
}

// queued returns the number of conversations queued in group in n's view.
func (n *node) queued(group string) int {
	for _, g := range n.Snapshot().Groups {
		if g.ID == group {
			return g.Queued
		}
	}
	return -1
}

func oneSlot() routing.Group {
	return routing.Group{ID: "support", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 1})}
}

func TestFeed_ViewsFollowOtherRouters(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	c.deliver(b)
	require.NotNil(t, b.Snapshot().Operators, "b learnt of ann")
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	c.deliver(b)
	require.Equal(t, []string{"c1"}, b.holds("ann"))

	// b's view shows ann full: its conversation waits in the queue, and
	// a, told of it, assigns it when ann's slot frees, on a.
	_, err = b.Enqueue(c.ctx, routing.NewConversation{ID: "c2", Group: "support"})
	require.NoError(t, err)
	c.deliver(a)
	require.Equal(t, 1, a.queued("support"))
	_, err = a.CloseConversation(c.ctx, routing.ByOperator("ann"), "c1", "done")
	require.NoError(t, err)
	require.Equal(t, []string{"c2"}, a.holds("ann"))
	c.deliver(b)
	require.Equal(t, []string{"c2"}, b.holds("ann"))
	require.Equal(t, 0, b.queued("support"))
	require.Equal(t, a.Snapshot().Operators, b.Snapshot().Operators)
}

func TestFeed_StaleDecisionIsRefusedAndRetried(t *testing.T) {
	// b has not heard that ann is full: its decision to give her c2 is
	// refused by the store, b re-reads, and c2 waits in the queue.
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	c.deliver(b)
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	c2, err := b.Enqueue(c.ctx, routing.NewConversation{ID: "c2", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, store.Queued, c2.State)
	o, err := c.st.Operator(c.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 1, o.Load)
	ops := b.Snapshot().Operators
	require.Equal(t, 1, ops[0].Load, "b re-read ann after the refusal")
	require.Equal(t, 1, b.queued("support"))
}

func TestFeed_FreedSlotIsTakenOverAfterTakeover(t *testing.T) {
	// a frees ann's slot and dies before routing the queue (here: the
	// change is made past every Router). b routes the queue Takeover
	// after it heard of the change, not before.
	const takeover = 2 * time.Second
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}, Takeover: takeover})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c2", Group: "support"})
	require.NoError(t, err)
	c.deliver(b)
	require.Equal(t, 1, b.queued("support"))

	dying := c.sh.join(c.st)
	_, err = dying.Apply(c.ctx, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Closed, At: c.clk.Now()})
	require.NoError(t, err)
	c.deliver(b)
	c.clk.Add(takeover - time.Millisecond)
	require.NoError(t, b.ProcessDue(c.ctx))
	require.Equal(t, 1, b.queued("support"), "left to the router that freed the slot")
	c.clk.Add(time.Millisecond)
	require.NoError(t, b.ProcessDue(c.ctx))
	require.Equal(t, 0, b.queued("support"))
	cv, err := c.st.Conversation(c.ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, store.Assigned, cv.State)
	require.Equal(t, "ann", cv.Assignee)
}

func TestFeed_DeadlineOfADeadRouterFiresOnceAfterTakeover(t *testing.T) {
	const takeover = 2 * time.Second
	g := oneSlot()
	g.AcceptTimeout = 30 * time.Second
	c := newCluster(t, routing.Config{Groups: []routing.Group{g}, Takeover: takeover})
	a, b, d := c.start(), c.start(), c.start()
	for _, id := range []string{"ann", "bob"} {
		_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{"support"}, Status: "ready"})
		require.NoError(t, err)
	}
	cv, err := a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	require.Equal(t, store.Assigned, cv.State)
	first := cv.Assignee
	c.deliver(b)
	c.deliver(d)
	require.NoError(t, a.Stop(context.Background())) // a dies with the accept timeout armed

	evB, evD := b.Subscribe(routing.Missed), d.Subscribe(routing.Missed)
	c.clk.Add(30 * time.Second)
	require.NoError(t, b.ProcessDue(c.ctx))
	require.NoError(t, d.ProcessDue(c.ctx))
	cv.Conversation, err = c.st.Conversation(c.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, first, cv.Assignee, "due, but a's to handle until Takeover has passed")

	c.clk.Add(takeover)
	require.NoError(t, b.ProcessDue(c.ctx))
	c.deliver(d)
	require.NoError(t, d.ProcessDue(c.ctx))
	cv.Conversation, err = c.st.Conversation(c.ctx, "c1")
	require.NoError(t, err)
	require.NotEqual(t, first, cv.Assignee, "taken back from %s and given to the other operator", first)
	require.Equal(t, []string{first}, cv.MissedBy)
	require.Len(t, drain(evB), 1, "b fired the timeout")
	require.Empty(t, drain(evD), "d did not fire it again")
}

func TestFeed_ResyncReadsEverything(t *testing.T) {
	c := newCluster(t, routing.Config{Groups: []routing.Group{oneSlot()}})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	_, err = a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "bob", Groups: []string{"support"}, Status: "ready"})
	require.NoError(t, err)
	_, err = a.Enqueue(c.ctx, routing.NewConversation{ID: "c1", Group: "support"})
	require.NoError(t, err)
	c.deliver(b)
	require.Len(t, b.Snapshot().Operators, 2)

	// Changes the feed missed: c1 closed, bob removed, c2 created.
	lost := c.sh.join(c.st)
	lost.silent = true
	_, err = lost.Apply(c.ctx, store.Change{Conversation: "c1", From: []store.State{store.Assigned}, To: store.Closed, At: c.clk.Now()})
	require.NoError(t, err)
	require.NoError(t, lost.DeleteOperator(c.ctx, "bob"))
	_, err = lost.CreateConversation(c.ctx, store.Conversation{ID: "c2", Group: "support", State: store.Queued, CreatedAt: c.clk.Now()}, store.Require{})
	require.NoError(t, err)
	_, _ = b.m.take()
	b.m.send(store.Notice{Resync: true})
	require.NoError(t, <-b.noticed)
	ops := b.Snapshot().Operators
	require.Len(t, ops, 1)
	require.Equal(t, "ann", ops[0].ID)
	require.Equal(t, []string{"c2"}, ops[0].Conversations, "c1 gone, c2 routed to ann at once (Takeover is zero)")
}

func TestFeed_InactivityFollowsTheRouterThatSawActivity(t *testing.T) {
	// ann's switch to "away" was armed by a; her activity is reported to
	// b, which takes the switch over: a does not switch her at the first
	// due time, b does, once she has been idle for 15 minutes on b.
	const takeover = 2 * time.Second
	c := newCluster(t, routing.Config{Groups: []routing.Group{{ID: "support"}}, Presence: helpDeskEddyStatuses(), Takeover: takeover})
	a, b := c.start(), c.start()
	_, err := a.AddOperator(c.ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "online"})
	require.NoError(t, err)
	c.deliver(b)
	c.clk.Add(10 * time.Minute) // 09:10
	require.NoError(t, b.OperatorActive(c.ctx, routing.ByOperator("ann"), "ann"))
	c.deliver(a)
	c.clk.Add(5*time.Minute + takeover) // past a's due time and takeover
	require.NoError(t, a.ProcessDue(c.ctx))
	require.NoError(t, b.ProcessDue(c.ctx))
	op, err := c.st.Operator(c.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, "online", op.Status)
	d, _ := store.DeadlineOf(op.Deadlines, store.Inactivity)
	require.Equal(t, time.Date(2026, 11, 23, 9, 25, 0, 0, time.UTC), d.Due.UTC())

	c.clk.Add(10 * time.Minute) // 09:25:02
	require.NoError(t, b.ProcessDue(c.ctx))
	op, err = c.st.Operator(c.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, "away", op.Status)
}

func TestFeed_TakeoverIsValidated(t *testing.T) {
	_, err := routing.New(context.Background(), routing.Config{Takeover: -time.Second})
	require.ErrorIs(t, err, routing.ErrInvalidConfig)
}

// drain returns the events waiting in sub.
func drain(sub *routing.Subscription) []routing.Event {
	var out []routing.Event
	for {
		select {
		case e := <-sub.Events():
			out = append(out, e)
		default:
			return slices.Clip(out)
		}
	}
}
