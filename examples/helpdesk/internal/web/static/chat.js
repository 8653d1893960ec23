// chat.js: the visitor widget. A stored token whose chat still exists shows that chat; otherwise the
// availability of the group this page would join (GET /api/widget, then live from /api/widget/events)
// chooses between the start form and the offline form. In a chat, /api/chat/events says when the chat
// changes (queue position, operator, state) and when new messages can be fetched.
"use strict";

const TOKEN_KEY = "helpdesk_visitor_token";
const params = new URLSearchParams(location.search);
const where = {
  page: params.has("page") ? params.get("page") : document.referrer || "",
  company: params.get("company") || "",
};
const list = new MessageList($("messages"));

let token = loadToken();
let chat = null;       // the chat shown (the chat JSON), null before one starts
let chatLive = null;   // its event stream
let widgetLive = null; // the availability stream, before a chat starts
let wrote = false;     // the visitor has written in this chat (for the offline notice)

function loadToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ""; } catch { return ""; }
}
function saveToken(t) {
  token = t || "";
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch { /* storage blocked (some iframes): the chat lasts as long as the page */ }
}

const visitor = (method, url, body) => api(method, url, body, token ? { "X-Visitor-Token": token } : {});

function showError(e) {
  $("chat-error").textContent = e ? e.message : "";
  $("chat-error").hidden = !e;
}

function show(id, on, text) {
  $(id).hidden = !on;
  if (on && text !== undefined) $(id).textContent = text;
}

async function init() {
  if (token) {
    try {
      showChat(await visitor("GET", "/api/chat"));
      return;
    } catch (e) {
      if (e.status === 401) saveToken("");
    }
  }
  showAvailability();
}

// Before a chat: availability.

function showAvailability() {
  const q = new URLSearchParams(where).toString();
  let streamed = false; // the stream's answer is newer than the GET's, whichever arrives last
  api("GET", `/api/widget?${q}`).then((a) => streamed || renderAvailability(a), showError);
  widgetLive = live(`/api/widget/events?${q}`, ["availability"], (_, a) => {
    if (!a) return;
    streamed = true;
    renderAvailability(a);
  });
}

function renderAvailability(a) {
  if (chat) return;
  $("connecting").hidden = true;
  $("offhours-notice").hidden = !a.off_hours;
  $("start-form").hidden = !a.online;
  $("offline-form").hidden = !!a.online;
}

async function start(body, button) {
  button.disabled = true;
  showError(null);
  try {
    const c = await api("POST", "/api/chats", { ...where, ...body });
    saveToken(c.token);
    wrote = !!body.message;
    showChat(c);
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

$("start-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const body = { name: $("name").value.trim() };
  const first = $("first-message").value.trim();
  if (first) body.message = first;
  start(body, $("start"));
});

$("offline-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  start({ name: $("offline-name").value.trim(), message: $("offline-message").value.trim() }, $("offline-send"));
});

// In a chat.

function showChat(c) {
  if (widgetLive) { widgetLive.close(); widgetLive = null; }
  const fresh = !chat || chat.conversation !== c.conversation;
  chat = c;
  for (const id of ["connecting", "start-form", "offline-form"]) $(id).hidden = true;
  $("messages").hidden = false;
  if (fresh) {
    list.reset();
    if (chatLive) chatLive.close();
    if (c.linked_to) loadHistory(c.linked_to);
    chatLive = live(`/api/chat/events?token=${encodeURIComponent(token)}`, ["chat", "message"],
      (kind, data) => (kind === "chat" ? updateChat(data) : fetchMessages()), fetchMessages, refreshChat);
    fetchMessages();
  }
  renderChat();
}

function updateChat(data) {
  if (!data || !chat || data.conversation !== chat.conversation) return;
  chat = data;
  renderChat();
}

function renderChat() {
  const st = chat.state;
  const inQueue = st === "queued" || st === "offered";
  const offline = inQueue && chat.online === false;
  const closed = st === "closed";
  show("queue-notice", inQueue && !offline, `All operators are busy, you are number ${chat.position}`);
  show("agent-notice", (st === "assigned" || st === "waiting") && !!chat.operator_name,
    `You are chatting with ${chat.operator_name}`);
  show("offhours-notice", inQueue && !!chat.off_hours);
  show("offline-thanks", offline && wrote);
  show("offline-waiting", offline && !wrote);
  show("closed-notice", closed);
  show("reopen", closed);
  show("compose", !closed);
}

async function fetchMessages() {
  if (!chat) return;
  const conv = chat.conversation;
  try {
    const r = await visitor("GET", `/api/chat/messages?after=${list.last}`);
    if (!chat || chat.conversation !== conv) return;
    for (const m of r.messages) {
      list.add(m);
      if (m.kind === "visitor") wrote = true;
    }
    renderChat();
  } catch (e) {
    if (e.status === 401) refreshChat();
    else showError(e);
  }
}

// loadHistory shows the messages of the conversation this chat reopens, above the new ones.
async function loadHistory(linked) {
  const conv = chat.conversation;
  try {
    const r = await visitor("GET", `/api/chat/messages?after=0&conversation=${encodeURIComponent(linked)}`);
    if (chat && chat.conversation === conv) list.history(r.messages, "Chat reopened");
  } catch (e) {
    showError(e);
  }
}

// refreshChat rereads the chat; when the token is no longer known, the widget starts over.
async function refreshChat() {
  try {
    showChat(await visitor("GET", "/api/chat"));
  } catch (e) {
    if (e.status !== 401) return showError(e);
    saveToken("");
    if (chatLive) chatLive.close();
    chat = chatLive = null;
    list.reset();
    for (const id of ["messages", "compose", "queue-notice", "agent-notice", "offline-thanks", "offline-waiting",
      "closed-notice", "reopen"]) $(id).hidden = true;
    showAvailability();
  }
}

enterSends($("body"));
$("compose").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = $("body").value.trim();
  if (!body) return;
  $("send").disabled = true;
  showError(null);
  try {
    list.add(await visitor("POST", "/api/chat/messages", { body }));
    wrote = true;
    $("body").value = "";
    renderChat();
  } catch (e) {
    if (e.code === "wrong-state") refreshChat(); // closed meanwhile: the closed notice offers to reopen
    else showError(e);
  } finally {
    $("send").disabled = false;
    $("body").focus();
  }
});

// Reopen starts a new chat linked to the closed one, with a new token; a message typed but not sent goes with it.
$("reopen").addEventListener("click", async () => {
  $("reopen").disabled = true;
  showError(null);
  try {
    const message = $("body").value.trim();
    const c = await visitor("POST", "/api/chat/reopen", message ? { message } : {});
    saveToken(c.token);
    wrote = !!message;
    $("body").value = "";
    showChat(c);
  } catch (e) {
    showError(e);
  } finally {
    $("reopen").disabled = false;
  }
});

init();
