package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// A faultProxy stands between the tests' clients and a server (PostgreSQL)
// and breaks the network between them on demand. It listens on
// 127.0.0.1:0 and forwards every connection it accepts to its target.
// Its controls may be used at any moment and act on the connections open
// at the time as well as on those accepted later:
//
//   - Heal forwards everything (the default);
//   - Blackhole swallows the bytes of both directions: they are read and
//     dropped, the connections stay open, and each peer sees silence;
//   - BlackholeToServer and BlackholeToClient swallow one direction only;
//   - Drop closes both sides of every connection open at the time,
//     abruptly (a reset), without changing what is forwarded.
//
// Swallowed bytes are gone: after a Heal a connection that lost some is
// out of step with its peer (PostgreSQL's protocol does not recover from
// that), so a test that wants its clients back on clean connections calls
// Drop as well.
type faultProxy struct {
	target string
	ln     net.Listener
	// mode is the faultMode in force.
	mode atomic.Int32
	// wg counts the goroutines the proxy runs.
	wg sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[*proxiedConn]struct{}
	// swallowed counts the bytes swallowed in each direction; grew is
	// closed and replaced whenever a count grows.
	swallowed [2]int64
	grew      chan struct{}
}

// faultMode is what a faultProxy forwards.
type faultMode int32

const (
	faultPass           faultMode = iota // everything
	faultSilent                          // nothing
	faultSilentToServer                  // what the server sends only
	faultSilentToClient                  // what the client sends only
)

// faultDir is a direction of a proxied connection.
type faultDir int

const (
	toServer faultDir = iota // client to server
	toClient                 // server to client
)

func (d faultDir) String() string { return [...]string{"client to server", "server to client"}[d] }

// proxyDial bounds the proxy's connection to its target.
const proxyDial = 5 * time.Second

// newFaultProxy starts a proxy to target (host:port), which it closes when
// t ends.
func newFaultProxy(t testing.TB, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &faultProxy{target: target, ln: ln, conns: map[*proxiedConn]struct{}{}, grew: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// proxyPostgres starts a proxy to the PostgreSQL server of dsn and returns
// it with the DSN that reaches the server through it.
func proxyPostgres(t testing.TB, dsn string) (*faultProxy, string) {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	require.NoError(t, err)
	require.False(t, strings.HasPrefix(cfg.Host, "/"), "the proxy forwards TCP: DSN %q names a Unix socket", dsn)
	p := newFaultProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	return p, p.DSN(t, dsn)
}

// Addr returns the address the proxy listens on.
func (p *faultProxy) Addr() string { return p.ln.Addr().String() }

// DSN returns dsn (a URL or keyword=value DSN) with its host and port
// replaced by the proxy's.
func (p *faultProxy) DSN(t testing.TB, dsn string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(p.Addr())
	require.NoError(t, err)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		u.Host = p.Addr()
		return u.String()
	}
	// In a keyword=value DSN the last setting of a keyword wins.
	return dsn + " host=" + host + " port=" + port
}

// Heal forwards everything again.
func (p *faultProxy) Heal() { p.mode.Store(int32(faultPass)) }

// Blackhole swallows what either peer sends.
func (p *faultProxy) Blackhole() { p.mode.Store(int32(faultSilent)) }

// BlackholeToServer swallows what clients send; servers' answers pass.
func (p *faultProxy) BlackholeToServer() { p.mode.Store(int32(faultSilentToServer)) }

// BlackholeToClient swallows what servers send; clients' bytes pass.
func (p *faultProxy) BlackholeToClient() { p.mode.Store(int32(faultSilentToClient)) }

// Drop closes both sides of every connection open now, abruptly, and
// returns how many there were.
func (p *faultProxy) Drop() int {
	p.mu.Lock()
	conns := make([]*proxiedConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
	return len(conns)
}

// Swallowed returns how many bytes the proxy swallowed in direction d.
func (p *faultProxy) Swallowed(d faultDir) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.swallowed[d]
}

// awaitSwallowed waits until the proxy has swallowed at least n bytes in
// direction d, failing t after feedWait.
func (p *faultProxy) awaitSwallowed(t testing.TB, d faultDir, n int64) {
	t.Helper()
	timeout := time.After(feedWait)
	for {
		p.mu.Lock()
		got, grew := p.swallowed[d], p.grew
		p.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-grew:
		case <-timeout:
			t.Fatalf("the proxy swallowed %d bytes %v, not %d, within %v", got, d, n, feedWait)
		}
	}
}

