package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/server"
)

// fixture is a Server on a desk on SQLite, with an operator anna and a
// supervisor boss.
type fixture struct {
	srv   *server.Server
	desk  *desk.Desk
	clock *clock.Mock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "desk.db")+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	k, err := desk.Open(ctx, db, desk.SQLite, desk.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	require.NoError(t, k.CreateAccount(ctx, desk.Account{ID: "anna", Name: "Anna", Role: desk.Operator}, "secret-anna", clk.Now()))
	require.NoError(t, k.CreateAccount(ctx, desk.Account{ID: "boss", Name: "Boss", Role: desk.Supervisor}, "secret-boss", clk.Now()))
	return &fixture{srv: server.New(server.Config{Desk: k, Clock: clk, SessionTTL: time.Hour}), desk: k, clock: clk}
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

// TestLoginStartsASession: the right password gives a session cookie
// (HttpOnly, SameSite=Lax, not Secure without TLS) and the CSRF token;
// the cookie then opens /api/me.
func TestLoginStartsASession(t *testing.T) {
	f := newFixture(t)
	w := f.do(t, "POST", "/api/login", `{"login":"anna","password":"secret-anna"}`, nil)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	require.Equal(t, "helpdesk_session", c.Name)
	require.True(t, c.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	require.False(t, c.Secure)
	var me struct {
		ID, Name, Role, CSRF string
		Expires              time.Time
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &me))
	require.Equal(t, "anna", me.ID)
	require.Equal(t, "operator", me.Role)
	require.NotEmpty(t, me.CSRF)
	require.True(t, me.Expires.Equal(f.clock.Now().Add(time.Hour)))

	w = f.do(t, "GET", "/api/me", "", cookies)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), `"id":"anna"`)

	f.clock.Add(time.Hour)
	requireRefusal(t, f.do(t, "GET", "/api/me", "", cookies), http.StatusUnauthorized, "no-session")
}

// TestLoginCookieSecure: over TLS the cookie is Secure, and on every
// request with SecureCookies (behind a proxy that ends TLS).
func TestLoginCookieSecure(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest("POST", "https://desk.example/api/login", strings.NewReader(`{"login":"boss","password":"secret-boss"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.True(t, w.Result().Cookies()[0].Secure)

	proxied := server.New(server.Config{Desk: f.desk, Clock: f.clock, SecureCookies: true})
	req = httptest.NewRequest("POST", "/api/login", strings.NewReader(`{"login":"boss","password":"secret-boss"}`))
	req.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	proxied.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.True(t, w.Result().Cookies()[0].Secure)
}

// TestLoginEndsTheSessionBefore: logging in with a session's cookie ends
// that session.
func TestLoginEndsTheSessionBefore(t *testing.T) {
	f := newFixture(t)
	first := f.login(t, "anna", "secret-anna")
	w := f.do(t, "POST", "/api/login", `{"login":"anna","password":"secret-anna"}`, first.cookies)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	requireRefusal(t, f.do(t, "GET", "/api/me", "", first.cookies), http.StatusUnauthorized, "no-session")
	require.Equal(t, http.StatusOK, f.do(t, "GET", "/api/me", "", w.Result().Cookies()).Code)
}

// TestLoginRefusals: a wrong password or login, malformed JSON, an
// unknown field and a body over the limit are refused with a JSON error,
// and no session starts.
func TestLoginRefusals(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"wrong password", `{"login":"anna","password":"secret-boss"}`, http.StatusUnauthorized, "bad-login"},
		{"unknown login", `{"login":"nobody","password":"secret-anna"}`, http.StatusUnauthorized, "bad-login"},
		{"not JSON", `login=anna`, http.StatusBadRequest, "bad-json"},
		{"unknown field", `{"login":"anna","password":"secret-anna","admin":true}`, http.StatusBadRequest, "bad-json"},
		{"two values", `{"login":"anna","password":"secret-anna"} {}`, http.StatusBadRequest, "bad-json"},
		{"a stray brace after it", `{"login":"anna","password":"secret-anna"}}`, http.StatusBadRequest, "bad-json"},
		{"oversized", `{"login":"anna","password":"` + strings.Repeat("x", 70<<10) + `"}`, http.StatusRequestEntityTooLarge, "too-large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(t, "POST", "/api/login", tc.body, nil)
			requireRefusal(t, w, tc.status, tc.code)
			require.Empty(t, w.Result().Cookies())
		})
	}
	// A cross-site form can post text/plain that parses as JSON; it is
	// refused for its type.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		w := f.do(t, "POST", "/api/login", `{"login":"anna","password":"secret-anna"}`, nil, "Content-Type", ct)
		requireRefusal(t, w, http.StatusUnsupportedMediaType, "not-json")
		require.Empty(t, w.Result().Cookies())
	}
}

// TestStaffRequestsNeedASessionAndItsCSRFToken: without the cookie a
// staff request is 401; a state-changing one without the session's CSRF
// token, or with another session's, is 403 and changes nothing; with it,
// logout ends the session.
func TestStaffRequestsNeedASessionAndItsCSRFToken(t *testing.T) {
	f := newFixture(t)
	anna := f.login(t, "anna", "secret-anna")
	boss := f.login(t, "boss", "secret-boss")
	requireRefusal(t, f.do(t, "GET", "/api/me", "", nil), http.StatusUnauthorized, "no-session")
	requireRefusal(t, f.do(t, "GET", "/api/me", "", []*http.Cookie{{Name: "helpdesk_session", Value: "made-up"}}), http.StatusUnauthorized, "no-session")
	requireRefusal(t, f.do(t, "POST", "/api/logout", "", anna.cookies), http.StatusForbidden, "bad-csrf")
	requireRefusal(t, f.do(t, "POST", "/api/logout", "", anna.cookies, "X-CSRF-Token", boss.csrf), http.StatusForbidden, "bad-csrf")
	require.Equal(t, http.StatusOK, f.do(t, "GET", "/api/me", "", anna.cookies).Code, "still logged in")

	w := f.do(t, "POST", "/api/logout", "", anna.cookies, "X-CSRF-Token", anna.csrf)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	require.Equal(t, "", w.Result().Cookies()[0].Value, "the cookie is cleared")
	requireRefusal(t, f.do(t, "GET", "/api/me", "", anna.cookies), http.StatusUnauthorized, "no-session")
	require.Equal(t, http.StatusOK, f.do(t, "GET", "/api/me", "", boss.cookies).Code, "another session is untouched")
}
