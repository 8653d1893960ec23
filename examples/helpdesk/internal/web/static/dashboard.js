// dashboard.js: the supervisor dashboard. GET /api/dashboard gives operators, groups, open conversations
// (with why each is where it is) and the rules; every routing event on /api/events refetches it, debounced.
"use strict";

const POLICIES = {
  balanced: { label: "balanced (capped least-loaded, cap 3)", spec: { kind: "capped", default: 3, inner: { kind: "least-loaded" } } },
  broadcast: { label: "broadcast (first take wins)", spec: { kind: "broadcast" } },
};
const enc = encodeURIComponent;
let board = null;                // the last GET /api/dashboard
let looks = new Map();           // status name → {label, colour, on_shift}, from /api/console
const assignChoice = new Map();  // conversation → the operator chosen in its select (kept across refetches)
let rulesVersion = 0;
let rulesDirty = false;          // the editor holds changes not saved

function fail(e) {
  if (e.status === 401) location.assign("/login?next=/dashboard");
  else if (e.code === "not-supervisor") deny();
  else toast(e.message);
}

function deny() {
  $("board").hidden = true;
  $("denied").hidden = false;
}

async function init() {
  let me;
  try {
    me = await api("GET", "/api/me");
  } catch (e) {
    return fail(e);
  }
  session.csrf = me.csrf;
  $("me-name").textContent = me.name;
  if (me.role !== "supervisor") return deny();
  $("board").hidden = false;
  api("GET", "/api/console").then((c) => {
    looks = new Map(c.statuses.map((s) => [s.name, s]));
    if (board) render();
  }, () => { /* statuses are shown by name */ });
  loadRules();
  refetch();
  live("/api/events", ROUTING_EVENTS, refetch, refetch, () => api("GET", "/api/me").catch(fail));
  setInterval(reloadCharts, 60000);
}

const refetch = debounce(loadDashboard, 150);

const getDashboard = latestGet("/api/dashboard");

async function loadDashboard() {
  let b;
  try {
    b = await getDashboard();
  } catch (e) {
    return fail(e);
  }
  if (!b) return; // an older answer that came late: a newer one is on its way
  board = b;
  for (const k of ["operators", "groups", "conversations"]) board[k] = board[k] || [];
  render();
}

function render() {
  renderOperators();
  renderGroups();
  renderConversations();
  if (board.rules && board.rules.version !== rulesVersion && !rulesDirty) showRules(board.rules);
}

const lvl = (index) => (index >= 0 ? index : "none");
const nameOf = (id) => (board.operators.find((o) => o.id === id) || { name: id }).name;

function rows(table, trs, text) {
  const cols = $(table).tHead.rows[0].cells.length;
  $(table).tBodies[0].replaceChildren(...(trs.length ? trs : [el("tr", {}, el("td", { colSpan: cols, class: "muted", text }))]));
}

// send makes a change, says so, and refetches.
async function send(method, url, body, done) {
  try {
    await api(method, url, body);
    toast(done, true);
  } catch (e) {
    fail(e);
  }
  refetch();
}

function today(t = {}) {
  const names = [...looks.keys(), ...Object.keys(t).filter((n) => !looks.has(n))];
  return names.filter((n) => t[n] > 0).map((n) => `${(looks.get(n) || {}).label || n} ${fmtDuration(t[n])}`).join(", ") || "—";
}

function renderOperators() {
  rows("operators", board.operators.map((o) => {
    const look = looks.get(o.status) || {};
    const force = el("button", { type: "button", class: "force-off", text: "Force off shift", disabled: look.on_shift === false });
    force.addEventListener("click", () => send("POST", `/api/operators/${enc(o.id)}/end-shift`, {}, `${o.name} is off shift`));
    return el("tr", { "data-operator": o.id },
      el("td", { text: o.name }),
      el("td", { class: "status", "data-status": o.status }, dot(look.colour || "grey"), " ", look.label || o.status),
      el("td", { class: "load", text: `${o.load}/${o.cap}` }),
      el("td", {}, ticking(o.in_status_ms)),
      el("td", { class: "today", text: today(o.today) }),
      el("td", {}, force));
  }), "No operators");
}

