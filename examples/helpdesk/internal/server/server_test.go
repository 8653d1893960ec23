package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/server"
)

// TestPagesAreServedWithStrictHeaders: every page and its assets come
// from the embedded files; every answer forbids sniffing and inline
// script; only the widget may be framed (by any site, by default).
func TestPagesAreServedWithStrictHeaders(t *testing.T) {
	f := newFixture(t)
	for path, marker := range map[string]string{
		"/": "<html", "/login": `id="login"`, "/chat": `id="messages"`, "/console": `id="conversations"`, "/dashboard": `id="rules-editor"`,
	} {
		w := f.do(t, "GET", path, "", nil)
		require.Equal(t, http.StatusOK, w.Code, path)
		require.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "text/html"), path)
		require.Contains(t, w.Body.String(), marker, path)
		csp := w.Header().Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'self'", path)
		require.NotContains(t, csp, "unsafe-inline", path)
		require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"), path)
		if path == "/chat" {
			require.Contains(t, csp, "frame-ancestors *")
			require.Empty(t, w.Header().Get("X-Frame-Options"))
		} else {
			require.Contains(t, csp, "frame-ancestors 'none'", path)
			require.Equal(t, "DENY", w.Header().Get("X-Frame-Options"), path)
		}
	}
	for _, asset := range []string{"/static/app.css", "/static/common.js", "/static/chat.js", "/static/console.js", "/static/dashboard.js"} {
		w := f.do(t, "GET", asset, "", nil)
		require.Equal(t, http.StatusOK, w.Code, asset)
	}
	requireRefusal(t, f.do(t, "GET", "/static/", "", nil), http.StatusNotFound, "not-found")
	requireRefusal(t, f.do(t, "GET", "/static/nothing.js", "", nil), http.StatusNotFound, "not-found")
}

// TestUnknownRoutesAnswerJSON: a path no route serves is a JSON 404, a
// method a route does not take a JSON 405 with Allow.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	f := newFixture(t)
	requireRefusal(t, f.do(t, "GET", "/api/nothing", "", nil), http.StatusNotFound, "not-found")
	requireRefusal(t, f.do(t, "GET", "/nothing", "", nil), http.StatusNotFound, "not-found")
	w := f.do(t, "DELETE", "/api/chats", "", nil)
	requireRefusal(t, w, http.StatusMethodNotAllowed, "method-not-allowed")
	require.Contains(t, w.Header().Get("Allow"), "POST")
	requireRefusal(t, f.do(t, "GET", "/api/login", "", nil), http.StatusMethodNotAllowed, "method-not-allowed")
}

// TestEveryStateChangeNeedsSessionAndCSRF: every staff request that
// changes anything is refused without a session (401) and without the
// session's CSRF token (403), before it reads its body or changes
// anything.
func TestEveryStateChangeNeedsSessionAndCSRF(t *testing.T) {
	f := newFixture(t)
	sam := f.staff(t, "sam")
	_, chat := f.startChat(t, `{"name":"Vera"}`)
	id := chat["conversation"].(string)
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/api/logout", ""},
		{"POST", "/api/status", `{"status":"ready"}`},
		{"POST", "/api/end-shift", ""},
		{"POST", "/api/conversations/" + id + "/messages", `{"body":"hi"}`},
		{"POST", "/api/conversations/" + id + "/take", ""},
		{"POST", "/api/conversations/" + id + "/waiting", ""},
		{"POST", "/api/conversations/" + id + "/transfer", `{"group":"sales"}`},
		{"POST", "/api/conversations/" + id + "/close", `{}`},
		{"POST", "/api/conversations/" + id + "/assign", `{"operator":"anna"}`},
		{"POST", "/api/operators/anna/end-shift", ""},
		{"PUT", "/api/groups/support/policy", `{"kind":"broadcast"}`},
		{"PUT", "/api/rules", `{"rules":[]}`},
	} {
		requireRefusal(t, f.do(t, tc.method, tc.path, tc.body, nil), http.StatusUnauthorized, "no-session")
		requireRefusal(t, f.do(t, tc.method, tc.path, tc.body, sam.cookies), http.StatusForbidden, "bad-csrf")
		requireRefusal(t, f.do(t, tc.method, tc.path, tc.body, sam.cookies, "X-CSRF-Token", "forged"), http.StatusForbidden, "bad-csrf")
	}
	for _, path := range []string{"/api/console", "/api/events", "/api/conversations/" + id, "/api/dashboard", "/charts/waits.svg"} {
		requireRefusal(t, f.do(t, "GET", path, "", nil), http.StatusUnauthorized, "no-session")
	}
	c, err := f.router.Conversation(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, "queued", c.State.String())
	require.Equal(t, demo.Support, c.Group)
	g, err := f.router.Group(demo.Support)
	require.NoError(t, err)
	require.Equal(t, "capped(least-loaded)", g.Policy.Name())
}

// TestNewRefusesAnIncompleteConfig: a Server needs a desk, a Router and a
// default group the Router serves.
func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	f := newFixture(t)
	for _, cfg := range []server.Config{
		{Router: f.router, DefaultGroup: demo.Support},
		{Desk: f.desk, DefaultGroup: demo.Support},
		{Desk: f.desk, Router: f.router},
		{Desk: f.desk, Router: f.router, DefaultGroup: "billing"},
	} {
		_, err := server.New(cfg)
		require.ErrorIs(t, err, server.ErrConfig)
	}
}
