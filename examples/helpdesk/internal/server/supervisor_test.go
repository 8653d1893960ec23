package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/server"
	"github.com/switchboard-go/switchboard/presence"
)

// dashboardJSON is the part of GET /api/dashboard the tests read.
type dashboardJSON struct {
	Operators []struct {
		ID, Name, Status string
		Load, Cap        int
		InStatusMS       int64            `json:"in_status_ms"`
		Today            map[string]int64 `json:"today"`
	}
	Groups []struct {
		ID, Policy   string
		Spec         map[string]any
		Online       bool
		Queued       int
		Oldest       string
		OldestWaitMS int64 `json:"oldest_wait_ms"`
		Level        string
	}
	Conversations []struct {
		convJSON
		Why *struct {
			Kind, Policy, Operator, From, Reason string
			ByName                               string `json:"by_name"`
			By                                   struct{ Kind, ID string }
			Skipped                              []struct{ Operator, Reason string }
			Rules                                []struct{ Rule string }
		}
	}
	Rules struct {
		Version int64
		Set     struct{ Rules []struct{ Name string } }
	}
}

func (f *fixture) dashboardOf(t *testing.T, s loggedIn) dashboardJSON {
	t.Helper()
	var d dashboardJSON
	decodeInto(t, f.call(t, s, "GET", "/api/dashboard", ""), http.StatusOK, &d)
	return d
}

// settled reads events of st until one of kind about conversation conv,
// and waits for the server's why log to have read it: the dashboard then
// explains it.
func (f *fixture) settled(t *testing.T, st *sse, kind, conv string) {
	t.Helper()
	for {
		ev := st.next(kind)
		var e struct {
			Seq          uint64
			Conversation string
		}
		require.NoError(t, json.Unmarshal([]byte(ev.Data), &e))
		if e.Conversation == conv {
			f.srv.WhyRead(e.Seq)
			return
		}
	}
}

// TestDashboardExplainsEachConversation: the dashboard lists operators
// with status, load / cap and time in status today; groups with their
// queue and its longest wait's colour; and each open conversation with
// why it went where it went: the policy and whom it passed over, the
// rules that matched.
func TestDashboardExplainsEachConversation(t *testing.T) {
	f := newFixture(t)
	f.staff(t, "anna")
	f.clock.Add(10 * time.Minute)
	f.staff(t, "ben")
	sam := f.staff(t, "sam")
	events := f.openSSE(t, "/api/events", sam.cookies)
	_, first := f.startChat(t, `{"name":"Vera"}`)                                                                    // least loaded: Anna (tie, first by id)
	_, second := f.startChat(t, `{"name":"Walt"}`)                                                                   // Ben
	_, shop := f.startChat(t, `{"name":"Xena","page":"/shop/tv"}`)                                                   // offered to Ben
	requireRefusal(t, f.call(t, sam, "POST", "/api/status", `{"status":"ready"}`), http.StatusNotFound, "not-found") // no operator
	f.clock.Add(time.Minute)

	f.settled(t, events, "offered", shop["conversation"].(string))
	d := f.dashboardOf(t, sam)
	byID := map[string]int{}
	for i, c := range d.Conversations {
		byID[c.ID] = i
	}
	w := d.Conversations[byID[first["conversation"].(string)]].Why
	require.Equal(t, "assigned", w.Kind)
	require.Equal(t, "capped(least-loaded)", w.Policy)
	require.Equal(t, "anna", w.Operator)
	w = d.Conversations[byID[second["conversation"].(string)]].Why
	require.Equal(t, "ben", w.Operator)
	w = d.Conversations[byID[shop["conversation"].(string)]].Why
	require.Equal(t, "offered", w.Kind)
	require.Equal(t, "shop pages go to sales", w.Rules[0].Rule)

	ops := map[string]int{}
	for i, o := range d.Operators {
		ops[o.ID] = i
	}
	anna := d.Operators[ops["anna"]]
	require.Equal(t, "Anna", anna.Name)
	require.Equal(t, presence.StatusReady, anna.Status)
	require.Equal(t, 1, anna.Load)
	require.Equal(t, 3, anna.Cap)
	require.Equal(t, (11 * time.Minute).Milliseconds(), anna.InStatusMS)
	require.Equal(t, (11 * time.Minute).Milliseconds(), anna.Today[presence.StatusReady])
	require.Equal(t, presence.StatusOffline, d.Operators[ops["cleo"]].Status)

	require.Equal(t, demo.Sales, d.Groups[0].ID)
	require.Equal(t, 1, d.Groups[0].Queued)
	require.Equal(t, time.Minute.Milliseconds(), d.Groups[0].OldestWaitMS)
	require.Equal(t, "yellow", d.Groups[0].Level)
	require.Equal(t, "broadcast", d.Groups[0].Spec["kind"])
	require.Equal(t, int64(1), d.Rules.Version)
	require.Equal(t, "shop pages go to sales", d.Rules.Set.Rules[0].Name)
}

