package sqlstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
	"github.com/switchboard-go/switchboard/store/storetest"
)

// The cluster test runs four Routers, each in a process of its own (this
// test binary, started again with clusterChildEnv set) with its own pool,
// on one PostgreSQL schema. Sixteen clients per process issue enqueue,
// take, accept, release, transfer, close, status flips, end of shift and
// log in, a fixed number of commands each. The parent kills one process
// with SIGKILL mid-run. While they run, the parent watches the database:
// no deadline may stay overdue, and no conversation may stay queued while
// an operator who could take it has room, for longer than clusterBound.
// When the others are done, it checks the load history (no operator ever
// over cap, no conversation ever held twice), that every acknowledged
// command is in the database, and that the write history of every process,
// the killed one's included, is linearizable (store/storetest).

var clusterOps = flag.Int("cluster.ops", 40, "commands per client in TestCluster")

// clusterChildEnv names the variable that makes the test binary a cluster
// child; it holds the child's clusterSpec as JSON.
const clusterChildEnv = "SWITCHBOARD_CLUSTER_CHILD"

const (
	clusterRouters  = 4
	clusterClients  = 16 // per router: 64 in all
	clusterGroups   = 4
	clusterPerGroup = 4
	clusterCap      = 2
	// clusterTakeover is the Routers' Config.Takeover.
	clusterTakeover = 300 * time.Millisecond
	// clusterAccept is the groups' AcceptTimeout.
	clusterAccept = time.Second
	// clusterBound is how long work may stay undone: Takeover, plus time
	// for the notice, the write and the parent's look. The four processes
	// share two cores with PostgreSQL and, under CI, with the other
	// packages' tests, all under the race detector, where a freed slot
	// can take over 2 s to fill. Work left undone for good (the
	// failure this looks for) stays undone however long one waits, so
	// the bound is generous rather than tight.
	clusterBound = clusterTakeover + 4700*time.Millisecond
	// clusterKilled is the index of the process killed, after
	// clusterKillAfter acknowledged commands of its own.
	clusterKilled    = 3
	clusterKillAfter = 150
)

// clusterSpec tells a child what to open and where to log.
type clusterSpec struct {
	DSN, Schema string
	Index       int
	Ops         int
	Seed        uint64
	// Log receives the commands, History the store's writes, Consoles
	// what the child's consoles received (see clusterConsoles).
	Log, History, Consoles string
}

// clusterCmd is one line of a child's command log.
type clusterCmd struct {
	ID    string `json:"id"`
	Phase string `json:"phase"` // start, ack or fail
	Kind  string `json:"kind"`
	Conv  string `json:"conv,omitempty"`
	Op    string `json:"op,omitempty"`
	To    string `json:"to,omitempty"`
	Err   string `json:"err,omitempty"`
}

func clusterGroupID(g int) string     { return fmt.Sprintf("g%d", g) }
func clusterOperator(g, i int) string { return fmt.Sprintf("g%d-op%d", g, i) }

// clusterConfig is every Router's configuration.
func clusterConfig(s store.Store) routing.Config {
	cfg := routing.Config{Store: s, Takeover: clusterTakeover}
	for g := range clusterGroups {
		cfg.Groups = append(cfg.Groups, routing.Group{
			ID:            clusterGroupID(g),
			Policy:        policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: clusterCap}),
			AcceptTimeout: clusterAccept,
		})
	}
	return cfg
}

// clusterChild is a child's main.
func clusterChild(raw string) int {
	var sp clusterSpec
	if err := json.Unmarshal([]byte(raw), &sp); err != nil {
		fmt.Fprintln(os.Stderr, "cluster child:", err)
		return 2
	}
	if err := runClusterChild(sp); err != nil {
		fmt.Fprintln(os.Stderr, "cluster child:", err)
		return 1
	}
	return 0
}

// lineWriter writes whole lines to a file and, for acknowledgements, to
// stdout, each in one write call (a kill never leaves half a line).
type lineWriter struct {
	mu sync.Mutex
	f  *os.File
}

