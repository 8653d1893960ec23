package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/switchboard-go/switchboard/store"
)

// The change feed (store.Feed) on PostgreSQL. Every write transaction
// sends, just before its COMMIT, one NOTIFY per 7,900 bytes of the ids of
// the rows it changed, on a channel named after the store's schema and
// table prefix. PostgreSQL delivers a notification only if its
// transaction commits, and in commit order. Each Watch keeps a connection
// of the pool that LISTENs on the channel; when that connection is lost,
// Watch makes another and then reports a Resync, which tells the receiver
// to read everything again: what was committed while no connection
// listened is covered by that read, what is committed after by the new
// connection.

// maxPayload bounds the payload of one notification (PostgreSQL refuses
// payloads of 8,000 bytes or more).
const maxPayload = 7900

// Reconnection delays of a Watch whose connection was lost.
const (
	firstRetry = 50 * time.Millisecond
	maxRetry   = 2 * time.Second
)

// payload is what one notification carries.
type payload struct {
	// Origin is the sending Store's origin, so that it skips its own.
	Origin        string   `json:"s"`
	Operators     []string `json:"o,omitempty"`
	Conversations []string `json:"c,omitempty"`
}

// publish sends the ids of the rows the transaction changed to the Stores
// watching the database. It runs in the transaction, just before COMMIT.
func (s *Store) publish(ctx context.Context, w *writeTx) error {
	if !s.d.feeds() || len(w.ops)+len(w.convs) == 0 {
		return nil
	}
	for _, p := range s.payloads(w.ops, w.convs) {
		if err := w.exec(ctx, s.q.notify, s.channel, p); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	return nil
}

// payloads splits the ids into payloads below maxPayload, each id once.
func (s *Store) payloads(ops, convs []string) []string {
	var out []string
	cur := payload{Origin: s.origin}
	size := len(s.origin) + 16
	flush := func() {
		b, _ := json.Marshal(cur) // strings always marshal
		out = append(out, string(b))
		cur = payload{Origin: s.origin}
		size = len(s.origin) + 16
	}
	add := func(list *[]string, id string) {
		n := len(id) + 8 // quotes, comma, escapes of a few characters
		if size+n > maxPayload && (len(cur.Operators)+len(cur.Conversations) > 0) {
			flush()
		}
		*list = append(*list, id)
		size += n
	}
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ops))) {
		add(&cur.Operators, id)
	}
	for _, id := range slices.Compact(slices.Sorted(slices.Values(convs))) {
		add(&cur.Conversations, id)
	}
	flush()
	return out
}

// channelName returns the notification channel of the tables named by
// schema and prefix: a hash, since channel names are limited to 63 bytes.
func channelName(schema, prefix string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(schema + "." + prefix))
	return fmt.Sprintf("switchboard_%016x", h.Sum64())
}

// newOrigin returns a random id for a Store's notifications.
func newOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails
	return hex.EncodeToString(b[:])
}

