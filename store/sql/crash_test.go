package sqlstore_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

// The crash test runs a Router in a child process (this test binary,
// started again with crashChildEnv set) under a steady stream of commands
// from several goroutines, and kills it with SIGKILL at a random moment:
// after a random number of acknowledged commands, while others are in
// flight. The child writes each command to a side log before it issues it
// ("start") and after the Router acknowledged it ("ack"). After each kill
// the parent opens the database and checks that every acknowledged change
// is there exactly once, that nothing appeared that nobody asked for, that
// no operator is over the cap and loads equal the assignment rows, and
// that a Router opened on it rebuilds its view and fires every deadline
// that came due. Then the next child carries on from there. On a
// throwaway PostgreSQL server the test also crashes the server (stop -m
// immediate) just before each kill.

var crashKills = flag.Int("crash.kills", 20, "SIGKILLs per database in TestCrashRecovery")

// crashChildEnv names the variable that makes the test binary a crash
// test child; it holds the child's crashSpec as JSON.
const crashChildEnv = "SWITCHBOARD_CRASH_CHILD"

const (
	crashOperators = 8
	crashCap       = 2
	crashWorkers   = 4
)

var crashBase = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// crashSpec tells a child what to open and where to log.
type crashSpec struct {
	SQLite string // file path, or
	DSN    string // PostgreSQL DSN, with
	Schema string
	Log    string // side log path
	Round  int
	Seed   uint64
}

// open opens the store the spec names.
func (sp crashSpec) open(ctx context.Context) (*sqlstore.Store, error) {
	if sp.SQLite != "" {
		return sqlstore.OpenSQLite(ctx, sp.SQLite)
	}
	return sqlstore.OpenPostgres(ctx, sp.DSN, sqlstore.WithSchema(sp.Schema))
}

// crashConfig is the routers' configuration, on a mock clock set at the
// given time.
func crashConfig(s store.Store, at time.Time) (routing.Config, *clock.Mock) {
	clk := clock.NewMock()
	clk.Set(at)
	return routing.Config{
		// The mock clock has nothing to do with the database's.
		Store: s, Clock: clk, ManualDeadlines: true, MaxClockSkew: -1,
		// The rounds span days of the mock clock: the journal keeps
		// everything, for checkJournalAfterCrash.
		JournalRetention: routing.JournalRetention{MaxAge: -1},
		Groups: []routing.Group{{
			ID:            "support",
			Policy:        policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: crashCap}),
			AcceptTimeout: 30 * time.Second,
			WaitLevels:    []routing.WaitLevel{{Name: "yellow", After: 2 * time.Minute}},
		}},
	}, clk
}

// crashChild is the child's main: it runs commands until it is killed.
func crashChild(raw string) int {
	var sp crashSpec
	if err := json.Unmarshal([]byte(raw), &sp); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 2
	}
	if err := runCrashChild(sp); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 1
	}
	return 0
}

