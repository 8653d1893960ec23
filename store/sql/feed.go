package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/switchboard-go/switchboard/store"
)

// The change feed (store.Feed) on PostgreSQL. Every write transaction
// sends, just before its COMMIT, the rows it changed (see payload), one
// NOTIFY per 7,900 bytes, on a channel named after the store's schema and
// table prefix. PostgreSQL delivers a notification only if its
// transaction commits, and in commit order. Each Watch keeps a connection
// of the pool that LISTENs on the channel; when that connection is lost,
// Watch makes another and then reports a Resync, which tells the receiver
// to read everything again: what was committed while no connection
// listened is covered by that read, what is committed after by the new
// connection. A connection can be lost without either end closing it (the
// server's machine crashed, the network went silent): a connection silent
// for the ping interval (WithFeedPing) is pinged, and is lost when the
// answer does not come within another interval.

// maxPayload bounds the payload of one notification (PostgreSQL refuses
// payloads of 8,000 bytes or more).
const maxPayload = 7900

// Reconnection delays of a Watch whose connection was lost.
const (
	firstRetry = 50 * time.Millisecond
	maxRetry   = 2 * time.Second
)

// payload is what one notification carries: the ids of the rows a
// transaction changed and, when they fit, the rows themselves, and whether
// it stored a new rule set or changed the groups. Every id is in Operators or Conversations,
// also when its row is carried, so that a receiver that knows nothing of
// carried rows still reads them. On the wire it is JSON, the origin first
// (see payloadBuilder).
//
// RuleSet came with schema version 3, Groups with version 5: a Store of
// older code does not decode a payload that sets one it does not know, and
// answers with a resync (see watch.note), which covers the change.
type payload struct {
	// Origin is the sending Store's origin, so that it skips its own.
	Origin string `json:"s"`
	// RuleSet says that the transaction stored a new rule set (in the
	// first payload of its transaction only).
	RuleSet bool `json:"rs,omitempty"`
	// Groups says that the transaction created, changed or deleted a
	// group (in the first payload of its transaction only).
	Groups        bool     `json:"gr,omitempty"`
	Operators     []string `json:"o,omitempty"`
	Conversations []string `json:"c,omitempty"`
	// OperatorRows and ConversationRows are carried rows (see wire.go),
	// Gone the ids of deleted operators.
	OperatorRows     []wireOperator     `json:"or,omitempty"`
	Gone             []string           `json:"g,omitempty"`
	ConversationRows []wireConversation `json:"cr,omitempty"`
}

// payloadOverhead bounds the bytes of a payload besides its entries: the
// braces, keys, brackets and origin.
const payloadOverhead = 64

// publish sends the rows the transaction changed, and whether it stored
// a rule set or changed the groups, to the Stores watching the database,
// and reports whether it sent anything. It runs in the transaction, just
// before COMMIT.
func (s *Store) publish(ctx context.Context, w *writeTx) (bool, error) {
	flags := noticeFlags{ruleSet: w.ruleSet, groups: w.groups}
	if !s.d.feeds() || (len(w.ops)+len(w.convs) == 0 && flags == noticeFlags{}) {
		return false, nil
	}
	for _, p := range s.payloads(w.ops, w.convs, flags) {
		if err := w.exec(ctx, s.q.notify, s.channel, p); err != nil {
			return false, fmt.Errorf("notify: %w", err)
		}
	}
	return true, nil
}

// noticeFlags are the changes a payload reports without naming rows.
type noticeFlags struct {
	// ruleSet: a rule set was stored; groups: a group was created,
	// changed or deleted.
	ruleSet, groups bool
}