// silences reports whether bytes going in direction d are swallowed now.
func (p *faultProxy) silences(d faultDir) bool {
	switch faultMode(p.mode.Load()) {
	case faultSilent:
		return true
	case faultSilentToServer:
		return d == toServer
	case faultSilentToClient:
		return d == toClient
	}
	return false
}

// close stops accepting, drops every connection and waits for the
// proxy's goroutines.
func (p *faultProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	_ = p.ln.Close()
	p.Drop()
	p.wg.Wait()
}

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// proxiedConn is one client's connection and the proxy's to the server.
type proxiedConn struct {
	client, server net.Conn
	once           sync.Once
}

// abort closes both connections with a reset rather than an orderly
// shutdown.
func (c *proxiedConn) abort() {
	c.once.Do(func() {
		for _, nc := range []net.Conn{c.client, c.server} {
			if tc, ok := nc.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = nc.Close()
		}
	})
}

// serve connects client to the target and forwards between them until
// either side closes or the proxy drops them.
func (p *faultProxy) serve(client net.Conn) {
	defer p.wg.Done()
	server, err := net.DialTimeout("tcp", p.target, proxyDial)
	if err != nil {
		_ = client.Close()
		return
	}
	c := &proxiedConn{client: client, server: server}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.abort()
		return
	}
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	var both sync.WaitGroup
	both.Add(2)
	go func() { defer both.Done(); p.pump(c, server, client, toServer) }()
	go func() { defer both.Done(); p.pump(c, client, server, toClient) }()
	both.Wait()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// pump copies src to dst, swallowing what it reads while direction d is
// silenced. When either end fails it closes the connection (both sides).
func (p *faultProxy) pump(c *proxiedConn, dst, src net.Conn, d faultDir) {
	defer c.abort()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if p.silences(d) {
				p.mu.Lock()
				p.swallowed[d] += int64(n)
				close(p.grew)
				p.grew = make(chan struct{})
				p.mu.Unlock()
			} else if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// echoServer is the proxy tests' target: it writes back what it reads and
// reports it on got, and reports each connection's end on ended.
type echoServer struct {
	ln         net.Listener
	got, ended chan string
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	e := &echoServer{ln: ln, got: make(chan string, 64), ended: make(chan string, 64)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				buf := make([]byte, 1024)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							break
						}
						e.got <- string(buf[:n])
					}
					if err != nil {
						break
					}
				}
				e.ended <- c.RemoteAddr().String()
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	return e
}

// receive returns the next bytes the echo server read, failing t if none
// come within feedWait.
func (e *echoServer) receive(t *testing.T) string {
	t.Helper()
	select {
	case s := <-e.got:
		return s
	case <-time.After(feedWait):
		t.Fatalf("the echo server read nothing within %v", feedWait)
		return ""
	}
}

// proxyQuiet is how long a proxy test listens for bytes that must not
// come: a read deadline, not a wait for something to happen.
const proxyQuiet = 200 * time.Millisecond

// dialProxy connects to p, closing the connection when t ends.
func dialProxy(t *testing.T, p *faultProxy) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.Addr(), proxyDial)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// roundTrip writes msg on c and requires the same bytes back.
func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	_, err := c.Write([]byte(msg))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(feedWait)))
	buf := make([]byte, len(msg))
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	require.Equal(t, msg, string(buf))
}

