package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/examples/helpdesk/internal/demo"
)

// chatEvent decodes a chat event's data.
func chatEvent(t *testing.T, ev sseEvent) chatJSON {
	t.Helper()
	var c chatJSON
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &c), ev.Data)
	return c
}

// TestChatStreamFollowsTheQueueAndTheOperator: a visitor's stream says
// at once they are number 2; moves them up when the chat ahead of theirs
// is closed; says who took theirs; and tells them of each operator
// message, not of their own.
func TestChatStreamFollowsTheQueueAndTheOperator(t *testing.T) {
	f := newFixture(t)
	_, ahead := f.startChat(t, `{"name":"Vera"}`)
	v, mine := f.startChat(t, `{"name":"Walt"}`)
	id := mine["conversation"].(string)
	st := f.openSSE(t, "/api/chat/events?token="+v.token, nil)
	c := chatEvent(t, st.next("chat"))
	require.Equal(t, 2, c.Position)
	require.Equal(t, "queued", c.State)
	require.False(t, c.Online)

	sam := f.staff(t, "sam")
	require.Equal(t, http.StatusOK, f.call(t, sam, "POST", "/api/conversations/"+ahead["conversation"].(string)+"/close", `{}`).Code)
	c = chatEvent(t, st.next("chat"))
	require.Equal(t, 1, c.Position)

	anna := f.staff(t, "anna") // ready: she gets it
	c = chatEvent(t, st.next("chat"))
	require.Equal(t, "assigned", c.State)
	require.Equal(t, "Anna", c.OperatorName)
	require.True(t, c.Online)

	require.Equal(t, http.StatusCreated, f.as(t, v, "POST", "/api/chat/messages", `{"body":"hello?"}`).Code)
	require.Equal(t, http.StatusCreated, f.call(t, anna, "POST", "/api/conversations/"+id+"/messages", `{"body":"Hi Walt"}`).Code)
	ev := st.next("message", "chat")
	require.Equal(t, "message", ev.Event, "the visitor's own message is no news to them")
	require.JSONEq(t, `{"conversation":"`+id+`"}`, ev.Data)
	require.NotEmpty(t, ev.ID)
}

// TestWidgetStreamFollowsAvailability: the widget's stream says Support
// is offline, then online when Anna logs in, then offline again when she
// goes away; a /shop page follows Sales.
func TestWidgetStreamFollowsAvailability(t *testing.T) {
	f := newFixture(t)
	st := f.openSSE(t, "/api/widget/events", nil)
	shop := f.openSSE(t, "/api/widget/events?page=/shop/tv", nil)
	require.JSONEq(t, `{"group":"support","online":false,"off_hours":false}`, st.next("availability").Data)
	require.JSONEq(t, `{"group":"sales","online":false,"off_hours":false}`, shop.next("availability").Data)
	anna := f.staff(t, "anna")
	require.JSONEq(t, `{"group":"support","online":true,"off_hours":false}`, st.next("availability").Data)
	require.Equal(t, http.StatusOK, f.call(t, anna, "POST", "/api/status", `{"status":"away"}`).Code)
	require.JSONEq(t, `{"group":"support","online":false,"off_hours":false}`, st.next("availability").Data)
	f.staff(t, "cleo")
	require.JSONEq(t, `{"group":"`+demo.Sales+`","online":true,"off_hours":false}`, shop.next("availability").Data)
}

// TestConsoleStreamTellsOfTheVisitorsMessages: each message a visitor
// writes reaches the holder's console stream as a customer-wrote event of
// the conversation, after which the message is there to fetch.
func TestConsoleStreamTellsOfTheVisitorsMessages(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	st := f.openSSE(t, "/api/events", anna.cookies)
	v, chat := f.startChat(t, `{"name":"Vera"}`)
	id := chat["conversation"].(string)
	for _, body := range []string{"first", "second"} {
		require.Equal(t, http.StatusCreated, f.as(t, v, "POST", "/api/chat/messages", `{"body":"`+body+`"}`).Code)
		ev := st.next("customer-wrote")
		require.Contains(t, ev.Data, `"conversation":"`+id+`"`)
		var ms messagesJSON
		decodeInto(t, f.call(t, anna, "GET", "/api/conversations/"+id+"/messages", ""), http.StatusOK, &ms)
		require.Equal(t, "visitor:"+body, ms.bodies()[len(ms.bodies())-1])
	}
}

// TestStaffStreamEndsWithItsSession: a console's stream ends at the first
// heartbeat after its session did (logout), not only when it reconnects.
func TestStaffStreamEndsWithItsSession(t *testing.T) {
	f := newFixture(t)
	anna := f.staff(t, "anna")
	st := f.openSSE(t, "/api/events", anna.cookies)
	require.Equal(t, http.StatusNoContent, f.call(t, anna, "POST", "/api/logout", "").Code)
	f.clock.Add(15 * time.Second) // the heartbeat
	st.ended()
}

// TestStreamsAreBounded: one client address may hold StreamsPerClient
// streams (20 by default); the next is refused with 429 until one closes.
func TestStreamsAreBounded(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close) // after the streams' cleanups end them
	open := func() *http.Response {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/widget/events", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() {
			cancel()
			_ = resp.Body.Close()
		})
		return resp
	}
	var streams []*http.Response
	for range 20 {
		resp := open()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		streams = append(streams, resp)
	}
	over := open()
	require.Equal(t, http.StatusTooManyRequests, over.StatusCode)
	require.Equal(t, 20, f.srv.OpenStreams())
	_ = streams[0].Body.Close()
	require.Eventually(t, func() bool { return f.srv.OpenStreams() == 19 }, 10*time.Second, time.Millisecond,
		"a closed stream gives its place back")
	require.Equal(t, http.StatusOK, open().StatusCode)
}