func runCrashChild(sp crashSpec) error {
	ctx := context.Background()
	logf, err := os.OpenFile(sp.Log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	st, err := sp.open(ctx)
	if err != nil {
		return err
	}
	cfg, clk := crashConfig(st, crashBase.Add(time.Duration(sp.Round)*24*time.Hour))
	r, err := routing.New(ctx, cfg)
	if err != nil {
		return err
	}
	var outMu sync.Mutex
	// record writes one line to the side log (one write call, so that a
	// kill never leaves half a line) and, for acknowledgements, to the
	// parent, which counts them.
	record := func(line string) error {
		if _, err := logf.WriteString(line + "\n"); err != nil {
			return err
		}
		if strings.HasPrefix(line, "ack ") {
			outMu.Lock()
			defer outMu.Unlock()
			_, err := os.Stdout.WriteString(line + "\n")
			return err
		}
		return nil
	}
	// do logs a command, runs it, and acknowledges it if it succeeded. A
	// refusal (a close that lost a race, say) is not acknowledged; any
	// other error stops the child.
	do := func(what string, cmd func() error) error {
		// Time moves on, so that an operator's status changes are
		// recorded as intervals of their own.
		clk.Add(time.Millisecond)
		if err := record("start " + what); err != nil {
			return err
		}
		err := cmd()
		switch {
		case err == nil:
			return record("ack " + what)
		case errors.Is(err, routing.ErrWrongState), errors.Is(err, routing.ErrNotAssignee),
			errors.Is(err, routing.ErrNotFound), errors.Is(err, routing.ErrAlreadyTaken),
			errors.Is(err, routing.ErrConflict):
			return nil
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	errs := make(chan error, crashWorkers)
	for w := range crashWorkers {
		go func() {
			rng := rand.New(rand.NewPCG(sp.Seed, uint64(w)))
			// Worker w alone flips the statuses of operators w and
			// w+crashWorkers, so that it knows their status.
			mine := []string{fmt.Sprintf("op%d", w), fmt.Sprintf("op%d", w+crashWorkers)}
			for n := 0; ; n++ {
				var err error
				switch k := rng.IntN(10); {
				case k < 5:
					id := fmt.Sprintf("r%d-w%d-%d", sp.Round, w, n)
					err = do("enqueue "+id, func() error {
						_, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "support"})
						return err
					})
				case k < 8:
					op := fmt.Sprintf("op%d", rng.IntN(crashOperators))
					o, oerr := r.Operator(ctx, op)
					if oerr != nil {
						err = oerr
						break
					}
					held, herr := st.Conversations(ctx, store.Filter{Assignee: o.ID, States: []store.State{store.Assigned}})
					if herr != nil || len(held) == 0 {
						err = herr
						break
					}
					id := held[rng.IntN(len(held))].ID
					err = do("close "+id, func() error {
						_, err := r.CloseConversation(ctx, routing.ByOperator(op), id, "done")
						return err
					})
				default:
					op := mine[rng.IntN(2)]
					o, oerr := r.Operator(ctx, op)
					if oerr != nil {
						err = oerr
						break
					}
					to := "ready"
					if o.Status == "ready" {
						to = "can-help"
					}
					err = do("status "+op+" "+to, func() error {
						return r.SetStatus(ctx, routing.ByOperator(op), op, to)
					})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	return <-errs
}

// crashLog is what the side log says.
type crashLog struct {
	started, acked map[string]int // by "kind args"
}

func readCrashLog(t *testing.T, path string) crashLog {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	l := crashLog{started: map[string]int{}, acked: map[string]int{}}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasSuffix(line, "\n") {
			continue // the end of the file
		}
		kind, what, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		switch kind {
		case "start":
			l.started[what]++
		case "ack":
			l.acked[what]++
		default:
			t.Fatalf("side log line %q", line)
		}
	}
	return l
}

// TestCrashRecovery kills a child running a Router on each database
// -crash.kills times (see the top of this file).
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	t.Run("SQLite", func(t *testing.T) {
		crashRounds(t, exe, crashSpec{SQLite: filepath.Join(t.TempDir(), "crash.db")}, nil)
	})
	t.Run("Postgres", func(t *testing.T) {
		db := postgresPool(t)
		schema, _ := freshSchema(t, db)
		crashRounds(t, exe, crashSpec{DSN: postgresDSN(t), Schema: schema}, nil)
	})
	// The server crashes too: a throwaway one, stopped with -m immediate
	// just before the child is killed, and started again before the
	// checks. (TestFaultDatabaseCrash crashes a server under several
	// Routers, with settings that widen the window in which a commit is
	// visible but not on disk.)
	t.Run("PostgresServer", func(t *testing.T) {
		pg := newPgCluster(t, nil)
		pg.Start()
		crashRounds(t, exe, crashSpec{DSN: pg.DSN(), Schema: "crash"}, pg)
	})
}

// crashRounds runs the rounds of the crash test on the database of sp. With
// server, each round crashes the server as well as the child, and
// restarts it.
func crashRounds(t *testing.T, exe string, sp crashSpec, server *pgCluster) {
	ctx := context.Background()
	sp.Log = filepath.Join(t.TempDir(), "side.log")
	st, err := sp.open(ctx)
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	for i := range crashOperators {
		_, err := st.CreateOperator(ctx, store.Operator{ID: fmt.Sprintf("op%d", i), Status: "ready", StatusSince: crashBase, Groups: []string{"support"}})
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	sawDeadlines := 0
	var crash func()
	if server != nil {
		crash = server.Crash
	}
	for round := range *crashKills {
		sp.Round, sp.Seed = round, rng.Uint64()
		acks := 1 + rng.IntN(80)
		killChild(t, exe, sp, acks, crash)
		if server != nil {
			server.Restart()
		}
		sawDeadlines += checkAfterCrash(t, sp, readCrashLog(t, sp.Log))
	}
	require.Positive(t, sawDeadlines, "deadlines stored before the kills fired after them")
}

// killChild starts a child, waits for it to acknowledge acks commands,
// runs crash (if not nil), and kills it.
func killChild(t *testing.T, exe string, sp crashSpec, acks int, crash func()) {
	t.Helper()
	raw, err := json.Marshal(sp)
	require.NoError(t, err)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(raw))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	counted := make(chan int, 1)
	go func() {
		lines := bufio.NewScanner(out)
		seen := 0
		for seen < acks && lines.Scan() {
			seen++
		}
		counted <- seen
	}()
	// A child that stops acknowledging fails the test rather than hang it.
	var seen int
	select {
	case seen = <-counted:
	case <-time.After(2 * time.Minute):
		seen = -1
	}
	if crash != nil && seen == acks {
		crash()
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Equal(t, acks, seen, "the child stopped acknowledging: %s", stderr.String())
}

// checkAfterCrash checks the database after a kill against the side log
// and returns how many deadlines were due and fired.
func checkAfterCrash(t *testing.T, sp crashSpec, l crashLog) int {
	t.Helper()
	ctx := context.Background()
	st, err := sp.open(ctx)
	require.NoError(t, err)
	defer st.Close()

	convs, err := st.Conversations(ctx, store.Filter{})
	require.NoError(t, err)
	byID := map[string]store.Conversation{}
	for _, c := range convs {
		byID[c.ID] = c
		require.Positive(t, l.started["enqueue "+c.ID], "conversation %s was never asked for", c.ID)
	}
	for what := range l.acked {
		kind, arg, _ := strings.Cut(what, " ")
		switch kind {
		case "enqueue":
			_, ok := byID[arg]
			require.True(t, ok, "acknowledged conversation %s is missing", arg)
		case "close":
			require.Equal(t, store.Closed, byID[arg].State, "acknowledged close of %s", arg)
		}
	}
	mismatches, err := st.Reconcile(ctx)
	require.NoError(t, err)
	require.Empty(t, mismatches, "loads equal the assignment rows")
	journal := checkJournalAfterCrash(t, st, byID, l)

	ops, err := st.Operators(ctx)
	require.NoError(t, err)
	for _, o := range ops {
		require.LessOrEqual(t, o.Load, crashCap, "operator %s over the cap", o.ID)
		hist, err := st.StatusHistory(ctx, o.ID, crashBase, crashBase.Add(1000*24*time.Hour))
		require.NoError(t, err)
		changes := map[string]int{}
		for _, iv := range hist[1:] {
			changes[iv.Status]++
		}
		for _, to := range []string{"ready", "can-help"} {
			what := "status " + o.ID + " " + to
			require.GreaterOrEqual(t, changes[to], l.acked[what], "acknowledged status changes of %s to %s are stored", o.ID, to)
			require.LessOrEqual(t, changes[to], l.started[what], "no status change of %s to %s stored that was not asked for, or twice", o.ID, to)
			require.Equal(t, changes[to], journal.statusTo[o.ID+" "+to], "each stored status change of %s to %s has its event, once", o.ID, to)
		}
	}

	// A Router opened at a later time rebuilds its view, routes the
	// queue, and fires every deadline that came due.
	at := crashBase.Add(time.Duration(sp.Round)*24*time.Hour + 12*time.Hour)
	cfg, _ := crashConfig(st, at)
	r, err := routing.New(ctx, cfg)
	require.NoError(t, err)
	defer r.Stop(context.Background())
	open := 0
	for _, c := range convs {
		if c.State != store.Closed {
			open++
		}
	}
	snap := r.Snapshot()
	held := 0
	for _, o := range snap.Operators {
		held += len(o.Conversations)
	}
	g := snap.Groups[0]
	require.Equal(t, open, held+g.Queued, "every open conversation is in the rebuilt view")
	checkResumeAfterCrash(t, r, st, journal, sp.Seed+uint64(sp.Round))
	if g.Queued > 0 {
		require.Zero(t, g.AutoAvailable, "conversations queued while an operator could take them")
	}
	// Every deadline due by now fires: accept timeouts as Missed events,
	// wait levels as WaitThreshold events.
	want := map[string]routing.EventKind{}
	for _, c := range convs {
		for _, d := range c.Deadlines {
			if c.State == store.Closed || d.Due.After(at) {
				continue
			}
			switch d.Kind {
			case store.AcceptTimeout:
				want[c.ID+" missed"] = routing.Missed
			case store.WaitLevel:
				want[c.ID+" wait"] = routing.WaitThreshold
			}
		}
	}
	sub := r.Subscribe(routing.Missed, routing.WaitThreshold)
	require.NoError(t, r.ProcessDue(ctx))
	got := map[string]routing.EventKind{}
	for done := false; !done; {
		select {
		case ev := <-sub.Events():
			if ev.Kind == routing.Missed {
				got[ev.Conversation+" missed"] = ev.Kind
			} else {
				got[ev.Conversation+" wait"] = ev.Kind
			}
		default:
			done = true
		}
	}
	for k := range want {
		require.Contains(t, got, k, "a deadline stored before the kill fired after it")
	}
	after, err := st.Conversations(ctx, store.Filter{States: []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting}})
	require.NoError(t, err)
	for _, c := range after {
		for _, d := range c.Deadlines {
			require.True(t, d.Due.After(at), "conversation %s: deadline %v due at %v was not fired", c.ID, d.Kind, d.Due)
		}
	}
	return len(want)
}

// crashJournal is what the journal holds after a crash, decoded.
type crashJournal struct {
	events []routing.Event
	// statusTo counts the StatusChanged events by "operator status".
	statusTo map[string]int
}

// checkJournalAfterCrash checks the journal against the rows and the side
// log: its numbers run without a gap; every conversation stored, and so
// every acknowledged one, has its events; a conversation has one Closed
// event exactly when it is closed, and it is its last. It returns the
// journal, decoded, for the status changes' check and checkResumeAfterCrash.
func checkJournalAfterCrash(t *testing.T, st *sqlstore.Store, byID map[string]store.Conversation, l crashLog) crashJournal {
	t.Helper()
	ctx := context.Background()
	b, err := st.JournalBounds(ctx)
	require.NoError(t, err)
	j := crashJournal{statusTo: map[string]int{}}
	for after := b.Oldest - min(b.Oldest, 1); after < b.Newest; {
		es, err := st.ReadJournal(ctx, after, store.MaxJournalPage)
		require.NoError(t, err)
		require.NotEmpty(t, es)
		for _, e := range es {
			require.Equal(t, after+1, e.Seq, "the journal's numbers run without a gap")
			var ev routing.Event
			require.NoError(t, json.Unmarshal(e.Body, &ev), "entry %d", e.Seq)
			ev.Seq = e.Seq
			j.events = append(j.events, ev)
			if ev.Kind == routing.StatusChanged {
				j.statusTo[ev.Operator+" "+ev.To]++
			}
			after = e.Seq
		}
	}
	seen := map[string]bool{}
	closed := map[string]int{}
	last := map[string]routing.EventKind{}
	for _, ev := range j.events {
		if ev.Conversation == "" {
			continue
		}
		require.Positive(t, l.started["enqueue "+ev.Conversation], "an event of %s, which nobody asked for", ev.Conversation)
		seen[ev.Conversation] = true
		last[ev.Conversation] = ev.Kind
		if ev.Kind == routing.Closed {
			closed[ev.Conversation]++
		}
	}
	for id, c := range byID {
		if b.Oldest <= 1 {
			require.True(t, seen[id], "stored conversation %s has no event", id)
		}
		if c.State == store.Closed && seen[id] {
			require.Equal(t, 1, closed[id], "closed conversation %s has one Closed event", id)
			require.Equal(t, routing.Closed, last[id], "the close is %s's last event", id)
		} else {
			require.Zero(t, closed[id], "open conversation %s has no Closed event", id)
		}
	}
	return j
}

// checkResumeAfterCrash resumes subscriptions on r, opened after the
// crash, from the start of the journal, from random points and from its
// end: each receives exactly the events after its point, as the journal
// holds them.
func checkResumeAfterCrash(t *testing.T, r *routing.Router, st *sqlstore.Store, j crashJournal, seed uint64) {
	t.Helper()
	ctx := context.Background()
	b, err := st.JournalBounds(ctx)
	require.NoError(t, err)
	all := j.events
	if n := len(all); n > 0 && all[n-1].Seq < b.Newest {
		// The new Router's start (its routing of the queue) added some.
		es, err := st.ReadJournal(ctx, all[n-1].Seq, store.MaxJournalPage)
		require.NoError(t, err)
		for _, e := range es {
			var ev routing.Event
			require.NoError(t, json.Unmarshal(e.Body, &ev))
			ev.Seq = e.Seq
			all = append(all, ev)
		}
	}
	if len(all) == 0 {
		return
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	first := all[0].Seq - 1
	points := []uint64{first, first + rng.Uint64N(uint64(len(all))), first + rng.Uint64N(uint64(len(all))), all[len(all)-1].Seq}
	for _, after := range points {
		sub, err := r.Resume(ctx, routing.EventFilter{}, after)
		require.NoError(t, err, "resume after %d", after)
		want := all[after-first:]
		for i, w := range want {
			select {
			case ev, ok := <-sub.Events():
				require.True(t, ok, "resumed after %d: ended at %d: %v", after, i, sub.Err())
				require.Equal(t, w.Seq, ev.Seq, "resumed after %d", after)
				require.Equal(t, w.Kind, ev.Kind, "resumed after %d, event %d", after, w.Seq)
				require.Equal(t, w.Conversation, ev.Conversation, "resumed after %d, event %d", after, w.Seq)
			case <-time.After(30 * time.Second):
				t.Fatalf("resumed after %d: event %d did not come", after, w.Seq)
			}
		}
		sub.Cancel()
	}
}
