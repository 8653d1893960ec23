package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// deskProcess is one run of the command, serving until stopped.
type deskProcess struct {
	url  string
	out  *syncBuffer
	addr chan string
	// done is closed when run returned err.
	done chan struct{}
	err  error
	stop func() error
}

// syncBuffer is an output the command and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDesk runs the command with args on a free port and returns once it
// listens; it is stopped at the test's end, if not before.
func startDesk(t *testing.T, args ...string) *deskProcess {
	t.Helper()
	return launchDesk(t, args...).listening(t)
}

// launchDesk starts running the command with args on a free port; call
// listening to wait until it listens.
func launchDesk(t *testing.T, args ...string) *deskProcess {
	ctx, cancel := context.WithCancel(context.Background())
	p := &deskProcess{out: &syncBuffer{}, addr: make(chan string, 1), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), p.out, func(a string) { p.addr <- a })
	}()
	p.stop = func() error {
		cancel()
		<-p.done
		return p.err
	}
	t.Cleanup(func() { _ = p.stop() })
	return p
}

// listening waits until p listens, and returns it.
func (p *deskProcess) listening(t *testing.T) *deskProcess {
	t.Helper()
	select {
	case a := <-p.addr:
		p.url = "http://" + a
	case <-p.done:
		t.Fatalf("the help desk did not start: %v\n%s", p.err, p.out)
	case <-time.After(30 * time.Second):
		t.Fatalf("the help desk did not start in 30 s:\n%s", p.out)
	}
	return p
}

// loginLine matches a demo account the command prints.
var loginLine = regexp.MustCompile(`(?m)^  (\w+)\s+(operator|supervisor)\s+password (\w+)`)

// passwords returns the demo passwords the command printed, by login.
func passwords(out string) map[string]string {
	m := map[string]string{}
	for _, l := range loginLine.FindAllStringSubmatch(out, -1) {
		m[l[1]] = l[3]
	}
	return m
}

// browser is an HTTP client with its own cookies, as a browser is.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: base}
}

// send sends a request with a JSON body (or none) and headers (pairs), and
// returns the status and body.
func (b *browser) send(method, path, body string, header ...string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/json")
	if b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return resp.StatusCode, string(data)
}

// login logs id in with password.
func (b *browser) login(id, password string) {
	b.t.Helper()
	status, body := b.send("POST", "/api/login", `{"login":"`+id+`","password":"`+password+`"}`)
	require.Equal(b.t, http.StatusOK, status, body)
	var me struct{ CSRF string }
	require.NoError(b.t, json.Unmarshal([]byte(body), &me))
	b.csrf = me.CSRF
}

// TestFirstRunSeedsTheDemoAndRestartsKeepIt: the first run on a new
// SQLite file prints the demo accounts; they log in; a chat started then
// is still there after a restart, which prints no accounts and keeps the
// passwords.
func TestFirstRunSeedsTheDemoAndRestartsKeepIt(t *testing.T) {
	file := filepath.Join(t.TempDir(), "desk.db")
	first := startDesk(t, "-db", file)
	require.Contains(t, first.out.String(), "Help desk on "+first.url)
	pw := passwords(first.out.String())
	require.Len(t, pw, 4, first.out.String())
	visitor := newBrowser(t, first.url)
	status, body := visitor.send("POST", "/api/chats", `{"name":"Vera","message":"Hello?"}`)
	require.Equal(t, http.StatusCreated, status, body)
	var chat struct{ Token, Conversation, State string }
	require.NoError(t, json.Unmarshal([]byte(body), &chat))
	require.Equal(t, "queued", chat.State, "nobody is logged in")
	require.NoError(t, first.stop())

	second := startDesk(t, "-db", file)
	require.NotContains(t, second.out.String(), "Demo accounts")
	anna := newBrowser(t, second.url)
	anna.login("anna", pw["anna"])
	status, body = anna.send("GET", "/api/conversations/"+chat.Conversation+"/messages", "")
	require.Equal(t, http.StatusOK, status, body, "logging in made Anna ready, and she got the waiting chat")
	require.Contains(t, body, "Hello?")
	status, _ = newBrowser(t, second.url).send("GET", "/api/chat", "", "X-Visitor-Token", chat.Token)
	require.Equal(t, http.StatusOK, status)
}

