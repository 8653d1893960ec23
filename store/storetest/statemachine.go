package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-go/switchboard/store"
)

// The state-machine test's id space: small, so that random calls collide
// often.
var (
	smOperators = []string{"op0", "op1", "op2", "op3"}
	smConvs     = []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"}
	smGroups    = []string{"g0", "g1"}
	smStatuses  = []string{"ready", "busy", "away"}
	smCustomers = []string{"", "cu0", "cu1", "cu2"}
	smChannels  = []string{"web", "telegram"}
	smStates    = []store.State{store.Queued, store.Offered, store.Assigned, store.Waiting, store.Closed}
	smTags      = []string{"vip", "b2b", "night"}
)

// machine drives one store and its model through a random sequence of
// calls.
type machine struct {
	s store.Store
	m *model
	// now counts the steps; the time of a step is at(now).
	now int
	// unchanged records that the last step must have changed nothing (its
	// call failed, or it only read), and last what the store showed after
	// the step before.
	unchanged bool
	last      snapshot
}

// testStateMachine runs random sequences of calls against fresh stores and
// the model, checking the invariants I1–I8 of docs/behaviour.md after every step.
func testStateMachine(t *testing.T, newStore func(t *testing.T) store.Store) {
	rapid.Check(t, func(rt *rapid.T) {
		s := newStore(t)
		defer func() { _ = s.Close() }()
		mc := &machine{s: s, m: newModel()}
		mc.init(rt)
		rt.Repeat(map[string]func(*rapid.T){
			"CreateOperator":     mc.createOperator,
			"UpdateOperator":     mc.updateOperator,
			"SetStatus":          mc.setStatus,
			"DeleteOperator":     mc.deleteOperator,
			"CreateConversation": mc.createConversation,
			"Apply":              mc.apply,
			"Apply_Lifecycle":    mc.lifecycle,
			"Read":               mc.read,
			"":                   mc.check,
		})
	})
}

// init starts a sequence with most operators and some conversations
// created, so that the steps have conversations to move and operators with
// load to reach their caps.
func (mc *machine) init(rt *rapid.T) {
	skip := rapid.IntRange(0, len(smOperators)).Draw(rt, "operators not created")
	for _, id := range smOperators[skip:] {
		op := store.Operator{
			ID:     id,
			Groups: rapid.SliceOfNDistinct(rapid.SampledFrom(smGroups), 0, len(smGroups), rapid.ID).Draw(rt, "groups"),
			Cap:    rapid.IntRange(0, 3).Draw(rt, "cap"),
			Status: rapid.SampledFrom(smStatuses).Draw(rt, "status"),
		}
		got, err := mc.s.CreateOperator(bg, op)
		require.NoError(rt, err)
		want, err := mc.m.createOperator(op)
		require.NoError(rt, err)
		requireOp(rt, want, got)
	}
	ops := keys(mc.m.ops, smOperators, true)
	if len(ops) == 0 {
		return
	}
	skip = rapid.IntRange(0, 4).Draw(rt, "conversations not created")
	for _, id := range smConvs[skip:4] {
		mc.now++
		c := store.Conversation{
			ID:         id,
			Group:      rapid.SampledFrom(smGroups).Draw(rt, "group"),
			CustomerID: rapid.SampledFrom(smCustomers).Draw(rt, "customer"),
			State:      rapid.SampledFrom([]store.State{store.Assigned, store.Queued, store.Offered}).Draw(rt, "state"),
			CreatedAt:  at(mc.now),
		}
		switch c.State {
		case store.Assigned:
			c.Assignee = rapid.SampledFrom(ops).Draw(rt, "assignee")
		case store.Offered:
			c.OfferedTo = rapid.SliceOfNDistinct(rapid.SampledFrom(ops), 1, len(ops), rapid.ID).Draw(rt, "offers")
		}
		got, err := mc.s.CreateConversation(bg, c, store.Require{})
		require.NoError(rt, err)
		require.Greater(rt, got.Conversation.Seq, mc.m.maxSeq)
		want, err := mc.m.createConversation(c, store.Require{}, got.Conversation.Seq)
		require.NoError(rt, err)
		mc.requireResult(rt, want, got)
	}
}

