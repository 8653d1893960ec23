// console.js: the operator console. GET /api/console is the whole picture (my status, my conversations,
// my offers, my groups' queues); every routing event on /api/events refetches it, debounced. The open
// conversation's messages are fetched after the last id shown, on each `replied` (operator) or `customer-wrote` (visitor) event for it.
"use strict";

let me = null;
let view = null;            // the last GET /api/console
let openId = null;          // the conversation shown on the right
const opened = new Set();   // conversations opened in this page: no "New" badge
const seenUpTo = new Map(); // conversation → last message id shown in this page
const list = new MessageList($("chat-messages"));
const conv = (id, what = "") => `/api/conversations/${encodeURIComponent(id)}${what}`;

function fail(e) {
  if (e.status === 401) location.assign("/login?next=/console");
  else toast(e.message);
}

async function init() {
  try {
    me = await api("GET", "/api/me");
  } catch (e) {
    return fail(e);
  }
  session.csrf = me.csrf;
  $("me-name").textContent = me.name;
  refreshAll();
  live("/api/events", ROUTING_EVENTS, onEvent, refreshAll, () => api("GET", "/api/me").catch(fail));
}

const refetch = debounce(loadConsole, 100);

function refreshAll() {
  refetch();
  if (openId) { loadOpen(); loadMessages(); }
}

function onEvent(kind, ev) {
  refetch();
  if (!openId || !ev || ev.conversation !== openId) return;
  if (kind === "replied" || kind === "customer-wrote") loadMessages();
  else loadOpen();
}

const getConsole = latestGet("/api/console");

async function loadConsole() {
  let v;
  try {
    v = await getConsole();
  } catch (e) {
    return fail(e);
  }
  if (!v) return; // an older answer that came late: a newer one is on its way
  view = v;
  for (const k of ["statuses", "conversations", "offers", "queues", "operators", "groups"]) view[k] = view[k] || [];
  renderStatus();
  renderConversations();
  renderOffers();
  renderQueues();
  renderTransfer();
}

// Rendering /api/console.

function renderStatus() {
  const op = view.operator;
  $("status-box").hidden = $("end-shift").hidden = !op;
  if (!op) return;
  const select = $("status");
  if (select.options.length !== view.statuses.length) {
    select.replaceChildren(...view.statuses.map((s) => option(s.name, s.label || s.name)));
  }
  select.value = op.status;
  const look = view.statuses.find((s) => s.name === op.status);
  setDot($("status-dot"), look ? look.colour : "grey");
  $("status-since").replaceChildren(op.status_since ? ticking(Date.now() - Date.parse(op.status_since)) : "",
    ` · ${op.load}/${op.cap} chats`);
}

// clickable makes a list item open its conversation (by mouse or keyboard).
function clickable(li, id) {
  li.tabIndex = 0;
  li.addEventListener("click", () => openConversation(id));
  li.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && ev.target === li) openConversation(id); });
  return li;
}

function takeButton(id) {
  const b = el("button", { type: "button", class: "take", text: "Take" });
  b.addEventListener("click", (ev) => { ev.stopPropagation(); take(id); });
  return b;
}

const orEmpty = (items, text) => (items.length ? items : [el("li", { class: "empty muted", text })]);

function renderConversations() {
  const items = view.conversations.map((c) => clickable(el("li", { "data-conversation": c.id, class: c.id === openId ? "active" : "" },
    el("span", { class: "name", text: c.visitor_name || c.id }),
    el("span", { class: `state state-${c.state}`, text: c.state }),
    opened.has(c.id) ? null : el("span", { class: "badge-new", text: "New" }),
    c.id !== openId && c.last_message_id > (seenUpTo.get(c.id) || 0)
      ? el("span", { class: "unread", title: "Unread messages", "aria-label": "unread messages" }) : null), c.id));
  $("conversations").replaceChildren(...orEmpty(items, "No conversations"));
}

function renderOffers() {
  const items = view.offers.map((c) => clickable(el("li", { "data-conversation": c.id },
    el("span", { class: "name", text: c.visitor_name || c.id }),
    el("span", { class: "muted", text: c.group }),
    takeButton(c.id)), c.id));
  $("offers").replaceChildren(...orEmpty(items, "No offers"));
}

function renderQueues() {
  const sections = view.queues.map((q) => el("section", { class: "queue" },
    el("h3", {}, q.group, " ", el("span", { class: "muted", text: `${q.policy} · ${q.online ? "online" : "offline"} · ${q.length} waiting` })),
    el("ul", { class: "items" }, ...orEmpty((q.entries || []).map((e) => el("li",
      { "data-conversation": e.id, class: `level-${e.level_index >= 0 ? e.level_index : "none"}` },
      el("span", { class: "name", text: `${e.position}. ${e.visitor_name || e.id}` }),
      ticking(e.waited_ms, { class: "wait", title: e.level ? `${e.level} wait` : "" }),
      takeButton(e.id))), "Nobody waiting"))));
  $("queues").replaceChildren(...(sections.length ? sections : [el("p", { class: "muted", text: "No groups" })]));
}

