package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// What the fault tests (a database crash, a network partition, clock
// skew, ...) share: a few Routers in this process, each on a Store of its
// own, on one PostgreSQL database; a load of random commands on them
// (pickClusterCommand's, TestCluster's mix); and the checks to run once a
// fault is over and the load has stopped:
//
//   - checkAcknowledged: every acknowledged command's effect is in the
//     database;
//   - waitNoStranded: no conversation stays queued in a group where an
//     operator has room for longer than faultBound;
//   - waitViewsMatch: every Router's view (Router.Snapshot) comes to
//     equal a fresh read of the database: nothing in it that the
//     database does not hold (a phantom), nothing missing.
//
// checkAfterFault runs them all, after waitFeeds has seen every Router's
// feed listen again.

const (
	// faultTakeover is the Routers' Config.Takeover.
	faultTakeover = 300 * time.Millisecond
	// faultBound is how long a conversation may stay queued while an
	// operator of its group has room, once the fault is over and the
	// feeds listen again: Takeover, plus time for the resync's reads, the
	// write and the checker's look.
	faultBound = faultTakeover + 2*time.Second
	// faultSettle bounds each wait for the cluster to settle after a fault:
	// the feeds to listen, the views to match the database. A guard
	// against a hang, not a timing assumption.
	faultSettle = 15 * time.Second
	// faultPoll is how often the checks read the database while they wait.
	faultPoll = 50 * time.Millisecond
)

// faultConfig is the fault tests' Router configuration: TestCluster's
// groups (clusterGroups of them, capped at clusterCap, least loaded first)
// without an accept timeout, so that a cluster left alone goes quiet and
// its views can be compared with the database.
func faultConfig(s store.Store) routing.Config {
	cfg := routing.Config{Store: s, Takeover: faultTakeover}
	for g := range clusterGroups {
		cfg.Groups = append(cfg.Groups, routing.Group{
			ID:     clusterGroupID(g),
			Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: clusterCap}),
		})
	}
	return cfg
}

// faultCluster is the Routers of a fault test and the Store the checks
// read through.
type faultCluster struct {
	// Checker is a Store of its own, that no Router uses.
	Checker *sqlstore.Store
	// Stores[i] is Routers[i]'s.
	Stores  []*sqlstore.Store
	Routers []*routing.Router
	// History records every write of the set-up and of the Routers.
	History faultHistory
}