// rare reports true about once in forty draws: how often a generator
// spoils an input that would otherwise be valid. rapid draws small integers
// and the bounds of a range far more often than the others, so the rare
// band sits in the middle of the range; shrinking moves toward 0, that is
// toward valid input.
func rare(rt *rapid.T, label string) bool {
	v := rapid.IntRange(0, 99).Draw(rt, label)
	return v >= 50 && v < 55
}

// often reports true most of the time (and when shrunk).
func often(rt *rapid.T, label string) bool {
	return rapid.IntRange(0, 9).Draw(rt, label) < 7
}

// step advances the clock and returns the step's time, or rarely the zero
// time.
func (mc *machine) step(rt *rapid.T) store.Change {
	mc.now++
	ch := store.Change{At: at(mc.now)}
	if rare(rt, "zero time") {
		ch.At = time.Time{}
	}
	return ch
}

// keys returns the sorted keys of m present (or, if !present, absent) in
// ids.
func keys[V any](m map[string]V, ids []string, present bool) []string {
	var out []string
	for _, id := range ids {
		if _, ok := m[id]; ok == present {
			out = append(out, id)
		}
	}
	return out
}

// pick returns one of prefer most of the time, and one of all otherwise.
func pick(rt *rapid.T, all, prefer []string, label string) string {
	if len(prefer) > 0 && often(rt, label+" preferred") {
		return rapid.SampledFrom(prefer).Draw(rt, label)
	}
	return rapid.SampledFrom(all).Draw(rt, label)
}

// drawOperator returns an operator id, usually of an existing operator,
// rarely empty.
func (mc *machine) drawOperator(rt *rapid.T, label string) string {
	if rare(rt, label+" empty") {
		return ""
	}
	return pick(rt, smOperators, keys(mc.m.ops, smOperators, true), label)
}

// drawOffers returns operator ids to offer to, usually existing ones.
func (mc *machine) drawOffers(rt *rapid.T) []string {
	pool := smOperators
	if existing := keys(mc.m.ops, smOperators, true); len(existing) > 0 && often(rt, "offer existing") {
		pool = existing
	}
	return drawIDs(rt, pool, 1, min(3, len(pool)), "offers")
}

func drawStatus(rt *rapid.T, label string) string {
	if rare(rt, label+" empty") {
		return ""
	}
	return rapid.SampledFrom(smStatuses).Draw(rt, label)
}

// drawStatusList returns nil (no condition) or a list of statuses, maybe
// empty.
func drawStatusList(rt *rapid.T, label string) []string {
	if rapid.Bool().Draw(rt, label+" nil") {
		return nil
	}
	list := rapid.SliceOfNDistinct(rapid.SampledFrom(smStatuses), 0, len(smStatuses), rapid.ID).Draw(rt, label)
	if list == nil {
		list = []string{}
	}
	return list
}

// drawIDs returns distinct ids from ids, between minLen and maxLen, rarely
// spoilt with a duplicate or an empty id.
func drawIDs(rt *rapid.T, ids []string, minLen, maxLen int, label string) []string {
	out := rapid.SliceOfNDistinct(rapid.SampledFrom(ids), minLen, maxLen, rapid.ID).Draw(rt, label)
	if rare(rt, label+" spoilt") {
		if len(out) > 0 && rapid.Bool().Draw(rt, label+" duplicate") {
			out = append(out, out[0])
		} else {
			out = append(out, "")
		}
	}
	return out
}

func drawOperatorRow(rt *rapid.T, id string) store.Operator {
	op := store.Operator{
		ID:     id,
		Groups: drawIDs(rt, smGroups, 0, len(smGroups), "groups"),
		Cap:    rapid.IntRange(0, 3).Draw(rt, "cap"),
		Skills: rapid.SliceOfN(rapid.SampledFrom([]string{"en", "fr"}), 0, 2).Draw(rt, "skills"),
		Status: drawStatus(rt, "status"),
	}
	if rare(rt, "negative cap") {
		op.Cap = -1
	}
	if rapid.Bool().Draw(rt, "store-owned fields") {
		// Fields the store sets: ignored on input.
		op.Load, op.LastAssigned, op.Version = 5, at(-1), 9
	}
	return op
}