// TestForcedOffShiftMovesChatsAndNamesWhoDidIt: Sam forces Anna off
// shift; her chat goes to Ben, and the dashboard says it was
// redistributed from Anna by Sam.
func TestForcedOffShiftMovesChatsAndNamesWhoDidIt(t *testing.T) {
	f := newFixture(t)
	f.staff(t, "anna")
	sam := f.staff(t, "sam")
	events := f.openSSE(t, "/api/events", sam.cookies)
	_, chat := f.startChat(t, `{"name":"Vera"}`)
	id := chat["conversation"].(string)
	f.staff(t, "ben")
	require.Equal(t, http.StatusNoContent, f.call(t, sam, "POST", "/api/operators/anna/end-shift", "").Code)
	c, err := f.router.Conversation(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, "ben", c.Assignee)
	events.next("redistributed")         // from Anna, after her assignment
	f.settled(t, events, "assigned", id) // to Ben
	d := f.dashboardOf(t, sam)
	require.Len(t, d.Conversations, 1)
	w := d.Conversations[0].Why
	require.Equal(t, "redistributed", w.Kind)
	require.Equal(t, "anna", w.From)
	require.Equal(t, "Sam", w.ByName)
	require.Equal(t, "forced off shift", w.Reason)
	requireRefusal(t, f.call(t, sam, "POST", "/api/operators/nobody/end-shift", ""), http.StatusNotFound, "not-found")
	require.Contains(t, f.call(t, sam, "GET", "/api/dashboard", "").Body.String(), `"by":{"kind":"admin","id":"sam"}`)

	// Ben forced off too: nobody is left, the chat waits, and it still
	// says who took it from whom.
	require.Equal(t, http.StatusNoContent, f.call(t, sam, "POST", "/api/operators/ben/end-shift", "").Code)
	events.next("redistributed")
	f.settled(t, events, "queued", id)
	w = f.dashboardOf(t, sam).Conversations[0].Why
	require.Equal(t, "redistributed", w.Kind)
	require.Equal(t, "ben", w.From)
	require.Empty(t, w.Operator)
	require.Equal(t, "forced off shift", w.Reason)
}

// TestSupervisorOnly: an operator is refused every supervisor endpoint
// (403), and nothing changes.
func TestSupervisorOnly(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/dashboard", ""},
		{"POST", "/api/operators/ben/end-shift", ""},
		{"POST", "/api/conversations/x/assign", `{"operator":"anna"}`},
		{"PUT", "/api/groups/support/policy", `{"kind":"broadcast"}`},
		{"GET", "/api/rules", ""},
		{"PUT", "/api/rules", `{"rules":[]}`},
		{"GET", "/charts/assignments.svg", ""},
		{"GET", "/charts/waits.svg", ""},
	} {
		requireRefusal(t, f.call(t, anna, tc.method, tc.path, tc.body), http.StatusForbidden, "not-supervisor")
	}
	g, err := f.router.Group(demo.Support)
	require.NoError(t, err)
	require.Equal(t, "capped(least-loaded)", g.Policy.Name())
	_, version := f.router.Rules()
	require.Equal(t, int64(1), version)
}

// TestSupervisorAssignsAndSwitchesPolicy: Sam gives a chat waiting behind
// Anna's cap to her by hand (no cap applies to an admin, L7), not to Ben
// who is offline; then switches Support to broadcast at run time, and the
// next chat is offered instead of assigned. A bad policy is refused.
func TestSupervisorAssignsAndSwitchesPolicy(t *testing.T) {
	f := newFixture(t)
	sam := f.staff(t, "sam")
	events := f.openSSE(t, "/api/events", sam.cookies)
	f.staff(t, "anna")
	for range 3 {
		f.startChat(t, `{"name":"Vera"}`)
	}
	_, chat := f.startChat(t, `{"name":"Walt"}`)
	require.Equal(t, "queued", chat["state"], "Anna is at her cap of 3")
	id := chat["conversation"].(string)
	requireRefusal(t, f.call(t, sam, "POST", "/api/conversations/"+id+"/assign", `{"operator":"nobody"}`), http.StatusNotFound, "not-found")
	requireRefusal(t, f.call(t, sam, "POST", "/api/conversations/"+id+"/assign", `{"operator":"ben"}`), http.StatusForbidden, "not-allowed")
	var c convJSON
	decodeInto(t, f.call(t, sam, "POST", "/api/conversations/"+id+"/assign", `{"operator":"anna"}`), http.StatusOK, &c)
	require.Equal(t, "assigned", c.State)
	require.Equal(t, "anna", c.Assignee)
	requireRefusal(t, f.call(t, sam, "POST", "/api/conversations/"+id+"/assign", `{"operator":"anna"}`), http.StatusConflict, "already-taken")
	f.settled(t, events, "assigned", id)
	for _, c := range f.dashboardOf(t, sam).Conversations {
		if c.ID == id {
			require.Equal(t, "admin", c.Why.Policy, "assigned by hand")
			require.Equal(t, "Sam", c.Why.ByName)
		}
	}

	for _, bad := range []string{`{"kind":"teleport"}`, `{"kind":"broadcast","limit":-1}`, `{"kind":"capped"}`, `[]`} {
		w := f.call(t, sam, "PUT", "/api/groups/support/policy", bad)
		require.Contains(t, []int{http.StatusBadRequest}, w.Code, bad+": "+w.Body.String())
	}
	requireRefusal(t, f.call(t, sam, "PUT", "/api/groups/nowhere/policy", `{"kind":"broadcast"}`), http.StatusNotFound, "not-found")
	var g struct {
		ID, Policy string
		Spec       map[string]any
	}
	decodeInto(t, f.call(t, sam, "PUT", "/api/groups/support/policy", `{"kind":"broadcast"}`), http.StatusOK, &g)
	require.Equal(t, "broadcast", g.Policy)
	require.Equal(t, "broadcast", g.Spec["kind"])
	f.staff(t, "ben")
	_, next := f.startChat(t, `{"name":"Yuri"}`)
	require.Equal(t, "offered", next["state"])
}

