package server

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
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
func (s *Server) staff(next http.Handler) http.Handler {
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
// its cookie and answers who logged in and their CSRF token. A session
// the request's cookie names is ended first.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) {
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
	s.setSessionCookie(w, r, sess.Token, sess.Expires)
	writeJSON(w, http.StatusOK, meOf(sess))
}

// logout: POST /api/logout ends the session and clears its cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Desk.EndSession(r.Context(), sessionOf(r).Token); err != nil {
		s.refuseErr(w, r, err)
		return
	}
	s.setSessionCookie(w, r, "", time.Unix(0, 0))
	w.WriteHeader(http.StatusNoContent)
}

// me: GET /api/me answers the session's account and CSRF token.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, meOf(sessionOf(r)))
}