// drawProfile returns a routing profile, rarely spoilt with a repeated or
// empty tag or a rule match that names no rule.
func drawProfile(rt *rapid.T) store.Profile {
	p := store.Profile{
		Priority:  rapid.IntRange(-1, 2).Draw(rt, "profile priority"),
		Skills:    rapid.SliceOfN(rapid.SampledFrom([]string{"en", "fr"}), 0, 2).Draw(rt, "profile skills"),
		Tags:      drawIDs(rt, smTags, 0, len(smTags), "tags"),
		Preferred: rapid.SampledFrom(append([]string{""}, smOperators...)).Draw(rt, "preferred"),
		OffHours:  rapid.Bool().Draw(rt, "off hours"),
	}
	if rapid.Bool().Draw(rt, "profile attributes") {
		p.Attributes = map[string]string{"site": rapid.SampledFrom([]string{"a", "b"}).Draw(rt, "profile site")}
	}
	for range rapid.IntRange(0, 2).Draw(rt, "rule matches") {
		m := store.RuleMatch{
			Rule:    rapid.SampledFrom([]string{"vip", "night"}).Draw(rt, "rule"),
			Changes: rapid.SliceOfN(rapid.SampledFrom([]string{"priority 1", "tag vip"}), 0, 2).Draw(rt, "rule changes"),
		}
		if rare(rt, "unnamed rule") {
			m.Rule = ""
		}
		p.Rules = append(p.Rules, m)
	}
	return p
}

// drawRequire returns requirements on an assignee whose load is load: a
// cap they are at (no cap if they have no load), no cap, a cap they are
// just below, or any small cap.
func drawRequire(rt *rapid.T, load int) store.Require {
	req := store.Require{
		AssigneeStatuses: drawStatusList(rt, "assignee statuses"),
		OfferStatuses:    drawStatusList(rt, "offer statuses"),
	}
	switch rapid.IntRange(0, 3).Draw(rt, "assignee cap kind") {
	case 0:
		req.AssigneeCap = load
	case 2:
		req.AssigneeCap = load + 1
	case 3:
		req.AssigneeCap = rapid.IntRange(1, 3).Draw(rt, "assignee cap")
	}
	if rare(rt, "negative assignee cap") {
		req.AssigneeCap = -1
	}
	return req
}

func (mc *machine) createOperator(rt *rapid.T) {
	mc.now++
	id := ""
	if !rare(rt, "empty id") {
		id = pick(rt, smOperators, keys(mc.m.ops, smOperators, false), "id")
	}
	op := drawOperatorRow(rt, id)
	op.StatusSince = at(mc.now)
	got, err := mc.s.CreateOperator(bg, op)
	want, wantErr := mc.m.createOperator(op)
	if mc.expectError(rt, err, wantErr) {
		return
	}
	requireOp(rt, want, got)
}

func (mc *machine) updateOperator(rt *rapid.T) {
	mc.now++
	op := drawOperatorRow(rt, mc.drawOperator(rt, "id"))
	op.StatusSince = at(mc.now)
	got, err := mc.s.UpdateOperator(bg, op)
	want, wantErr := mc.m.updateOperator(op)
	if mc.expectError(rt, err, wantErr) {
		return
	}
	requireOp(rt, want, got)
}

func (mc *machine) setStatus(rt *rapid.T) {
	ch := store.StatusChange{
		Operator: mc.drawOperator(rt, "operator"),
		To:       drawStatus(rt, "to"),
		Forbid:   rapid.SliceOfNDistinct(rapid.SampledFrom(smStates), 0, 3, rapid.ID).Draw(rt, "forbid"),
		At:       mc.step(rt).At,
	}
	if rapid.Bool().Draw(rt, "with from") {
		ch.From = rapid.SampledFrom(smStatuses).Draw(rt, "from")
	}
	if rare(rt, "undefined forbidden state") {
		ch.Forbid = append(ch.Forbid, rapid.SampledFrom([]store.State{0, store.Closed + 1}).Draw(rt, "undefined"))
	}
	got, err := mc.s.SetStatus(bg, ch)
	want, wantErr := mc.m.setStatus(ch)
	if mc.expectError(rt, err, wantErr) {
		return
	}
	requireOp(rt, want, got)
}

func (mc *machine) deleteOperator(rt *rapid.T) {
	mc.now++
	id := mc.drawOperator(rt, "operator")
	err := mc.s.DeleteOperator(bg, id)
	wantErr := mc.m.deleteOperator(id)
	mc.expectError(rt, err, wantErr)
}

