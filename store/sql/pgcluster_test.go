package sqlstore_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A pgCluster is a PostgreSQL cluster that a test creates, owns and drops:
// a server of its own, which the test may crash and restart without
// disturbing the machine's cluster or other tests. It is made with
// Debian's postgresql-common tools (pg_createcluster, pg_ctlcluster,
// pg_dropcluster), listens on 127.0.0.1 only, on a free port, trusts
// every local connection, and is stopped and dropped when the test ends,
// failed or not. Run as root, the tools run the server as the cluster's
// owner, postgres.
//
// The server runs in the foreground of a pg_ctlcluster --foreground
// child (pg_ctlcluster's own start waits seconds after the server is
// ready), so that the test sees it end.
//
// A test binary killed before its cleanups ran (by -timeout, say) leaves
// its clusters behind; the next newPgCluster drops those whose process is
// gone (their names carry its pid).
type pgCluster struct {
	t       testing.TB
	version string
	name    string
	port    int
	// exited is closed when the running server's process has ended;
	// nil while none runs.
	exited chan struct{}
}

// pgClusterPrefix begins the names of the tests' clusters, which are
// pgClusterPrefix, the test process's pid, "n" and a count.
const pgClusterPrefix = "sbfault"

var (
	pgClusterNames = regexp.MustCompile(`^` + pgClusterPrefix + `([0-9]+)n[0-9]+$`)
	pgClusterCount atomic.Int64
)

// pgCommandTimeout bounds each postgresql-common command; pgReadyTimeout
// bounds the wait for a started server to accept connections.
const (
	pgCommandTimeout = 2 * time.Minute
	pgReadyTimeout   = time.Minute
)

// pgClusterVersion returns the PostgreSQL version to create clusters of:
// the first in /etc/postgresql (else in /usr/lib/postgresql) with its
// server installed. When the tools or the rights to use them are missing
// it skips t, or fails it under CI (.ci/run installs them).
func pgClusterVersion(t testing.TB) string {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") != "" {
			t.Fatalf("under CI the throwaway PostgreSQL clusters must work (.ci/run installs postgresql and postgresql-common): %s", msg)
		}
		t.Skipf("throwaway PostgreSQL cluster unavailable (install postgresql and postgresql-common, run as root): %s", msg)
	}
	if os.Getenv(postgresEnv) == "" && os.Getenv("CI") == "" {
		// Like every PostgreSQL test, only when asked for.
		t.Skipf("PostgreSQL tests skipped: set %s to a DSN to run them", postgresEnv)
	}
	for _, tool := range []string{"pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing("%s not found: %v", tool, err)
		}
	}
	if err := syscall.Access("/etc/postgresql", 2 /* W_OK */); err != nil {
		missing("cannot create clusters in /etc/postgresql: %v", err)
	}
	for _, dir := range []string{"/etc/postgresql", "/usr/lib/postgresql"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if _, err := os.Stat(filepath.Join("/usr/lib/postgresql", e.Name(), "bin", "initdb")); err == nil {
				return e.Name()
			}
		}
	}
	missing("no PostgreSQL server in /usr/lib/postgresql")
	return ""
}

// newPgCluster creates a cluster with the given settings (postgresql.conf
// parameters, e.g. "commit_delay": "100000"), not started, and drops it
// when t ends.
func newPgCluster(t testing.TB, settings map[string]string) *pgCluster {
	t.Helper()
	version := pgClusterVersion(t)
	dropOrphanClusters(t, version)
	c := &pgCluster{t: t, version: version, port: freePort(t),
		name: fmt.Sprintf("%s%dn%d", pgClusterPrefix, os.Getpid(), pgClusterCount.Add(1))}
	// Trust for every local connection (explicit authentication keeps
	// pg_createcluster's peer and scram-sha-256 entries out of
	// pg_hba.conf); no fsync of the new files: only the server's own
	// fsyncs matter to the tests.
	start := time.Now()
	pgRun(t, "pg_createcluster", "-p", strconv.Itoa(c.port), "--start-conf", "manual", c.version, c.name,
		"--", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	t.Cleanup(c.drop)
	// The settings go at the end of postgresql.conf, where they win over
	// what is set before; every value quoted.
	all := map[string]string{"listen_addresses": "127.0.0.1", "ssl": "off"}
	maps.Copy(all, settings)
	var conf strings.Builder
	conf.WriteString("\n# set by the test that owns this cluster\n")
	for _, k := range slices.Sorted(maps.Keys(all)) {
		fmt.Fprintf(&conf, "%s = '%s'\n", k, strings.ReplaceAll(all[k], "'", "''"))
	}
	f, err := os.OpenFile(c.confFile(), os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(conf.String())
	require.NoError(t, errors.Join(err, f.Close()))
	t.Logf("PostgreSQL cluster %s/%s created on port %d in %v", c.version, c.name, c.port, time.Since(start).Round(time.Millisecond))
	return c
}

// freePort returns a TCP port free on 127.0.0.1 now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// pgEnv is the environment of the postgresql-common commands: no redirect
// through systemd, a locale that exists everywhere.
func pgEnv() []string {
	return append(os.Environ(), "_SYSTEMCTL_SKIP_REDIRECT=1", "LC_ALL=C", "LANG=C")
}

// pgCommand runs a postgresql-common command and returns its output.
func pgCommand(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pgCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = pgEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), err
}

// pgRun runs a postgresql-common command, failing t if it fails.
func pgRun(t testing.TB, name string, args ...string) {
	t.Helper()
	_, err := pgCommand(name, args...)
	require.NoError(t, err)
}

// pgClusters lists the names of the clusters of version.
func pgClusters(t testing.TB, version string) []string {
	t.Helper()
	out, err := pgCommand("pg_lsclusters", "-h")
	require.NoError(t, err)
	var names []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == version {
			names = append(names, f[1])
		}
	}
	return names
}

