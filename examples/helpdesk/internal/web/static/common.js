// common.js: helpers shared by the help desk's pages (loaded before each page's own script).
"use strict";

const $ = (id) => document.getElementById(id);

// The session's CSRF token (from POST /api/login or GET /api/me), sent on every non-GET staff request.
const session = { csrf: "" };

// The kinds of routing events on /api/events.
const ROUTING_EVENTS = ["queued", "offered", "offer-withdrawn", "assigned", "all-busy", "returned", "transferred",
  "waiting", "closed", "status-changed", "group-availability", "redistributed", "wait-threshold", "missed",
  "off-hours", "replied", "skills-relaxed", "customer-wrote"];

// ApiError is a refusal: the HTTP status and the body's error code, message and (rules editing) path.
class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "";
    this.path = error.path || "";
  }
}

// api calls the server and returns the JSON answer (null for 204). A body that is a string is sent as is.
async function api(method, url, body, headers = {}) {
  const opts = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (method !== "GET") {
    opts.headers["Content-Type"] = "application/json";
    if (session.csrf) opts.headers["X-CSRF-Token"] = session.csrf;
    opts.body = typeof body === "string" ? body : JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(url, opts);
  } catch {
    throw new ApiError(0, { code: "network", message: "The server cannot be reached" });
  }
  const text = res.status === 204 ? "" : await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    throw new ApiError(res.status, (data && data.error) || { code: `http-${res.status}`, message: text.trim() || res.statusText });
  }
  return data;
}

// el makes an element: el("li", {class: "x", text: "…", "data-id": 3}, child, "text", …). Text is never parsed as HTML.
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("data-") || !(k in e)) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children.flat()) if (c != null) e.append(c);
  return e;
}

// option makes a <select>'s option.
const option = (value, label, selected = false) => el("option", { value, text: label, selected });

// debounce calls fn once, ms after the last of a burst of calls.
// latestGet returns a function that GETs url and resolves to the answer of
// its newest call only: an older answer that comes late resolves to null,
// a newer one being on its way.
function latestGet(url) {
  let calls = 0;
  return async () => {
    const mine = ++calls;
    const v = await api("GET", url);
    return mine === calls ? v : null;
  };
}

function debounce(fn, ms) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

// live follows a server-sent event stream: onEvent(kind, data) for each event of the given kinds, onOpen at
// every (re)connection. EventSource reconnects by itself after a dropped connection; when the server refuses
// the stream (it then gives up), onRefused is called and the stream is tried again a few seconds later.
function live(url, kinds, onEvent, onOpen, onRefused) {
  let es, retry, stopped = false;
  const connect = () => {
    es = new EventSource(url);
    es.addEventListener("open", () => onOpen && onOpen());
    for (const kind of kinds) {
      es.addEventListener(kind, (ev) => {
        let data = null;
        try { data = JSON.parse(ev.data); } catch { /* not JSON */ }
        onEvent(kind, data);
      });
    }
    es.addEventListener("error", () => {
      if (es.readyState !== EventSource.CLOSED || stopped) return;
      if (onRefused) onRefused();
      retry = setTimeout(connect, 5000);
    });
  };
  connect();
  return { close() { stopped = true; clearTimeout(retry); es.close(); } };
}

// fmtDuration writes milliseconds as "42s", "3m 05s" or "1h 02m".
function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
}

// ticking is a span showing a duration that goes on growing, from ms now.
function ticking(ms, props = {}) {
  const span = el("span", { ...props, text: fmtDuration(ms) });
  span.classList.add("ticking");
  span.dataset.base = String(Date.now() - ms);
  return span;
}
setInterval(() => {
  for (const s of document.querySelectorAll(".ticking")) s.textContent = fmtDuration(Date.now() - Number(s.dataset.base));
}, 1000);

const fmtTime = (at) => (at ? new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "");

// dot is a status colour dot; the colour is a name from the console's statuses (green, lime, orange, grey,
// black, …): known names get the style sheet's shade, others are used as a CSS colour.
const NAMED_DOTS = ["green", "lime", "yellow", "orange", "red", "grey", "gray", "blue", "purple", "black"];
function dot(colour) {
  const d = el("span", { class: "dot", "aria-hidden": "true" });
  setDot(d, colour);
  return d;
}
function setDot(d, colour) {
  d.className = "dot";
  d.style.backgroundColor = "";
  if (NAMED_DOTS.includes(colour)) d.classList.add(`dot-${colour}`);
  else if (colour) d.style.backgroundColor = colour;
}

// toast shows a message for a few seconds in #toast: a refusal, or (ok) a confirmation.
let toastTimer;
function toast(message, ok = false) {
  const t = $("toast");
  t.textContent = message;
  t.classList.toggle("ok", ok);
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
}

// enterSends makes Enter submit the textarea's form (Shift+Enter still starts a new line).
function enterSends(textarea) {
  textarea.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      textarea.form.requestSubmit();
    }
  });
}

// MessageList shows one conversation's messages in a <ul>, ordered and deduplicated by id; history() puts
// the messages of an earlier conversation above a divider.
class MessageList {
  constructor(ul) { this.ul = ul; this.reset(); }
  reset() { this.ul.replaceChildren(); this.seen = new Set(); this.last = 0; this.divider = null; }
  add(m) {
    if (this.seen.has(m.id)) return;
    this.seen.add(m.id);
    this.last = Math.max(this.last, m.id);
    let next = null;
    for (let n = this.ul.lastElementChild; n && n !== this.divider && Number(n.dataset.id) > m.id; n = n.previousElementSibling) next = n;
    this.ul.insertBefore(messageItem(m), next);
    this.ul.scrollTop = this.ul.scrollHeight;
  }
  history(messages, label) {
    if (!this.divider) this.ul.prepend(this.divider = el("li", { class: "divider", text: label }));
    for (const m of messages) this.divider.before(messageItem(m, "history"));
  }
}

function messageItem(m, extra = "") {
  const meta = m.kind === "system" ? null : el("div", { class: "meta" }, el("span", { class: "author", text: m.author_name }), " ",
    el("time", { text: fmtTime(m.at), dateTime: m.at }));
  return el("li", { class: `message ${m.kind} ${extra}`.trim(), "data-id": m.id }, meta, el("div", { class: "body", text: m.body }));
}

// safeNext keeps a ?next= only when it is a path on this site.
const safeNext = (s) => (s && s.startsWith("/") && !s.startsWith("//") && !s.startsWith("/\\") ? s : "");
