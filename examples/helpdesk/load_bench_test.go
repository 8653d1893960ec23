package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/desk"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/server"
	"github.com/switchboard-go/switchboard/policy"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// The load: loadVisitors chatting with loadOperators, each operator's
// console on its event stream, every visitor writing a message every
// loadEvery on average (loadVisitors/loadEvery messages a second in all).
const (
	loadVisitors  = 200
	loadOperators = 20
	loadEvery     = 2 * time.Second
)

// BenchmarkLoad is a help desk on SQLite under load over HTTP and
// server-sent events, in one process with its clients: 20 operators
// logged in, their consoles following /api/events; 200 visitors start a
// chat each, 100 a second, and follow it on /api/chat/events; then they
// write, b.N messages in all, 100 a second, each visitor one at a time.
// It reports the p50 and p99 of the time from a visitor's POST /api/chats
// to the assignment reaching the operator's console (start-p50-ms,
// start-p99-ms), and from a visitor's POST of a message to the operator's
// console having read it (its CustomerWrote event, then GET of the
// messages after the last it had: msg-p50-ms, msg-p99-ms).
//
//	go test -run '^$' -bench Load -benchtime 2000x ./examples/helpdesk/
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	db, err := openDatabase(ctx, filepath.Join(b.TempDir(), "load.db"))
	require.NoError(b, err)
	defer db.close()
	router, err := routing.New(ctx, routing.Config{Store: db.store, Presence: presence.Standard(), Groups: []routing.Group{
		{ID: "support", Policy: policy.Capped(policy.LeastLoaded(), policy.CapOptions{Default: loadVisitors / loadOperators})},
	}})
	require.NoError(b, err)
	defer router.Stop(ctx) //nolint:errcheck // the benchmark is over
	accounts := make([]desk.NewAccount, loadOperators)
	for i := range accounts {
		id := fmt.Sprintf("op%02d", i)
		_, err := router.AddOperator(ctx, routing.ByAdmin("bench"), routing.OperatorSpec{ID: id, Groups: []string{"support"}})
		require.NoError(b, err)
		accounts[i] = desk.NewAccount{Account: desk.Account{ID: id, Name: "Operator " + id, Role: desk.Operator}, Password: "password-" + id}
	}
	require.NoError(b, db.desk.CreateAccounts(ctx, accounts, router.Clock().Now()))
	srv, err := server.New(server.Config{Desk: db.desk, Router: router, DefaultGroup: "support",
		ChatStarts: server.Rate{N: 1 << 30, Per: time.Second}, Logins: server.Rate{N: 1 << 30, Per: time.Second}})
	require.NoError(b, err)
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	transport := &http.Transport{MaxIdleConnsPerHost: loadVisitors + loadOperators}
	defer transport.CloseIdleConnections()

	lt := &loadTrack{sent: map[string]time.Time{}, started: map[string]time.Time{}}
	streams, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, a := range accounts {
		c := &loadClient{b: b, base: ts.URL, http: &http.Client{Transport: transport}}
		c.http.Jar, _ = cookiejar.New(nil)
		c.login(a.ID, a.Password)
		open := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.console(streams, a.ID, lt, open)
		}()
		<-open
	}

	// The visitors start their chats at the rate of the load, and
	// follow them: an operator each has one at once.
	interval := loadEvery / loadVisitors
	tick := time.NewTicker(interval)
	visitors := make([]*loadVisitor, loadVisitors)
	var starting sync.WaitGroup
	for i := range visitors {
		<-tick.C
		v := &loadVisitor{c: &loadClient{b: b, base: ts.URL, http: &http.Client{Transport: transport}}}
		visitors[i] = v
		starting.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			lt.mark(lt.started, func() string {
				var chat struct{ Token, Conversation string }
				v.c.post("/api/chats", `{"name":"Visitor `+strconv.Itoa(i)+`"}`, &chat, "")
				v.token, v.conversation = chat.Token, chat.Conversation
				return chat.Conversation
			})
			starting.Done()
			v.c.drain(streams, "/api/chat/events?token="+v.token)
		}()
	}
	starting.Wait()
	lt.waitStarted(loadVisitors)

	// Then they write, at the rate of the load, each message once its
	// previous one was read.
	b.ResetTimer()
	var writers sync.WaitGroup
	for n := range b.N {
		<-tick.C
		v := visitors[n%loadVisitors]
		v.busy.Lock() // the visitor's previous message is read
		writers.Add(1)
		go func() {
			defer writers.Done()
			tag := fmt.Sprintf("m%d", n)
			lt.mark(lt.sent, func() string {
				v.c.post("/api/chat/messages", `{"body":"`+tag+`"}`, nil, v.token)
				return tag
			})
			lt.waitRead(tag)
			v.busy.Unlock()
		}()
	}
	writers.Wait()
	tick.Stop()
	b.StopTimer()
	start, msg := lt.results()
	b.ReportMetric(percentile(start, 50), "start-p50-ms")
	b.ReportMetric(percentile(start, 99), "start-p99-ms")
	b.ReportMetric(percentile(msg, 50), "msg-p50-ms")
	b.ReportMetric(percentile(msg, 99), "msg-p99-ms")
	cancel()
	wg.Wait()
}