// dropOrphanClusters drops the tests' clusters whose process has gone.
func dropOrphanClusters(t testing.TB, version string) {
	t.Helper()
	for _, name := range pgClusters(t, version) {
		m := pgClusterNames.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue // the process that made it may still use it
		}
		_, _ = pgCommand("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "immediate")
		if _, err := pgCommand("pg_dropcluster", "--stop", version, name); err != nil {
			t.Logf("left-over cluster %s/%s not dropped: %v", version, name, err)
			continue
		}
		t.Logf("dropped cluster %s/%s, left over by process %d", version, name, pid)
	}
}

// Addr returns the cluster's host:port.
func (c *pgCluster) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)) }

// DSN returns the DSN of the cluster's postgres database, as its
// superuser.
func (c *pgCluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", c.Addr())
}

// Name returns the cluster's name (its version is pgClusterVersion's).
func (c *pgCluster) Name() string { return c.name }

// confFile is the cluster's postgresql.conf.
func (c *pgCluster) confFile() string {
	return filepath.Join("/etc/postgresql", c.version, c.name, "postgresql.conf")
}

// logFile is the server's log.
func (c *pgCluster) logFile() string {
	return fmt.Sprintf("/var/log/postgresql/postgresql-%s-%s.log", c.version, c.name)
}