function policyOf(spec) {
  if (!spec) return "";
  if (spec.kind === "broadcast") return "broadcast";
  if (spec.kind === "capped" && spec.default === 3 && spec.inner && spec.inner.kind === "least-loaded") return "balanced";
  return "";
}

function renderGroups() {
  rows("groups", board.groups.map((g) => {
    const current = policyOf(g.spec);
    const sel = el("select", { class: "policy", "aria-label": `Policy of ${g.id}` },
      current ? null : option("", `${g.policy} (current)`, true),
      Object.entries(POLICIES).map(([k, p]) => option(k, p.label, k === current)));
    sel.addEventListener("change", () => {
      const p = POLICIES[sel.value];
      if (p) send("PUT", `/api/groups/${enc(g.id)}/policy`, p.spec, `${g.id}: ${p.label}`);
    });
    const wait = g.queued > 0 ? ticking(g.oldest_wait_ms, { class: `level-${lvl(g.level_index)}`, title: g.level || "" }) : "—";
    return el("tr", { "data-group": g.id },
      el("td", { text: g.id }),
      el("td", {}, sel),
      el("td", { class: g.online ? "yes" : "no", text: g.online ? "online" : "offline" }),
      el("td", { class: "queued", text: String(g.queued) }),
      el("td", {}, wait));
  }), "No groups");
}

function assignee(c) {
  if (c.assignee) return c.assignee_name || c.assignee;
  if (c.offered_to && c.offered_to.length) return `offered to ${c.offered_to.map(nameOf).join(", ")}`;
  return "—";
}

// why writes a conversation's last routing decision as a sentence, e.g. "assigned by least-loaded; skipped
// ben (at cap); rule 'shop pages go to sales' (group sales)" or "redistributed from anna by Sam (forced off shift)".
function why(c) {
  const w = c.why;
  if (!w) return "";
  const person = w.by && (w.by.kind === "admin" || w.by.kind === "operator");
  let s = w.kind || "";
  if (w.from) s += ` from ${w.from}`;
  if (person) s += ` by ${w.by_name || w.by.id}`;
  else if (w.policy) s += ` by ${w.policy}`;
  if (w.reason) s += ` (${w.reason})`;
  const parts = [s];
  if (w.skipped && w.skipped.length) parts.push(`skipped ${w.skipped.map((k) => `${k.operator} (${k.reason})`).join(", ")}`);
  const rules = (w.rules && w.rules.length ? w.rules : c.rules) || [];
  for (const r of rules) parts.push(`rule '${r.rule}'${r.changes && r.changes.length ? ` (${r.changes.join(", ")})` : ""}`);
  return parts.join("; ");
}

function assignControls(c) {
  if (c.state !== "queued" && c.state !== "offered") return [];
  const sel = el("select", { class: "assign", "aria-label": `Assign ${c.id} to` }, option("", "operator…"),
    board.operators.map((o) => option(o.id, `${o.name} (${o.load}/${o.cap})`, assignChoice.get(c.id) === o.id)));
  sel.addEventListener("change", () => assignChoice.set(c.id, sel.value));
  const b = el("button", { type: "button", class: "assign", text: "Assign" });
  b.addEventListener("click", () => {
    if (!sel.value) return toast("Choose an operator");
    assignChoice.delete(c.id);
    send("POST", `/api/conversations/${enc(c.id)}/assign`, { operator: sel.value }, `${c.id} assigned to ${nameOf(sel.value)}`);
  });
  return [sel, " ", b];
}

function renderConversations() {
  rows("conversations", board.conversations.map((c) => el("tr", { "data-conversation": c.id },
    el("td", { text: c.id }),
    el("td", { text: c.visitor_name }),
    el("td", { text: c.group }),
    el("td", { class: "state", text: c.state }),
    el("td", { class: "assignee", text: assignee(c) }),
    el("td", { class: "why", text: why(c) }),
    el("td", { class: "nowrap" }, assignControls(c)))), "No open conversations");
}