func (w *lineWriter) write(v any, toStdout bool) {
	b, _ := json.Marshal(v)
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.f.Write(b)
	if toStdout {
		_, _ = os.Stdout.Write(b)
	}
}

func runClusterChild(sp clusterSpec) error {
	ctx := context.Background()
	open := func(path string) (*lineWriter, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		return &lineWriter{f: f}, err
	}
	cmdLog, err := open(sp.Log)
	if err != nil {
		return err
	}
	histLog, err := open(sp.History)
	if err != nil {
		return err
	}
	st, err := sqlstore.OpenPostgres(ctx, sp.DSN, sqlstore.WithSchema(sp.Schema))
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := routing.New(ctx, clusterConfig(recordStore(st, sp.Index, func(v any) { histLog.write(v, false) })))
	if err != nil {
		return err
	}
	defer r.Stop(context.Background())
	consoles, err := openClusterConsoles(ctx, r)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for c := range clusterClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(sp.Seed, uint64(c)))
			for n := range sp.Ops {
				cmd := clusterCmd{ID: fmt.Sprintf("r%d-c%d-%d", sp.Index, c, n)}
				run := pickClusterCommand(ctx, r, st, rng, &cmd)
				cmdLog.write(cmd, false)
				if err := run(); err != nil {
					cmd.Phase, cmd.Err = "fail", err.Error()
					cmdLog.write(cmd, false)
					continue
				}
				cmd.Phase = "ack"
				cmdLog.write(cmd, true)
			}
		}()
	}
	wg.Wait()
	fmt.Println(`{"phase":"done"}`)
	// Stay up (deadlines, takeovers) until the parent has seen enough.
	_, _ = io.Copy(io.Discard, os.Stdin)
	return consoles.finish(ctx, st, r, sp.Consoles)
}

// clusterWatched are the operators whose consoles every child keeps.
var clusterWatched = []string{clusterOperator(0, 0), clusterOperator(1, 2), clusterOperator(3, 1)}

// clusterConsoles are a child's consoles: one of every event and one per
// watched operator, each resumed from the start of the journal, and what
// each received (Seqs), written to a file at the end.
type clusterConsoles struct {
	mu   sync.Mutex
	got  map[string][]uint64 // by operator, "" for every event
	errs map[string]string
	// reached is closed when the console of every event has received
	// the event numbered target (see finish).
	target  uint64
	reached chan struct{}
	done    sync.WaitGroup
}

func openClusterConsoles(ctx context.Context, r *routing.Router) (*clusterConsoles, error) {
	c := &clusterConsoles{got: map[string][]uint64{}, errs: map[string]string{}, reached: make(chan struct{})}
	for _, op := range append([]string{""}, clusterWatched...) {
		sub, err := r.Resume(ctx, routing.EventFilter{Operator: op}, 0)
		if err != nil {
			return nil, err
		}
		c.done.Go(func() {
			for ev := range sub.Events() {
				c.mu.Lock()
				c.got[op] = append(c.got[op], ev.Seq)
				if op == "" && c.target != 0 && ev.Seq >= c.target {
					close(c.reached)
					c.target = 0
				}
				c.mu.Unlock()
			}
			if err := sub.Err(); err != nil {
				c.mu.Lock()
				c.errs[op] = err.Error()
				c.mu.Unlock()
			}
		})
	}
	return c, nil
}

// await returns a channel closed once the console of every event has
// received the event numbered seq.
func (c *clusterConsoles) await(seq uint64) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.got[""]; seq == 0 || len(l) > 0 && l[len(l)-1] >= seq {
		close(c.reached)
	} else {
		c.target = seq
	}
	return c.reached
}