// startFaultCluster migrates the database of checkerDSN, creates
// clusterGroups times clusterPerGroup operators (TestCluster's, ready),
// and starts a Router on each of routerDSNs (on the same database, maybe
// through a faultProxy), each with a Store of its own. Everything is
// stopped and closed when t ends.
func startFaultCluster(t testing.TB, checkerDSN string, routerDSNs []string, opts ...sqlstore.Option) *faultCluster {
	t.Helper()
	ctx := context.Background()
	open := func(dsn string) *sqlstore.Store {
		s, err := sqlstore.OpenPostgres(ctx, dsn, opts...)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	fc := &faultCluster{Checker: open(checkerDSN)}
	require.NoError(t, fc.Checker.Migrate(ctx))
	at := time.Now()
	setup := fc.History.record(fc.Checker)
	for g := range clusterGroups {
		for i := range clusterPerGroup {
			_, err := setup.CreateOperator(ctx, store.Operator{ID: clusterOperator(g, i), Groups: []string{clusterGroupID(g)},
				Status: presence.StatusReady, StatusSince: at})
			require.NoError(t, err)
		}
	}
	for _, dsn := range routerDSNs {
		s := open(dsn)
		r, err := routing.New(ctx, faultConfig(fc.History.record(s)))
		require.NoError(t, err)
		t.Cleanup(func() { _ = r.Stop(context.Background()) })
		fc.Stores, fc.Routers = append(fc.Stores, s), append(fc.Routers, r)
	}
	return fc
}

// faultLoad is a load of random commands on a faultCluster's Routers,
// from clients goroutines per Router, until stopped.
type faultLoad struct {
	// stopping tells the clients to issue no more commands; cancel
	// cancels those in flight.
	stopping atomic.Bool
	cancel   context.CancelFunc
	done     sync.WaitGroup
	// acks receives a signal for each acknowledged command (dropped when
	// nobody waits).
	acks chan struct{}

	mu    sync.Mutex
	acked []clusterCmd
	// failed counts the commands that failed; lastFailure is the last
	// one's error.
	failed      int
	lastFailure string
}

// faultLoads numbers the loads, so that their commands' ids differ.
var faultLoads atomic.Int64

// startFaultLoad starts clients goroutines per Router of fc, each issuing
// pickClusterCommand's commands one after another, and recording which
// were acknowledged (no error) and which failed.
func startFaultLoad(t testing.TB, fc *faultCluster, clients int) *faultLoad {
	t.Helper()
	gen := faultLoads.Add(1)
	ctx, cancel := context.WithCancel(context.Background())
	l := &faultLoad{cancel: cancel, acks: make(chan struct{}, 1024)}
	for ri, r := range fc.Routers {
		for c := range clients {
			l.done.Add(1)
			go func() {
				defer l.done.Done()
				rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
				for i := 0; !l.stopping.Load(); i++ {
					cmd := clusterCmd{ID: fmt.Sprintf("l%d-r%d-c%d-%d", gen, ri, c, i)}
					err := pickClusterCommand(ctx, r, fc.Stores[ri], rng, &cmd)()
					l.mu.Lock()
					if err != nil {
						l.failed, l.lastFailure = l.failed+1, err.Error()
					} else {
						cmd.Phase = "ack"
						l.acked = append(l.acked, cmd)
					}
					l.mu.Unlock()
					if err == nil {
						select {
						case l.acks <- struct{}{}:
						default:
						}
					}
				}
			}()
		}
	}
	return l
}

// waitAcks waits for n more acknowledged commands, failing t if they do
// not come within faultSettle.
func (l *faultLoad) waitAcks(t testing.TB, n int) {
	t.Helper()
	timeout := time.After(faultSettle)
	for i := range n {
		select {
		case <-l.acks:
		case <-timeout:
			l.mu.Lock()
			last := l.lastFailure
			l.mu.Unlock()
			t.Fatalf("the load acknowledged %d commands, not %d, within %v (last failure: %q)", i, n, faultSettle, last)
		}
	}
}

// stop ends the load: no client starts another command, and those in
// flight run to their end (a command cancelled by its caller may change
// the database without the Router hearing of it, which is not the fault
// under test). Those still running after faultSettle are cancelled. It
// returns the acknowledged commands, and how many failed.
func (l *faultLoad) stop(t testing.TB) (acked []clusterCmd, failed int) {
	t.Helper()
	l.stopping.Store(true)
	stopped := make(chan struct{})
	go func() {
		l.done.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(faultSettle):
		t.Logf("the load's commands in flight did not end within %v: cancelling them", faultSettle)
		l.cancel()
		select {
		case <-stopped:
		case <-time.After(faultSettle):
			t.Fatalf("the load's commands did not end within %v of their cancellation", faultSettle)
		}
	}
	l.cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.acked), l.failed
}

// checkAfterFault runs the checks on fc once a fault is over and its load
// has stopped; acked lists every command acknowledged so far.
func checkAfterFault(t testing.TB, fc *faultCluster, acked []clusterCmd) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, waitFeeds(ctx, sqlstore.DB(fc.Checker), len(fc.Routers), faultSettle), "the Routers' feeds listen again")
	err := errors.Join(
		checkAcknowledged(ctx, fc.Checker, acked),
		waitNoStranded(ctx, fc.Checker, clusterCap, faultBound, faultSettle),
		waitViewsMatch(ctx, fc.Checker, fc.Routers, faultSettle),
	)
	require.NoError(t, err)
}

