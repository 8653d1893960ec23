package main

// End-to-end tests in a real browser: the command serves the help desk on a
// new database, and headless Chromium plays the visitors, the operators
// and the supervisor, each in a browser of their own. Set-up and waits are
// in browser_helpers_test.go. HELPDESK_DOCS_SCREENSHOTS=1 also saves the
// console's and the dashboard's pictures in /docs.

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBrowserSupportGivesANewChatToTheLessLoadedOperator: Ben has a chat
// when Anna logs in, so balanced Support gives the next visitor to Anna;
// her reply reaches the visitor's widget, and when she closes the chat
// the widget says so.
func TestBrowserSupportGivesANewChatToTheLessLoadedOperator(t *testing.T) {
	d := newE2EDesk(t)
	ben := d.staff("ben")
	vera := d.visitor("Vera", "/chat")
	vera.chatWith("My invoice is wrong", "Ben")
	ben.conversation("#conversations", "Vera")

	anna := d.staff("anna")
	tom := d.visitor("Tom", "/chat")
	tom.chatWith("Where is my parcel?", "Anna")
	id := anna.conversation("#conversations", "Tom")
	require.False(t, ben.lists("#conversations", id), "Ben, with a chat already, is not given Tom's")

	anna.open(id, "Where is my parcel?")
	anna.reply("Hello Tom, it left our warehouse this morning.")
	tom.waitFor("Anna's reply shows", jsShown("#messages li.message.operator .body", "Hello Tom, it left our warehouse this morning."))

	anna.click("#close")
	tom.waitFor("the widget says the chat was closed", jsShown("#closed-notice", "This chat was closed"))
	anna.waitFor("her console no longer lists it", jsHidden(itemSel("#conversations", id)))
	tom.requireSamePage()
	anna.requireSamePage()
}