// finish waits until the console of every event has the journal's newest
// event, stops the Router, which ends the consoles, and writes what they
// received to path.
func (c *clusterConsoles) finish(ctx context.Context, st store.Store, r *routing.Router, path string) error {
	b, err := st.JournalBounds(ctx)
	if err != nil {
		return err
	}
	select {
	case <-c.await(b.Newest):
	case <-time.After(time.Minute):
		// The parent finds the console short.
	}
	if err := r.Stop(ctx); err != nil {
		return err
	}
	c.done.Wait()
	raw, err := json.Marshal(struct {
		Got    map[string][]uint64
		Errs   map[string]string
		Newest uint64
	}{c.got, c.errs, b.Newest})
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o600)
}

// pickClusterCommand fills cmd with a random command and returns what runs
// it.
func pickClusterCommand(ctx context.Context, r *routing.Router, st store.Store, rng *rand.Rand, cmd *clusterCmd) func() error {
	cmd.Phase = "start"
	g := rng.IntN(clusterGroups)
	op := clusterOperator(g, rng.IntN(clusterPerGroup))
	// some returns a conversation of group g in one of the states, or "".
	some := func(states ...store.State) store.Conversation {
		cs, err := st.Conversations(ctx, store.Filter{Group: clusterGroupID(g), States: states})
		if err != nil || len(cs) == 0 {
			return store.Conversation{}
		}
		return cs[rng.IntN(len(cs))]
	}
	// on runs f on c, or fails at once when there was no c to act on.
	on := func(c store.Conversation, f func() error) func() error {
		return func() error {
			if c.ID == "" {
				return errors.New("no conversation to act on")
			}
			return f()
		}
	}
	switch k := rng.IntN(100); {
	case k < 30:
		cmd.Kind, cmd.Conv = "enqueue", "conv-"+cmd.ID
		return func() error {
			_, err := r.Enqueue(ctx, routing.NewConversation{ID: cmd.Conv, Group: clusterGroupID(g)})
			return err
		}
	case k < 40:
		c := some(store.Queued, store.Offered)
		cmd.Kind, cmd.Conv, cmd.Op = "take", c.ID, op
		return on(c, func() error {
			_, err := r.Take(ctx, routing.ByOperator(op), c.ID)
			return err
		})
	case k < 55:
		c := some(store.Assigned)
		cmd.Kind, cmd.Conv, cmd.Op = "accept", c.ID, c.Assignee
		return on(c, func() error {
			_, err := r.Accept(ctx, routing.ByOperator(c.Assignee), c.ID)
			return err
		})
	case k < 62:
		c := some(store.Assigned)
		cmd.Kind, cmd.Conv, cmd.Op = "release", c.ID, c.Assignee
		return on(c, func() error {
			_, err := r.Release(ctx, routing.ByOperator(c.Assignee), c.ID)
			return err
		})
	case k < 70:
		c := some(store.Assigned)
		to := clusterOperator(g, rng.IntN(clusterPerGroup))
		cmd.Kind, cmd.Conv, cmd.Op, cmd.To = "transfer", c.ID, c.Assignee, to
		return on(c, func() error {
			_, err := r.TransferToOperator(ctx, routing.ByOperator(c.Assignee), c.ID, to)
			return err
		})
	case k < 85:
		c := some(store.Assigned, store.Queued)
		cmd.Kind, cmd.Conv = "close", c.ID
		return on(c, func() error {
			_, err := r.CloseConversation(ctx, routing.ByAdmin("cluster"), c.ID, "done")
			return err
		})
	case k < 93:
		to := []string{presence.StatusReady, presence.StatusPause, presence.StatusCanHelp}[rng.IntN(3)]
		cmd.Kind, cmd.Op, cmd.To = "status", op, to
		return func() error { return r.SetStatus(ctx, routing.ByAdmin("cluster"), op, to) }
	case k < 96:
		cmd.Kind, cmd.Op = "endshift", op
		return func() error { return r.EndShift(ctx, routing.ByAdmin("cluster"), op) }
	default:
		cmd.Kind, cmd.Op = "login", op
		return func() error { return r.LogIn(ctx, routing.ByOperator(op), op) }
	}
}

