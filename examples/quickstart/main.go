// Command quickstart shows Switchboard in one process: a support group with
// three operators whose cap is two conversations each, a burst of eight
// conversations, and what happens as operators finish their work. It prints
// every event as it happens and exits.
//
// The -store flag chooses where operators and conversations are kept:
//
//	go run ./examples/quickstart                                    # in memory (or -store memory)
//	go run ./examples/quickstart -store sqlite:quickstart.db        # a SQLite file, created if needed
//	go run ./examples/quickstart -store 'postgres://user@host/db'   # PostgreSQL (postgresql:// too)
//
// A SQL store is migrated (its tables created or brought up to date) before
// use and keeps everything after the program exits. The program can run
// again on the same store: the router resumes what earlier runs left, and
// each run works in a group of its own with ids of its own (run 1 uses
// "support", "anna", "chat-1", ...; run n > 1 adds "-run<n>" to each), so
// its output is the first run's with the ids renamed. A store holding rows
// in groups that this program did not create is refused.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store"
	sqlstore "github.com/switchboard-go/switchboard/store/sql"
)

func main() {
	var spec storeSpec
	flag.Var(&spec, "store", "keep operators and conversations in `STORE`: memory (the default; nothing is kept),\n"+
		"sqlite:FILE (a SQLite database file, created if needed), or a PostgreSQL URL\n"+
		"postgres://... or postgresql://...")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(flag.CommandLine.Output(), "unexpected arguments: %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, spec); err != nil {
		log.Fatal(err)
	}
}

// Kinds of store a storeSpec names.
const (
	memoryStore = iota
	sqliteStore
	postgresStore
)

// storeSpec is the value of the -store flag: which store to use and where.
// Its zero value is the in-memory store.
type storeSpec struct {
	// value is the flag's text, as given.
	value string
	// kind is memoryStore, sqliteStore or postgresStore.
	kind int
	// target is the SQLite file or the PostgreSQL URL.
	target string
}

// String returns the flag's text, as given.
func (s *storeSpec) String() string { return s.value }

// Set parses v: "" or "memory", "sqlite:FILE", or a URL starting with
// "postgres://" or "postgresql://". The URL is checked when the store is
// opened.
func (s *storeSpec) Set(v string) error {
	switch {
	case v == "" || v == "memory":
		*s = storeSpec{value: v, kind: memoryStore}
	case strings.HasPrefix(v, "sqlite:"):
		file := strings.TrimPrefix(v, "sqlite:")
		if file == "" {
			return errors.New("sqlite: needs a file name, as in sqlite:quickstart.db")
		}
		*s = storeSpec{value: v, kind: sqliteStore, target: file}
	case strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://"):
		*s = storeSpec{value: v, kind: postgresStore, target: v}
	default:
		return errors.New("want memory, sqlite:FILE, or a PostgreSQL URL (postgres:// or postgresql://)")
	}
	return nil
}

// open opens and migrates the store s names. It returns nil for the
// in-memory store, which the router makes itself.
func (s *storeSpec) open(ctx context.Context) (store.Store, error) {
	var (
		st   *sqlstore.Store
		what string
		err  error
	)
	switch s.kind {
	case memoryStore:
		return nil, nil
	case sqliteStore:
		what = "SQLite store " + strconv.Quote(s.target)
		st, err = sqlstore.OpenSQLite(ctx, s.target)
	case postgresStore:
		// The URL is not repeated: it may hold a password.
		what = "PostgreSQL store"
		st, err = sqlstore.OpenPostgres(ctx, s.target)
	default:
		return nil, fmt.Errorf("unknown store kind %d", s.kind)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", what, err)
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close() // the migration's error is the one to report
		return nil, fmt.Errorf("migrating %s: %w", what, err)
	}
	return st, nil
}

// baseGroup is the group of the first run; run n > 1 uses
// baseGroup + runSuffix + n.
const (
	baseGroup = "support"
	runSuffix = "-run"
)

// naming gives the ids of one run.
type naming struct{ run int }

// id returns the id of base in this run: base itself in run 1, and
// base-run<n> in run n > 1.
func (n naming) id(base string) string {
	if n.run == 1 {
		return base
	}
	return base + runSuffix + strconv.Itoa(n.run)
}

