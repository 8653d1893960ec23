package server_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/server"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// fixture is a Server on the demo set-up: a Router on the memory store
// with the demo's groups and rules, on a mock clock, and a desk on
// SQLite with the demo's staff, each with password "secret-<id>".
type fixture struct {
	srv    *server.Server
	desk   *desk.Desk
	router *routing.Router
	clock  *clock.Mock
	db     *sql.DB
}

// t0 is when every fixture starts.
var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(t0)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "desk.db")+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	k, err := desk.Open(ctx, db, desk.SQLite, desk.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	r, err := routing.New(ctx, routing.Config{Clock: clk, ManualDeadlines: true, Presence: presence.Standard(), Groups: demo.Groups()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	logins, err := demo.Seed(ctx, r, k, func(id string) string { return "secret-" + id }, clk.Now())
	require.NoError(t, err)
	require.Len(t, logins, len(demo.Staff))
	srv, err := server.New(server.Config{Desk: k, Router: r, DefaultGroup: demo.Support, Statuses: server.StandardLooks,
		SessionTTL: time.Hour, Location: time.UTC})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, desk: k, router: r, clock: clk, db: db}
}

// do sends a request with body (JSON text, or none) and the given
// cookies and headers (pairs), and returns the answer.
// The body is sent as application/json unless header sets Content-Type.
func (f *fixture) do(t *testing.T, method, path, body string, cookies []*http.Cookie, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

// loggedIn is a session as a browser holds it.
type loggedIn struct {
	cookies []*http.Cookie
	csrf    string
}

// login logs login in and returns the session.
func (f *fixture) login(t *testing.T, login, password string) loggedIn {
	t.Helper()
	w := f.do(t, "POST", "/api/login", `{"login":"`+login+`","password":"`+password+`"}`, nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var me struct{ CSRF string }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &me))
	return loggedIn{cookies: w.Result().Cookies(), csrf: me.CSRF}
}

// staff logs one of the demo's staff in with their password.
func (f *fixture) staff(t *testing.T, id string) loggedIn {
	t.Helper()
	return f.login(t, id, "secret-"+id)
}

// call sends a staff request of s, with its CSRF token.
func (f *fixture) call(t *testing.T, s loggedIn, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	return f.do(t, method, path, body, s.cookies, "X-CSRF-Token", s.csrf)
}

// visitor is a visitor's browser: their token.
type visitor struct{ token string }

// startChat starts a chat with body and returns the visitor and the chat.
func (f *fixture) startChat(t *testing.T, body string) (visitor, map[string]any) {
	t.Helper()
	w := f.do(t, "POST", "/api/chats", body, nil)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	chat := decodeMap(t, w)
	require.NotEmpty(t, chat["token"])
	return visitor{token: chat["token"].(string)}, chat
}

// as sends a request of visitor v.
func (f *fixture) as(t *testing.T, v visitor, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	return f.do(t, method, path, body, nil, "X-Visitor-Token", v.token)
}

// decodeMap decodes w's JSON object.
func decodeMap(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &m), w.Body.String())
	return m
}

// decodeInto decodes w's JSON into v, after checking its status.
func decodeInto(t *testing.T, w *httptest.ResponseRecorder, status int, v any) {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), v), w.Body.String())
}

// requireRefusal checks that w is a refusal with status and code.
func requireRefusal(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var e struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	require.Equal(t, code, e.Error.Code)
	require.NotEmpty(t, e.Error.Message)
}

// sse is an open event stream.
type sse struct {
	t      *testing.T
	events chan sseEvent
	close  func()
}

// sseEvent is one server-sent event.
type sseEvent struct {
	ID, Event, Data string
}

// openSSE opens the event stream at path on a real server for f, with
// the headers given (pairs); it returns once the server has subscribed
// (it sent its headers).
func (f *fixture) openSSE(t *testing.T, path string, cookies []*http.Cookie, header ...string) *sse {
	t.Helper()
	ts := httptest.NewServer(f.srv)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", ts.URL+path, nil)
	require.NoError(t, err)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	s := &sse{t: t, events: make(chan sseEvent, 256)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev.Event != "":
				s.events <- ev
				ev = sseEvent{}
			}
		}
	}()
	var once sync.Once
	s.close = func() {
		once.Do(func() {
			cancel()
			_ = resp.Body.Close()
			<-done
		})
	}
	t.Cleanup(func() {
		s.close()
		ts.Close()
	})
	return s
}

// ended waits for the server to end the stream.
func (s *sse) ended() {
	s.t.Helper()
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return
			}
		case <-time.After(10 * time.Second):
			s.t.Fatal("the stream did not end in 10s")
		}
	}
}

// next returns the next event named one of names, skipping others.
func (s *sse) next(names ...string) sseEvent {
	s.t.Helper()
	for {
		select {
		case ev, ok := <-s.events:
			require.True(s.t, ok, "the stream ended")
			for _, n := range names {
				if ev.Event == n {
					return ev
				}
			}
		case <-time.After(10 * time.Second):
			s.t.Fatalf("no %v event in 10s", names)
		}
	}
}