func (mc *machine) createConversation(rt *rapid.T) {
	mc.now++
	c := store.Conversation{
		ID:              pick(rt, smConvs, keys(mc.m.convs, smConvs, false), "id"),
		Group:           rapid.SampledFrom(smGroups).Draw(rt, "group"),
		Channel:         rapid.SampledFrom(smChannels).Draw(rt, "channel"),
		CustomerID:      rapid.SampledFrom(smCustomers).Draw(rt, "customer"),
		Priority:        rapid.IntRange(0, 2).Draw(rt, "priority"),
		Skills:          rapid.SliceOfN(rapid.SampledFrom([]string{"en", "fr"}), 0, 2).Draw(rt, "skills"),
		State:           rapid.SampledFrom([]store.State{store.Assigned, store.Queued, store.Offered}).Draw(rt, "state"),
		LinkedTo:        rapid.SampledFrom([]string{"", "c0"}).Draw(rt, "linked to"),
		CreatedAt:       at(mc.now),
		AllBusyNotified: rapid.Bool().Draw(rt, "all busy"),
	}
	if rapid.Bool().Draw(rt, "attributes") {
		c.Attributes = map[string]string{"site": rapid.SampledFrom([]string{"a", "b"}).Draw(rt, "site")}
	}
	if rapid.Bool().Draw(rt, "enqueued earlier") {
		c.EnqueuedAt = at(mc.now - 1)
	}
	if rapid.Bool().Draw(rt, "rule fields") {
		p := drawProfile(rt)
		c.Tags, c.Preferred, c.OffHours, c.Rules = p.Tags, p.Preferred, p.OffHours, p.Rules
	}
	switch {
	case rare(rt, "empty id"):
		c.ID = ""
	case rare(rt, "empty group"):
		c.Group = ""
	case rare(rt, "zero creation time"):
		c.CreatedAt = time.Time{}
	case rare(rt, "other state"):
		c.State = rapid.SampledFrom([]store.State{0, store.Waiting, store.Closed, store.Closed + 1}).Draw(rt, "other state")
	}
	if c.State.Held() != rare(rt, "assignee mismatch") {
		c.Assignee = mc.drawOperator(rt, "assignee")
	}
	if (c.State == store.Offered) != rare(rt, "offers mismatch") {
		c.OfferedTo = mc.drawOffers(rt)
	}
	req := drawRequire(rt, mc.m.ops[c.Assignee].Load)

	maxSeq := mc.m.maxSeq
	got, err := mc.s.CreateConversation(bg, c, req)
	if err == nil {
		require.Greater(rt, got.Conversation.Seq, maxSeq, "Seq of a new conversation")
	}
	want, wantErr := mc.m.createConversation(c, req, got.Conversation.Seq)
	if mc.expectError(rt, err, wantErr) {
		return
	}
	mc.requireResult(rt, want, got)
	if c.State == store.Assigned {
		mc.requireAssignment(rt, req, got, c.Assignee, true)
	}
	mc.requireOffers(rt, req, c.OfferedTo)
}