// fill sets a select's options (a blank one first), keeping the choice; untouched when nothing changed.
function fill(select, blank, pairs) {
  const key = JSON.stringify(pairs);
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  const v = select.value;
  select.replaceChildren(option("", blank), ...pairs.map(([value, label]) => option(value, label, value === v)));
}

function renderTransfer() {
  fill($("transfer-operator"), "to operator…", view.operators.filter((o) => o.id !== me.id).map((o) => [o.id, `${o.name} (${o.status})`]));
  fill($("transfer-group"), "or to group…", view.groups.map((g) => [g, g]));
}

// The open conversation.

async function openConversation(id) {
  if (openId !== id) {
    openId = id;
    list.reset();
    $("reply-body").value = "";
  }
  opened.add(id);
  $("chat").hidden = false;
  $("no-chat").hidden = true;
  if (view) renderConversations();
  await Promise.all([loadOpen(), loadMessages()]);
  $("reply-body").focus();
}

function closePane() {
  openId = null;
  list.reset();
  $("chat").hidden = true;
  $("no-chat").hidden = false;
  if (view) renderConversations();
}

async function loadOpen() {
  const id = openId;
  try {
    const c = await api("GET", conv(id));
    if (id === openId) renderOpen(c);
  } catch (e) {
    if (id !== openId) return;
    if (e.status === 403 || e.status === 404) closePane(); // no longer mine (transferred, redistributed)
    fail(e);
  }
}

function renderOpen(c) {
  $("chat-title").textContent = c.visitor_name || c.id;
  $("chat-meta").textContent = [c.group, c.state, c.assignee_name && `held by ${c.assignee_name}`, c.company, c.page]
    .filter(Boolean).join(" · ");
}

async function loadMessages() {
  const id = openId;
  try {
    const r = await api("GET", conv(id, `/messages?after=${list.last}`));
    if (id !== openId) return;
    for (const m of r.messages) list.add(m);
    seenUpTo.set(id, list.last);
  } catch (e) {
    if (id === openId && e.status !== 403) fail(e);
  }
}

async function take(id) {
  try {
    await api("POST", conv(id, "/take"));
  } catch (e) {
    refetch();
    return fail(e); // 409: "already taken by Ben"
  }
  refetch();
  openConversation(id);
}

// act posts an action on the open conversation and hands its answer (the conversation) to then.
async function act(what, body, then) {
  const id = openId;
  if (!id) return;
  let c;
  try {
    c = await api("POST", conv(id, what), body);
  } catch (e) {
    return fail(e);
  }
  refetch();
  if (id === openId) then(c);
}

enterSends($("reply-body"));
$("reply").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = $("reply-body").value.trim();
  if (!body || !openId) return;
  const id = openId;
  $("reply-send").disabled = true;
  try {
    const m = await api("POST", conv(id, "/messages"), { body });
    if (id === openId) {
      list.add(m);
      seenUpTo.set(id, list.last);
      $("reply-body").value = "";
    }
  } catch (e) {
    fail(e);
  } finally {
    $("reply-send").disabled = false;
  }
});

$("mark-waiting").addEventListener("click", () => act("/waiting", {}, renderOpen));

$("transfer").addEventListener("click", () => {
  const op = $("transfer-operator"), group = $("transfer-group");
  if (!op.value && !group.value) return toast("Choose an operator or a group to transfer to");
  const to = op.value ? op.selectedOptions[0].textContent : group.value;
  act("/transfer", op.value ? { operator: op.value } : { group: group.value }, () => {
    op.value = group.value = "";
    closePane();
    toast(`Transferred to ${to}`, true);
  });
});

$("close").addEventListener("click", () => act("/close", {}, () => { closePane(); toast("Conversation closed", true); }));

// The header.

$("status").addEventListener("change", async () => {
  try {
    view.operator = await api("POST", "/api/status", { status: $("status").value });
  } catch (e) {
    fail(e);
  }
  renderStatus();
  refetch();
});

$("end-shift").addEventListener("click", async () => {
  try {
    await api("POST", "/api/end-shift");
    toast("Shift ended: your conversations go to colleagues", true);
  } catch (e) {
    fail(e);
  }
  refetch();
});

$("logout").addEventListener("click", async () => {
  try { await api("POST", "/api/logout"); } catch { /* signed out anyway */ }
  location.assign("/login");
});

init();