// payloads splits the changes into payloads below maxPayload, each row
// once, as last written (an operator of Version 0 was deleted), the first
// carrying the flags. A row that does not fit in a payload of its own
// travels as its id alone.
func (s *Store) payloads(ops []store.Operator, convs []store.Conversation, flags noticeFlags) []string {
	b := builders.Get().(*payloadBuilder)
	defer builders.Put(b)
	b.start(s.origin)
	b.flags = flags
	for _, op := range lastByID(ops, func(o store.Operator) string { return o.ID }) {
		if op.Version == 0 {
			b.add(listOperators, op.ID, listGone, op.ID)
			continue
		}
		b.add(listOperators, op.ID, listOperatorRows, wireOperatorOf(op))
	}
	for _, c := range lastByID(convs, func(c store.Conversation) string { return c.ID }) {
		b.add(listConversations, c.ID, listConversationRows, wireConversationOf(c))
	}
	b.flush()
	return b.out
}

// The lists of a payload, in the order they are written, with their keys.
const (
	listOperators = iota
	listConversations
	listOperatorRows
	listGone
	listConversationRows
	lists
)

var listKeys = [lists]string{`"o"`, `"c"`, `"or"`, `"g"`, `"cr"`}

// payloadBuilder writes payloads. It encodes each entry once, straight
// into the list it belongs to, and reuses its buffers: notifications are
// sent for every write, and what they allocate is garbage the collector
// must chase on a busy server.
type payloadBuilder struct {
	origin string
	// flags are what the next payload flushed reports besides rows.
	flags noticeFlags
	lists [lists]bytes.Buffer
	// id and row hold the entry being added, encoded by idEnc and rowEnc.
	id, row       bytes.Buffer
	idEnc, rowEnc *json.Encoder
	size          int
	whole         bytes.Buffer
	out           []string
}

var builders = sync.Pool{New: func() any {
	b := &payloadBuilder{}
	b.idEnc, b.rowEnc = json.NewEncoder(&b.id), json.NewEncoder(&b.row)
	return b
}}

// start begins the payloads of a transaction.
func (b *payloadBuilder) start(origin string) {
	b.origin, b.out = origin, nil
	b.reset()
}

// reset empties the payload being built.
func (b *payloadBuilder) reset() {
	for i := range b.lists {
		b.lists[i].Reset()
	}
	b.size = len(b.origin) + payloadOverhead
}

// encode encodes v with enc into buf, and returns it without the newline
// the encoder ends it with. v is an id or a row, made of strings, integers
// and booleans only, which always encode.
func encode(enc *json.Encoder, buf *bytes.Buffer, v any) []byte {
	buf.Reset()
	_ = enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// add puts one change in the payload being built: id in list ids and, if
// it fits in a payload, row in list rows.
func (b *payloadBuilder) add(ids int, id string, rows int, row any) {
	idJSON := encode(b.idEnc, &b.id, id)
	rowJSON := encode(b.rowEnc, &b.row, row)
	n := len(idJSON) + 1
	if len(b.origin)+payloadOverhead+n+len(rowJSON)+1 <= maxPayload {
		n += len(rowJSON) + 1
	} else {
		rowJSON = nil
	}
	if b.size+n > maxPayload && b.lists[listOperators].Len()+b.lists[listConversations].Len() > 0 {
		b.flush()
	}
	b.write(ids, idJSON)
	if rowJSON != nil {
		b.write(rows, rowJSON)
	}
	b.size += n
}

// write appends an encoded entry to list i.
func (b *payloadBuilder) write(i int, entry []byte) {
	l := &b.lists[i]
	if l.Len() > 0 {
		l.WriteByte(',')
	}
	l.Write(entry)
}

// flush ends the payload being built.
func (b *payloadBuilder) flush() {
	w := &b.whole
	w.Reset()
	w.WriteString(`{"s":"`)
	w.WriteString(b.origin)
	w.WriteByte('"')
	if b.flags.ruleSet {
		w.WriteString(`,"rs":true`)
	}
	if b.flags.groups {
		w.WriteString(`,"gr":true`)
	}
	b.flags = noticeFlags{}
	for i := range b.lists {
		if b.lists[i].Len() == 0 {
			continue
		}
		w.WriteByte(',')
		w.WriteString(listKeys[i])
		w.WriteString(":[")
		w.Write(b.lists[i].Bytes())
		w.WriteByte(']')
	}
	w.WriteByte('}')
	b.out = append(b.out, w.String())
	b.reset()
}

// lastByID returns the last of rows for each id, ordered by id.
func lastByID[T any](rows []T, id func(T) string) []T {
	if len(rows) < 2 {
		return rows
	}
	last := make(map[string]T, len(rows))
	for _, r := range rows {
		last[id(r)] = r
	}
	out := make([]T, 0, len(last))
	for _, k := range slices.Sorted(maps.Keys(last)) {
		out = append(out, last[k])
	}
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
	w := &watch{s: s, own: `{"s":"` + s.origin + `"`, ready: make(chan struct{}, 1),
		ops: map[string]struct{}{}, convs: map[string]struct{}{}, gone: map[string]struct{}{},
		opRows:   newPendingRows(func(o store.Operator) string { return o.ID }),
		convRows: newPendingRows(func(c store.Conversation) string { return c.ID })}
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
	// own begins every payload of s.
	own string

	mu sync.Mutex
	// has says that something is pending: resync, a new rule set, a
	// change of the groups, the ids named, and the rows carried (by id). The maps are cleared, not
	// dropped, when taken.
	has        bool
	resync     bool
	ruleSet    bool
	groups     bool
	ops, convs map[string]struct{}
	opRows     pendingRows[store.Operator]
	gone       map[string]struct{}
	convRows   pendingRows[store.Conversation]
	ready      chan struct{}
}

// listen takes a connection from the pool and starts listening on it. It
// gives up after the ping interval (see WithFeedPing): on a silent network
// a new connection would otherwise wait for the server forever.
func (w *watch) listen(ctx context.Context) (*sql.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, w.s.cfg.feedPing)
	defer cancel()
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
				n, err := w.next(ctx, pc)
				if err != nil {
					// The connection may be in any state: drop it.
					return driver.ErrBadConn
				}
				w.note(n.Payload)
			}
		})
		_ = conn.Close()
		w.s.feedLost.Add(1)
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
		w.add(store.Notice{Resync: true})
	}
}