// runOf returns the run that created group, or false if this program did
// not create it.
func runOf(group string) (int, bool) {
	if group == baseGroup {
		return 1, true
	}
	digits, ok := strings.CutPrefix(group, baseGroup+runSuffix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 2 || strconv.Itoa(n) != digits {
		return 0, false
	}
	return n, true
}

// earlier is what earlier runs left in a durable store.
type earlier struct {
	// groups are the groups the store's rows belong to, sorted; the
	// router must be configured with each of them to resume.
	groups []string
	// conversations and open count the conversations, all and not closed.
	conversations, open int
	// next is the number of this run.
	next int
}

// readEarlier reads what earlier runs left in st. It fails if st holds
// rows of a group this program did not create, which it would not know
// how to route.
func readEarlier(ctx context.Context, st store.Store) (earlier, error) {
	ops, err := st.Operators(ctx)
	if err != nil {
		return earlier{}, fmt.Errorf("reading operators: %w", err)
	}
	convs, err := st.Conversations(ctx, store.Filter{})
	if err != nil {
		return earlier{}, fmt.Errorf("reading conversations: %w", err)
	}
	var groups []string
	for _, o := range ops {
		groups = append(groups, o.Groups...)
	}
	e := earlier{conversations: len(convs), next: 1}
	for _, c := range convs {
		groups = append(groups, c.Group)
		if c.State != store.Closed {
			e.open++
		}
	}
	slices.Sort(groups)
	e.groups = slices.Compact(groups)
	for _, g := range e.groups {
		n, ok := runOf(g)
		if !ok {
			return earlier{}, fmt.Errorf("the store holds rows of group %q, which quickstart did not create: use a new SQLite file or an empty PostgreSQL schema", g)
		}
		e.next = max(e.next, n+1)
	}
	return e, nil
}

// newPolicy returns the policy of every group: balanced routing (least
// loaded first) with a cap of 2 per operator.
func newPolicy() policy.Policy {
	return policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: 2})
}

// run plays the scenario on the store spec names, writing what happens to
// w. The router is stopped before the store is closed.
func run(ctx context.Context, w io.Writer, spec storeSpec) (err error) {
	st, err := spec.open(ctx)
	if err != nil {
		return err
	}
	names := naming{run: 1}
	var cfg routing.Config
	if st != nil {
		defer func() {
			if cerr := st.Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("closing store: %w", cerr))
			}
		}()
		e, err := readEarlier(ctx, st)
		if err != nil {
			return err
		}
		names.run = e.next
		fmt.Fprintf(w, "store holds %d conversations (%d open) from earlier runs; this is run %d\n", e.conversations, e.open, e.next)
		cfg.Store = st
		for _, g := range e.groups {
			cfg.Groups = append(cfg.Groups, routing.Group{ID: g, Policy: newPolicy()})
		}
	}
	group := names.id(baseGroup)
	cfg.Groups = append(cfg.Groups, routing.Group{ID: group, Policy: newPolicy()})
	r, err := routing.New(ctx, cfg)
	if err != nil {
		return fmt.Errorf("starting router: %w", err)
	}
	defer func() {
		if serr := r.Stop(context.Background()); serr != nil {
			err = errors.Join(err, fmt.Errorf("stopping router: %w", serr))
		}
	}()

	// Every command emits its events before it returns; print them after
	// each one, so they appear in the order they happened.
	sub := r.Subscribe()
	defer sub.Cancel()
	printEvents := func() {
		for {
			select {
			case ev := <-sub.Events():
				fmt.Fprintln(w, "  event:", ev)
			default:
				return
			}
		}
	}

	anna, boris, vera := names.id("anna"), names.id("boris"), names.id("vera")
	for _, id := range []string{anna, boris, vera} {
		if _, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: id, Groups: []string{group}}); err != nil {
			return fmt.Errorf("adding operator %s: %w", id, err)
		}
		if err := r.LogIn(ctx, routing.ByOperator(id), id); err != nil { // offline -> ready
			return fmt.Errorf("logging %s in: %w", id, err)
		}
		printEvents()
	}

	// A burst of eight conversations: six fit under the caps, two wait.
	for i := 1; i <= 8; i++ {
		id := names.id(fmt.Sprintf("chat-%d", i))
		c, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: group, Channel: "web"})
		if err != nil {
			return fmt.Errorf("enqueueing %s: %w", id, err)
		}
		fmt.Fprintf(w, "%s: %s %s\n", id, c.State, c.Assignee)
		printEvents()
	}

	// Anna closes a chat: the longest-waiting queued chat goes to her at once.
	chat1 := names.id("chat-1")
	fmt.Fprintf(w, "%s closes %s\n", anna, chat1)
	if _, err := r.CloseConversation(ctx, routing.ByOperator(anna), chat1, "resolved"); err != nil {
		return fmt.Errorf("closing %s: %w", chat1, err)
	}
	printEvents()
	// Boris ends his shift: his chats go to whoever has room, or back to the queue.
	fmt.Fprintf(w, "%s ends his shift\n", boris)
	if err := r.EndShift(ctx, routing.ByOperator(boris), boris); err != nil {
		return fmt.Errorf("ending %s's shift: %w", boris, err)
	}
	printEvents()

	// Only this run's operators and queue: those of earlier runs, resumed
	// from a durable store, are in the snapshot too.
	snap := r.Snapshot()
	for _, o := range snap.Operators {
		if slices.Contains(o.Groups, group) {
			fmt.Fprintf(w, "%s: %s, load %d, %v\n", o.ID, o.Status, o.Load, o.Conversations)
		}
	}
	for _, g := range snap.Groups {
		if g.ID == group {
			fmt.Fprintf(w, "queue %s: %d waiting, oldest %s\n", g.ID, g.Queued, g.Oldest)
		}
	}
	return nil
}
