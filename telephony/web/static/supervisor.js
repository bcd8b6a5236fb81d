// Hotline wallboard: a snapshot, then patches pushed over WS /ws/wallboard
// (telephony/contact_center/board.py). Each call is one card keyed by its id and updated in
// place, so what the supervisor types (guidance for the AI), focus and selection survive
// every update; clocks tick here from start times. Listen, whisper and barge over WebRTC.
// `window.board` exposes state for tests.
"use strict";

const $ = (id) => document.getElementById(id);
const board = (window.board = {
  calls: new Map(), queues: [], agents: [], callbacks: [], figures: [], settings: {},
  offset: 0, patches: 0, patchesByCall: {}, live: false, state: "idle", callId: null, mode: null, error: null,
  get snapshot() { return { calls: [...this.calls.values()], queues: this.queues, agents: this.agents }; },
});
let csrf = null, pc = null, mic = null, socket = null;
const MODES = ["listen", "whisper", "barge"];

async function api(path, body) {
  if (!csrf) csrf = (await window.shell.me).csrf_token;
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body || {}) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

const now = () => Date.now() / 1000 + board.offset;
function showError(message) { board.error = message; $("error").textContent = message; $("error").hidden = !message; }
function clock(s) {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}
function timer(since) { const s = el("span", { className: "timer" }); s.dataset.since = since ?? ""; return s; }
function tickClocks() {
  const t = now();
  for (const node of document.querySelectorAll("[data-since]")) {
    const since = parseFloat(node.dataset.since);
    node.textContent = Number.isFinite(since) ? clock(t - since) : "–";
  }
}
function pct(x) { return x == null ? "–" : `${Math.round(x * 100)}%`; }
function sentimentLabel(score) {
  if (score == null) return "–";
  return score <= -0.3 ? "negative" : score >= 0.3 ? "positive" : "neutral";
}
const TREND = { rising: "↑ improving", falling: "↓ worsening", steady: "→ steady" };

// --- calls: one card each, built once, then patched ---
function field(tag, name, props = {}, ...children) {
  const node = el(tag, props, ...children); node.dataset.f = name; return node;
}

function callCard(id) {
  const li = el("li", { id: `call-${id}` });
  li.dataset.callId = id;
  const duration = timer(null); duration.dataset.f = "duration";
  const inState = timer(null); inState.dataset.f = "in_state";
  const head = el("div", { className: "head" }, field("span", "caller", { className: "who" }),
    field("span", "channel"), field("span", "mode", { className: "status" }),
    el("span", { className: "muted" }, "in call ", duration));
  const facts = el("dl", { className: "facts" });
  for (const [label, dd] of [["Handled by", field("dd", "handler")], ["In state", el("dd", {}, inState)],
    ["Intent", field("dd", "intent")], ["Sentiment", field("dd", "sentiment")], ["Queue", field("dd", "queue")],
    ["Call", field("dd", "short_id")]]) facts.append(el("dt", {}, label), dd);
  const actions = el("div", { className: "actions" });
  for (const mode of MODES) {
    const b = el("button", { type: "button", className: "secondary", id: `${mode}-${id}`,
      textContent: mode[0].toUpperCase() + mode.slice(1) });
    b.setAttribute("aria-pressed", "false");
    b.addEventListener("click", () => supervise(id, mode));
    actions.append(b);
  }
  const leaveButton = field("button", "leave", { type: "button", className: "danger", textContent: "Leave", hidden: true });
  leaveButton.addEventListener("click", leave);
  actions.append(leaveButton);
  const input = el("input", { id: `guidance-${id}`, className: "guidance", placeholder: "Guidance for the AI",
    autocomplete: "off", maxLength: 500 });
  input.setAttribute("aria-label", "Guidance for the AI on this call");
  const sent = el("span", { className: "sent", hidden: true, textContent: "Sent to the AI" });
  const form = el("form", { className: "guidance" }, input, el("button", { type: "submit", textContent: "Send" }), sent);
  form.addEventListener("submit", (e) => { e.preventDefault(); sendGuidance(id, input, sent); });
  li.append(head, facts, actions, form);
  return li;
}

function setField(card, name, text) {
  const node = card.querySelector(`[data-f="${name}"]`);
  if (node && node.textContent !== text) node.textContent = text;
}