// The rules editor.

async function loadRules() {
  try {
    showRules(await api("GET", "/api/rules"));
  } catch (e) {
    fail(e);
  }
}

function showRules(r) {
  $("rules-editor").value = JSON.stringify(r.set, null, 2);
  rulesVersion = r.version;
  rulesDirty = false;
  $("rules-version").textContent = `version ${r.version}`;
  ruleProblem(null);
}

function ruleProblem(e) {
  $("rules-editor").classList.toggle("invalid", !!e);
  $("rules-error").hidden = !e;
  $("rules-error").textContent = e ? e.message : "";
  $("rules-path").hidden = !(e && e.path);
  $("rules-path").textContent = e ? e.path : "";
  $("rules-line").textContent = "";
  if (e && e.path) highlight(e.path);
}

$("rules-editor").addEventListener("input", () => { rulesDirty = true; });

$("rules-save").addEventListener("click", async () => {
  $("rules-status").textContent = "";
  try {
    const r = await api("PUT", "/api/rules", $("rules-editor").value);
    showRules(r);
    $("rules-status").textContent = `Saved as version ${r.version}`;
  } catch (e) {
    if (e.status === 401) return fail(e);
    ruleProblem(e);
  }
});

// highlight selects the editor's line holding the deepest part of path (e.g. "rules[1].when.op") found.
function highlight(path) {
  const ta = $("rules-editor");
  const text = ta.value;
  const segs = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  let at = locate(text, segs);
  if (at < 0) {
    const key = segs.filter((s) => typeof s === "string").pop();
    at = key ? text.indexOf(`"${key}"`) : -1;
  }
  if (at < 0) return;
  const start = text.lastIndexOf("\n", at - 1) + 1;
  const end = text.indexOf("\n", at);
  const line = text.slice(0, start).split("\n").length;
  ta.focus();
  ta.setSelectionRange(start, end < 0 ? text.length : end);
  ta.scrollTop = Math.max(0, (line - 4) * (parseFloat(getComputedStyle(ta).lineHeight) || 18));
  $("rules-line").textContent = `line ${line}`;
}

// locate scans JSON text for a path (["rules", 1, "when", "op"]) and returns the offset of the deepest part
// found (an object key or an array element), or -1 when not even the first is there. It keeps what it
// found before a syntax error.
function locate(text, segs) {
  let i = 0;
  let best = -1;
  const ws = () => { while (i < text.length && " \t\r\n".includes(text[i])) i++; };
  const string = () => {
    const s = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    return JSON.parse(text.slice(s, ++i));
  };
  const value = (d) => { // d: the index in segs of the part to find inside this value, -1 for none
    ws();
    const c = text[i];
    if (c === '"') return void string();
    if (c !== "{" && c !== "[") {
      while (i < text.length && !",]} \t\r\n".includes(text[i])) i++;
      return;
    }
    i++;
    ws();
    if (text[i] === (c === "{" ? "}" : "]")) return void i++;
    for (let n = 0; i < text.length; n++) {
      ws();
      const at = i;
      let hit = n === segs[d];
      if (c === "{") {
        hit = string() === segs[d];
        ws();
        i++; // the colon
      }
      hit = hit && d >= 0;
      if (hit) best = at;
      value(hit && d + 1 < segs.length ? d + 1 : -1);
      ws();
      if (text[i++] !== ",") return;
    }
  };
  try { value(0); } catch { /* not JSON: keep what was found */ }
  return best;
}

function reloadCharts() {
  for (const img of document.querySelectorAll("#charts img")) {
    const url = new URL(img.src);
    url.searchParams.set("t", String(Date.now()));
    img.src = url.pathname + url.search;
  }
}

$("logout").addEventListener("click", async () => {
  try { await api("POST", "/api/logout"); } catch { /* signed out anyway */ }
  location.assign("/login");
});

init();