// Watch reports the changes that other Stores commit to the database (see
// store.Feed). On PostgreSQL it holds one connection of the pool for as
// long as it runs (mind the pool's limit when passing a pool of your own
// to New), and needs the pgx driver. Several changes that arrive while the
// receiver is busy are reported together in one Notice. On SQLite it fails
// with store.ErrUnsupported: several processes may share a SQLite file,
// but they are not told of each other's changes.
func (s *Store) Watch(ctx context.Context) (<-chan store.Notice, error) {
	if !s.d.feeds() {
		return nil, fmt.Errorf("%w: sqlstore: %s cannot report changes to other processes", store.ErrUnsupported, s.d.name())
	}
	done, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	w := &watch{s: s, ready: make(chan struct{}, 1)}
	conn, err := w.listen(ctx)
	if err != nil {
		return nil, s.mapError(ctx, "watch", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.bg, cancel)
	out := make(chan store.Notice)
	s.watchers.Add(2)
	go func() {
		defer s.watchers.Done()
		w.receive(wctx, conn)
	}()
	go func() {
		defer s.watchers.Done()
		defer stop()
		defer cancel()
		w.deliver(wctx, out)
	}()
	return out, nil
}

// watch is one Watch call: receive reads notifications into pending,
// deliver hands them over, merged.
type watch struct {
	s *Store

	mu      sync.Mutex
	pending store.Notice
	has     bool
	ops     map[string]struct{}
	convs   map[string]struct{}
	ready   chan struct{}
	// lost counts the connections lost (for tests).
	lost int
}

// listen takes a connection from the pool and starts listening on it.
func (w *watch) listen(ctx context.Context) (*sql.Conn, error) {
	conn, err := w.s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	err = conn.Raw(func(dc any) error {
		if _, ok := dc.(*stdlib.Conn); !ok {
			return fmt.Errorf("%w: sqlstore: watching changes needs the pgx driver, not %T", store.ErrUnsupported, dc)
		}
		return nil
	})
	if err == nil {
		_, err = conn.ExecContext(ctx, `LISTEN "`+w.s.channel+`"`)
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// receive reads notifications until ctx ends, making a new connection
// (and reporting a Resync) whenever the one it has is lost.
func (w *watch) receive(ctx context.Context, conn *sql.Conn) {
	for {
		_ = conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			for {
				n, err := pc.WaitForNotification(ctx)
				if err != nil {
					// The connection may be in any state: drop it.
					return driver.ErrBadConn
				}
				w.note(n.Payload)
			}
		})
		_ = conn.Close()
		w.mu.Lock()
		w.lost++
		w.mu.Unlock()
		delay := firstRetry
		for {
			if ctx.Err() != nil {
				return
			}
			var err error
			if conn, err = w.listen(ctx); err == nil {
				break
			}
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			delay = min(2*delay, maxRetry)
		}
		w.add(nil, nil, true)
	}
}

// note records one notification's payload. A payload that does not decode
// (sent by something else on the channel) asks for a resync, to be safe.
func (w *watch) note(raw string) {
	var p payload
	if err := json.Unmarshal([]byte(raw), &p); err != nil || p.Origin == "" {
		w.add(nil, nil, true)
		return
	}
	if p.Origin == w.s.origin {
		return
	}
	w.add(p.Operators, p.Conversations, false)
}

// add merges ids (or a resync) into what is pending and wakes deliver.
func (w *watch) add(ops, convs []string, resync bool) {
	w.mu.Lock()
	if !w.has {
		w.pending, w.has = store.Notice{}, true
		w.ops, w.convs = map[string]struct{}{}, map[string]struct{}{}
	}
	w.pending.Resync = w.pending.Resync || resync
	for _, id := range ops {
		w.ops[id] = struct{}{}
	}
	for _, id := range convs {
		w.convs[id] = struct{}{}
	}
	w.mu.Unlock()
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

// take returns what is pending, if anything, and clears it.
func (w *watch) take() (store.Notice, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.has {
		return store.Notice{}, false
	}
	n := w.pending
	n.Operators = slices.Sorted(func(yield func(string) bool) {
		for id := range w.ops {
			if !yield(id) {
				return
			}
		}
	})
	n.Conversations = slices.Sorted(func(yield func(string) bool) {
		for id := range w.convs {
			if !yield(id) {
				return
			}
		}
	})
	w.has, w.ops, w.convs = false, nil, nil
	return n, true
}

// deliver hands pending notices to out until ctx ends, then closes out.
func (w *watch) deliver(ctx context.Context, out chan<- store.Notice) {
	defer close(out)
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.ready:
		}
		n, ok := w.take()
		if !ok {
			continue
		}
		select {
		case out <- n:
		case <-ctx.Done():
			return
		}
	}
}

// Rows reads the current rows of the operators and conversations n names
// (see store.Feed).
func (s *Store) Rows(ctx context.Context, n store.Notice) (store.Rows, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.Rows{}, err
	}
	defer done()
	var out store.Rows
	if len(n.Operators) > 0 {
		out.Operators, err = readAll(ctx, s.reader(), s.q.selectOperators, listArg(n.Operators), scanOperator)
		if err != nil {
			return store.Rows{}, s.mapError(ctx, "read operators", err)
		}
		found := make(map[string]bool, len(out.Operators))
		for _, o := range out.Operators {
			found[o.ID] = true
		}
		for _, id := range n.Operators {
			if !found[id] {
				out.GoneOperators = append(out.GoneOperators, id)
			}
		}
	}
	if len(n.Conversations) > 0 {
		out.Conversations, err = readAll(ctx, s.reader(), s.q.selectConversations, listArg(n.Conversations), scanConversation)
		if err != nil {
			return store.Rows{}, s.mapError(ctx, "read conversations", err)
		}
	}
	return out, nil
}

// readAll runs query and scans each row with scan.
func readAll[T any](ctx context.Context, q querier, query string, arg any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