// requireSilent requires that nothing arrives on c for proxyQuiet, and
// that c stays open (the read times out, it does not end).
func requireSilent(t *testing.T, c net.Conn) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(proxyQuiet)))
	n, err := c.Read(make([]byte, 64))
	require.Zero(t, n, "bytes came through a silenced proxy")
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "the connection should stay open and silent, got %v", err)
}

func TestProxyForwardsBothWays(t *testing.T) {
	e := newEchoServer(t)
	p := newFaultProxy(t, e.ln.Addr().String())
	a, b := dialProxy(t, p), dialProxy(t, p)
	roundTrip(t, a, "hello")
	require.Equal(t, "hello", e.receive(t))
	roundTrip(t, b, "world")
	require.Equal(t, "world", e.receive(t))
	roundTrip(t, a, "again")
	require.Equal(t, "again", e.receive(t))
}

// TestProxyBlackholeSilencesOpenAndNewConnections: under Blackhole what a
// client sends is swallowed, on a connection opened before and on one
// opened after, and both stay open; Heal makes them forward again (the
// swallowed bytes are gone: the echo server's next read is what was sent
// after the heal), and new connections work.
func TestProxyBlackholeSilencesOpenAndNewConnections(t *testing.T) {
	e := newEchoServer(t)
	p := newFaultProxy(t, e.ln.Addr().String())
	before := dialProxy(t, p)
	roundTrip(t, before, "up")
	require.Equal(t, "up", e.receive(t))

	p.Blackhole()
	after := dialProxy(t, p)
	for i, c := range []net.Conn{before, after} {
		_, err := c.Write([]byte("lost"))
		require.NoError(t, err)
		p.awaitSwallowed(t, toServer, int64(4*(i+1)))
		requireSilent(t, c)
	}

	p.Heal()
	roundTrip(t, before, "healed")
	require.Equal(t, "healed", e.receive(t), "bytes swallowed before the heal are not delivered")
	roundTrip(t, after, "too")
	require.Equal(t, "too", e.receive(t))
	roundTrip(t, dialProxy(t, p), "new")
	require.Equal(t, "new", e.receive(t))
}

// TestProxyBlackholeOneWay: BlackholeToServer swallows what the client
// sends (the server never reads it); BlackholeToClient lets it through
// but swallows the answer.
func TestProxyBlackholeOneWay(t *testing.T) {
	e := newEchoServer(t)
	p := newFaultProxy(t, e.ln.Addr().String())
	c := dialProxy(t, p)
	roundTrip(t, c, "up")
	require.Equal(t, "up", e.receive(t))

	p.BlackholeToServer()
	_, err := c.Write([]byte("request"))
	require.NoError(t, err)
	p.awaitSwallowed(t, toServer, int64(len("request")))
	requireSilent(t, c)
	p.Heal()
	roundTrip(t, c, "next")
	require.Equal(t, "next", e.receive(t), "the server never read what was sent under BlackholeToServer")

	p.BlackholeToClient()
	_, err = c.Write([]byte("asked"))
	require.NoError(t, err)
	require.Equal(t, "asked", e.receive(t), "the server reads what clients send under BlackholeToClient")
	p.awaitSwallowed(t, toClient, int64(len("asked")))
	requireSilent(t, c)
	p.Heal()
	roundTrip(t, c, "answered")
	require.Equal(t, "answered", e.receive(t))
	require.Zero(t, p.Swallowed(toClient)-int64(len("asked")), "only the answer sent under BlackholeToClient was swallowed")
}

// TestProxyDropClosesEveryConnection: Drop closes both sides of every open
// connection, and new ones are forwarded as before.
func TestProxyDropClosesEveryConnection(t *testing.T) {
	e := newEchoServer(t)
	p := newFaultProxy(t, e.ln.Addr().String())
	a, b := dialProxy(t, p), dialProxy(t, p)
	roundTrip(t, a, "a")
	roundTrip(t, b, "b")
	require.ElementsMatch(t, []string{"a", "b"}, []string{e.receive(t), e.receive(t)})

	require.Equal(t, 2, p.Drop())
	for _, c := range []net.Conn{a, b} {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(feedWait)))
		_, err := c.Read(make([]byte, 8))
		var ne net.Error
		require.Error(t, err)
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "the client's side was not closed: %v", err)
	}
	for range 2 {
		select {
		case <-e.ended:
		case <-time.After(feedWait):
			t.Fatal("the server's side was not closed")
		}
	}
	roundTrip(t, dialProxy(t, p), "new")
	require.Equal(t, "new", e.receive(t))
}

