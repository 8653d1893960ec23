package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-go/switchboard/routing"
)

// stream is one server-sent event stream to a client.
type stream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
	// timeout bounds each write, so that a client gone silent ends it.
	timeout time.Duration
}

// openStream subscribes to the events f selects and starts an event
// stream. A client that reconnects with Last-Event-ID resumes right after
// the last event it had (Router.Resume), from this server process or
// another on the same store; one that cannot (the id is pruned, or from
// another journal) starts live, as a new one does, and refetches what it
// shows as every client does when a stream opens.
func (s *Server) openStream(w http.ResponseWriter, r *http.Request, f routing.EventFilter) (*routing.Subscription, *stream, bool) {
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
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &stream{w: w, rc: http.NewResponseController(w), timeout: 2 * s.cfg.Heartbeat}
	if err := st.flush(); err != nil {
		sub.Cancel()
		return nil, nil, false
	}
	return sub, st, true
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
// Config.Heartbeat meanwhile.
func (s *Server) pump(ctx context.Context, sub *routing.Subscription, st *stream, handle func(routing.Event) error) {
	defer sub.Cancel()
	tick := s.cfg.Clock.Ticker(s.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
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