func (mc *machine) apply(rt *rapid.T) {
	ch := mc.step(rt)
	ch.Conversation = pick(rt, smConvs, keys(mc.m.convs, smConvs, true), "conversation")
	if rare(rt, "empty conversation") {
		ch.Conversation = ""
	}
	cur, exists := mc.m.convs[ch.Conversation]

	// Source states: usually including the current one.
	ch.From = rapid.SliceOfNDistinct(rapid.SampledFrom(smStates), 1, 3, rapid.ID).Draw(rt, "from")
	if exists && often(rt, "from current") && !slices.Contains(ch.From, cur.State) {
		ch.From = append(ch.From, cur.State)
	}
	switch {
	case rare(rt, "no source"):
		ch.From = nil
	case rare(rt, "undefined source"):
		ch.From = append(ch.From, store.Closed+1)
	}

	ch.To = rapid.SampledFrom(smStates).Draw(rt, "to")
	if rare(rt, "undefined target") {
		ch.To = rapid.SampledFrom([]store.State{0, store.Closed + 1}).Draw(rt, "undefined target")
	}
	if ch.To.Held() != rare(rt, "assignee mismatch") {
		ch.NewAssignee = mc.drawOperator(rt, "new assignee")
		if exists && cur.Assignee != "" && rapid.Bool().Draw(rt, "same assignee") {
			ch.NewAssignee = cur.Assignee
		}
	}
	if (ch.To == store.Offered) != rare(rt, "offers mismatch") {
		ch.Offers = mc.drawOffers(rt)
	}

	// Preconditions: mostly none (the value rapid draws, and shrinks to,
	// most often), sometimes the current ones, rarely stale ones.
	switch rapid.IntRange(0, 9).Draw(rt, "assignee precondition") {
	case 7, 8:
		ch.Assignee = cur.Assignee
	case 9:
		ch.Assignee = rapid.SampledFrom(smOperators).Draw(rt, "assignee")
	}
	switch rapid.IntRange(0, 9).Draw(rt, "version precondition") {
	case 7, 8:
		ch.Version = cur.Version
	case 9:
		ch.Version = cur.Version + int64(rapid.IntRange(1, 2).Draw(rt, "version ahead"))
	}

	// Effects.
	if rapid.IntRange(0, 3).Draw(rt, "group change") == 3 {
		ch.Group = rapid.SampledFrom(smGroups).Draw(rt, "group")
	}
	// Requeue only into the queue, but rarely.
	ch.Requeue = (ch.To.InQueue() && rapid.IntRange(0, 3).Draw(rt, "requeue") == 3) || rare(rt, "requeue elsewhere")
	ch.CloseReason = rapid.SampledFrom([]string{"", "resolved"}).Draw(rt, "close reason")
	ch.MarkAllBusy = rapid.IntRange(0, 4).Draw(rt, "mark all busy") == 4
	if rapid.IntRange(0, 3).Draw(rt, "profile change") == 3 {
		p := drawProfile(rt)
		ch.Profile = &p
	}
	ch.Require = drawRequire(rt, mc.m.ops[ch.NewAssignee].Load)
	mc.runApply(rt, ch)
}

// lifecycle applies a move that the lifecycle of L1 allows from the
// conversation's current state, with valid preconditions, to an existing
// operator: the changes a router makes, which mostly succeed.
func (mc *machine) lifecycle(rt *rapid.T) {
	var open []string
	for _, id := range keys(mc.m.convs, smConvs, true) {
		if mc.m.convs[id].State != store.Closed {
			open = append(open, id)
		}
	}
	if len(open) == 0 {
		rt.Skip("no open conversation")
	}
	ch := mc.step(rt)
	ch.Conversation = rapid.SampledFrom(open).Draw(rt, "conversation")
	cur := mc.m.convs[ch.Conversation]
	moves := map[store.State][]store.State{
		store.Queued:   {store.Assigned, store.Offered, store.Closed},
		store.Offered:  {store.Assigned, store.Queued, store.Offered, store.Closed},
		store.Assigned: {store.Assigned, store.Waiting, store.Queued, store.Closed},
		store.Waiting:  {store.Assigned, store.Waiting, store.Queued, store.Closed},
	}[cur.State]
	ch.To = rapid.SampledFrom(moves).Draw(rt, "to")
	ch.From = []store.State{cur.State}
	if cur.State.InQueue() {
		ch.From = []store.State{store.Queued, store.Offered}
	}
	switch rapid.IntRange(0, 2).Draw(rt, "precondition") {
	case 1:
		ch.Version = cur.Version
	case 2:
		ch.Assignee = cur.Assignee
	}
	if ch.To.Held() {
		// Busiest first: rapid favours the first, so caps are reached.
		busiest := keys(mc.m.ops, smOperators, true)
		slices.SortStableFunc(busiest, func(a, b string) int { return mc.m.ops[b].Load - mc.m.ops[a].Load })
		ch.NewAssignee = pick(rt, smOperators, busiest, "new assignee")
		if cur.Assignee != "" && rapid.Bool().Draw(rt, "same assignee") {
			ch.NewAssignee = cur.Assignee
		}
	}
	if ch.To == store.Offered {
		ch.Offers = mc.drawOffers(rt)
	}
	ch.Requeue = ch.To.InQueue() && rapid.Bool().Draw(rt, "requeue")
	if ch.To == store.Closed {
		ch.CloseReason = "resolved"
	}
	if ch.To.InQueue() && rapid.IntRange(0, 3).Draw(rt, "profile change") == 3 {
		// Rules run again on a conversation back in the queue.
		p := drawProfile(rt)
		ch.Profile = &p
	}
	ch.Require = drawRequire(rt, mc.m.ops[ch.NewAssignee].Load)
	mc.runApply(rt, ch)
}