// TestRulesEditRefusesABadFieldAndKeepsTheOld: a rule set with a bad
// field is refused with the path of the field, and the old set stays in
// force; a good one replaces it at the next version and routes the next
// chat.
func TestRulesEditRefusesABadFieldAndKeepsTheOld(t *testing.T) {
	f := newFixture(t)
	sam := f.staff(t, "sam")
	for _, tc := range []struct{ body, path string }{
		{`{"rules":[{"name":"a","when":{"field":"url","op":"contians","value":"/x"},"then":{"group":"sales"}}]}`, "rules[0].when.op"},
		{`{"rules":[{"name":"a","then":{"group":"billing"}}]}`, "rules[0].then.group"},
		{`{"rules":[{"name":"a","then":{"priority":1.5}}]}`, "rules[0].then.priority"},
		{`{"rules":`, "rules"},
	} {
		w := f.call(t, sam, "PUT", "/api/rules", tc.body)
		requireRefusal(t, w, http.StatusBadRequest, "invalid-rules")
		e := decodeMap(t, w)["error"].(map[string]any)
		require.Equal(t, tc.path, e["path"], tc.body)
		require.True(t, strings.HasPrefix(e["message"].(string), tc.path), e["message"])
	}
	requireRefusal(t, f.call(t, sam, "PUT", "/api/rules", `{"rules":[]}`+strings.Repeat(" ", 70<<10)), http.StatusRequestEntityTooLarge, "too-large")
	var v struct {
		Version int64
		Set     struct{ Rules []struct{ Name string } }
	}
	decodeInto(t, f.call(t, sam, "GET", "/api/rules", ""), http.StatusOK, &v)
	require.Equal(t, int64(1), v.Version, "the old set stays")
	require.Len(t, v.Set.Rules, 2)

	decodeInto(t, f.call(t, sam, "PUT", "/api/rules", `{"rules":[{"name":"everything to sales","then":{"group":"sales"}}]}`), http.StatusOK, &v)
	require.Equal(t, int64(2), v.Version)
	require.Equal(t, "everything to sales", v.Set.Rules[0].Name)
	_, chat := f.startChat(t, `{"name":"Vera"}`)
	require.Equal(t, demo.Sales, chat["group"])
}

// TestChartsAreDrawnByTheServer: the charts are SVG with a bar for the
// hour of the assignments; a bad window is refused.
func TestChartsAreDrawnByTheServer(t *testing.T) {
	f := newFixture(t)
	sam := f.staff(t, "sam")
	f.staff(t, "anna")
	f.startChat(t, `{"name":"Vera"}`)
	f.clock.Add(time.Minute)
	for _, path := range []string{"/charts/assignments.svg", "/charts/waits.svg?hours=6"} {
		w := f.call(t, sam, "GET", path, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		require.Equal(t, "image/svg+xml", w.Header().Get("Content-Type"))
		require.True(t, strings.HasPrefix(w.Body.String(), "<svg "), w.Body.String())
		require.Contains(t, w.Body.String(), "<rect x=")
	}
	require.Contains(t, f.call(t, sam, "GET", "/charts/assignments.svg", "").Body.String(), "09:00 assigned: 1</title>")
	requireRefusal(t, f.call(t, sam, "GET", "/charts/waits.svg?hours=0", ""), http.StatusBadRequest, "invalid")
	requireRefusal(t, f.call(t, sam, "GET", "/charts/waits.svg?hours=x", ""), http.StatusBadRequest, "invalid")
}

// TestChartScalesStepRoundly: a chart's scale has four round steps.
func TestChartScalesStepRoundly(t *testing.T) {
	for v, top := range map[float64]float64{0: 4, 1: 4, 3: 4, 4.5: 8, 9: 12, 13: 20, 21: 40, 150: 200, 0.5: 4} {
		require.Equal(t, top, server.NiceCeiling(v), "%v", v)
	}
}