// clusterWorst is the worst the watcher saw: the longest a deadline was
// overdue, and the longest something stayed stuck (from the first look
// that saw it to the last).
type clusterWorst struct{ overdue, stuck time.Duration }

// clusterProc is a child process seen from the parent.
type clusterProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	acks  chan struct{}
	done  chan struct{}
	exit  chan error
}

func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("the cluster test runs four processes for tens of seconds; not in -short mode")
	}
	dsn := postgresDSN(t)
	pool := postgresPool(t)
	schema, _ := freshSchema(t, pool)
	ctx := t.Context()
	st, err := sqlstore.OpenPostgres(ctx, dsn, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Migrate(ctx))
	dir := t.TempDir()
	setupLog, err := os.Create(filepath.Join(dir, "hist-setup.jsonl"))
	require.NoError(t, err)
	setupHist := &lineWriter{f: setupLog}
	setup, err := routing.New(ctx, clusterConfig(recordStore(st, clusterRouters, func(v any) { setupHist.write(v, false) })))
	require.NoError(t, err)
	for g := range clusterGroups {
		for i := range clusterPerGroup {
			_, err := setup.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: clusterOperator(g, i), Groups: []string{clusterGroupID(g)}, Status: presence.StatusReady})
			require.NoError(t, err)
		}
	}
	require.NoError(t, setup.Stop(context.Background()))
	require.NoError(t, setupLog.Close())

	bin, err := os.Executable()
	require.NoError(t, err)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	procs := make([]*clusterProc, clusterRouters)
	for i := range procs {
		sp := clusterSpec{DSN: dsn, Schema: schema, Index: i, Ops: *clusterOps, Seed: seed + uint64(i),
			Log: filepath.Join(dir, fmt.Sprintf("cmd%d.jsonl", i)), History: filepath.Join(dir, fmt.Sprintf("hist%d.jsonl", i)),
			Consoles: filepath.Join(dir, fmt.Sprintf("consoles%d.json", i))}
		procs[i] = startClusterChild(t, bin, sp)
	}

	// Watch the database while the processes run and until the
	// survivors have been idle for clusterBound.
	watchDone := make(chan error, 1)
	stopWatch := make(chan struct{})
	var worst clusterWorst
	go func() { watchDone <- watchCluster(st, stopWatch, &worst) }()

	// Kill one process mid-run.
	killed := procs[clusterKilled]
	for range clusterKillAfter {
		select {
		case <-killed.acks:
		case <-killed.done:
			t.Fatalf("process %d finished before it was killed: raise -cluster.ops", clusterKilled)
		case <-time.After(2 * time.Minute):
			t.Fatal("process to kill does not acknowledge commands")
		}
	}
	require.NoError(t, killed.cmd.Process.Signal(syscall.SIGKILL))
	<-killed.exit
	t.Logf("killed process %d after %d acknowledged commands", clusterKilled, clusterKillAfter)
	for i, p := range procs {
		if i == clusterKilled {
			continue
		}
		select {
		case <-p.done:
		case err := <-p.exit:
			t.Fatalf("process %d ended early: %v", i, err)
		case <-time.After(5 * time.Minute):
			t.Fatalf("process %d did not finish", i)
		}
	}
	// The survivors stay up while the watcher sees the cluster settle.
	close(stopWatch)
	require.NoError(t, <-watchDone)
	t.Logf("watcher: longest a deadline was overdue %v, longest something stayed stuck %v (bound %v)", worst.overdue.Round(time.Millisecond), worst.stuck.Round(time.Millisecond), clusterBound)
	for i, p := range procs {
		if i == clusterKilled {
			continue
		}
		require.NoError(t, p.stdin.Close())
		require.NoError(t, <-p.exit, "process %d", i)
	}

	checkClusterConsoles(t, st, dir)
	checkClusterHistory(t, st, dir)
	checkClusterCommands(t, st, dir)
	checkClusterLinearizable(t, dir)
	problems, err := st.Reconcile(ctx)
	require.NoError(t, err)
	require.Empty(t, problems)
}

