// Package server is the help desk's HTTP side. So far it serves the
// staff's login (a session cookie, and a CSRF token for every request
// that changes anything); the visitor widget, the operator console and
// the supervisor dashboard, thin layers over a Switchboard Router and the
// desk's own data (package desk), come next. Every refusal is an HTTP
// status with a JSON body, {"error":{"code":…,"message":…}}, and changes
// nothing.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
)

// Config is what a Server serves.
type Config struct {
	// Desk keeps accounts, sessions, visitors and messages. Required.
	Desk *desk.Desk
	// Clock tells the time. Defaults to the real clock.
	Clock clock.Clock
	// SessionTTL is how long a login lasts. Defaults to 12 hours.
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure on every request, as
	// behind a proxy that ends TLS; without it, only on requests that
	// came over TLS.
	SecureCookies bool
	// Logger logs the failures answered with a 500. Defaults to
	// slog.Default().
	Logger *slog.Logger
}

// Server answers the help desk's HTTP requests.
type Server struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.Clock == nil {
		cfg.Clock = clock.New()
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /api/login", s.login)
	s.mux.Handle("POST /api/logout", s.staff(http.HandlerFunc(s.logout)))
	s.mux.Handle("GET /api/me", s.staff(http.HandlerFunc(s.me)))
	return s
}

// ServeHTTP answers r, its body bounded by maxBody.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.mux.ServeHTTP(w, r)
}
