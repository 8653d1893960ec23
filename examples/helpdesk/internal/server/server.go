// Package server is the help desk's HTTP side: the visitor widget's API,
// the operator console's, the supervisor dashboard's, their live event
// streams (server-sent events) and the embedded pages, as thin layers over
// a Switchboard Router and the desk's own data (package desk).
//
// The Router decides who holds which conversation and reports it as
// events; messages are the desk's, stored in its own table. A message is
// stored first and then reported to the Router (CustomerReplied,
// OperatorReplied), whose event (CustomerWrote, Replied) tells every
// console and widget concerned to fetch it: so the events of the Router's
// journal, shared by every server process on one PostgreSQL, drive who
// sees what.
//
// Every refusal is an HTTP status with a JSON body,
// {"error":{"code":…,"message":…}}, and changes nothing.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing"
)

// Config is what a Server serves.
type Config struct {
	// Desk keeps accounts, sessions, visitors and messages. Required.
	Desk *desk.Desk
	// Router routes the conversations. Required. Operators' accounts and
	// the Router's operators share ids.
	Router *routing.Router
	// DefaultGroup is the group a chat joins unless a rule sends it
	// elsewhere. Required.
	DefaultGroup string
	// Clock tells the time. Defaults to the Router's clock.
	Clock clock.Clock
	// Location is the time zone of the dashboard's "today". Defaults to
	// time.Local.
	Location *time.Location
	// Statuses gives the operators' statuses their labels and colours on
	// the console; a status of the Router's presence model missing here is
	// shown by its name, in grey.
	Statuses []StatusLook
	// SessionTTL is how long a login lasts. Defaults to 12 hours.
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure on every request, as
	// behind a proxy that ends TLS; without it, only on requests that
	// came over TLS.
	SecureCookies bool
	// ChatStarts bounds how many chats one IP address may start (or
	// reopen). Defaults to 10 a minute.
	ChatStarts Rate
	// Logins bounds how many logins one IP address may try, right or
	// wrong. Defaults to 20 a minute.
	Logins Rate
	// FrameAncestors is the Content-Security-Policy frame-ancestors of the
	// widget, the sites that may embed /chat in an iframe. Defaults to
	// "*"; every other page may not be framed.
	FrameAncestors string
	// Heartbeat is how often an idle event stream sends a comment, so that
	// proxies keep it open and a dead client is noticed; a staff stream
	// also ends then if its session did. Defaults to 15 seconds.
	Heartbeat time.Duration
	// MaxStreams bounds the event streams open at once, each a
	// subscription to the Router with its buffer, and StreamsPerClient
	// those of one client address; beyond, a stream is refused with 429.
	// Default to 1000 and 20.
	MaxStreams, StreamsPerClient int
	// Logger logs the failures answered with a 500 and those of the
	// background work. Defaults to slog.Default().
	Logger *slog.Logger
}

// Errors of New.
var (
	// ErrConfig: the Config lacks a required field.
	ErrConfig = errors.New("server: invalid config")
)

// Server answers the help desk's HTTP requests. Close it to stop its
// background work.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	starts *limiter
	logins *limiter
	why    *whyLog
	stop   context.CancelFunc
	wg     sync.WaitGroup
	gate   *streamGate
	// streams ends when the event streams are closed (CloseStreams).
	streams      context.Context
	closeStreams context.CancelFunc
}

// New returns a Server for cfg. It starts reading the Router's journal,
// from its oldest event kept, to tell the dashboard why each conversation
// went where it went.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Desk == nil:
		return nil, fmt.Errorf("%w: no Desk", ErrConfig)
	case cfg.Router == nil:
		return nil, fmt.Errorf("%w: no Router", ErrConfig)
	}
	if _, err := cfg.Router.Group(cfg.DefaultGroup); err != nil {
		return nil, fmt.Errorf("%w: default group: %w", ErrConfig, err)
	}
	if cfg.Clock == nil {
		cfg.Clock = cfg.Router.Clock()
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.ChatStarts.N <= 0 || cfg.ChatStarts.Per <= 0 {
		cfg.ChatStarts = Rate{N: 10, Per: time.Minute}
	}
	if cfg.Logins.N <= 0 || cfg.Logins.Per <= 0 {
		cfg.Logins = Rate{N: 20, Per: time.Minute}
	}
	if cfg.FrameAncestors == "" {
		cfg.FrameAncestors = "*"
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = 1000
	}
	if cfg.StreamsPerClient <= 0 {
		cfg.StreamsPerClient = 20
	}
	ctx, stop := context.WithCancel(context.Background())
	streams, closeStreams := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, mux: http.NewServeMux(), starts: newLimiter(cfg.ChatStarts), logins: newLimiter(cfg.Logins), why: newWhyLog(),
		stop: stop, gate: newStreamGate(cfg.MaxStreams, cfg.StreamsPerClient), streams: streams, closeStreams: closeStreams}
	s.routes()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.why.follow(ctx, cfg.Router, cfg.Logger)
	}()
	return s, nil
}

