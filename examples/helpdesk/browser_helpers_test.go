package main

// The set-up the browser tests share: a help desk started with run() on a
// fresh database, a headless Chromium, and one browser context (own
// cookies and localStorage) for each person of a scenario. Every wait is on
// a condition of a page's DOM, polled, up to the test's deadline. A failed
// test leaves a screenshot of each person's tab in $HELPDESK_E2E_SCREENSHOTS
// (default: $TMPDIR/helpdesk-e2e), named <TestName>-<person>.png.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// e2eTimeout bounds each browser test, from the server's start to
// its last check.
const e2eTimeout = 30 * time.Second

// The viewport of every tab (and of the docs screenshots).
const e2eWidth, e2eHeight = 1280, 800

// e2eDesk is one test's help desk: the server run() started and the browser
// its people use.
type e2eDesk struct {
	t        *testing.T
	url      string            // http://127.0.0.1:port
	password map[string]string // the demo logins, as the server printed them
	out      *syncBuffer       // what the server printed
	deadline time.Time
	browser  context.Context

	mu    sync.Mutex
	tabs  []*e2eTab
	shots map[string][]byte // docs screenshots taken, written once the test passed
}

// e2eTab is one person's browser: a browser context of their own, with one
// tab in it.
type e2eTab struct {
	d      *e2eDesk
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// newE2EDesk starts a help desk on a new database and a headless Chromium for
// t, and stops both when t ends. Without Chromium it skips t, except under
// CI (CI=true), where the browser tests must run.
func newE2EDesk(t *testing.T) *e2eDesk {
	t.Helper()
	chromium := chromiumPath(t)
	d := &e2eDesk{t: t, out: &syncBuffer{}, deadline: time.Now().Add(e2eTimeout), shots: map[string][]byte{}}
	d.startServer()
	d.startBrowser(chromium)
	return d
}

// chromiumPath returns the path of a Chromium (or Chrome) on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH (chromium, chromium-browser, google-chrome): under CI the browser tests must run")
	}
	t.Skip("no Chromium on PATH: the browser tests are skipped")
	return ""
}

// demoLoginLine is one line of the "Demo accounts" the server prints on a new
// database: "  anna  operator   password abc…  (operator in [support])".
var demoLoginLine = regexp.MustCompile(`(?m)^\s+(\w+)\s+(operator|supervisor)\s+password (\S+)\s`)

// startServer runs the command as a newcomer would, on a new SQLite file,
// and reads the address and the demo's passwords from what it prints.
func (d *e2eDesk) startServer() {
	t := d.t
	db := filepath.Join(t.TempDir(), "desk.db")
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", db}, d.out, func(a string) { addr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("run did not return 15s after its context ended")
		}
		if t.Failed() {
			t.Logf("the server printed:\n%s", d.out.String())
		}
	})
	select {
	case a := <-addr:
		d.url = "http://" + a
	case err := <-done:
		t.Fatalf("run ended before serving: %v\n%s", err, d.out.String())
	case <-time.After(time.Until(d.deadline)):
		t.Fatalf("run did not start serving\n%s", d.out.String())
	}
	out := d.out.String()
	require.Contains(t, out, "Help desk on "+d.url, "the server says where it is")
	require.Contains(t, out, "Demo accounts (shown this once", "a new database prints the demo logins")
	d.password = map[string]string{}
	for _, m := range demoLoginLine.FindAllStringSubmatch(out, -1) {
		d.password[m[1]] = m[3]
	}
	for _, id := range []string{"anna", "ben", "cleo", "sam"} {
		require.NotEmpty(t, d.password[id], "the printed demo accounts have %s's password:\n%s", id, out)
	}
}

// startBrowser starts Chromium headless, offline, with a fresh profile, and
// stops it when t ends; before that, if t failed, it saves a screenshot of
// every person's tab, and either way it reports the pages' uncaught
// exceptions.
func (d *e2eDesk) startBrowser(chromium string) {
	t := d.t
	// No user-data-dir: the allocator gives each browser a fresh
	// temporary profile, and deletes it when the browser ends.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(e2eWidth, e2eHeight),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		d.mu.Lock()
		tabs := d.tabs
		d.mu.Unlock()
		for _, b := range tabs {
			b.cancel()
		}
		cancelBrowser()
		cancelAlloc()
	})
	d.first(browser, "starting "+chromium)
	d.browser = browser
	t.Cleanup(d.finish)
}