// loadTrack times the load's chats and messages.
type loadTrack struct {
	mu       sync.Mutex
	cond     *sync.Cond
	started  map[string]time.Time // conversation → when its chat was started
	assigned []time.Duration
	sent     map[string]time.Time // message tag → when it was sent
	read     map[string]bool
	latency  []time.Duration
}

// mark records in m when send began, under the key send returns (a
// conversation, a message's tag), and wakes arrived, which may have seen
// it reach a console before the sender had the answer.
func (lt *loadTrack) mark(m map[string]time.Time, send func() string) {
	at := time.Now()
	key := send()
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.init()
	m[key] = at
	lt.cond.Broadcast()
}

// arrived records that key (a conversation's assignment, or a message
// when message is set) reached a console at at.
func (lt *loadTrack) arrived(message bool, key string, at time.Time) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.init()
	m := lt.started
	if message {
		m = lt.sent
	}
	sent, ok := m[key]
	for !ok {
		// The answer to the sender may come after the console saw it:
		// wait for the sender to record its time.
		lt.cond.Wait()
		sent, ok = m[key]
	}
	if message {
		lt.latency = append(lt.latency, at.Sub(sent))
		lt.read[key] = true
	} else {
		lt.assigned = append(lt.assigned, at.Sub(sent))
	}
	lt.cond.Broadcast()
}

func (lt *loadTrack) init() {
	if lt.cond == nil {
		lt.cond = sync.NewCond(&lt.mu)
		lt.read = map[string]bool{}
	}
}

// waitStarted waits until n assignments reached consoles.
func (lt *loadTrack) waitStarted(n int) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.init()
	for len(lt.assigned) < n {
		lt.cond.Wait()
	}
}

// waitRead waits until message tag reached a console.
func (lt *loadTrack) waitRead(tag string) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.init()
	for !lt.read[tag] {
		lt.cond.Wait()
	}
}

// results returns the latencies, in milliseconds, sorted.
func (lt *loadTrack) results() (start, msg []float64) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	ms := func(ds []time.Duration) []float64 {
		out := make([]float64, len(ds))
		for i, d := range ds {
			out[i] = float64(d) / float64(time.Millisecond)
		}
		slices.Sort(out)
		return out
	}
	return ms(lt.assigned), ms(lt.latency)
}

// percentile returns the p-th percentile of sorted xs.
func percentile(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[min(len(xs)-1, (len(xs)*p+99)/100-1)]
}

// loadVisitor is one visitor of the load.
type loadVisitor struct {
	c                   *loadClient
	token, conversation string
	busy                sync.Mutex
}

// loadClient is an HTTP client of the load: a console or a widget.
type loadClient struct {
	b    *testing.B
	base string
	http *http.Client
	csrf string
}

func (c *loadClient) login(id, password string) {
	var me struct{ CSRF string }
	c.post("/api/login", `{"login":"`+id+`","password":"`+password+`"}`, &me, "")
	c.csrf = me.CSRF
}

// post sends body to path, as the visitor of token if set, and decodes the
// answer into out if set.
func (c *loadClient) post(path, body string, out any, token string) {
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	if token != "" {
		req.Header.Set("X-Visitor-Token", token)
	}
	c.do(req, out)
}

func (c *loadClient) do(req *http.Request, out any) {
	resp, err := c.http.Do(req)
	if err != nil {
		c.b.Error(err)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.b.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, data)
		return
	}
	if out != nil {
		_ = json.Unmarshal(data, out)
	}
}

// drain reads the event stream at path, as a widget follows its chat,
// until ctx ends.
func (c *loadClient) drain(ctx context.Context, path string) {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.b.Error(err)
		}
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
}

// console follows the operator's event stream as the console does: an
// assignment is timed when it arrives; a customer's message in one of
// its operator's conversations makes it fetch the conversation's messages after the last it read, each timed
// when read.
func (c *loadClient) console(ctx context.Context, me string, lt *loadTrack, open chan<- struct{}) {
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/api/events", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		c.b.Error(err)
		close(open)
		return
	}
	defer resp.Body.Close()
	close(open)
	last := map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	var kind string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && (kind == "assigned" || kind == "customer-wrote"):
			var ev routing.Event
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
				c.b.Error(err)
				return
			}
			at := time.Now()
			if kind == "assigned" {
				lt.arrived(false, ev.Conversation, at)
				continue
			}
			if ev.Operator != me {
				continue // the group's news: another operator's conversation
			}
			var got struct {
				Messages []struct {
					ID   int64
					Body string
				}
			}
			mreq, _ := http.NewRequest("GET", c.base+"/api/conversations/"+ev.Conversation+"/messages?after="+strconv.FormatInt(last[ev.Conversation], 10), nil)
			c.do(mreq, &got)
			at = time.Now()
			for _, m := range got.Messages {
				last[ev.Conversation] = m.ID
				lt.arrived(true, m.Body, at)
			}
		}
	}
}
