package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/routing"
)

// The session cookie, and the header that carries the CSRF token of every
// state-changing request of the staff.
const (
	sessionCookie = "helpdesk_session"
	csrfHeader    = "X-CSRF-Token"
)

type sessionKey struct{}

// sessionOf returns the session the staff middleware found for r.
func sessionOf(r *http.Request) desk.Session {
	s, _ := r.Context().Value(sessionKey{}).(desk.Session)
	return s
}

// staff admits requests of a logged-in member of the staff (401
// otherwise), and of those that change anything (any method but GET and
// HEAD) only with the session's CSRF token in the X-CSRF-Token header
// (403 otherwise).
func (s *Server) staff(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			refuse(w, http.StatusUnauthorized, "no-session", "log in first")
			return
		}
		sess, err := s.cfg.Desk.Session(r.Context(), c.Value, s.cfg.Clock.Now())
		if err != nil {
			s.refuseErr(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sess.CheckCSRF(r.Header.Get(csrfHeader)) {
			refuse(w, http.StatusForbidden, "bad-csrf", "the request lacks this session's CSRF token")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

// supervisor admits, as staff does, only supervisors (403 for an
// operator).
func (s *Server) supervisor(next http.HandlerFunc) http.Handler {
	return s.staff(func(w http.ResponseWriter, r *http.Request) {
		if sessionOf(r).Account.Role != desk.Supervisor {
			refuse(w, http.StatusForbidden, "not-supervisor", "only a supervisor may do this")
			return
		}
		next(w, r)
	})
}

// actor returns who the session acts as towards the Router: a supervisor
// as an admin, an operator as themself.
func actor(sess desk.Session) routing.Actor {
	if sess.Account.Role == desk.Supervisor {
		return routing.ByAdmin(sess.Account.ID)
	}
	return routing.ByOperator(sess.Account.ID)
}

// setSessionCookie gives the browser the session's cookie: HttpOnly,
// SameSite=Lax, and Secure over TLS or with Config.SecureCookies.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies,
	})
}

// me is what a client learns of its session.
type me struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Role desk.Role `json:"role"`
	// CSRF is the token to send in the X-CSRF-Token header.
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

func meOf(sess desk.Session) me {
	return me{ID: sess.Account.ID, Name: sess.Account.Name, Role: sess.Account.Role, CSRF: sess.CSRF, Expires: sess.Expires}
}

// login: POST /api/login {"login":…,"password":…} starts a session, sets
// its cookie and answers who logged in and their CSRF token; an operator
// goes to the presence model's log-in status. A session the request's
// cookie names is ended first. At most Config.Logins a client address
// (429 beyond).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) || !s.allow(w, r, s.logins, "too many logins from this address; try again later") {
		return
	}
	a, err := s.cfg.Desk.Authenticate(r.Context(), in.Login, in.Password)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.cfg.Desk.EndSession(r.Context(), c.Value); err != nil {
			s.refuseErr(w, r, err)
			return
		}
	}
	sess, err := s.cfg.Desk.NewSession(r.Context(), a.ID, s.cfg.Clock.Now(), s.cfg.SessionTTL)
	if err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if a.Role == desk.Operator {
		// Logging in puts the operator in the presence model's log-in
		// status, if it names one (P7: Ready).
		if err := s.cfg.Router.LogIn(r.Context(), routing.ByOperator(a.ID), a.ID); err != nil && !errors.Is(err, routing.ErrNotFound) {
			s.cfg.Logger.Warn("helpdesk: log-in status", "operator", a.ID, "err", err)
		}
	}
	s.setSessionCookie(w, r, sess.Token, sess.Expires)
	writeJSON(w, http.StatusOK, meOf(sess))
}

// logout: POST /api/logout ends the session and clears its cookie; an
// operator goes to the presence model's log-out status.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	if err := s.cfg.Desk.EndSession(r.Context(), sess.Token); err != nil {
		s.refuseErr(w, r, err)
		return
	}
	if sess.Account.Role == desk.Operator {
		// Logging out keeps the operator's conversations, in the model's
		// log-out status, if it names one (P7: Pause).
		if err := s.cfg.Router.LogOut(r.Context(), routing.ByOperator(sess.Account.ID), sess.Account.ID); err != nil && !errors.Is(err, routing.ErrNotFound) {
			s.cfg.Logger.Warn("helpdesk: log-out status", "operator", sess.Account.ID, "err", err)
		}
	}
	s.setSessionCookie(w, r, "", time.Unix(0, 0))
	w.WriteHeader(http.StatusNoContent)
}

// me: GET /api/me answers the session's account and CSRF token.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, meOf(sessionOf(r)))
}