// CloseStreams ends the event streams, open and to come, which never go
// idle on their own: call it before http.Server.Shutdown, which then waits
// for the other requests to finish.
func (s *Server) CloseStreams() { s.closeStreams() }

// Close ends the event streams and stops the Server's background work. It
// neither stops the Router nor closes the Desk, which are the caller's.
func (s *Server) Close() {
	s.closeStreams()
	s.stop()
	s.wg.Wait()
}

// routes registers every endpoint.
func (s *Server) routes() {
	s.pages()
	// Staff sessions.
	s.mux.HandleFunc("POST /api/login", s.login)
	s.mux.Handle("POST /api/logout", s.staff(s.logout))
	s.mux.Handle("GET /api/me", s.staff(s.me))
	// The visitor widget.
	s.mux.HandleFunc("GET /api/widget", s.widget)
	s.mux.HandleFunc("GET /api/widget/events", s.widgetEvents)
	s.mux.HandleFunc("POST /api/chats", s.startChat)
	s.mux.Handle("GET /api/chat", s.visitor(s.chat))
	s.mux.Handle("GET /api/chat/messages", s.visitor(s.chatMessages))
	s.mux.Handle("POST /api/chat/messages", s.visitor(s.chatSend))
	s.mux.Handle("POST /api/chat/reopen", s.visitor(s.chatReopen))
	s.mux.Handle("GET /api/chat/events", s.visitor(s.chatEvents))
	// The operator console.
	s.mux.Handle("GET /api/console", s.staff(s.console))
	s.mux.Handle("GET /api/events", s.staff(s.staffEvents))
	s.mux.Handle("POST /api/status", s.staff(s.setStatus))
	s.mux.Handle("POST /api/end-shift", s.staff(s.endShift))
	s.mux.Handle("GET /api/conversations/{id}", s.staff(s.conversation))
	s.mux.Handle("GET /api/conversations/{id}/messages", s.staff(s.conversationMessages))
	s.mux.Handle("POST /api/conversations/{id}/messages", s.staff(s.reply))
	s.mux.Handle("POST /api/conversations/{id}/take", s.staff(s.take))
	s.mux.Handle("POST /api/conversations/{id}/waiting", s.staff(s.markWaiting))
	s.mux.Handle("POST /api/conversations/{id}/transfer", s.staff(s.transfer))
	s.mux.Handle("POST /api/conversations/{id}/close", s.staff(s.closeConversation))
	// The supervisor dashboard.
	s.mux.Handle("GET /api/dashboard", s.supervisor(s.dashboard))
	s.mux.Handle("POST /api/operators/{id}/end-shift", s.supervisor(s.forceOffShift))
	s.mux.Handle("POST /api/conversations/{id}/assign", s.supervisor(s.assign))
	s.mux.Handle("PUT /api/groups/{id}/policy", s.supervisor(s.setPolicy))
	s.mux.Handle("GET /api/rules", s.supervisor(s.rules))
	s.mux.Handle("PUT /api/rules", s.supervisor(s.setRules))
	s.mux.Handle("GET /charts/assignments.svg", s.supervisor(s.assignmentsChart))
	s.mux.Handle("GET /charts/waits.svg", s.supervisor(s.waitsChart))
}

// ServeHTTP answers r: its body bounded by maxBody, the security headers
// set, a path or method the Server does not serve refused with a JSON
// error, and a panic answered with a 500.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Logger.Error("helpdesk: panic", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			refuse(w, http.StatusInternalServerError, "internal", "the help desk failed; try again")
		}
	}()
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	ancestors := "'none'"
	if r.URL.Path == "/chat" {
		ancestors = s.cfg.FrameAncestors
	} else {
		h.Set("X-Frame-Options", "DENY")
	}
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "+ancestors)
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unrouted(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// unrouted answers a request no route takes, with the status the mux
// would give (404, or 405 with its Allow header) and a JSON body.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	probe := &statusProbe{header: http.Header{}}
	s.mux.ServeHTTP(probe, r)
	if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	if probe.status == http.StatusMethodNotAllowed {
		refuse(w, probe.status, "method-not-allowed", r.Method+" is not allowed here")
		return
	}
	refuse(w, http.StatusNotFound, "not-found", "no such page: "+r.URL.Path)
}

// statusProbe records the status and headers a handler answers with, and
// drops its body.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }
func (p *statusProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}
func (p *statusProbe) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return len(b), nil
}