function renderCall(row) {
  let card = $(`call-${row.call_id}`);
  if (!card) { card = callCard(row.call_id); $("calls").append(card); }
  setField(card, "caller", row.caller_id || "unknown caller");
  setField(card, "channel", row.channel);
  setField(card, "handler", row.handler);
  setField(card, "intent", row.intent || "–");
  setField(card, "queue", row.queue || "–");
  setField(card, "short_id", row.call_id.slice(0, 8));
  const trend = row.sentiment == null ? "" : ` (${TREND[row.sentiment_trend] || row.sentiment_trend})`;
  setField(card, "sentiment", sentimentLabel(row.sentiment) + trend);
  card.querySelector('[data-f="sentiment"]').className = `trend-${row.sentiment_trend}`;
  const mode = card.querySelector('[data-f="mode"]');
  const label = row.callback_pending ? "callback booked" : { ai: "AI", hold: "waiting", human: "with agent" }[row.mode] || row.mode;
  mode.textContent = label;
  mode.className = `status ${{ ai: "good", hold: "warn", human: "connected" }[row.mode] || ""}`;
  card.querySelector('[data-f="duration"]').dataset.since = row.started_at;
  card.querySelector('[data-f="in_state"]').dataset.since = row.mode_since;
  card.querySelector("form.guidance").hidden = row.mode === "human" || row.callback_pending;
  markMonitored(card, row.call_id);
}

function markMonitored(card, id) {
  const mine = board.callId === id;
  card.classList.toggle("monitored", mine);
  for (const mode of MODES) card.querySelector(`#${mode}-${CSS.escape(id)}`).setAttribute("aria-pressed", String(mine && board.mode === mode));
  card.querySelector('[data-f="leave"]').hidden = !mine;
}

function removeCall(id) {
  board.calls.delete(id);
  const card = $(`call-${id}`);
  if (card) card.remove();
  if (board.callId === id) leave();
}

function renderCallCount() {
  $("no-calls").hidden = board.calls.size > 0;
  $("call-count").textContent = board.calls.size ? `(${board.calls.size})` : "";
}

// --- the other panels: small, re-rendered whole when they change ---
function renderQueues() {
  $("queues").replaceChildren(...board.queues.map((q) => el("tr", {},
    el("td", { textContent: q.queue }), el("td", { textContent: String(q.waiting) }),
    el("td", {}, q.oldest_at ? timer(q.oldest_at) : "–"))));
}

function renderAgents() {
  $("no-agents").hidden = board.agents.length > 0;
  $("agents").replaceChildren(...board.agents.map((a) => {
    const li = el("li", {}, el("span", { className: "name", textContent: a.agent }),
      el("span", { className: `status ${a.status}`, textContent: a.status }), el("span", { className: "muted" }, "for ", timer(a.since)));
    li.dataset.agent = a.agent; li.dataset.status = a.status;
    return li;
  }));
}

function renderCallbacks() {
  $("no-callbacks").hidden = board.callbacks.length > 0;
  $("callbacks").replaceChildren(...board.callbacks.map((c) => {
    const li = el("li", {}, el("strong", { textContent: c.caller_id }), ` · ${c.queue} · asked `, timer(c.requested_at), " ago",
      el("span", { className: "muted", textContent: ` (waited ${clock(c.waited_s)})` }));
    li.dataset.callbackId = c.id;
    return li;
  }));
}

function renderFigures() {
  const s = board.settings;
  const within = Math.round(s.service_level_s || 0);
  $("sl-head").textContent = `Answered in ${within} s`;
  $("figures-window").textContent = s.figures_window_s ? `(last ${Math.round(s.figures_window_s / 60)} min)` : "";
  const td = (label, text) => { const c = el("td", { textContent: text }); c.dataset.label = label; return c; };
  $("figures").replaceChildren(...board.figures.map((f) => {
    const offered = f.answered + f.abandoned;
    const tr = el("tr", {}, td("Queue", f.queue),
      td(`Answered in ${within} s`, offered ? `${pct(f.service_level)} (${f.answered_in_time} of ${offered})` : "–"),
      td("ASA", f.asa_s == null ? "–" : `${Math.round(f.asa_s)} s`),
      td("Abandoned", offered ? `${f.abandoned} (${pct(f.abandon_rate)})` : "0"),
      td("Callbacks", String(f.callbacks)));
    tr.dataset.queue = f.queue;
    return tr;
  }));
}