// waitFeeds waits until at least n connections listen for notifications
// on db's database (each Router's feed holds one), polling every
// faultPoll. It counts every listener of the database: use it on a
// database the test owns (a pgCluster's).
func waitFeeds(ctx context.Context, db *sql.DB, n int, within time.Duration) error {
	var got int
	var err error
	for p := newPoller(within); p.next(); {
		err = db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`).Scan(&got)
		if err == nil && got >= n {
			return nil
		}
	}
	return fmt.Errorf("%d of %d feeds listen after %v (last error: %v)", got, n, within, err)
}

// poller paces a poll of the database (an outside process, which no
// signal tells of its changes) until a deadline.
type poller struct {
	tick     *time.Ticker
	deadline time.Time
}

func newPoller(within time.Duration) *poller {
	return &poller{tick: time.NewTicker(faultPoll), deadline: time.Now().Add(within)}
}

// next waits for the next look and reports whether it is before the
// deadline; the poller stops after it returns false.
func (p *poller) next() bool {
	if time.Now().After(p.deadline) {
		p.tick.Stop()
		return false
	}
	<-p.tick.C
	return true
}

// retryRead runs read until it succeeds, for up to within: after a fault
// the checker's pool may hand out a connection that died with it.
func retryRead(within time.Duration, read func() error) error {
	err := read()
	for p := newPoller(within); err != nil && p.next(); {
		err = read()
	}
	return err
}

// checkAcknowledged checks that every acknowledged command's effect is
// in the database (as checkClusterCommands does with TestCluster's logs):
// enqueued conversations exist, closed ones are closed, takes, accepts
// and transfers gave the conversation to the operator at some point,
// releases took it from them, and status changes, log-ins and ends of
// shift opened a stretch of the status they set.
func checkAcknowledged(ctx context.Context, st *sqlstore.Store, acked []clusterCmd) error {
	var hist []sqlstore.LoadChange
	var convs []store.Conversation
	statuses := map[string][]store.StatusInterval{}
	err := retryRead(faultSettle, func() error {
		var err error
		if hist, err = st.LoadHistory(ctx, ""); err != nil {
			return err
		}
		if convs, err = st.Conversations(ctx, store.Filter{}); err != nil {
			return err
		}
		for _, c := range acked {
			if c.Op == "" || statuses[c.Op] != nil {
				continue
			}
			if statuses[c.Op], err = st.StatusHistory(ctx, c.Op, time.Time{}, time.Now().Add(time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the database: %w", err)
	}
	type held struct{ op, conv string }
	gained, lost := map[held]bool{}, map[held]bool{}
	for _, h := range hist {
		if h.Delta > 0 {
			gained[held{h.Operator, h.Conversation}] = true
		} else {
			lost[held{h.Operator, h.Conversation}] = true
		}
	}
	byID := make(map[string]store.Conversation, len(convs))
	for _, c := range convs {
		byID[c.ID] = c
	}
	var missing []string
	miss := func(c clusterCmd, format string, args ...any) {
		missing = append(missing, fmt.Sprintf("acknowledged %s %s (conversation %q, operator %q, to %q): %s",
			c.Kind, c.ID, c.Conv, c.Op, c.To, fmt.Sprintf(format, args...)))
	}
	for _, c := range acked {
		switch c.Kind {
		case "enqueue":
			if _, ok := byID[c.Conv]; !ok {
				miss(c, "the conversation is not in the database")
			}
		case "close":
			if got := byID[c.Conv].State; got != store.Closed {
				miss(c, "the conversation is %v", got)
			}
		case "take":
			if !gained[held{c.Op, c.Conv}] {
				miss(c, "the operator never held it")
			}
		case "transfer":
			if c.To != c.Op && (!gained[held{c.To, c.Conv}] || !lost[held{c.Op, c.Conv}]) {
				miss(c, "no load history of the move")
			}
		case "release":
			if !lost[held{c.Op, c.Conv}] {
				miss(c, "the operator never let it go")
			}
		case "status", "endshift", "login":
			want := c.To
			switch c.Kind {
			case "endshift":
				want = presence.StatusOffline
			case "login":
				want = presence.StatusReady
			}
			if !slices.ContainsFunc(statuses[c.Op], func(i store.StatusInterval) bool { return i.Status == want }) {
				miss(c, "the operator was never %s", want)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%d of %d acknowledged commands are not in the database:\n%s", len(missing), len(acked), strings.Join(firstLines(missing), "\n"))
	}
	return nil
}

// firstLines returns the first 20 of lines, with a line saying how many
// were left out.
func firstLines(lines []string) []string {
	const most = 20
	if len(lines) <= most {
		return lines
	}
	return append(slices.Clip(lines[:most]), fmt.Sprintf("... and %d more", len(lines)-most))
}

// waitNoStranded polls the database every faultPoll until no conversation
// is queued in a group where an operator whose status allows automatic
// assignment is below limit. It fails when one stays so for longer than
// bound from the first look that saw it, or when after within there are
// still some.
func waitNoStranded(ctx context.Context, st *sqlstore.Store, limit int, bound, within time.Duration) error {
	model := presence.Standard()
	since := map[string]time.Time{}
	var lastErr error
	var stranded map[string]string
	for p := newPoller(within); p.next(); {
		now := time.Now()
		var err error
		stranded, err = strandedNow(ctx, st, model, limit)
		switch {
		case err != nil:
			lastErr = err
		case len(stranded) == 0:
			return nil
		}
		for id, why := range stranded {
			first, ok := since[id]
			if !ok {
				since[id] = now
				continue
			}
			if now.Sub(first) > bound {
				return fmt.Errorf("stranded for over %v (Takeover %v + %v): %s (%d stranded in all)", bound, faultTakeover, bound-faultTakeover, why, len(stranded))
			}
		}
	}
	return fmt.Errorf("conversations still stranded after %v: %v (last error: %v)", within, stranded, lastErr)
}

// strandedNow returns, by id, the conversations queued in a group where
// an operator has room.
func strandedNow(ctx context.Context, st *sqlstore.Store, model *presence.Model, limit int) (map[string]string, error) {
	ops, err := st.Operators(ctx)
	if err != nil {
		return nil, err
	}
	queued, err := st.Conversations(ctx, store.Filter{States: []store.State{store.Queued}})
	if err != nil {
		return nil, err
	}
	room := map[string]string{}
	for _, o := range ops {
		s, _ := model.Status(o.Status)
		if s.Capabilities.Has(presence.AutoAssign) && o.Load < limit {
			for _, g := range o.Groups {
				room[g] = fmt.Sprintf("%s (%s, load %d)", o.ID, o.Status, o.Load)
			}
		}
	}
	out := map[string]string{}
	for _, c := range queued {
		if who, ok := room[c.Group]; ok {
			out[c.ID] = fmt.Sprintf("%s queued in %s while %s has room", c.ID, c.Group, who)
		}
	}
	return out, nil
}

// faultOpView is what a view, or the database, says of an operator.
type faultOpView struct {
	Status      string
	StatusSince time.Time
	Load        int
	Cap         int
	Groups      []string
	// Held lists the conversations they hold (assigned or waiting).
	Held []string
}

func (o faultOpView) equal(p faultOpView) bool {
	return o.Status == p.Status && o.StatusSince.Equal(p.StatusSince) && o.Load == p.Load && o.Cap == p.Cap &&
		slices.Equal(o.Groups, p.Groups) && slices.Equal(o.Held, p.Held)
}

func (o faultOpView) String() string {
	return fmt.Sprintf("{%s since %s, load %d, own cap %d, groups %v, holds %v}",
		o.Status, o.StatusSince.UTC().Format(time.StampMicro), o.Load, o.Cap, o.Groups, o.Held)
}

// faultView is a Router's view, or the database, reduced to what both
// can say: the operators by id, and the length of each group's queue
// (queued and offered conversations).
type faultView struct {
	ops    map[string]faultOpView
	queued map[string]int
}

// viewOfRouter reduces a Router's snapshot to a faultView.
func viewOfRouter(s routing.Snapshot) faultView {
	v := faultView{ops: map[string]faultOpView{}, queued: map[string]int{}}
	for _, o := range s.Operators {
		v.ops[o.ID] = faultOpView{Status: o.Status, StatusSince: o.StatusSince, Load: o.Load, Cap: o.OwnCap,
			Groups: nilIfEmpty(o.Groups), Held: nilIfEmpty(o.Conversations)}
	}
	for _, g := range s.Groups {
		v.queued[g.ID] = g.Queued
	}
	return v
}

// viewOfDatabase reads the database into a faultView of the given groups
// (and of any other group a conversation is queued in).
func viewOfDatabase(ctx context.Context, st *sqlstore.Store, groups []string) (faultView, error) {
	ops, err := st.Operators(ctx)
	if err != nil {
		return faultView{}, err
	}
	open, err := st.Conversations(ctx, store.Filter{States: []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}})
	if err != nil {
		return faultView{}, err
	}
	v := faultView{ops: map[string]faultOpView{}, queued: map[string]int{}}
	for _, g := range groups {
		v.queued[g] = 0
	}
	held := map[string][]string{}
	for _, c := range open {
		switch {
		case c.State.InQueue():
			v.queued[c.Group]++
		case c.State.Held():
			held[c.Assignee] = append(held[c.Assignee], c.ID)
		}
	}
	for _, o := range ops {
		h := held[o.ID]
		slices.Sort(h)
		v.ops[o.ID] = faultOpView{Status: o.Status, StatusSince: o.StatusSince, Load: o.Load, Cap: o.Cap,
			Groups: nilIfEmpty(o.Groups), Held: nilIfEmpty(h)}
	}
	for op, h := range held {
		if _, ok := v.ops[op]; !ok {
			v.ops[op+" (not an operator)"] = faultOpView{Held: h}
		}
	}
	return v, nil
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// diff lists how view (of who) differs from db; none when they agree.
func (view faultView) diff(who string, db faultView) []string {
	out, _ := view.diffHeld(who, db)
	return out
}

// diffHeld is diff, and the conversations held in one and not the other.
func (view faultView) diffHeld(who string, db faultView) (out, held []string) {
	for _, id := range slices.Sorted(keys(view.ops, db.ops)) {
		v, inView := view.ops[id]
		d, inDB := db.ops[id]
		switch {
		case !inDB:
			out = append(out, fmt.Sprintf("%s: operator %s is in the view only (a phantom): %v", who, id, v))
		case !inView:
			out = append(out, fmt.Sprintf("%s: operator %s is missing from the view; the database has %v", who, id, d))
		case !v.equal(d):
			out = append(out, fmt.Sprintf("%s: operator %s: view %v, database %v", who, id, v, d))
		}
		for _, c := range v.Held {
			if !slices.Contains(d.Held, c) {
				held = append(held, c)
			}
		}
		for _, c := range d.Held {
			if !slices.Contains(v.Held, c) {
				held = append(held, c)
			}
		}
	}
	for _, g := range slices.Sorted(keys(view.queued, db.queued)) {
		if view.queued[g] != db.queued[g] {
			out = append(out, fmt.Sprintf("%s: group %s: %d in the view's queue, %d queued in the database", who, g, view.queued[g], db.queued[g]))
		}
	}
	return out, held
}

// describeConversations says what the database holds of each of ids.
func describeConversations(ctx context.Context, st *sqlstore.Store, ids []string) []string {
	slices.Sort(ids)
	var out []string
	for _, id := range slices.Compact(ids) {
		c, err := st.Conversation(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out = append(out, fmt.Sprintf("conversation %s: not in the database", id))
		case err != nil:
			out = append(out, fmt.Sprintf("conversation %s: %v", id, err))
		default:
			out = append(out, fmt.Sprintf("conversation %s: in the database %v in %s, assignee %q, version %d", id, c.State, c.Group, c.Assignee, c.Version))
		}
	}
	return out
}

// keys iterates over the keys of a and b, once each.
func keys[V any](a, b map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
		for k := range b {
			if _, ok := a[k]; ok {
				continue
			}
			if !yield(k) {
				return
			}
		}
	}
}

// waitViewsMatch polls every faultPoll until every Router's view equals a
// fresh read of the database (the same before and after the views were
// taken), and fails with the differences of the last look after within.
func waitViewsMatch(ctx context.Context, st *sqlstore.Store, routers []*routing.Router, within time.Duration) error {
	var groups []string
	for _, g := range faultConfig(nil).Groups {
		groups = append(groups, g.ID)
	}
	var last, held []string
	for p := newPoller(within); p.next(); {
		before, err := viewOfDatabase(ctx, st, groups)
		var views []faultView
		for _, r := range routers {
			views = append(views, viewOfRouter(r.Snapshot()))
		}
		var after faultView
		if err == nil {
			after, err = viewOfDatabase(ctx, st, groups)
		}
		switch {
		case err != nil:
			last = []string{"reading the database: " + err.Error()}
		case len(before.diff("database", after)) > 0:
			last = append([]string{"the database changed while the views were taken:"}, before.diff("before", after)...)
		default:
			last, held = nil, nil
			for i, v := range views {
				lines, ids := v.diffHeld(fmt.Sprintf("router %d", i), after)
				last, held = append(last, lines...), append(held, ids...)
			}
			if len(last) == 0 {
				return nil
			}
		}
	}
	last = append(firstLines(last), firstLines(describeConversations(ctx, st, held))...)
	return fmt.Errorf("the Routers' views differ from the database %v after the feeds listened again:\n%s", within, strings.Join(last, "\n"))
}

// waitFence creates an offline operator id through the checker's store
// and waits until every Router's view holds it. A Router follows the
// feed's notices in order, so once it holds the operator it has followed
// every notice before (a resync among them).
func waitFence(ctx context.Context, fc *faultCluster, id string, within time.Duration) error {
	_, err := fc.Checker.CreateOperator(ctx, store.Operator{ID: id, Groups: []string{clusterGroupID(0)},
		Status: presence.StatusOffline, StatusSince: time.Now()})
	if err != nil {
		return err
	}
	var missing []int
	for p := newPoller(within); p.next(); {
		missing = missing[:0]
		for i, r := range fc.Routers {
			if !slices.ContainsFunc(r.Snapshot().Operators, func(o routing.OperatorSnapshot) bool { return o.ID == id }) {
				missing = append(missing, i)
			}
		}
		if len(missing) == 0 {
			return nil
		}
	}
	return fmt.Errorf("routers %v do not hold operator %s %v after it was created", missing, id, within)
}

// TestFaultChecks: on a cluster left alone the checks pass, and each of
// them reports what it is there to catch: an acknowledged command whose
// effect is not in the database, a view that holds what the database
// does not, a conversation stranded in a queue.
func TestFaultChecks(t *testing.T) {
	pg := newPgCluster(t, faultCrashSettings)
	pg.Start()
	fc := startFaultCluster(t, pg.DSN(), []string{pg.DSN(), pg.DSN()})
	ctx := t.Context()
	var acked []clusterCmd

	t.Run("PassWhenNothingFailed", func(t *testing.T) {
		load := startFaultLoad(t, fc, 3)
		load.waitAcks(t, 30)
		got, _ := load.stop(t)
		acked = append(acked, got...)
		checkAfterFault(t, fc, acked)
	})

	// A clean stop under load cuts the connections and the commands in
	// flight, as a crash does, but loses nothing committed: the checks
	// pass.
	t.Run("PassAfterACleanRestart", func(t *testing.T) {
		for range 3 {
			load := startFaultLoad(t, fc, 3)
			load.waitAcks(t, 5+rand.IntN(30))
			pg.Stop()
			got, _ := load.stop(t)
			acked = append(acked, got...)
			pg.Start()
			checkAfterFault(t, fc, acked)
		}
	})

	t.Run("ReportAnAcknowledgedCommandNotStored", func(t *testing.T) {
		err := checkAcknowledged(ctx, fc.Checker, []clusterCmd{{ID: "made-up", Phase: "ack", Kind: "enqueue", Conv: "never-created"}})
		require.ErrorContains(t, err, "acknowledged enqueue made-up")
	})

	t.Run("ReportAViewTheDatabaseDoesNotHold", func(t *testing.T) {
		// The Routers may still be following what the feed told them when
		// it listened again (a resync would read the write below): let
		// each of them fold a later notice first.
		require.NoError(t, waitFence(ctx, fc, "fence-view", faultSettle))
		// A write behind the Stores' backs: no notification.
		id := clusterOperator(1, 2)
		o, err := fc.Checker.Operator(ctx, id)
		require.NoError(t, err)
		to := presence.StatusPause
		if o.Status == to {
			to = presence.StatusCanHelp
		}
		_, err = sqlstore.DB(fc.Checker).ExecContext(ctx, "UPDATE "+sqlstore.DefaultTablePrefix+
			"operators SET status = $1, version = version + 1 WHERE id = $2", to, id)
		require.NoError(t, err)
		err = waitViewsMatch(ctx, fc.Checker, fc.Routers, time.Second)
		for i := range fc.Routers {
			require.ErrorContains(t, err, fmt.Sprintf("router %d: operator %s: view {%s since", i, id, o.Status))
		}
		require.ErrorContains(t, err, "database {"+to+" since")
	})

	t.Run("ReportAStrandedConversation", func(t *testing.T) {
		for _, r := range fc.Routers {
			require.NoError(t, r.Stop(context.Background()))
		}
		// With no Router running, nobody routes a conversation queued
		// where an operator has room.
		group := clusterGroupID(0)
		_, err := fc.Checker.CreateOperator(ctx, store.Operator{ID: "spare", Groups: []string{group}, Status: presence.StatusReady, StatusSince: time.Now()})
		require.NoError(t, err)
		_, err = fc.Checker.CreateConversation(ctx, store.Conversation{ID: "stranded", Group: group, State: store.Queued, CreatedAt: time.Now()}, store.Require{})
		require.NoError(t, err)
		err = waitNoStranded(ctx, fc.Checker, clusterCap, faultTakeover, faultSettle)
		require.ErrorContains(t, err, "queued in "+group+" while spare (ready, load 0) has room")
		require.ErrorContains(t, err, "stranded for over "+faultTakeover.String())
	})
}
