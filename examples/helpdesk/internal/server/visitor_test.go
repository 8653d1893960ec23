package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
)

// chatJSON is the widget's view of a chat.
type chatJSON struct {
	Token        string `json:"token"`
	Conversation string `json:"conversation"`
	State        string `json:"state"`
	Group        string `json:"group"`
	Position     int    `json:"position"`
	Online       bool   `json:"online"`
	OffHours     bool   `json:"off_hours"`
	OperatorName string `json:"operator_name"`
	VisitorName  string `json:"visitor_name"`
	LinkedTo     string `json:"linked_to"`
}

// messagesJSON is a listing of messages.
type messagesJSON struct {
	Messages []struct {
		ID         int64  `json:"id"`
		Kind       string `json:"kind"`
		AuthorName string `json:"author_name"`
		Body       string `json:"body"`
	} `json:"messages"`
}

// bodies returns the bodies of m's messages.
func (m messagesJSON) bodies() []string {
	var out []string
	for _, x := range m.Messages {
		out = append(out, x.Kind+":"+x.Body)
	}
	return out
}

// TestVisitorChatIsAssignedWithItsFirstMessage: with Anna logged in (and
// so ready), a chat with a first message is assigned to her at once; the
// visitor's token reads the chat and the message, which Anna reads too.
func TestVisitorChatIsAssignedWithItsFirstMessage(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	var a chatJSON
	decodeInto(t, f.do(t, "GET", "/api/widget?page=https://desk.example/help", "", nil), http.StatusOK, &a)
	require.Equal(t, chatJSON{Group: demo.Support, Online: true}, a)

	v, _ := f.startChat(t, `{"name":"Vera","page":"https://desk.example/help","message":"Where is my parcel?"}`)
	var chat chatJSON
	decodeInto(t, f.as(t, v, "GET", "/api/chat", ""), http.StatusOK, &chat)
	require.Equal(t, "assigned", chat.State)
	require.Equal(t, "Anna", chat.OperatorName)
	require.Equal(t, "Vera", chat.VisitorName)
	require.Zero(t, chat.Position)

	var ms messagesJSON
	decodeInto(t, f.as(t, v, "GET", "/api/chat/messages", ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:Where is my parcel?"}, ms.bodies())
	decodeInto(t, f.call(t, anna, "GET", "/api/conversations/"+chat.Conversation+"/messages", ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:Where is my parcel?"}, ms.bodies())
	c, err := f.router.Conversation(context.Background(), chat.Conversation)
	require.NoError(t, err)
	require.Equal(t, "web", c.Channel)
	require.Equal(t, "Vera", c.Attributes["visitor"])
}

// TestVisitorWaitsWithItsPlaceInTheQueue: with nobody on shift the group
// is offline and a chat waits, first then second in the queue; a chat
// still starts (the offline form leaves its message for later).
func TestVisitorWaitsWithItsPlaceInTheQueue(t *testing.T) {
	f := newFixture(t)
	var a chatJSON
	decodeInto(t, f.do(t, "GET", "/api/widget", "", nil), http.StatusOK, &a)
	require.Equal(t, chatJSON{Group: demo.Support}, a, "offline")
	_, first := f.startChat(t, `{"name":"Vera","message":"Please call me back"}`)
	require.Equal(t, "queued", first["state"])
	require.EqualValues(t, 1, first["position"])
	require.Equal(t, false, first["online"])
	v2, _ := f.startChat(t, `{"name":"Walt"}`)
	var chat chatJSON
	decodeInto(t, f.as(t, v2, "GET", "/api/chat", ""), http.StatusOK, &chat)
	require.Equal(t, 2, chat.Position)
}

// TestShopPagesGoToSales: the rule set sends a chat from a /shop page to
// Sales, broadcast to Ben and Cleo; the widget knows it beforehand.
func TestShopPagesGoToSales(t *testing.T) {
	f := newFixture(t)
	f.staff(t, "ben")
	var a chatJSON
	decodeInto(t, f.do(t, "GET", "/api/widget?page=https://desk.example/shop/cart", "", nil), http.StatusOK, &a)
	require.Equal(t, chatJSON{Group: demo.Sales, Online: true}, a)
	_, chat := f.startChat(t, `{"name":"Vera","page":"https://desk.example/shop/cart","company":"Red Company"}`)
	require.Equal(t, demo.Sales, chat["group"])
	require.Equal(t, "offered", chat["state"])
	c, err := f.router.Conversation(context.Background(), chat["conversation"].(string))
	require.NoError(t, err)
	require.Equal(t, []string{"ben"}, c.OfferedTo)
	require.Equal(t, 10, c.Priority)
	require.Equal(t, []string{"urgent"}, c.Tags)
	require.Len(t, c.Rules, 2)
	require.Equal(t, "shop pages go to sales", c.Rules[0].Rule)
}

// TestVisitorAndOperatorExchangeMessages: a reply of the operator and the
// visitor's answer both land in the conversation, in order.
func TestVisitorAndOperatorExchangeMessages(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	v, chat := f.startChat(t, `{"name":"Vera","message":"Hello"}`)
	id := chat["conversation"].(string)
	w := f.call(t, anna, "POST", "/api/conversations/"+id+"/messages", `{"body":"Hi Vera, how can I help?"}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	w = f.as(t, v, "POST", "/api/chat/messages", `{"body":"My parcel is late"}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	first := decodeMap(t, w)["id"].(float64)

	var ms messagesJSON
	decodeInto(t, f.as(t, v, "GET", "/api/chat/messages", ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:Hello", "operator:Hi Vera, how can I help?", "visitor:My parcel is late"}, ms.bodies())
	require.Equal(t, "Anna", ms.Messages[1].AuthorName)
	decodeInto(t, f.as(t, v, "GET", "/api/chat/messages?after="+strconv.FormatInt(int64(first)-1, 10), ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:My parcel is late"}, ms.bodies())
	requireRefusal(t, f.as(t, v, "GET", "/api/chat/messages?after=x", ""), http.StatusBadRequest, "invalid")
}

// TestClosedChatReopensLinkedToTheOld: a closed chat refuses a message
// (409) and changes nothing; reopening gives a new token whose chat links
// to the old one, whose messages it may read; not another visitor's.
func TestClosedChatReopensLinkedToTheOld(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	v, chat := f.startChat(t, `{"name":"Vera","message":"Hello"}`)
	old := chat["conversation"].(string)
	other, otherChat := f.startChat(t, `{"name":"Walt","message":"Mine"}`)
	require.Equal(t, http.StatusOK, f.call(t, anna, "POST", "/api/conversations/"+old+"/close", `{}`).Code)

	requireRefusal(t, f.as(t, v, "POST", "/api/chat/messages", `{"body":"one more thing"}`), http.StatusConflict, "wrong-state")
	requireRefusal(t, f.as(t, other, "POST", "/api/chat/reopen", `{}`), http.StatusConflict, "wrong-state")
	var ms messagesJSON
	decodeInto(t, f.as(t, v, "GET", "/api/chat/messages", ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:Hello"}, ms.bodies())

	w := f.as(t, v, "POST", "/api/chat/reopen", `{"message":"It broke again"}`)
	var again chatJSON
	decodeInto(t, w, http.StatusCreated, &again)
	require.NotEqual(t, v.token, again.Token)
	require.Equal(t, old, again.LinkedTo)
	require.Equal(t, "Vera", again.VisitorName)
	require.Equal(t, "assigned", again.State)
	require.Equal(t, "Anna", again.OperatorName, "the returning customer's operator (R9), and the least loaded")
	nv := visitor{token: again.Token}
	decodeInto(t, f.as(t, nv, "GET", "/api/chat/messages", ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:It broke again"}, ms.bodies())
	decodeInto(t, f.as(t, nv, "GET", "/api/chat/messages?conversation="+old, ""), http.StatusOK, &ms)
	require.Equal(t, []string{"visitor:Hello"}, ms.bodies())
	requireRefusal(t, f.as(t, nv, "GET", "/api/chat/messages?conversation="+otherChat["conversation"].(string), ""), http.StatusForbidden, "not-yours")
	requireRefusal(t, f.as(t, v, "GET", "/api/chat/messages?conversation="+again.Conversation, ""), http.StatusForbidden, "not-yours")
}

// TestVisitorRefusals: no token or an unknown one is 401; a bad name, a
// bad first message, a body too large or not JSON are refused and store
// nothing; starting too many chats from one address is 429.
func TestVisitorRefusals(t *testing.T) {
	f := newFixture(t)
	requireRefusal(t, f.do(t, "GET", "/api/chat", "", nil), http.StatusUnauthorized, "no-visitor")
	requireRefusal(t, f.as(t, visitor{token: "made-up"}, "GET", "/api/chat", ""), http.StatusUnauthorized, "no-visitor")
	requireRefusal(t, f.as(t, visitor{token: "made-up"}, "POST", "/api/chat/messages", `{"body":"hi"}`), http.StatusUnauthorized, "no-visitor")
	requireRefusal(t, f.do(t, "GET", "/api/chat/events?token=made-up", "", nil), http.StatusUnauthorized, "no-visitor")
	requireRefusal(t, f.do(t, "GET", "/api/chat?token=made-up", "", nil), http.StatusUnauthorized, "no-visitor")

	for _, tc := range []struct{ name, body, code string }{
		{"no name", `{"name":""}`, "invalid"},
		{"long name", `{"name":"` + strings.Repeat("v", 200) + `"}`, "invalid"},
		{"long message", `{"name":"Vera","message":"` + strings.Repeat("m", 4001) + `"}`, "invalid"},
		{"long page", `{"name":"Vera","page":"` + strings.Repeat("p", 5000) + `"}`, "invalid"},
		{"unknown field", `{"name":"Vera","vip":true}`, "bad-json"},
	} {
		requireRefusal(t, f.do(t, "POST", "/api/chats", tc.body, nil), http.StatusBadRequest, tc.code)
	}
	requireRefusal(t, f.do(t, "POST", "/api/chats", `{"name":"`+strings.Repeat("v", 70<<10)+`"}`, nil), http.StatusRequestEntityTooLarge, "too-large")
	requireRefusal(t, f.do(t, "POST", "/api/chats", `{"name":"Vera"}`, nil, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, "not-json")
	snap := f.router.Snapshot()
	require.Zero(t, snap.Groups[0].Queued+snap.Groups[1].Queued, "no conversation was started")
	var n int
	require.NoError(t, f.db.QueryRow(`SELECT COUNT(*) FROM helpdesk_visitors`).Scan(&n))
	require.Zero(t, n)
	require.NoError(t, f.db.QueryRow(`SELECT COUNT(*) FROM helpdesk_messages`).Scan(&n))
	require.Zero(t, n)

	// The four refusals above that got past decoding took 4 of the 10
	// starts a minute allows: bad input does not get round the limit.
	started := 0
	var w = f.do(t, "POST", "/api/chats", `{"name":"Vera"}`, nil)
	for w.Code == http.StatusCreated {
		started++
		w = f.do(t, "POST", "/api/chats", `{"name":"Vera"}`, nil)
	}
	requireRefusal(t, w, http.StatusTooManyRequests, "rate-limited")
	require.NotEmpty(t, w.Header().Get("Retry-After"))
	require.Equal(t, 6, started)
	f.clock.Add(30 * time.Second) // a start every 6 s
	for range 5 {
		f.startChat(t, `{"name":"Vera"}`)
	}
	requireRefusal(t, f.do(t, "POST", "/api/chats", `{"name":"Vera"}`, nil), http.StatusTooManyRequests, "rate-limited")
}