// logTail returns the last lines of the server's log, for failures.
func (c *pgCluster) logTail() string {
	b, err := os.ReadFile(c.logFile())
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// Start starts the server and waits until it accepts connections.
func (c *pgCluster) Start() {
	c.t.Helper()
	require.Nil(c.t, c.exited, "cluster %s runs already", c.name)
	start := time.Now()
	cmd := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", "--foreground", "--stdlog", c.version, c.name, "start")
	cmd.Env = pgEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(c.t, cmd.Start())
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	c.exited = exited
	c.waitReady(func() string { <-exited; return out.String() })
	c.t.Logf("cluster %s accepts connections %v after its start", c.name, time.Since(start).Round(time.Millisecond))
}

// Crash stops the server the way a crash does (pg_ctlcluster stop -m
// immediate): every server process exits at once, nothing is flushed or
// checkpointed, and the next start recovers from the WAL on disk.
func (c *pgCluster) Crash() {
	c.t.Helper()
	require.NotNil(c.t, c.exited, "cluster %s is not running", c.name)
	pgRun(c.t, "pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, "stop", "-m", "immediate")
	c.waitExit()
}

// Stop stops the server cleanly (pg_ctlcluster stop -m fast): sessions
// are ended, and a checkpoint puts everything committed on disk.
func (c *pgCluster) Stop() {
	c.t.Helper()
	require.NotNil(c.t, c.exited, "cluster %s is not running", c.name)
	pgRun(c.t, "pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, "stop", "-m", "fast")
	c.waitExit()
}

// Restart starts the server again (after stopping it cleanly, if it
// runs) and waits until it accepts connections.
func (c *pgCluster) Restart() {
	c.t.Helper()
	if c.exited != nil {
		c.Stop()
	}
	c.Start()
}

// waitExit waits for the stopped server's process to end, failing the
// test after pgCommandTimeout.
func (c *pgCluster) waitExit() {
	c.t.Helper()
	select {
	case <-c.exited:
		c.exited = nil
	case <-time.After(pgCommandTimeout):
		c.t.Fatalf("cluster %s: the server did not exit %v after it was stopped", c.name, pgCommandTimeout)
	}
}

// waitReady waits until the server answers a query, failing the test
// after pgReadyTimeout or when the server exits; output returns what the
// exited server's command wrote.
func (c *pgCluster) waitReady(output func() string) {
	c.t.Helper()
	db, err := sql.Open("pgx", c.DSN())
	require.NoError(c.t, err)
	defer db.Close()
	deadline := time.Now().Add(pgReadyTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("cluster %s does not accept connections %v after its start: %v\nserver log:\n%s", c.name, pgReadyTimeout, err, c.logTail())
		}
		select {
		case <-c.exited:
			c.exited = nil
			c.t.Fatalf("cluster %s: the server exited at its start: %s\nserver log:\n%s", c.name, output(), c.logTail())
		case <-tick.C:
		}
	}
}

// drop stops the server at once, if it runs, and drops the cluster.
func (c *pgCluster) drop() {
	_, _ = pgCommand("pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, "stop", "-m", "immediate")
	if c.exited != nil {
		select {
		case <-c.exited:
		case <-time.After(pgCommandTimeout):
			c.t.Errorf("cluster %s: the server did not exit %v after it was stopped", c.name, pgCommandTimeout)
		}
	}
	if _, err := pgCommand("pg_dropcluster", "--stop", c.version, c.name); err != nil {
		c.t.Errorf("dropping the test's PostgreSQL cluster: %v", err)
	}
}

// TestPgClusterStartCrashRestart: a throwaway cluster starts with the
// settings given, on 127.0.0.1 only, run by the postgres user; a crash
// stops it at once; a restart recovers it with what was committed, and
// the pool that used it before connects again.
func TestPgClusterStartCrashRestart(t *testing.T) {
	c := newPgCluster(t, map[string]string{"commit_delay": "12345", "wal_writer_delay": "777ms", "fsync": "on"})
	require.Contains(t, pgClusters(t, c.version), c.Name())
	c.Start()
	db, err := sql.Open("pgx", c.DSN())
	require.NoError(t, err)
	defer db.Close()
	ctx := t.Context()
	show := func(name string) string {
		t.Helper()
		var v string
		require.NoError(t, db.QueryRowContext(ctx, "SHOW "+name).Scan(&v), name)
		return v
	}
	require.Equal(t, "12345", show("commit_delay"))
	require.Equal(t, "777ms", show("wal_writer_delay"))
	require.Equal(t, "on", show("fsync"))
	require.Equal(t, "127.0.0.1", show("listen_addresses"))
	require.Equal(t, strconv.Itoa(c.port), show("port"))

	// The server runs as postgres: the postmaster's real user.
	pidFile, err := os.ReadFile(filepath.Join(show("data_directory"), "postmaster.pid"))
	require.NoError(t, err)
	pid, _, _ := strings.Cut(string(pidFile), "\n")
	status, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	require.NoError(t, err)
	pg, err := user.Lookup("postgres")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^Uid:\s+`+pg.Uid+`\s`, string(status), "the postmaster runs as postgres")

	_, err = db.ExecContext(ctx, "CREATE TABLE kept (k TEXT PRIMARY KEY)")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO kept VALUES ('before the crash')")
	require.NoError(t, err)

	c.Crash()
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	require.Error(t, db.PingContext(pingCtx), "the server answers after its crash")
	cancel()
	require.NoFileExists(t, filepath.Join(c.dataDir(t), "postmaster.pid"), "no server process left")

	c.Restart()
	var k string
	require.NoError(t, db.QueryRowContext(ctx, "SELECT k FROM kept").Scan(&k))
	require.Equal(t, "before the crash", k)
}

// dataDir returns the cluster's data directory, as pg_lsclusters reads it
// from the configuration (the server may be down).
func (c *pgCluster) dataDir(t testing.TB) string {
	t.Helper()
	out, err := pgCommand("pg_lsclusters", "-h", c.version, c.name)
	require.NoError(t, err)
	f := strings.Fields(out)
	require.GreaterOrEqual(t, len(f), 6, "pg_lsclusters: %q", out)
	return f[5]
}

// pgClusterFailEnv makes TestPgClusterDroppedWhenTestFails, run as its own
// child, create and start a cluster, print its name and fail.
const pgClusterFailEnv = "SWITCHBOARD_PGCLUSTER_FAIL"

// TestPgClusterDroppedWhenTestFails: a test that fails with its cluster
// running leaves no cluster behind. The test runs itself in a child
// process, which fails on purpose.
func TestPgClusterDroppedWhenTestFails(t *testing.T) {
	if os.Getenv(pgClusterFailEnv) != "" {
		c := newPgCluster(t, nil)
		c.Start()
		fmt.Printf("cluster %s %s\n", c.version, c.Name())
		t.Fatal("failing on purpose with the cluster running")
	}
	version := pgClusterVersion(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 2*pgCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestPgClusterDroppedWhenTestFails$")
	cmd.Env = append(os.Environ(), pgClusterFailEnv+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child should fail: %s", out.String())
	m := regexp.MustCompile(`(?m)^cluster (\S+) (\S+)$`).FindStringSubmatch(out.String())
	require.NotNil(t, m, "the child named no cluster: %s", out.String())
	require.Equal(t, version, m[1])
	require.Contains(t, out.String(), "failing on purpose")
	require.NotContains(t, pgClusters(t, version), m[2], "the failed test's cluster is left")
	require.NoDirExists(t, filepath.Join("/etc/postgresql", version, m[2]))
	require.NoDirExists(t, filepath.Join("/var/lib/postgresql", version, m[2]))
}