// next returns the next notification on pc. A connection silent for the
// ping interval is pinged, and one that does not answer the ping within
// the interval is lost: the server may be gone, or the network between,
// without either end closing the connection, and the notifications sent
// meanwhile would never arrive. Notifications that arrive keep it from
// being pinged: they show it alive.
func (w *watch) next(ctx context.Context, pc *pgx.Conn) (*pgconn.Notification, error) {
	every := w.s.cfg.feedPing
	for {
		wctx, cancel := context.WithTimeout(ctx, every)
		n, err := pc.WaitForNotification(wctx)
		cancel()
		if err == nil || ctx.Err() != nil || wctx.Err() == nil || pc.IsClosed() {
			// A notification, the watch's end, or a connection lost.
			return n, err
		}
		pctx, cancel := context.WithTimeout(ctx, every)
		err = pc.Ping(pctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("the change feed's connection did not answer a ping in %v: %w", every, err)
		}
	}
}

// note records one notification's payload. A payload that does not decode
// (sent by something else on the channel, or by a Store of another
// version) asks for a resync, to be safe.
// The Store's own payloads, which begin with its origin, are skipped
// before they are decoded.
func (w *watch) note(raw string) {
	if strings.HasPrefix(raw, w.own) {
		return
	}
	p, err := decodePayload(raw)
	if err != nil || p.Origin == "" {
		w.add(store.Notice{Resync: true})
		return
	}
	if p.Origin == w.s.origin {
		return
	}
	w.add(p.notice())
}

// notice returns what p reports, carried rows as a database read returns
// them.
func (p payload) notice() store.Notice {
	n := store.Notice{Operators: p.Operators, Conversations: p.Conversations, RuleSet: p.RuleSet, Groups: p.Groups,
		Carried: store.Rows{GoneOperators: p.Gone}}
	if len(p.OperatorRows) > 0 {
		n.Carried.Operators = make([]store.Operator, len(p.OperatorRows))
		for i, o := range p.OperatorRows {
			n.Carried.Operators[i] = o.operator()
		}
	}
	if len(p.ConversationRows) > 0 {
		n.Carried.Conversations = make([]store.Conversation, len(p.ConversationRows))
		for i, c := range p.ConversationRows {
			n.Carried.Conversations[i] = c.conversation()
		}
	}
	return n
}