// TestBrowserSalesChatGoesToWhoeverTakesItFirst: a chat from a shop page
// is offered to both Sales operators, Ben and Cleo; both click Take at
// once, one gets it, and the other is told who was quicker.
func TestBrowserSalesChatGoesToWhoeverTakesItFirst(t *testing.T) {
	d := newE2EDesk(t)
	ben, cleo := d.staff("ben"), d.staff("cleo")
	nora := d.visitor("Nora", "/chat?page=https://shop.example/shop/cart")
	nora.startChat("Do you ship to Norway?")
	id := ben.conversation("#offers", "Nora")
	require.Equal(t, id, cleo.conversation("#offers", "Nora"), "both are offered the same chat")

	// Each console's Take button is held first, so that both clicks go out
	// even if one console redraws (the offer withdrawn) before the other
	// clicks: two people clicking at the same moment.
	take := fmt.Sprintf(`(window.helpdeskTake = document.querySelector(%s)) !== null`, jsString(itemSel("#offers", id)+" button.take"))
	ben.waitFor("Ben's Take button is there", take)
	cleo.waitFor("Cleo's Take button is there", take)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, b := range []*e2eTab{ben, cleo} {
		wg.Go(func() { _, errs[i] = b.try(`window.helpdeskTake.click()`) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))

	winner := pollIn[string](nora, "the widget names who took the chat", `(() => {
		const n = document.getElementById("agent-notice");
		return n.checkVisibility() && (n.textContent.match(/You are chatting with (Ben|Cleo)$/) || [])[1];
	})()`)
	won, lost := ben, cleo
	if winner == "Cleo" {
		won, lost = cleo, ben
	}
	won.waitFor(winner+" holds the chat", jsShown(itemSel("#conversations", id), "Nora"))
	lost.waitFor("the other is told it is taken", jsShown("#toast", "already taken by "+winner))
	lost.waitFor("the other's offer is withdrawn", jsHidden(itemSel("#offers", id)))
	require.False(t, lost.lists("#conversations", id), "only %s holds the chat", winner)
}

// TestBrowserWidgetTurnsToTheOfflineFormAndBackLive: the widget, open
// before a chat starts, shows the start form while Anna is ready, the
// offline form once she is away, and the start form again when she is
// back, without a reload.
func TestBrowserWidgetTurnsToTheOfflineFormAndBackLive(t *testing.T) {
	d := newE2EDesk(t)
	anna := d.staff("anna")
	vera := d.visitor("Vera", "/chat")
	vera.waitFor("the start form shows", jsShown("#start-form", "Start chat"))
	vera.waitFor("the offline form does not", jsHidden("#offline-form"))

	anna.choose("#status", "away")
	vera.waitFor("the offline form shows", jsShown("#offline-form", "Nobody is online"))
	vera.waitFor("the start form does not", jsHidden("#start-form"))

	anna.choose("#status", "ready")
	vera.waitFor("the start form shows again", jsShown("#start-form", "Start chat"))
	vera.waitFor("the offline form does not", jsHidden("#offline-form"))
	vera.requireSamePage()
}

// TestBrowserVisitorQueuesAtCapUntilAChatCloses: Anna, alone in Support,
// has three chats, its cap; a fourth visitor is told she is number 1 in
// the queue. Anna answers one of the three (what its visitor writes
// reaches her console live) and closes it: the fourth is hers, live in
// the widget and in her console.
func TestBrowserVisitorQueuesAtCapUntilAChatCloses(t *testing.T) {
	d := newE2EDesk(t)
	anna := d.staff("anna")
	visitors := map[string]string{"Vera": "My invoice is wrong", "Tom": "Where is my parcel?", "Mia": "Can I change my address?"}
	tabs := map[string]*e2eTab{}
	for _, name := range []string{"Vera", "Tom", "Mia"} {
		tabs[name] = d.visitor(name, "/chat")
		tabs[name].chatWith(visitors[name], "Anna")
		anna.conversation("#conversations", name)
	}

	olga := d.visitor("Olga", "/chat")
	olga.startChat("Is the shop open on Sunday?")
	olga.waitFor("the widget says she waits first in line", jsShown("#queue-notice", "All operators are busy, you are number 1"))
	anna.waitFor("Olga waits in Anna's queue", jsShown("#queues li[data-conversation] .name", "1. Olga"))

	tom := tabs["Tom"]
	tom.write("It is order 1042.")
	id := anna.conversation("#conversations", "Tom")
	anna.open(id, "Where is my parcel?", "It is order 1042.")
	anna.reply("Hello Tom, order 1042 left our warehouse this morning.")
	tom.waitFor("Anna's reply shows", jsShown("#messages li.message.operator .body", "order 1042 left our warehouse"))
	tom.write("Great, thank you!")
	anna.waitFor("Tom's answer shows in her console", jsShown("#chat-messages li.message.visitor .body", "Great, thank you!"))
	d.docsShot(anna, "helpdesk-console.png")

	anna.click("#close")
	tom.waitFor("Tom's widget says the chat was closed", jsShown("#closed-notice", "This chat was closed"))
	olga.waitFor("Olga's chat is Anna's", jsShown("#agent-notice", "You are chatting with Anna"))
	olga.waitFor("the queue notice is gone", jsHidden("#queue-notice"))
	anna.conversation("#conversations", "Olga")
	olga.requireSamePage()
	anna.requireSamePage()
}

// TestBrowserForcedOffShiftMovesChatsLiveAndNamesTheSupervisor: Sam, on
// the dashboard, forces Anna off shift; her two chats appear in Ben's
// console without a reload, and the dashboard says Sam moved them.
func TestBrowserForcedOffShiftMovesChatsLiveAndNamesTheSupervisor(t *testing.T) {
	d := newE2EDesk(t)
	anna := d.staff("anna")
	vera, tom := d.visitor("Vera", "/chat"), d.visitor("Tom", "/chat")
	vera.chatWith("My invoice is wrong", "Anna")
	tom.chatWith("Where is my parcel?", "Anna")
	moved := []string{anna.conversation("#conversations", "Vera"), anna.conversation("#conversations", "Tom")}

	ben := d.staff("ben")
	mia := d.visitor("Mia", "/chat")
	mia.chatWith("Can I change my address?", "Ben") // the less loaded
	own := ben.conversation("#conversations", "Mia")

	sam := d.staff("sam")
	for _, id := range append(moved, own) {
		sam.waitFor("the dashboard lists "+id, jsShown(itemSel("#conversations", id), ""))
	}
	sam.press(`#operators tr[data-operator="anna"] button.force-off`)

	for i, name := range []string{"Vera", "Tom"} {
		ben.waitFor(name+"'s chat is Ben's", jsShown(itemSel("#conversations", moved[i]), name))
		sam.waitFor("the dashboard says Sam moved "+name+"'s chat", jsShown(itemSel("#conversations", moved[i])+" .why", "by Sam"))
		sam.waitFor("and that it is Ben's now", jsShown(itemSel("#conversations", moved[i])+" .assignee", "Ben"))
	}
	vera.waitFor("Vera's widget names Ben", jsShown("#agent-notice", "You are chatting with Ben"))
	anna.waitFor("Anna's console lists no conversation", jsShown("#conversations li.empty", "No conversations"))
	sam.waitFor("Anna is offline", jsShown(`#operators tr[data-operator="anna"] .status`, "Offline"))
	sam.waitFor("Ben has three chats", jsShown(`#operators tr[data-operator="ben"] .load`, "3/3"))
	ben.requireSamePage()
	sam.requireSamePage()
	d.docsShot(sam, "helpdesk-dashboard.png")
}

// TestBrowserShopPageChatLandsInSalesByTheRule: a visitor writing from a
// /shop page lands in Sales, as the rule "shop pages go to sales" says,
// and the dashboard's row of the conversation names that rule.
func TestBrowserShopPageChatLandsInSalesByTheRule(t *testing.T) {
	d := newE2EDesk(t)
	cleo := d.staff("cleo") // Sales only
	sam := d.staff("sam")
	xena := d.visitor("Xena", "/chat?page=https://shop.example/shop/tv")
	xena.startChat("Is this TV in stock?")
	id := cleo.conversation("#offers", "Xena")

	row := itemSel("#conversations", id)
	sam.waitFor("the dashboard lists the conversation in sales", jsShown(row+" td:nth-child(3)", "sales"))
	sam.waitFor("its why names the rule", jsShown(row+" .why", "rule 'shop pages go to sales'"))
	sam.requireSamePage()
}