// startClusterChild starts one child and follows its stdout.
func startClusterChild(t *testing.T, bin string, sp clusterSpec) *clusterProc {
	t.Helper()
	raw, err := json.Marshal(sp)
	require.NoError(t, err)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), clusterChildEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &clusterProc{cmd: cmd, stdin: stdin, acks: make(chan struct{}, 1<<16), done: make(chan struct{}), exit: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var line clusterCmd
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			switch line.Phase {
			case "ack":
				p.acks <- struct{}{}
			case "done":
				close(p.done)
			}
		}
		p.exit <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	return p
}

// watchCluster samples the database every 50 ms until stop is closed
// and then until the cluster has settled, and fails if a deadline stays
// overdue, or a conversation stays queued while an operator of its group
// could take it, for longer than clusterBound.
func watchCluster(st *sqlstore.Store, stop <-chan struct{}, worst *clusterWorst) error {
	ctx := context.Background()
	model := presence.Standard()
	stuckSince := map[string]time.Time{}
	stopped := false
	var calm time.Time
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for ; ; <-tick.C {
		now := time.Now()
		ops, err := st.Operators(ctx)
		if err != nil {
			return err
		}
		convs, err := st.Conversations(ctx, store.Filter{States: []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}})
		if err != nil {
			return err
		}
		room := map[string]bool{}
		for _, o := range ops {
			st, _ := model.Status(o.Status)
			if st.Capabilities.Has(presence.AutoAssign) && o.Load < clusterCap {
				room[o.Groups[0]] = true
			}
		}
		stuck := map[string]string{}
		for _, c := range convs {
			for _, d := range c.Deadlines {
				worst.overdue = max(worst.overdue, now.Sub(d.Due))
				if now.Sub(d.Due) > clusterBound {
					stuck[c.ID+"/"+d.Kind.String()] = fmt.Sprintf("deadline %v of %s due at %s", d.Kind, c.ID, d.Due.Format(time.StampMilli))
				}
			}
			if c.State == store.Queued && room[c.Group] {
				stuck[c.ID] = fmt.Sprintf("%s queued in %s while an operator there has room", c.ID, c.Group)
			}
		}
		for id, since := range stuckSince {
			if _, ok := stuck[id]; !ok {
				delete(stuckSince, id)
				continue
			}
			worst.stuck = max(worst.stuck, now.Sub(since))
			if now.Sub(since) > clusterBound {
				return fmt.Errorf("for over %v (since %s): %s", clusterBound, since.Format(time.StampMilli), stuck[id])
			}
		}
		for id := range stuck {
			if _, ok := stuckSince[id]; !ok {
				stuckSince[id] = now
			}
		}
		if !stopped {
			select {
			case <-stop:
				stopped, calm = true, now
			default:
			}
		}
		if stopped && len(stuck) == 0 && now.Sub(calm) > clusterBound {
			return nil
		}
		if stopped && now.Sub(calm) > time.Minute {
			return fmt.Errorf("the cluster did not settle: %v", stuck)
		}
	}
}