// first runs the first action on the chromedp context ctx, which starts
// its browser or opens its tab: for as long as ctx lives, so with no
// deadline of its own, and waited for up to the test's deadline.
func (d *e2eDesk) first(ctx context.Context, what string) {
	d.t.Helper()
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		require.NoError(d.t, err, what)
	case <-time.After(time.Until(d.deadline)):
		d.t.Fatalf("%s: not done by the test's deadline", what)
	}
}

// finish runs before the browser stops: the pages' uncaught exceptions
// fail the test; a failed test gets a screenshot of each tab and their
// console logs; a passed one writes the docs screenshots it took.
func (d *e2eDesk) finish() {
	t := d.t
	d.mu.Lock()
	tabs := d.tabs
	d.mu.Unlock()
	for _, b := range tabs {
		b.mu.Lock()
		for _, m := range b.console {
			if m.IsException() {
				t.Errorf("%s's page threw: %s %s:%d", b.name, m.Text, m.URL, m.Line+1)
			}
		}
		b.mu.Unlock()
	}
	if t.Failed() {
		dir := os.Getenv("HELPDESK_E2E_SCREENSHOTS")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "helpdesk-e2e")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Logf("no screenshots: %v", err)
			return
		}
		for _, b := range tabs {
			b.logConsole()
			png, err := b.screenshot()
			if err != nil {
				t.Logf("no screenshot of %s's tab: %v", b.name, err)
				continue
			}
			path := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+"-"+b.name+".png")
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Logf("no screenshot of %s's tab: %v", b.name, err)
				continue
			}
			t.Logf("screenshot of %s's tab: %s", b.name, path)
		}
		return
	}
	for name, png := range d.shots {
		path := filepath.Join("..", "..", "docs", name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Errorf("writing %s: %v", path, err)
			continue
		}
		t.Logf("wrote %s", path)
	}
}

// docsShot takes a screenshot of b for the docs as file (in /docs), when
// HELPDESK_DOCS_SCREENSHOTS=1; it is written if the test passes.
func (d *e2eDesk) docsShot(b *e2eTab, file string) {
	d.t.Helper()
	if os.Getenv("HELPDESK_DOCS_SCREENSHOTS") != "1" {
		return
	}
	png, err := b.screenshot()
	require.NoError(d.t, err, "docs screenshot of %s's tab", b.name)
	d.mu.Lock()
	d.shots[file] = png
	d.mu.Unlock()
}

// person opens a browser of name's own (a new browser context: cookies
// and localStorage of their own) at path.
func (d *e2eDesk) person(name, path string) *e2eTab {
	d.t.Helper()
	ctx, cancel := chromedp.NewContext(d.browser, chromedp.WithNewBrowserContext())
	b := &e2eTab{d: d, name: name, ctx: ctx, cancel: cancel}
	d.mu.Lock()
	d.tabs = append(d.tabs, b)
	d.mu.Unlock()
	d.first(ctx, "opening "+name+"'s tab")
	b.do("setting the viewport", chromedp.EmulateViewport(e2eWidth, e2eHeight))
	go b.readConsole(chromedp.Console(ctx))
	b.do("opening "+path, chromedp.Navigate(d.url+path))
	return b
}

// readConsole keeps what b's pages write to the console, until b closes.
func (b *e2eTab) readConsole(messages iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range messages {
		if err != nil {
			return
		}
		b.mu.Lock()
		b.console = append(b.console, m)
		b.mu.Unlock()
	}
}

// logConsole logs what b's pages wrote to the console.
func (b *e2eTab) logConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		b.d.t.Logf("%s's console: %s", b.name, m)
	}
}

