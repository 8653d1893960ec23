package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
	"github.com/switchboard-go/switchboard/presence"
	"github.com/switchboard-go/switchboard/routing"
)

// consoleJSON is the part of GET /api/console the tests read.
type consoleJSON struct {
	Me       struct{ ID, Role string }
	Operator *struct {
		Status string
		Load   int
		Cap    int
		Groups []string
	}
	Statuses []struct {
		Name, Label, Colour string
		OnShift             bool `json:"on_shift"`
	}
	Conversations []convJSON
	Offers        []convJSON
	Queues        []struct {
		Group, Policy string
		Online        bool
		Length        int
		Entries       []struct {
			convJSON
			Position   int
			WaitedMS   int64 `json:"waited_ms"`
			Level      string
			LevelIndex int `json:"level_index"`
		}
	}
	Operators []struct{ ID, Name, Status string }
}

// convJSON is the part of a conversation's view the tests read.
type convJSON struct {
	ID           string
	Group        string
	State        string
	Assignee     string
	AssigneeName string   `json:"assignee_name"`
	OfferedTo    []string `json:"offered_to"`
	VisitorName  string   `json:"visitor_name"`
	LastMessage  int64    `json:"last_message_id"`
	LinkedTo     string   `json:"linked_to"`
}

func (f *fixture) consoleOf(t *testing.T, s loggedIn) consoleJSON {
	t.Helper()
	var c consoleJSON
	decodeInto(t, f.call(t, s, "GET", "/api/console", ""), http.StatusOK, &c)
	return c
}

// TestConsoleShowsHeldOffersAndQueue: Ben's console shows the chat he
// holds (Support is least loaded first), the Sales chat offered to him,
// and his groups' queues with their wait levels crossed; the statuses of
// the presence model in order with their looks; his colleagues as
// transfer targets.
func TestConsoleShowsHeldOffersAndQueue(t *testing.T) {
	f := newFixture(t)
	ben := f.staff(t, "ben")
	_, held := f.startChat(t, `{"name":"Vera","message":"Hello"}`)
	_, offered := f.startChat(t, `{"name":"Walt","page":"/shop/shoes"}`)
	c := f.consoleOf(t, ben)
	require.Equal(t, "ben", c.Me.ID)
	require.NotNil(t, c.Operator)
	require.Equal(t, presence.StatusReady, c.Operator.Status)
	require.Equal(t, 1, c.Operator.Load)
	require.Equal(t, 3, c.Operator.Cap)
	require.Equal(t, []string{demo.Support, demo.Sales}, c.Operator.Groups)
	require.Len(t, c.Conversations, 1)
	require.Equal(t, held["conversation"], c.Conversations[0].ID)
	require.Equal(t, "Vera", c.Conversations[0].VisitorName)
	require.Equal(t, "Ben", c.Conversations[0].AssigneeName)
	require.Positive(t, c.Conversations[0].LastMessage)
	require.Len(t, c.Offers, 1)
	require.Equal(t, offered["conversation"], c.Offers[0].ID)
	require.Len(t, c.Queues, 2)
	require.Equal(t, demo.Support, c.Queues[0].Group)
	require.Zero(t, c.Queues[0].Length)
	require.Equal(t, demo.Sales, c.Queues[1].Group)
	require.Equal(t, 1, c.Queues[1].Length)
	require.Equal(t, "broadcast", c.Queues[1].Policy)
	require.True(t, c.Queues[1].Online)
	require.Equal(t, -1, c.Queues[1].Entries[0].LevelIndex)
	var names []string
	for _, s := range c.Statuses {
		names = append(names, s.Name+"="+s.Label+"/"+s.Colour)
	}
	require.Equal(t, []string{"ready=Ready/green", "can-help=Can help/lime", "pause=Pause/orange", "away=Away/grey", "offline=Offline/black"}, names)
	require.Equal(t, []string{"anna", "cleo"}, []string{c.Operators[0].ID, c.Operators[1].ID})

	f.clock.Add(demo.WaitLevels[1].After)
	c = f.consoleOf(t, ben)
	require.Equal(t, "red", c.Queues[1].Entries[0].Level)
	require.Equal(t, 1, c.Queues[1].Entries[0].LevelIndex)
	require.Equal(t, demo.WaitLevels[1].After.Milliseconds(), c.Queues[1].Entries[0].WaitedMS)

	// A supervisor's console shows every open conversation and queue.
	sam := f.staff(t, "sam")
	c = f.consoleOf(t, sam)
	require.Nil(t, c.Operator)
	require.Len(t, c.Conversations, 2)
	require.Len(t, c.Queues, 2)
}