// checkClusterHistory replays the load history: per operator, in commit
// order, the load matches the running sum and ends at the stored load, and
// no change made under a cap put anyone over it; every gain made without a
// cap is a transfer some client asked for (automatic assignments, takes
// and redistributions are all capped here: invariant 2); per
// conversation, there are never two holders.
func checkClusterHistory(t *testing.T, st *sqlstore.Store, dir string) {
	t.Helper()
	ctx := t.Context()
	hist, err := st.LoadHistory(ctx, "")
	require.NoError(t, err)
	require.NotEmpty(t, hist)
	type transfer struct{ to, conv string }
	asked := map[transfer]bool{}
	for i := range clusterRouters {
		for _, c := range readJSONLines[clusterCmd](t, filepath.Join(dir, fmt.Sprintf("cmd%d.jsonl", i))) {
			if c.Kind == "transfer" {
				asked[transfer{c.To, c.Conv}] = true
			}
		}
	}
	loads := map[string]int{}
	holders := map[string]int{}
	overCap, twoHolders, uncapped, aboveCap := 0, 0, 0, 0
	for _, h := range hist {
		loads[h.Operator] += h.Delta
		require.Equal(t, loads[h.Operator], h.Load, "load history of %s at %d", h.Operator, h.Seq)
		require.GreaterOrEqual(t, loads[h.Operator], 0)
		switch {
		case h.Delta < 0:
		case h.Cap == clusterCap:
			if h.Load > clusterCap {
				overCap++
				t.Errorf("%s over cap (%d) at history row %d", h.Operator, h.Load, h.Seq)
			}
		case h.Cap == 0:
			uncapped++
			if !asked[transfer{h.Operator, h.Conversation}] {
				t.Errorf("%s given %s without a cap at history row %d, and nobody asked to transfer it", h.Operator, h.Conversation, h.Seq)
			}
		default:
			t.Errorf("history row %d checked against cap %d", h.Seq, h.Cap)
		}
		if loads[h.Operator] > clusterCap {
			aboveCap++
		}
		holders[h.Conversation] += h.Delta
		if holders[h.Conversation] > 1 {
			twoHolders++
			t.Errorf("%s held twice at history row %d", h.Conversation, h.Seq)
		}
	}
	ops, err := st.Operators(ctx)
	require.NoError(t, err)
	for _, o := range ops {
		require.Equal(t, o.Load, loads[o.ID], "stored load of %s", o.ID)
	}
	t.Logf("load history: %d changes; %d capped gains put someone over cap; %d conversations ever held twice; %d uncapped gains (transfers, L6), after which an operator was above the cap %d times",
		len(hist), overCap, twoHolders, uncapped, aboveCap)
}

// readJSONLines decodes every whole line of a file.
func readJSONLines[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			continue // a line cut by the kill
		}
		out = append(out, v)
	}
	require.NoError(t, sc.Err())
	return out
}

// checkClusterCommands checks that every acknowledged command is in the
// database: enqueued conversations exist, closed ones are closed, takes,
// accepts and transfers gave the conversation to the operator, releases
// took it from them, status changes opened a stretch of that status.
func checkClusterCommands(t *testing.T, st *sqlstore.Store, dir string) {
	t.Helper()
	ctx := t.Context()
	hist, err := st.LoadHistory(ctx, "")
	require.NoError(t, err)
	type held struct{ op, conv string }
	gained, lost := map[held]bool{}, map[held]bool{}
	for _, h := range hist {
		if h.Delta > 0 {
			gained[held{h.Operator, h.Conversation}] = true
		} else {
			lost[held{h.Operator, h.Conversation}] = true
		}
	}
	acked := 0
	kinds := map[string]int{}
	for i := range clusterRouters {
		for _, c := range readJSONLines[clusterCmd](t, filepath.Join(dir, fmt.Sprintf("cmd%d.jsonl", i))) {
			if c.Phase != "ack" {
				continue
			}
			acked++
			kinds[c.Kind]++
			switch c.Kind {
			case "enqueue":
				_, err := st.Conversation(ctx, c.Conv)
				require.NoError(t, err, "acknowledged enqueue %s", c.ID)
			case "close":
				cv, err := st.Conversation(ctx, c.Conv)
				require.NoError(t, err)
				require.Equal(t, store.Closed, cv.State, "acknowledged close %s", c.ID)
			case "take":
				require.True(t, gained[held{c.Op, c.Conv}], "acknowledged take %s: %s never held %s", c.ID, c.Op, c.Conv)
			case "transfer":
				if c.To != c.Op {
					require.True(t, gained[held{c.To, c.Conv}], "acknowledged transfer %s", c.ID)
					require.True(t, lost[held{c.Op, c.Conv}], "acknowledged transfer %s", c.ID)
				}
			case "release":
				require.True(t, lost[held{c.Op, c.Conv}], "acknowledged release %s", c.ID)
			case "status", "endshift", "login":
				want := c.To
				if c.Kind == "endshift" {
					want = presence.StatusOffline
				} else if c.Kind == "login" {
					want = presence.StatusReady
				}
				iv, err := st.StatusHistory(ctx, c.Op, time.Time{}, time.Now().Add(time.Hour))
				require.NoError(t, err)
				require.True(t, slices.ContainsFunc(iv, func(i store.StatusInterval) bool { return i.Status == want }), "acknowledged %s %s", c.Kind, c.ID)
			}
		}
	}
	t.Logf("acknowledged commands: %d %v", acked, kinds)
	require.Greater(t, acked, clusterRouters*clusterClients)
}