// runApply applies ch to the store and the model and compares the
// outcomes.
func (mc *machine) runApply(rt *rapid.T, ch store.Change) {
	cur := mc.m.convs[ch.Conversation]
	maxSeq := mc.m.maxSeq
	got, err := mc.s.Apply(bg, ch)
	if err == nil && ch.Requeue {
		require.Greater(rt, got.Conversation.Seq, maxSeq, "Seq of a requeued conversation")
	}
	want, wantErr := mc.m.apply(ch, got.Conversation.Seq)
	if mc.expectError(rt, err, wantErr) {
		return
	}
	requireConv(rt, want.Before, got.Before, "Result.Before")
	mc.requireResult(rt, want, got)
	if !ch.Requeue {
		require.Equal(rt, cur.Seq, got.Conversation.Seq, "Seq without requeue")
	}
	if ch.NewAssignee != "" {
		mc.requireAssignment(rt, ch.Require, got, ch.NewAssignee, ch.AddsLoad(cur))
	}
	mc.requireOffers(rt, ch.Require, ch.Offers)
}

// read compares a random query with the model.
func (mc *machine) read(rt *rapid.T) {
	f := store.Filter{States: rapid.SliceOfNDistinct(rapid.SampledFrom(smStates), 0, 3, rapid.ID).Draw(rt, "states")}
	if rapid.Bool().Draw(rt, "by group") {
		f.Group = rapid.SampledFrom(smGroups).Draw(rt, "group")
	}
	if rapid.Bool().Draw(rt, "by assignee") {
		f.Assignee = rapid.SampledFrom(smOperators).Draw(rt, "assignee")
	}
	if rapid.Bool().Draw(rt, "by customer") {
		f.Customer = rapid.SampledFrom(smCustomers[1:]).Draw(rt, "customer")
	}
	if rapid.Bool().Draw(rt, "by channel") {
		f.Channel = rapid.SampledFrom(smChannels).Draw(rt, "channel")
	}
	if rapid.Bool().Draw(rt, "by last operator") {
		f.LastOperator = rapid.SampledFrom(smOperators).Draw(rt, "last operator")
	}
	if rapid.Bool().Draw(rt, "paged") {
		seqs := []uint64{0}
		for _, c := range mc.m.convs {
			seqs = append(seqs, c.Seq)
		}
		slices.Sort(seqs) // the draw depends on the model, not on map order
		f.AfterSeq = rapid.SampledFrom(seqs).Draw(rt, "after seq")
		f.Limit = rapid.IntRange(0, 3).Draw(rt, "limit")
	}
	got, err := mc.s.Conversations(bg, f)
	require.NoError(rt, err)
	require.Equal(rt, mc.m.conversations(f), normConvs(got), "Conversations(%+v)", f)

	_, err = mc.s.Operator(bg, "")
	require.ErrorIs(rt, err, store.ErrInvalid)
	_, err = mc.s.Conversation(bg, "")
	require.ErrorIs(rt, err, store.ErrInvalid)
	prev, err := mc.s.PreviousOperator(bg, "")
	require.NoError(rt, err)
	require.Empty(rt, prev)
	mc.unchanged = true
}

// expectError checks the store's error against the model's prediction and
// reports whether the call failed.
func (mc *machine) expectError(rt *rapid.T, err, want error) bool {
	rt.Helper()
	if want != nil {
		require.Error(rt, err, "the store accepted a call the model refuses with %v", want)
		require.ErrorIs(rt, err, sentinel(want), "the model refuses with %v", want)
		mc.unchanged = true
		return true
	}
	require.NoError(rt, err)
	mc.unchanged = false
	return false
}

// requireResult compares a Result's conversation and loads with the
// model's.
func (mc *machine) requireResult(rt *rapid.T, want, got store.Result) {
	rt.Helper()
	requireConv(rt, want.Conversation, got.Conversation, "Result.Conversation")
	require.Equal(rt, normLoads(want.Loads()), normLoads(got.Loads()), "Result loads")
}

