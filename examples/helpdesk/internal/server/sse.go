package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/routing"
)

// stream is one server-sent event stream to a client.
type stream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
	// timeout bounds each write, so that a client gone silent ends it.
	timeout time.Duration
	// release gives the stream's place in the gate back.
	release func()
	// alive, if set, is asked at each heartbeat whether the stream may go
	// on (a staff stream: whether its session still is).
	alive func() bool
	// heartbeat ticks every Config.Heartbeat from before the client
	// has the stream's headers.
	heartbeat *clock.Ticker
}

// openStream subscribes to the events f selects and starts an event
// stream. A client that reconnects with Last-Event-ID resumes right after
// the last event it had (Router.Resume), from this server process or
// another on the same store; one that cannot (the id is pruned, or from
// another journal) starts live, as a new one does, and refetches what it
// shows as every client does when a stream opens.
func (s *Server) openStream(w http.ResponseWriter, r *http.Request, f routing.EventFilter) (*routing.Subscription, *stream, bool) {
	release, ok := s.gate.enter(clientIP(r))
	if !ok {
		refuse(w, http.StatusTooManyRequests, "too-many-streams", "too many live connections; close some and try again")
		return nil, nil, false
	}
	sub, st, ok := s.subscribe(w, r, f)
	if !ok {
		release()
		return nil, nil, false
	}
	st.release = release
	return sub, st, true
}

// subscribe does openStream's work once the stream has its place.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request, f routing.EventFilter) (*routing.Subscription, *stream, bool) {
	var sub *routing.Subscription
	var err error
	after, perr := strconv.ParseUint(r.Header.Get("Last-Event-ID"), 10, 64)
	if perr == nil && after > 0 {
		sub, err = s.cfg.Router.Resume(r.Context(), f, after)
		if errors.Is(err, routing.ErrPruned) || errors.Is(err, routing.ErrFutureSeq) {
			sub, err = s.cfg.Router.SubscribeTo(f)
		}
	} else {
		sub, err = s.cfg.Router.SubscribeTo(f)
	}
	if err != nil {
		s.refuseErr(w, r, err)
		return nil, nil, false
	}
	st := &stream{w: w, rc: http.NewResponseController(w), timeout: 2 * s.cfg.Heartbeat, heartbeat: s.cfg.Clock.Ticker(s.cfg.Heartbeat)}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := st.flush(); err != nil {
		sub.Cancel()
		st.heartbeat.Stop()
		return nil, nil, false
	}
	return sub, st, true
}

// end gives back what the stream holds, for a handler that ends it
// before pump.
func (st *stream) end(sub *routing.Subscription) {
	sub.Cancel()
	st.heartbeat.Stop()
	st.release()
}

// send writes one event: its id (none when 0), name and JSON data.
func (st *stream) send(id uint64, event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_ = st.rc.SetWriteDeadline(time.Now().Add(st.timeout)) // not every writer supports deadlines
	if id > 0 {
		if _, err := fmt.Fprintf(st.w, "id: %d\n", id); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(st.w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return err
	}
	return st.flush()
}

// ping writes a comment, which keeps an idle stream open.
func (st *stream) ping() error {
	_ = st.rc.SetWriteDeadline(time.Now().Add(st.timeout))
	if _, err := fmt.Fprint(st.w, ": ping\n\n"); err != nil {
		return err
	}
	return st.flush()
}

func (st *stream) flush() error {
	err := st.rc.Flush()
	if errors.Is(err, http.ErrNotSupported) {
		return nil
	}
	return err
}

// pump hands each event of sub to handle until the client leaves, a
// write fails, the subscription ends (the Router stopped, or the client
// was too slow: a Lagged marker) or handle fails; the client then
// reconnects from the last id it had. It pings the client every
// Config.Heartbeat meanwhile, and ends when CloseStreams is called or the
// stream's alive says so.
func (s *Server) pump(ctx context.Context, sub *routing.Subscription, st *stream, handle func(routing.Event) error) {
	defer st.release()
	defer sub.Cancel()
	defer st.heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.streams.Done():
			return
		case <-st.heartbeat.C:
			if st.alive != nil && !st.alive() {
				return
			}
			if st.ping() != nil {
				return
			}
		case ev, ok := <-sub.Events():
			if !ok || ev.Kind == routing.Lagged {
				return
			}
			if err := handle(ev); err != nil {
				if !errors.Is(err, context.Canceled) {
					s.cfg.Logger.Debug("helpdesk: event stream ended", "err", err)
				}
				return
			}
		}
	}
}

// streamGate counts the open event streams, in all and by client
// address.
type streamGate struct {
	max, perClient int
	mu             sync.Mutex
	open           int
	byClient       map[string]int
}

func newStreamGate(max, perClient int) *streamGate {
	return &streamGate{max: max, perClient: perClient, byClient: make(map[string]int)}
}

// enter takes a place for a stream of client, and returns the function
// that gives it back, or false when the gate is full for it.
func (g *streamGate) enter(client string) (func(), bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open >= g.max || g.byClient[client] >= g.perClient {
		return nil, false
	}
	g.open++
	g.byClient[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.open--
			if g.byClient[client]--; g.byClient[client] == 0 {
				delete(g.byClient, client)
			}
		})
	}, true
}