function apply(msg) {
  board.patches += 1;
  if (msg.type === "snapshot") {
    board.offset = msg.now - Date.now() / 1000;
    board.settings = msg.settings || {};
    const ids = new Set(msg.calls.map((r) => r.call_id));
    for (const id of [...board.calls.keys()]) if (!ids.has(id)) removeCall(id);
    for (const row of msg.calls) { board.calls.set(row.call_id, row); renderCall(row); }
    Object.assign(board, { queues: msg.queues, agents: msg.agents, callbacks: msg.callbacks, figures: msg.figures });
    renderQueues(); renderAgents(); renderCallbacks(); renderFigures();
  } else if (msg.type === "call") {
    board.calls.set(msg.row.call_id, msg.row); renderCall(msg.row);
    board.patchesByCall[msg.row.call_id] = (board.patchesByCall[msg.row.call_id] || 0) + 1;
  } else if (msg.type === "call_removed") {
    removeCall(msg.call_id);
  } else if (msg.type === "queues") { board.queues = msg.queues; renderQueues(); }
  else if (msg.type === "agents") { board.agents = msg.agents; renderAgents(); }
  else if (msg.type === "callbacks") { board.callbacks = msg.callbacks; renderCallbacks(); }
  else if (msg.type === "figures") { board.figures = msg.figures; renderFigures(); }
  renderCallCount();
  tickClocks();
}

// --- listen / whisper / barge ---
function iceGathered(conn, timeoutMs) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    conn.addEventListener("icegatheringstatechange", () => { if (conn.iceGatheringState === "complete") resolve(); });
    setTimeout(resolve, timeoutMs);
  });
}

function setState(state, mode) {
  board.state = state; board.mode = mode || null;
  $("status").textContent = state === "idle" ? "Not monitoring"
    : `${state === "connected" ? "Monitoring" : "Connecting"} (${mode}) ${board.callId ? board.callId.slice(0, 8) : ""}`;
  $("status").dataset.state = state;
  $("status").className = `status ${state}`;
  for (const card of document.querySelectorAll("#calls > li")) markMonitored(card, card.dataset.callId);
}

async function supervise(callId, mode) {
  showError("");
  try {
    if (pc && board.callId === callId) {
      await api(`/api/supervise/${callId}/mode`, { mode });
      setState(board.state, mode);
      return;
    }
    if (pc) await leave();
    mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false,
      autoGainControl: false, channelCount: 1 } });
    pc = new RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver(mic.getAudioTracks()[0], { direction: "sendrecv", streams: [mic] });
    pc.ontrack = (e) => { $("remote-audio").srcObject = e.streams[0] || new MediaStream([e.track]); };
    pc.onconnectionstatechange = () => { if (pc && pc.connectionState === "connected") setState("connected", board.mode); };
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc, 2000);
    board.callId = callId;
    setState("connecting", mode);
    const answer = await api(`/api/supervise/${callId}/join`, { sdp: pc.localDescription.sdp, type: "offer", mode });
    await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
  } catch (err) { showError(String(err.message || err)); }
}

async function leave() {
  const callId = board.callId;
  if (pc) { pc.close(); pc = null; }
  if (mic) { mic.getTracks().forEach((t) => t.stop()); mic = null; }
  board.callId = null; setState("idle");
  if (callId && board.calls.has(callId)) await api(`/api/supervise/${callId}/leave`).catch(() => {});
}

async function sendGuidance(callId, input, sent) {
  if (!input.value.trim()) return;
  try {
    await api(`/api/supervise/${callId}/guidance`, { text: input.value });
    input.value = ""; sent.hidden = false; setTimeout(() => { sent.hidden = true; }, 3000);
  } catch (err) { showError(String(err.message || err)); }
}

function openBoard() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws/wallboard`);
  socket.onopen = () => { board.live = true; $("live").textContent = "Live"; $("live").className = "status good"; };
  socket.onmessage = (e) => apply(JSON.parse(e.data));
  socket.onclose = () => {
    board.live = false; $("live").textContent = "Reconnecting…"; $("live").className = "status warn";
    setTimeout(openBoard, 2000);
  };
}

window.boardSupervise = supervise;
window.boardGuidance = (callId, text) => api(`/api/supervise/${callId}/guidance`, { text });
window.boardLeave = leave;
setInterval(tickClocks, 1000);
openBoard();