// requireAssignment checks invariants 2 and 3 on a successful write that
// gave a conversation to op: op's status was allowed, and if the write added
// to op's load under a cap, op's load is still within it.
func (mc *machine) requireAssignment(rt *rapid.T, req store.Require, res store.Result, op string, addsLoad bool) {
	rt.Helper()
	// The model's row after the write has the status checked before it.
	row := mc.m.ops[op]
	if req.AssigneeStatuses != nil {
		require.Contains(rt, req.AssigneeStatuses, row.Status, "invariant 3: %s given a conversation in status %q", op, row.Status)
	}
	if addsLoad && req.AssigneeCap > 0 {
		require.Equal(rt, op, res.Gained.Operator, "the assignee's load is missing from Result.Gained")
		require.LessOrEqual(rt, res.Gained.Load, req.AssigneeCap, "invariant 2: %s above the cap", op)
	}
}

// requireOffers checks invariant 3 for offers.
func (mc *machine) requireOffers(rt *rapid.T, req store.Require, ops []string) {
	rt.Helper()
	if req.OfferStatuses == nil {
		return
	}
	for _, op := range ops {
		require.Contains(rt, req.OfferStatuses, mc.m.ops[op].Status, "invariant 3: %s offered a conversation", op)
	}
}

// check runs after every step: the store shows exactly the model's rows,
// and the invariants I1–I8 of docs/behaviour.md hold on them.
func (mc *machine) check(rt *rapid.T) {
	ops, err := mc.s.Operators(bg)
	require.NoError(rt, err)
	require.Equal(rt, mc.m.sortedOperators(), normOps(ops), "operators")
	convs, err := mc.s.Conversations(bg, store.Filter{})
	require.NoError(rt, err)
	require.Equal(rt, mc.m.conversations(store.Filter{}), normConvs(convs), "conversations")

	for _, id := range smOperators {
		got, err := mc.s.Operator(bg, id)
		if want, ok := mc.m.ops[id]; ok {
			require.NoError(rt, err)
			requireOp(rt, want, got)
		} else {
			require.ErrorIs(rt, err, store.ErrNotFound)
		}
	}
	for _, id := range smConvs {
		got, err := mc.s.Conversation(bg, id)
		if want, ok := mc.m.convs[id]; ok {
			require.NoError(rt, err)
			requireConv(rt, want, got)
		} else {
			require.ErrorIs(rt, err, store.ErrNotFound)
		}
	}
	snap := snapshot{Operators: normOps(ops), Conversations: normConvs(convs), Previous: map[string]string{}}
	for _, cu := range smCustomers[1:] {
		prev, err := mc.s.PreviousOperator(bg, cu)
		require.NoError(rt, err)
		require.Equal(rt, mc.m.prev[cu], prev, "previous operator of %s", cu)
		snap.Previous[cu] = prev
	}

	// Invariant 8: a failed call (or a read) changed nothing.
	if mc.unchanged {
		require.Equal(rt, mc.last, snap, "invariant 8: a failed call changed the store")
	}
	mc.last = snap

	// Invariants 1 and 4, and load consistency.
	load := map[string]int{}
	for _, c := range convs {
		require.True(rt, c.State.Valid(), "%s in state %v", c.ID, c.State)
		require.Equal(rt, c.State.Held(), c.Assignee != "", "%s: %v with assignee %q", c.ID, c.State, c.Assignee)
		require.Equal(rt, c.State == store.Offered, len(c.OfferedTo) > 0, "%s: %v offered to %v", c.ID, c.State, c.OfferedTo)
		if c.State.Held() {
			require.Contains(rt, mc.m.ops, c.Assignee, "%s held by a deleted operator", c.ID)
		}
		for _, op := range c.OfferedTo {
			require.Contains(rt, mc.m.ops, op, "%s offered to a deleted operator", c.ID)
		}
		if c.State == store.Assigned {
			load[c.Assignee]++
		}
	}
	for _, op := range ops {
		require.Equal(rt, load[op.ID], op.Load, "load of %s", op.ID)
		require.GreaterOrEqual(rt, op.Load, 0)
	}
}