// staff logs id in through /login, as the demo printed their password,
// and waits for the page they land on (the console, or the dashboard for
// the supervisor) to show what the server has.
func (d *e2eDesk) staff(id string) *e2eTab {
	d.t.Helper()
	b := d.person(id, "/login")
	b.typeInto("#login", id)
	b.typeInto("#password", d.password[id])
	ctx, cancel := context.WithDeadline(b.ctx, d.deadline)
	defer cancel()
	_, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("login-submit")))
	if err != nil {
		b.fatalf("signing in: %v", err)
	}
	if id == "sam" {
		b.waitFor("the dashboard lists the operators", jsShown(`#operators tr[data-operator="anna"]`, "Anna"))
	} else {
		b.waitFor("the console shows her status", `document.getElementById("status").value === "ready"`)
	}
	b.markPage()
	return b
}

// visitor opens the chat widget at path (/chat, or /chat?page=…) in a
// browser of name's own.
func (d *e2eDesk) visitor(name, path string) *e2eTab {
	d.t.Helper()
	b := d.person(name, path)
	b.waitFor("the widget knows whether anybody is online", `!document.getElementById("connecting").checkVisibility()`)
	b.markPage()
	return b
}

// startChat fills the widget's start form with the visitor's name and
// question, starts the chat, and waits for the chat to show.
func (b *e2eTab) startChat(question string) {
	b.d.t.Helper()
	b.waitFor("the start form shows", jsShown("#start-form", ""))
	b.typeInto("#name", b.name)
	if question != "" {
		b.typeInto("#first-message", question)
	}
	b.click("#start")
	b.waitFor("the chat shows", jsShown("#compose", ""))
}

// chatWith starts the visitor's chat and waits until the widget says who
// answers it.
func (b *e2eTab) chatWith(question, operator string) {
	b.d.t.Helper()
	b.startChat(question)
	b.waitFor("the chat is assigned to "+operator, jsShown("#agent-notice", "You are chatting with "+operator))
}

// conversation waits until the list (#conversations, #offers) of b's
// console has visitor's conversation, and returns its id.
func (b *e2eTab) conversation(list, visitor string) string {
	b.d.t.Helper()
	return pollIn[string](b, fmt.Sprintf("%s lists %s's conversation", list, visitor), fmt.Sprintf(`(() => {
		for (const li of document.querySelectorAll(%s + " li[data-conversation]"))
			if (li.checkVisibility() && li.querySelector(".name")?.textContent === %s) return li.dataset.conversation;
		return null;
	})()`, jsString(list), jsString(visitor)))
}

// lists reports, now, whether the list of b's console has conversation id.
func (b *e2eTab) lists(list, id string) bool {
	b.d.t.Helper()
	return evalIn[bool](b, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(itemSel(list, id))))
}

// itemSel is the selector of conversation id's entry in list.
func itemSel(list, id string) string {
	return fmt.Sprintf(`%s [data-conversation="%s"]`, list, id)
}

// open opens conversation id of b's console, and waits for its messages
// to show each of want.
func (b *e2eTab) open(id string, want ...string) {
	b.d.t.Helper()
	b.press(itemSel("#conversations", id))
	b.waitFor("the conversation is open", fmt.Sprintf(`document.querySelector(%s)?.classList.contains("active") && %s`,
		jsString(itemSel("#conversations", id)), jsShown("#chat", "")))
	for _, w := range want {
		b.waitFor("the conversation shows "+w, jsShown("#chat-messages li.message .body", w))
	}
}

// reply sends body as the operator's reply in the open conversation.
func (b *e2eTab) reply(body string) {
	b.d.t.Helper()
	b.typeInto("#reply-body", body)
	b.click("#reply-send")
	b.waitFor("the reply shows", jsShown("#chat-messages li.message.operator .body", body))
}

// write sends body as the visitor's message.
func (b *e2eTab) write(body string) {
	b.d.t.Helper()
	b.typeInto("#body", body)
	b.click("#send")
	b.waitFor("the message shows", jsShown("#messages li.message.visitor .body", body))
}

// choose picks value in the select sel, as a person does (its change
// event fires).
func (b *e2eTab) choose(sel, value string) {
	b.d.t.Helper()
	b.waitFor(sel+" offers "+value, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel+` option[value="`+value+`"]`)))
	b.do("choosing "+value+" in "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const s = document.querySelector(%s);
		s.value = %s;
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, jsString(sel), jsString(value))))
}