// recordStore wraps st so that its writes are recorded, as client, for the
// linearizability check.
func recordStore(st store.Store, client int, sink func(any)) store.Store {
	return storetest.NewRecorder(st, client, func(op storetest.Op) { sink(op) })
}

// checkClusterLinearizable checks the writes of every process (and of the
// set-up) against the store's sequential specification.
func checkClusterLinearizable(t *testing.T, dir string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "hist*.jsonl"))
	require.NoError(t, err)
	require.Len(t, paths, clusterRouters+1)
	var ops []storetest.Op
	for _, p := range paths {
		ops = append(ops, readJSONLines[storetest.Op](t, p)...)
	}
	requireLinearizableOps(t, ops, 3*time.Minute, "switchboard-cluster-history.html")
}

// checkClusterConsoles checks what the survivors' consoles received
// against the journal: the console of every event has every event from
// the first to at least the newest when its Router stopped, each once,
// in order; an operator's console has exactly the events of theirs among
// those, whichever Router made them.
func checkClusterConsoles(t *testing.T, st *sqlstore.Store, dir string) {
	t.Helper()
	ctx := t.Context()
	var journal []routing.Event
	for after := uint64(0); ; {
		es, err := st.ReadJournal(ctx, after, store.MaxJournalPage)
		require.NoError(t, err)
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			var ev routing.Event
			require.NoError(t, json.Unmarshal(e.Body, &ev))
			ev.Seq = e.Seq
			journal = append(journal, ev)
			after = e.Seq
		}
	}
	require.NotEmpty(t, journal)
	for i := range clusterRouters {
		if i == clusterKilled {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("consoles%d.json", i)))
		require.NoError(t, err)
		var c struct {
			Got    map[string][]uint64
			Errs   map[string]string
			Newest uint64
		}
		require.NoError(t, json.Unmarshal(raw, &c))
		require.Empty(t, c.Errs, "router %d: no console lagged", i)
		all := c.Got[""]
		require.GreaterOrEqual(t, uint64(len(all)), c.Newest, "router %d: the console of every event has them all", i)
		for k, seq := range all {
			require.Equal(t, uint64(k+1), seq, "router %d: every event once, in journal order", i)
		}
		last := all[len(all)-1]
		counts := make([]int, len(clusterWatched))
		for k, op := range clusterWatched {
			counts[k] = len(c.Got[op])
		}
		t.Logf("router %d's consoles: %d events of %d in the journal; operators %v: %v", i, len(all), len(journal), clusterWatched, counts)
		for _, op := range clusterWatched {
			var want []uint64
			for _, ev := range journal {
				if ev.Seq <= last && clusterConcerns(ev, op) {
					want = append(want, ev.Seq)
				}
			}
			require.NotEmpty(t, want, "operator %s has events", op)
			require.Equal(t, want, c.Got[op], "router %d: %s's console", i, op)
		}
	}
}

// clusterConcerns reports whether ev is one of operator op's (see
// routing.EventFilter.Operator).
func clusterConcerns(ev routing.Event, op string) bool {
	if ev.Operator == op || slices.Contains(ev.Operators, op) {
		return true
	}
	switch ev.Kind {
	case routing.Returned, routing.Redistributed:
		return ev.From == op
	case routing.Transferred:
		return ev.To == "" && ev.From == op
	}
	return false
}
