package routing

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/queue"
	"github.com/switchboard-go/switchboard/store"
)

const (
	autoCap  = presence.AutoAssign
	offerCap = presence.QueueTake
)

// Router routes conversations to operators. Create it with New; it is safe
// for concurrent use. Every command returns only after its change is stored,
// and emits its events after that.
type Router struct {
	store store.Store
	// clock is Config.Clock, corrected to the store's (see clock.go).
	clock *skewClock
	model *presence.Model
	cfg   Config
	hub   hub

	// Status names with each capability, for the store's atomic checks.
	autoStatuses, offerStatuses, transferStatuses, adminStatuses, onShiftStatuses []string
	// statuses caches what the model says of each status.
	statuses map[string]statusInfo

	// convLocks serialise commands on the same conversation inside this
	// router, so that its view of a conversation follows the store's
	// order. A goroutine holds at most one of them, and takes mu only
	// inside one. Each is a channel of one slot, so that a command gives
	// up waiting for it when its context ends (see lockConv).
	convLocks [64]chan struct{}
	seed      maphash.Seed

	// mu guards everything below: the in-memory view of the store.
	mu      sync.Mutex
	closed  bool
	groups  map[string]*groupState
	ops     map[string]*opState
	convs   map[string]*convState
	markGen uint64
	// gen counts the changes of the view's rows; each row's state records
	// the count at its last change (see resync.go).
	gen uint64
	// tombs keeps the closing versions of recently closed conversations
	// (see tombstone.go).
	tombs tombstones
	// byOrd holds every operator at its ordinal (see candItem); freeOrds
	// the ordinals of removed operators, for reuse. less is candLess,
	// bound once.
	byOrd    []*opState
	freeOrds []uint32
	less     func(a, b candItem) bool
	// offerEpoch counts the times an operator lost eligibility for offers
	// somewhere (see staleOfferees).
	offerEpoch uint64
	// due indexes the open conversations' deadlines.
	due dueIndex
	// stopLoop and loopDone stop and wait for the deadline loop.
	stopLoop, loopDone chan struct{}
	// spare holds the states of closed conversations for reuse, so that
	// a steady flow of conversations does not allocate one each.
	spare []*convState

	// The change feed, when the store is shared (see follow.go): feed is
	// nil without one. takeover is Config.Takeover with a feed, 0
	// without. checks holds, by group, when to route a queue that a
	// change of another router made routable. stopFeed ends the watch;
	// feedDone is closed when follow has returned. noticed, when set (by
	// tests), receives the outcome of each notice followed.
	feed     store.Feed
	takeover time.Duration
	checks   map[string]int64
	stopFeed context.CancelFunc
	feedDone chan struct{}
	noticed  chan error
	// stale records a write of unknown outcome since the last resync;
	// resyncWanted wakes follow for it (see outcome.go).
	stale        atomic.Bool
	resyncWanted chan struct{}
	// lastClockCheck is when the offset to the store's clock was last
	// measured, on Config.Clock (zero: never measured; see clock.go).
	lastClockCheck time.Time
}

// groupState is the router's view of one group.
type groupState struct {
	cfg     Group
	limiter policy.Limiter
	// auto holds the members whose status allows automatic assignment,
	// offer those whose status allows queue offers and manual take.
	auto, offer candTree
	// accepting counts members in either tree; online is the availability
	// last reported.
	accepting int
	online    bool
	queue     *queue.Queue
	members   map[string]*opState
	// autoView and offerView are what policies see of the trees.
	autoView, offerView treeView
	// offered holds the ids of the group's conversations in the Offered
	// state; queued counts those in the Queued state.
	offered map[string]struct{}
	queued  int
	// offersDirty records that a member may have become eligible for
	// offers since the offered conversations were last decided.
	offersDirty bool
	// closed is set outside the group's business hours; hoursNext is when
	// that next changes (zero: never).
	closed    bool
	hoursNext time.Time
}

// canServe reports whether some member of the group could be given or
// offered a conversation now. Caller holds r.mu.
func (g *groupState) canServe() bool { return !g.closed && (g.auto.avail > 0 || g.offer.avail > 0) }

// isOnline reports the group's availability (SPEC P10): within business
// hours with at least one member who accepts new conversations. Caller
// holds r.mu.
func (g *groupState) isOnline() bool { return !g.closed && g.accepting > 0 }

// setHours works out, at now, whether the group is outside its business
// hours and when that next changes. Caller holds r.mu or owns g.
func (g *groupState) setHours(now time.Time) {
	h := g.cfg.Hours
	if h.Always() {
		g.closed, g.hoursNext = false, time.Time{}
		return
	}
	g.closed = !h.Open(now)
	g.hoursNext, _ = h.Next(now)
}