// TestBadFlagsAreRefused: unknown flags, arguments and presence models
// are refused before anything is opened.
func TestBadFlagsAreRefused(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-presence", "traffic-light"}} {
		var out bytes.Buffer
		require.Error(t, run(context.Background(), args, &out, nil), args)
	}
}

// TestTwoProcessesServeOneDeskOnPostgreSQL: two server processes on one
// PostgreSQL database are one help desk: a visitor chatting through one
// is assigned to an operator logged in on the other, and the operator's
// reply reaches the visitor's live stream on the first. Started at once on
// a new database, one of them seeds the demo for both.
func TestTwoProcessesServeOneDeskOnPostgreSQL(t *testing.T) {
	dsn := os.Getenv("SWITCHBOARD_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SWITCHBOARD_TEST_POSTGRES is not set: under CI the PostgreSQL tests must run")
		}
		t.Skip("SWITCHBOARD_TEST_POSTGRES is not set")
	}
	db := freshSchema(t, dsn)
	// Started at once, on a new database: one of them seeds the demo.
	a, b := launchDesk(t, "-db", db), launchDesk(t, "-db", db)
	a.listening(t)
	b.listening(t)
	pw := passwords(a.out.String() + b.out.String())
	require.Len(t, pw, 4, "one of the two seeded the desk:\n%s\n%s", a.out, b.out)
	require.Equal(t, 1, strings.Count(a.out.String()+b.out.String(), "Demo accounts"))

	visitor := newBrowser(t, a.url)
	status, body := visitor.send("POST", "/api/chats", `{"name":"Vera","message":"Hello from A"}`)
	require.Equal(t, http.StatusCreated, status, body)
	var chat struct{ Token, Conversation string }
	require.NoError(t, json.Unmarshal([]byte(body), &chat))
	events := openStream(t, a.url+"/api/chat/events?token="+chat.Token)

	anna := newBrowser(t, b.url)
	anna.login("anna", pw["anna"]) // on B: she gets the chat started on A
	require.Contains(t, events.until(`"state":"assigned"`), `"operator_name":"Anna"`)
	status, body = anna.send("GET", "/api/conversations/"+chat.Conversation+"/messages", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "Hello from A")
	status, body = anna.send("POST", "/api/conversations/"+chat.Conversation+"/messages", `{"body":"Hi from B"}`)
	require.Equal(t, http.StatusCreated, status, body)
	events.until("event: message")
	status, body = visitor.send("GET", "/api/chat/messages", "", "X-Visitor-Token", chat.Token)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Hi from B")
}

// freshSchema makes a schema of its own for the test in the database of
// dsn, dropped at its end, and returns dsn with it as the search path.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "sbtest_helpdesk_" + hex.EncodeToString(b)
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// lineStream is an event stream read line by line.
type lineStream struct {
	t     *testing.T
	lines chan string
}

// openStream opens the event stream at url.
func openStream(t *testing.T, url string) *lineStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s := &lineStream{t: t, lines: make(chan string, 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = resp.Body.Close()
		<-done
	})
	return s
}

// until returns the first line that contains text.
func (s *lineStream) until(text string) string {
	s.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			require.True(s.t, ok, "the stream ended before %q", text)
			if strings.Contains(line, text) {
				return line
			}
		case <-timeout:
			s.t.Fatalf("no %q on the stream in 30 s", text)
		}
	}
}

// TestSalesHoursFlag: with Sales closed (a zone and no spans), the widget
// on a /shop page says it is outside business hours, and a chat started
// there waits; a bad -sales-hours is refused.
func TestSalesHoursFlag(t *testing.T) {
	p := startDesk(t, "-db", filepath.Join(t.TempDir(), "desk.db"), "-sales-hours", "UTC")
	visitor := newBrowser(t, p.url)
	status, body := visitor.send("GET", "/api/widget?page=/shop/tv", "")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"group":"sales","online":false,"off_hours":true}`, body)
	status, body = visitor.send("POST", "/api/chats", `{"name":"Vera","page":"/shop/tv"}`)
	require.Equal(t, http.StatusCreated, status, body)
	require.Contains(t, body, `"off_hours":true`)
	require.Contains(t, body, `"state":"queued"`)
	status, body = visitor.send("GET", "/api/widget", "")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"group":"support","online":false,"off_hours":false}`, body, "Support keeps no hours")

	var out bytes.Buffer
	require.Error(t, run(context.Background(), []string{"-sales-hours", "Mars/Olympus mon 09:00-10:00"}, &out, nil))
}