// add merges n into what is pending and wakes deliver. A row named again
// without being carried is read afresh: a carried row of an earlier
// change is dropped.
func (w *watch) add(n store.Notice) {
	w.mu.Lock()
	w.has = true
	w.resync = w.resync || n.Resync
	w.ruleSet = w.ruleSet || n.RuleSet
	w.groups = w.groups || n.Groups
	for _, id := range n.Operators {
		w.ops[id] = struct{}{}
		w.opRows.drop(id)
		delete(w.gone, id)
	}
	for _, id := range n.Conversations {
		w.convs[id] = struct{}{}
		w.convRows.drop(id)
	}
	for _, o := range n.Carried.Operators {
		w.opRows.put(o)
	}
	for _, id := range n.Carried.GoneOperators {
		w.gone[id] = struct{}{}
	}
	for _, c := range n.Carried.Conversations {
		w.convRows.put(c)
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
	n := store.Notice{
		Operators:     slices.Sorted(maps.Keys(w.ops)),
		Conversations: slices.Sorted(maps.Keys(w.convs)),
		Resync:        w.resync,
		RuleSet:       w.ruleSet,
		Groups:        w.groups,
		Carried: store.Rows{
			Operators:     w.opRows.take(func(a, b store.Operator) int { return strings.Compare(a.ID, b.ID) }),
			GoneOperators: slices.Sorted(maps.Keys(w.gone)),
			Conversations: w.convRows.take(func(a, b store.Conversation) int { return cmp.Compare(a.Seq, b.Seq) }),
		},
	}
	w.has, w.resync, w.ruleSet, w.groups = false, false, false, false
	clear(w.ops)
	clear(w.convs)
	clear(w.gone)
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

// Rows returns the rows of the operators and conversations n names (see
// store.Feed): those n carries as they are, the others read in one query
// per table.
func (s *Store) Rows(ctx context.Context, n store.Notice) (store.Rows, error) {
	done, err := s.enter(ctx)
	if err != nil {
		return store.Rows{}, err
	}
	defer done()
	known := make(map[string]bool, len(n.Carried.Operators)+len(n.Carried.GoneOperators))
	for _, o := range n.Carried.Operators {
		known[o.ID] = true
	}
	for _, id := range n.Carried.GoneOperators {
		known[id] = true
	}
	out := store.Rows{
		Operators:     slices.Clone(n.Carried.Operators),
		GoneOperators: slices.Clone(n.Carried.GoneOperators),
		Conversations: slices.Clone(n.Carried.Conversations),
	}
	if read := unknown(n.Operators, known); len(read) > 0 {
		ops, err := readAll(ctx, s.reader(), s.q.selectOperators, listArg(read), scanOperator)
		if err != nil {
			return store.Rows{}, s.mapError(ctx, "read operators", err)
		}
		found := make(map[string]bool, len(ops))
		for _, o := range ops {
			found[o.ID] = true
		}
		out.Operators = append(out.Operators, ops...)
		out.GoneOperators = append(out.GoneOperators, unknown(read, found)...)
	}
	clear(known)
	for _, c := range n.Carried.Conversations {
		known[c.ID] = true
	}
	if read := unknown(n.Conversations, known); len(read) > 0 {
		convs, err := readAll(ctx, s.reader(), s.q.selectConversations, listArg(read), scanConversation)
		if err != nil {
			return store.Rows{}, s.mapError(ctx, "read conversations", err)
		}
		out.Conversations = append(out.Conversations, convs...)
	}
	slices.SortFunc(out.Operators, func(a, b store.Operator) int { return strings.Compare(a.ID, b.ID) })
	slices.Sort(out.GoneOperators)
	slices.SortFunc(out.Conversations, func(a, b store.Conversation) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// unknown returns the ids not in known.
func unknown(ids []string, known map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if !known[id] {
			out = append(out, id)
		}
	}
	return out
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