// typeInto types text into the field sel.
func (b *e2eTab) typeInto(sel, text string) {
	b.d.t.Helper()
	b.do("typing into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// click clicks the element sel with the mouse, once it is visible.
func (b *e2eTab) click(sel string) {
	b.d.t.Helper()
	b.do("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// press clicks the element sel, once it is visible and enabled, in one
// step of the page: for the rows of lists and tables that the page redraws
// on every event, where a click by the mouse (find the node, then its
// place, then click there) can find its node gone, or another in its
// place.
func (b *e2eTab) press(sel string) {
	b.d.t.Helper()
	b.waitFor("pressing "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (!e || !e.checkVisibility() || e.disabled) return false;
		e.click();
		return true;
	})()`, jsString(sel)))
}

// markPage marks the document b shows, for requireSamePage.
func (b *e2eTab) markPage() {
	b.d.t.Helper()
	b.do("marking the page", chromedp.Evaluate[chromedp.Void](`window.helpdeskE2E = true`))
}

// requireSamePage checks that b still shows the document markPage marked:
// what changed came live, without a reload.
func (b *e2eTab) requireSamePage() {
	b.d.t.Helper()
	if !evalIn[bool](b, `window.helpdeskE2E === true`) {
		b.fatalf("the page was reloaded")
	}
}

// waitFor waits until the JavaScript expression cond is true in b's page.
func (b *e2eTab) waitFor(what, cond string) {
	b.d.t.Helper()
	pollIn[bool](b, what, cond)
}

// pollIn waits until the JavaScript expression expr is truthy in b's page
// (evaluated every 50 ms) and returns its value, or fails the test at its
// deadline.
func pollIn[T any](b *e2eTab, what, expr string) T {
	b.d.t.Helper()
	left := max(time.Until(b.d.deadline), time.Millisecond)
	ctx, cancel := context.WithDeadline(b.ctx, b.d.deadline)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(left)))
	if err != nil {
		b.fatalf("waiting until %s: %v", what, err)
	}
	return v
}

// evalIn returns the value of the JavaScript expression expr in b's page.
func evalIn[T any](b *e2eTab, expr string) T {
	b.d.t.Helper()
	v, err := b.try(expr)
	if err != nil {
		b.fatalf("%v", err)
	}
	var out T
	if err := json.Unmarshal(v, &out); err != nil {
		b.fatalf("evaluating %s: %v", expr, err)
	}
	return out
}

// try evaluates expr in b's page and returns its value as JSON. It may
// run on any goroutine.
func (b *e2eTab) try(expr string) ([]byte, error) {
	ctx, cancel := context.WithDeadline(b.ctx, b.d.deadline)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("%s: evaluating %s: %w", b.name, expr, err)
	}
	return v, nil
}

// do runs steps in b's tab, or fails the test.
func (b *e2eTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.d.t.Helper()
	ctx, cancel := context.WithDeadline(b.ctx, b.d.deadline)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fatalf("%s: %v", what, err)
	}
}

// fatalf fails the test, saying whose tab, and what the page says.
func (b *e2eTab) fatalf(format string, args ...any) {
	b.d.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err == nil {
		msg += "\n" + b.name + "'s page reads:\n" + indentText(text)
	}
	b.d.t.Fatalf("%s: %s", b.name, msg)
}

// screenshot takes a picture of b's whole page, as PNG.
func (b *e2eTab) screenshot() ([]byte, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil && len(png) == 0 {
		err = errors.New("empty screenshot")
	}
	return png, err
}

// jsShown is a JavaScript condition: an element that sel selects is visible
// and its text has text.
func jsShown(sel, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%s)].some((e) => e.checkVisibility() && e.textContent.includes(%s))`, jsString(sel), jsString(text))
}

// jsHidden is a JavaScript condition: no element that sel selects is
// visible.
func jsHidden(sel string) string {
	return fmt.Sprintf(`![...document.querySelectorAll(%s)].some((e) => e.checkVisibility())`, jsString(sel))
}

// jsString writes v as a JavaScript literal.
func jsString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func indentText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}
