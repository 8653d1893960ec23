package routing_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-go/switchboard/routing"
	"github.com/switchboard-go/switchboard/store/memory"
)

// operatorEvents serves, as server-sent events, the events of the
// operator named by the query's "operator": each with its Seq as its id,
// so that a client that reconnects with Last-Event-ID resumes right after
// the last event it had, also from another Router or after a restart. The
// Router is read from current at each request, so that it can be
// replaced.
func operatorEvents(current *atomic.Pointer[routing.Router]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		after, err := strconv.ParseUint(req.Header.Get("Last-Event-ID"), 10, 64)
		if err != nil && req.Header.Get("Last-Event-ID") != "" {
			http.Error(w, "bad Last-Event-ID", http.StatusBadRequest)
			return
		}
		sub, err := current.Load().Resume(req.Context(), routing.EventFilter{Operator: req.URL.Query().Get("operator")}, after)
		switch {
		case errors.Is(err, routing.ErrNotFound):
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		case errors.Is(err, routing.ErrPruned), errors.Is(err, routing.ErrFutureSeq), errors.Is(err, routing.ErrInvalid):
			// The client reloads what it shows and subscribes afresh.
			http.Error(w, err.Error(), http.StatusConflict)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		defer sub.Cancel()
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		flusher := w.(http.Flusher)
		flusher.Flush()
		for {
			select {
			case <-req.Context().Done():
				return
			case ev, ok := <-sub.Events():
				if !ok {
					return // the Router stopped: the client reconnects
				}
				if ev.Kind == routing.Lagged {
					// Too slow: the client reconnects from the last id it had.
					return
				}
				data, err := json.Marshal(ev)
				if err != nil {
					return
				}
				fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Kind, data)
				flusher.Flush()
			}
		}
	})
}

// sseClient reads n events from url, sending lastID as Last-Event-ID
// when set, prints each, and returns the id of the last.
func sseClient(url, lastID string, n int) string {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return lastID
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var id, kind string
	var ev routing.Event
	for n > 0 && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev)
		case line == "":
			fmt.Printf("id %s: %s %s\n", id, kind, ev.Conversation)
			lastID = id
			n--
		}
	}
	return lastID
}

// An SSE endpoint for an operator's console, resumed with Last-Event-ID
// across a restart of the Router: the console sees every event of its
// operator once, in order.
func ExampleRouter_Resume() {
	ctx := context.Background()
	st := memory.New() // a SQL store survives the process too
	clk := clock.NewMock()
	open := func() *routing.Router {
		r, err := routing.New(ctx, routing.Config{Store: st, Clock: clk, ManualDeadlines: true, Groups: []routing.Group{{ID: "support"}}})
		if err != nil {
			panic(err)
		}
		return r
	}
	var current atomic.Pointer[routing.Router]
	current.Store(open())
	srv := httptest.NewServer(operatorEvents(&current))
	defer srv.Close()
	url := srv.URL + "/events?operator=ann"

	r := current.Load()
	if _, err := r.AddOperator(ctx, routing.ByAdmin("admin"), routing.OperatorSpec{ID: "ann", Groups: []string{"support"}, Status: "ready"}); err != nil {
		panic(err)
	}
	for _, id := range []string{"c1", "c2"} {
		if _, err := r.Enqueue(ctx, routing.NewConversation{ID: id, Group: "support"}); err != nil {
			panic(err)
		}
	}
	fmt.Println("first connection:")
	last := sseClient(url, "", 2)

	// ann closes c1 and the Router restarts before the console
	// reconnects.
	if _, err := r.CloseConversation(ctx, routing.ByOperator("ann"), "c1", "done"); err != nil {
		panic(err)
	}
	if err := r.Stop(ctx); err != nil {
		panic(err)
	}
	current.Store(open())
	defer current.Load().Stop(ctx)
	if _, err := current.Load().Enqueue(ctx, routing.NewConversation{ID: "c3", Group: "support"}); err != nil {
		panic(err)
	}
	fmt.Println("after the restart, from", last+":")
	sseClient(url, last, 2)
	// Output:
	// first connection:
	// id 2: assigned c1
	// id 3: assigned c2
	// after the restart, from 3:
	// id 4: closed c1
	// id 5: assigned c3
}