// TestTakeRaceLoserSeesWhoTookIt: a Sales chat offered to Ben and Cleo;
// Ben takes it, and Cleo's take is refused naming him; her console no
// longer lists the offer.
func TestTakeRaceLoserSeesWhoTookIt(t *testing.T) {
	f := newFixture(t)
	ben, cleo := f.staff(t, "ben"), f.staff(t, "cleo")
	_, chat := f.startChat(t, `{"name":"Walt","page":"https://desk.example/shop"}`)
	id := chat["conversation"].(string)
	require.Equal(t, "offered", chat["state"])
	var took convJSON
	decodeInto(t, f.call(t, ben, "POST", "/api/conversations/"+id+"/take", ""), http.StatusOK, &took)
	require.Equal(t, "assigned", took.State)
	require.Equal(t, "ben", took.Assignee)
	w := f.call(t, cleo, "POST", "/api/conversations/"+id+"/take", "")
	requireRefusal(t, w, http.StatusConflict, "already-taken")
	require.Contains(t, w.Body.String(), "already taken by Ben")
	require.Empty(t, f.consoleOf(t, cleo).Offers)
	requireRefusal(t, f.call(t, cleo, "POST", "/api/conversations/nope/take", ""), http.StatusNotFound, "not-found")
}

// TestOperatorReachesOnlyHerConversations: Anna may not read, answer,
// close or transfer Ben's conversation (403), nor one offered to others;
// a supervisor may read any.
func TestOperatorReachesOnlyHerConversations(t *testing.T) {
	f := newFixture(t)
	ben := f.staff(t, "ben")
	_, chat := f.startChat(t, `{"name":"Vera","message":"Hello"}`) // Ben's: Anna is not logged in yet
	id := chat["conversation"].(string)
	_, offer := f.startChat(t, `{"name":"Walt","page":"/shop"}`) // offered to Ben
	anna := f.staff(t, "anna")
	path := "/api/conversations/" + id
	requireRefusal(t, f.call(t, anna, "GET", path, ""), http.StatusForbidden, "not-yours")
	requireRefusal(t, f.call(t, anna, "GET", path+"/messages", ""), http.StatusForbidden, "not-yours")
	requireRefusal(t, f.call(t, anna, "POST", path+"/messages", `{"body":"Hi, I am Anna"}`), http.StatusForbidden, "not-yours")
	requireRefusal(t, f.call(t, anna, "POST", path+"/close", `{}`), http.StatusForbidden, "not-assignee")
	requireRefusal(t, f.call(t, anna, "POST", path+"/waiting", ``), http.StatusForbidden, "not-assignee")
	requireRefusal(t, f.call(t, anna, "POST", path+"/transfer", `{"operator":"anna"}`), http.StatusForbidden, "not-assignee")
	requireRefusal(t, f.call(t, anna, "GET", "/api/conversations/"+offer["conversation"].(string), ""), http.StatusForbidden, "not-yours")
	requireRefusal(t, f.call(t, anna, "GET", "/api/conversations/unknown", ""), http.StatusNotFound, "not-found")

	var ms messagesJSON
	decodeInto(t, f.call(t, ben, "GET", path+"/messages", ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:Hello"}, ms.bodies(), "Anna's refused message was not stored")
	c, err := f.router.Conversation(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, "ben", c.Assignee, "nothing changed")

	sam := f.staff(t, "sam")
	var v convJSON
	decodeInto(t, f.call(t, sam, "GET", path, ""), http.StatusOK, &v)
	require.Equal(t, "ben", v.Assignee)
	// Ben reads the offer made to him.
	decodeInto(t, f.call(t, ben, "GET", "/api/conversations/"+offer["conversation"].(string), ""), http.StatusOK, &v)
	require.Equal(t, "offered", v.State)
	requireRefusal(t, f.call(t, ben, "POST", "/api/conversations/"+offer["conversation"].(string)+"/messages", `{"body":"hi"}`),
		http.StatusConflict, "wrong-state")
}

// TestOperatorWorksAConversation: reply, mark waiting, the customer's
// answer brings it back, transfer to a colleague, then to a group, and
// close; each answer is the conversation as it is now.
func TestOperatorWorksAConversation(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	v, chat := f.startChat(t, `{"name":"Vera","message":"Hello"}`)
	id := chat["conversation"].(string)
	path := "/api/conversations/" + id
	require.Equal(t, http.StatusCreated, f.call(t, anna, "POST", path+"/messages", `{"body":"Could you send the order number?"}`).Code)
	var c convJSON
	decodeInto(t, f.call(t, anna, "POST", path+"/waiting", ""), http.StatusOK, &c)
	require.Equal(t, "waiting", c.State)
	require.Equal(t, http.StatusCreated, f.as(t, v, "POST", "/api/chat/messages", `{"body":"It is 4711"}`).Code)
	decodeInto(t, f.call(t, anna, "GET", path, ""), http.StatusOK, &c)
	require.Equal(t, "assigned", c.State, "back to Anna (L3)")

	ben := f.staff(t, "ben")
	decodeInto(t, f.call(t, anna, "POST", path+"/transfer", `{"operator":"ben"}`), http.StatusOK, &c)
	require.Equal(t, "ben", c.Assignee)
	requireRefusal(t, f.call(t, ben, "POST", path+"/transfer", `{}`), http.StatusBadRequest, "invalid")
	requireRefusal(t, f.call(t, ben, "POST", path+"/transfer", `{"operator":"anna","group":"sales"}`), http.StatusBadRequest, "invalid")
	decodeInto(t, f.call(t, ben, "POST", path+"/transfer", `{"group":"sales"}`), http.StatusOK, &c)
	require.Equal(t, demo.Sales, c.Group)
	require.Equal(t, "offered", c.State, "Sales broadcasts: offered to Ben, its only member on shift")
	decodeInto(t, f.call(t, ben, "POST", path+"/take", ""), http.StatusOK, &c)
	decodeInto(t, f.call(t, ben, "POST", path+"/close", `{"reason":"answered"}`), http.StatusOK, &c)
	require.Equal(t, "closed", c.State)
	requireRefusal(t, f.call(t, ben, "POST", path+"/close", `{}`), http.StatusConflict, "wrong-state")
}

// TestStatusSwitchAndEndShift: an operator switches her status (an
// unknown one is refused) and ends her shift; her conversation goes to a
// colleague.
func TestStatusSwitchAndEndShift(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	var op struct{ Status string }
	decodeInto(t, f.call(t, anna, "POST", "/api/status", `{"status":"pause"}`), http.StatusOK, &op)
	require.Equal(t, "pause", op.Status)
	requireRefusal(t, f.call(t, anna, "POST", "/api/status", `{"status":"lunch"}`), http.StatusNotFound, "not-found")
	requireRefusal(t, f.call(t, anna, "POST", "/api/status", `{"status":1}`), http.StatusBadRequest, "bad-json")
	decodeInto(t, f.call(t, anna, "POST", "/api/status", `{"status":"ready"}`), http.StatusOK, &op)
	_, chat := f.startChat(t, `{"name":"Vera"}`)
	require.Equal(t, "assigned", chat["state"])
	f.staff(t, "ben")
	require.Equal(t, http.StatusNoContent, f.call(t, anna, "POST", "/api/end-shift", "").Code)
	c, err := f.router.Conversation(context.Background(), chat["conversation"].(string))
	require.NoError(t, err)
	require.Equal(t, "ben", c.Assignee)
	o, err := f.router.Operator(context.Background(), "anna")
	require.NoError(t, err)
	require.Equal(t, presence.StatusOffline, o.Status)
	// Logging out pauses (P7).
	ben := f.staff(t, "ben")
	require.Equal(t, http.StatusNoContent, f.call(t, ben, "POST", "/api/logout", "").Code)
	o, err = f.router.Operator(context.Background(), "ben")
	require.NoError(t, err)
	require.Equal(t, presence.StatusPause, o.Status)
}

// TestStaffEventsFollowTheConsole: an operator's stream carries the
// events of her conversations and of her groups' queues, not those of a
// group she does not serve; a supervisor's carries all; each has its
// journal Seq as id, and a stream resumed with Last-Event-ID starts right
// after it.
func TestStaffEventsFollowTheConsole(t *testing.T) {
	f := newFixture(t)
	anna, sam := f.staff(t, "anna"), f.staff(t, "sam")
	annaEvents := f.openSSE(t, "/api/events", anna.cookies)
	samEvents := f.openSSE(t, "/api/events", sam.cookies)
	_, sales := f.startChat(t, `{"name":"Walt","page":"/shop"}`) // queued in Sales: nobody there
	_, support := f.startChat(t, `{"name":"Vera"}`)              // Anna's

	ev := annaEvents.next("assigned", "queued")
	require.Equal(t, "assigned", ev.Event, "the Sales chat is no event of Anna's")
	var got routing.Event
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &got))
	require.Equal(t, support["conversation"], got.Conversation)
	require.Equal(t, "anna", got.Operator)
	require.Equal(t, ev.ID, jsonSeq(got))

	first := samEvents.next("queued")
	require.NoError(t, json.Unmarshal([]byte(first.Data), &got))
	require.Equal(t, sales["conversation"], got.Conversation)
	second := samEvents.next("assigned")

	// Resumed after the Sales chat's event: the next one is Anna's.
	resumed := f.openSSE(t, "/api/events", sam.cookies, "Last-Event-ID", first.ID)
	again := resumed.next("queued", "assigned")
	require.Equal(t, second, again)
}

// jsonSeq returns ev's Seq as an SSE id.
func jsonSeq(ev routing.Event) string {
	b, _ := json.Marshal(ev.Seq)
	return string(b)
}