// proxyDeadline is the context deadline of the queries that a silenced
// proxy must make fail.
const proxyDeadline = 300 * time.Millisecond

// TestProxyPostgres: a database/sql pool (pgx) queries PostgreSQL through
// the proxy; while any direction is silenced a query with a 300 ms
// deadline fails within about that; after a heal new connections work;
// after a drop the pool's next query works on a new connection.
func TestProxyPostgres(t *testing.T) {
	p, dsn := proxyPostgres(t, postgresDSN(t))
	require.Contains(t, dsn, p.Addr())
	if _, err := postgresPool(t).ExecContext(t.Context(), "SELECT 1"); err != nil {
		t.Fatalf("PostgreSQL unreachable: %v", err)
	}
	open := func() *sql.DB {
		db, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	query := func(db *sql.DB, within time.Duration) (time.Duration, error) {
		ctx, cancel := context.WithTimeout(t.Context(), within)
		defer cancel()
		start := time.Now()
		var one int
		err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		if err == nil && one != 1 {
			err = errors.New("SELECT 1 returned " + strconv.Itoa(one))
		}
		return time.Since(start), err
	}
	db := open()
	_, err := query(db, feedWait)
	require.NoError(t, err)

	for _, silence := range []struct {
		name string
		set  func()
	}{{"both ways", p.Blackhole}, {"to the server", p.BlackholeToServer}, {"to the client", p.BlackholeToClient}} {
		silence.set()
		took, err := query(db, proxyDeadline)
		require.Error(t, err, "silenced %s", silence.name)
		require.ErrorIs(t, err, context.DeadlineExceeded, "silenced %s", silence.name)
		require.Less(t, took, proxyDeadline+time.Second, "silenced %s: the query failed after %v", silence.name, took)
		took, err = query(open(), proxyDeadline)
		require.Error(t, err, "silenced %s, new pool", silence.name)
		require.Less(t, took, proxyDeadline+time.Second, "silenced %s: the new pool's query failed after %v", silence.name, took)
		p.Heal()
		_, err = query(open(), feedWait)
		require.NoError(t, err, "a new connection after the heal of %s", silence.name)
		_, err = query(db, feedWait)
		require.NoError(t, err, "the pool's next query after the heal of %s", silence.name)
	}

	// A drop breaks the connection a query holds; the pool replaces it.
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.PingContext(t.Context()))
	require.Positive(t, p.Drop())
	require.Error(t, conn.PingContext(t.Context()), "the dropped connection still answers")
	_, err = query(db, feedWait)
	require.NoError(t, err, "the pool after a drop")
}

// TestProxyDSN: the proxy's DSN is the one given with the host and port
// replaced, in either form of DSN.
func TestProxyDSN(t *testing.T) {
	p := newFaultProxy(t, "127.0.0.1:1")
	host, port, err := net.SplitHostPort(p.Addr())
	require.NoError(t, err)
	for _, dsn := range []string{
		"postgres://postgres@db.example:5432/test?sslmode=disable",
		"host=db.example port=5432 user=postgres dbname=test sslmode=disable",
	} {
		cfg, err := pgconn.ParseConfig(p.DSN(t, dsn))
		require.NoError(t, err, dsn)
		require.Equal(t, host, cfg.Host, dsn)
		require.Equal(t, port, strconv.Itoa(int(cfg.Port)), dsn)
		require.Equal(t, "postgres", cfg.User, dsn)
		require.Equal(t, "test", cfg.Database, dsn)
	}
}