// allBusy reports whether the group has operators on shift who could
// receive conversations but every one of them is at cap (SPEC R5). Caller
// holds r.mu.
func (g *groupState) allBusy() bool {
	return !g.closed && g.accepting > 0 && g.auto.avail == 0 && g.offer.avail == 0
}

// convState is the router's view of one open conversation.
type convState struct {
	row store.Conversation
	// shift delays the row's deadlines in the due index (see shiftOf).
	shift int64
	// changed is Router.gen at the row's last change.
	changed uint64
}

func (r *Router) newGroupState(cfg Group) *groupState {
	g := &groupState{
		cfg:     cfg,
		limiter: policy.LimiterOf(cfg.Policy),
		queue:   queue.New(),
		members: map[string]*opState{},
		offered: map[string]struct{}{},
	}
	g.autoView = treeView{r: r, g: g, tree: &g.auto, auto: true}
	g.offerView = treeView{r: r, g: g, tree: &g.offer}
	return g
}

// New returns a Router configured by cfg. If the store already holds
// operators and conversations, the Router rebuilds its view from them and
// routes the conversations that were waiting. It fails with an error
// matching ErrInvalidConfig if cfg does not validate, or if the store holds
// rows of a group cfg does not configure.
func New(ctx context.Context, cfg Config) (*Router, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m := cfg.Presence
	r := &Router{
		store:            cfg.Store,
		resyncWanted:     make(chan struct{}, 1),
		clock:            &skewClock{Clock: cfg.Clock},
		model:            m,
		cfg:              cfg,
		autoStatuses:     m.With(autoCap),
		offerStatuses:    m.With(offerCap),
		transferStatuses: m.With(presence.Transfers),
		adminStatuses:    m.With(presence.AdminAssign),
		seed:             maphash.MakeSeed(),
		groups:           map[string]*groupState{},
		ops:              map[string]*opState{},
		convs:            map[string]*convState{},
		due:              newDueIndex(),
	}
	for i := range r.convLocks {
		r.convLocks[i] = make(chan struct{}, 1)
	}
	r.statuses = map[string]statusInfo{}
	for _, s := range m.Statuses() {
		if s.OnShift() {
			r.onShiftStatuses = append(r.onShiftStatuses, s.Name)
		}
		r.statuses[s.Name] = statusInfo{
			auto: s.Capabilities.Has(autoCap), offer: s.Capabilities.Has(offerCap),
			onShift: s.OnShift(), onLastClose: s.OnLastClose,
		}
	}
	r.store = outcomeStore{Store: cfg.Store, r: r}
	r.less = r.candLess
	r.checkClock(ctx)
	now := r.clock.Now()
	for _, g := range cfg.Groups {
		r.groups[g.ID] = r.newGroupState(g)
		r.groups[g.ID].setHours(now)
	}
	// The feed starts before the rows are read, so that no change made
	// in between is missed.
	notices, err := r.watch(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.load(ctx); err != nil {
		r.unwatch()
		return nil, err
	}
	if notices != nil {
		r.feedDone = make(chan struct{})
		go r.follow(notices, r.feedDone)
	}
	if err := r.pumpAll(ctx); err != nil {
		r.unwatch()
		return nil, err
	}
	if !cfg.ManualDeadlines {
		r.stopLoop, r.loopDone = make(chan struct{}), make(chan struct{})
		go r.loop(r.stopLoop, r.loopDone)
	}
	return r, nil
}

// load rebuilds the view from the store.
func (r *Router) load(ctx context.Context) error {
	ops, err := r.store.Operators(ctx)
	if err != nil {
		return fmt.Errorf("routing: loading operators: %w", err)
	}
	convs, err := r.store.Conversations(ctx, store.Filter{States: openStates})
	if err != nil {
		return fmt.Errorf("routing: loading conversations: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range ops {
		for _, g := range o.Groups {
			if r.groups[g] == nil {
				return fmt.Errorf("%w: the store holds operator %q of group %q, which is not configured", ErrInvalidConfig, o.ID, g)
			}
		}
		if _, ok := r.model.Status(o.Status); !ok {
			return fmt.Errorf("%w: the store holds operator %q in status %q, which the presence model does not define", ErrInvalidConfig, o.ID, o.Status)
		}
		// Activity before a restart is not known: everyone counts as
		// active now (see OperatorActive).
		r.absorbOperator(o, true).lastActive = r.clock.Now()
	}
	for _, c := range convs {
		if r.groups[c.Group] == nil {
			return fmt.Errorf("%w: the store holds conversation %q of group %q, which is not configured", ErrInvalidConfig, c.ID, c.Group)
		}
		r.absorbConversation(c, true)
	}
	for _, g := range r.groups {
		g.online = g.isOnline()
	}
	return nil
}

// Stop stops the router: later commands fail with ErrClosed and every
// subscription's channel is closed. It does not close the store, which
// belongs to the caller. Stop is safe to call more than once.
func (r *Router) Stop() error {
	r.mu.Lock()
	first := !r.closed
	r.closed = true
	r.mu.Unlock()
	if first && r.stopLoop != nil {
		close(r.stopLoop)
		<-r.loopDone
	}
	if first {
		r.unwatch()
	}
	r.hub.close()
	return nil
}

// Subscribe returns a subscription to the events of the given kinds (every
// kind when none is given). Events emitted before the call are not
// delivered.
func (r *Router) Subscribe(kinds ...EventKind) *Subscription {
	return r.hub.add(r.cfg.EventBuffer, kinds)
}

// Clock returns the clock the router runs on: Config.Clock, corrected to
// the store's clock while the two are further apart than
// Config.MaxClockSkew (see ClockOffset).
func (r *Router) Clock() clock.Clock { return r.clock }

// Presence returns the router's presence model.
func (r *Router) Presence() *presence.Model { return r.model }

// AddGroup adds a group at run time. It fails with ErrAlreadyExists if the
// id is taken and ErrInvalidConfig if g does not validate.
func (r *Router) AddGroup(ctx context.Context, g Group) error {
	g = g.withDefaults()
	if err := g.validate(); err != nil {
		return err
	}
	r.mu.Lock()
	if err := r.usable(); err != nil {
		r.mu.Unlock()
		return err
	}
	if r.groups[g.ID] != nil {
		r.mu.Unlock()
		return fmt.Errorf("%w: group %q", ErrAlreadyExists, g.ID)
	}
	r.groups[g.ID] = r.newGroupState(g)
	r.groups[g.ID].setHours(r.clock.Now())
	r.due.poke()
	r.mu.Unlock()
	return nil
}

// SetPolicy replaces a group's policy at run time (SPEC R8). Assigned
// conversations stay with their operators. The queue, offered conversations
// included, is routed again with the new policy at once; offers the new
// policy would not make are withdrawn. Since the policy may change the cap
// of the group's operators (see OperatorSnapshot.Cap), the queues of the
// other groups they serve are routed again too.
func (r *Router) SetPolicy(ctx context.Context, group string, p policy.Policy) error {
	if p == nil {
		return fmt.Errorf("%w: group %q: nil policy", ErrInvalid, group)
	}
	r.mu.Lock()
	g, err := r.group(group)
	groups := []string{group}
	if err == nil {
		g.cfg.Policy = p
		g.limiter = policy.LimiterOf(p)
		r.reindexGroup(g)
		g.offersDirty = true
		for _, op := range g.members {
			groups = append(groups, op.row.Groups...)
		}
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return followUp(r.pumpGroups(ctx, groups))
}

// Groups returns the ids of the router's groups, sorted.
func (r *Router) Groups() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.groups))
	for id := range r.groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// report hands err, a failure of background work, to Config.OnError.
func (r *Router) report(err error) {
	if r.cfg.OnError != nil {
		r.cfg.OnError(err)
	}
}

// usable returns ErrClosed once the router is closed. Caller holds r.mu.
func (r *Router) usable() error {
	if r.closed {
		return fmt.Errorf("%w: router", ErrClosed)
	}
	return nil
}

// group returns the group with the given id. Caller holds r.mu.
func (r *Router) group(id string) (*groupState, error) {
	if err := r.usable(); err != nil {
		return nil, err
	}
	g := r.groups[id]
	if g == nil {
		return nil, fmt.Errorf("%w: group %q", ErrNotFound, id)
	}
	return g, nil
}

// convLock returns the lock that serialises commands on conversation id.
func (r *Router) convLock(id string) chan struct{} {
	return r.convLocks[maphash.String(r.seed, id)%uint64(len(r.convLocks))]
}

// lockConv takes the lock of conversation id, or fails with the context's
// error if ctx ends first: another command may hold it through a store
// that does not answer. The caller must call the returned func to unlock.
func (r *Router) lockConv(ctx context.Context, id string) (unlock func(), err error) {
	l := r.convLock(id)
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	default:
	}
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
