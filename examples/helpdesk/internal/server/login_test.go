package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/server"
)

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
	req := httptest.NewRequest("POST", "https://desk.example/api/login", strings.NewReader(`{"login":"sam","password":"secret-sam"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.True(t, w.Result().Cookies()[0].Secure)

	proxied, err := server.New(server.Config{Desk: f.desk, Router: f.router, DefaultGroup: demo.Support, SecureCookies: true})
	require.NoError(t, err)
	t.Cleanup(proxied.Close)
	req = httptest.NewRequest("POST", "/api/login", strings.NewReader(`{"login":"sam","password":"secret-sam"}`))
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
		{"wrong password", `{"login":"anna","password":"secret-sam"}`, http.StatusUnauthorized, "bad-login"},
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
	sam := f.login(t, "sam", "secret-sam")
	requireRefusal(t, f.do(t, "GET", "/api/me", "", nil), http.StatusUnauthorized, "no-session")
	requireRefusal(t, f.do(t, "GET", "/api/me", "", []*http.Cookie{{Name: "helpdesk_session", Value: "made-up"}}), http.StatusUnauthorized, "no-session")
	requireRefusal(t, f.do(t, "POST", "/api/logout", "", anna.cookies), http.StatusForbidden, "bad-csrf")
	requireRefusal(t, f.do(t, "POST", "/api/logout", "", anna.cookies, "X-CSRF-Token", sam.csrf), http.StatusForbidden, "bad-csrf")
	require.Equal(t, http.StatusOK, f.do(t, "GET", "/api/me", "", anna.cookies).Code, "still logged in")

	w := f.do(t, "POST", "/api/logout", "", anna.cookies, "X-CSRF-Token", anna.csrf)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	require.Equal(t, "", w.Result().Cookies()[0].Value, "the cookie is cleared")
	requireRefusal(t, f.do(t, "GET", "/api/me", "", anna.cookies), http.StatusUnauthorized, "no-session")
	require.Equal(t, http.StatusOK, f.do(t, "GET", "/api/me", "", sam.cookies).Code, "another session is untouched")
}

// TestLoginsAreThrottled: one address may try 20 logins a minute, right
// or wrong; the 21st is refused with 429 before the password is checked.
func TestLoginsAreThrottled(t *testing.T) {
	f := newFixture(t)
	for i := range 20 {
		requireRefusal(t, f.do(t, "POST", "/api/login", `{"login":"anna","password":"guess-`+strconv.Itoa(i)+`"}`, nil), http.StatusUnauthorized, "bad-login")
	}
	w := f.do(t, "POST", "/api/login", `{"login":"anna","password":"secret-anna"}`, nil)
	requireRefusal(t, w, http.StatusTooManyRequests, "rate-limited")
	require.Empty(t, w.Result().Cookies())
	f.clock.Add(3 * time.Second)
	f.staff(t, "anna")
}
