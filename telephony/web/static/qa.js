// Hotline QA console: /qa (search) and /qa/calls/<id> (review), no framework, no CDN.
"use strict";
const $ = (sel) => document.querySelector(sel);
const qa = (window.hotlineQA = { me: null, call: null, turns: [] });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return node;
}
const fmtTime = (t) => (t ? new Date(t * 1000).toLocaleString() : "");
const fmtOffset = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.body) {
    headers["content-type"] = "application/json";
    headers["x-csrf-token"] = qa.me.csrf_token;
  }
  const res = await fetch(path, { ...options, headers, credentials: "same-origin" });
  if (res.status === 401) { location.href = `/login?next=${encodeURIComponent(location.pathname)}`; throw new Error("login"); }
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}
const reviewer = () => qa.me && (qa.me.role === "qa" || qa.me.role === "admin");

// --- search ---
async function search(ev) {
  if (ev) ev.preventDefault();
  const form = new FormData($("#filters"));
  const params = new URLSearchParams();
  for (const [k, v] of form.entries()) {
    if (!v) continue;
    if (k === "from") params.set("since", String(Date.parse(v) / 1000));
    else if (k === "to") params.set("until", String(Date.parse(v) / 1000 + 86400));
    else params.set(k, v);
  }
  history.replaceState(null, "", `/qa?${params}`);
  const { calls } = await api(`/api/qa/calls?${params}`);
  const body = $("#results tbody");
  body.replaceChildren(...calls.map(({ call, facts, snippet }) => el("tr", {
    class: "row", "data-call": call.id, onclick: () => { location.href = `/qa/calls/${call.id}`; },
  }, el("td", {}, fmtTime(call.started_at)), el("td", {}, call.caller_id || ""), el("td", {}, call.transport),
    el("td", {}, facts.intent || ""), el("td", {}, `${facts.outcome} (${call.end_reason || "open"})`),
    el("td", { class: facts.sentiment_label === "negative" ? "neg" : "" }, facts.sentiment_label),
    el("td", {}, facts.escalated ? "yes" : ""), el("td", {}, facts.tools.join(", ")),
    el("td", {}, facts.agent || ""), el("td", {}, snippet))));
  if (!calls.length) body.append(el("tr", {}, el("td", { colspan: 10 }, "No calls match.")));
}

function initSearch() {
  $("#search-view").hidden = false;
  $("#export").hidden = !reviewer();
  const params = new URLSearchParams(location.search);
  for (const [k, v] of params) {
    const input = $(`#filters [name="${k}"]`);
    if (input) input.value = v;
  }
  $("#filters").addEventListener("submit", search);
  search();
}

// --- one call ---
function sentimentChart(turns, duration) {
  const svg = $("#sentiment");
  const pts = turns.filter((t) => t.speaker === "caller").map((t) => [t.offset_s, t.sentiment]);
  const x = (s) => 5 + (290 * s) / Math.max(duration, 1), y = (v) => 50 - 45 * v;
  const ns = "http://www.w3.org/2000/svg";
  const line = (attrs) => { const n = document.createElementNS(ns, "line"); for (const k in attrs) n.setAttribute(k, attrs[k]); return n; };
  svg.replaceChildren(line({ x1: 0, x2: 300, y1: 50, y2: 50, stroke: "#bbb" }));
  const poly = document.createElementNS(ns, "polyline");
  poly.setAttribute("points", pts.map(([s, v]) => `${x(s)},${y(v)}`).join(" "));
  poly.setAttribute("fill", "none"); poly.setAttribute("stroke", "#3a7bd5"); poly.setAttribute("stroke-width", "2");
  svg.append(poly);
  for (const [s, v] of pts) {
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", x(s)); c.setAttribute("cy", y(v)); c.setAttribute("r", 3);
    c.setAttribute("fill", v <= -0.05 ? "#b00020" : v >= 0.05 ? "#1b7f3b" : "#888");
    svg.append(c);
  }
}

function reviewBox(turn, labels) {
  const mine = labels.filter((l) => l.turn_id === turn.id);
  const box = el("div", { class: "review", onclick: (e) => e.stopPropagation() },
    ...mine.map((l) => el("div", { class: "labels" }, `${l.label} by ${l.author}`,
      l.corrected_answer ? ` — corrected: “${l.corrected_answer}”` : "", l.note ? ` (${l.note})` : "")));
  if (!reviewer()) return box;
  const select = el("select", { name: "label" }, ...qa.labelNames.map((n) => el("option", {}, n)));
  const corrected = el("textarea", { name: "corrected_answer", rows: 2, placeholder: "corrected answer (optional)" });
  const note = el("input", { name: "note", placeholder: "note" });
  const save = el("button", { type: "button", onclick: async () => {
    await api(`/api/qa/calls/${qa.call.id}/turns/${turn.id}/label`, { method: "POST",
      body: JSON.stringify({ label: select.value, corrected_answer: corrected.value, note: note.value }) });
    loadCall();
  } }, "Label");
  const kb = el("button", { type: "button", onclick: async () => {
    const res = await api(`/api/qa/calls/${qa.call.id}/turns/${turn.id}/kb`, { method: "POST",
      body: JSON.stringify({ answer: corrected.value }) });
    alert(`Knowledge-base entry ${res.entry.doc_id} saved${res.live ? " and live" : ""}.`);
  } }, "Make KB entry");
  box.append(el("details", {}, el("summary", {}, "Review this answer"), select, corrected, note, save, kb));
  return box;
}

function renderTranscript(turns, labels) {
  $("#transcript").replaceChildren(...turns.map((t) => el("div", {
    class: `turn ${t.speaker}`, "data-turn": t.id, "data-start": t.offset_s, "data-end": t.end_offset_s,
    onclick: () => seek(t.offset_s),
  }, el("div", { class: "who" }, `${t.speaker} · ${fmtOffset(t.offset_s)}`),
    el("div", { class: "text" }, t.text),
    el("div", { class: "meta" }, t.speaker === "agent"
      ? [t.meta.intent && `intent ${t.meta.intent}`, t.meta.confidence && `conf ${t.meta.confidence}`,
         t.meta.escalate && "ESCALATE", t.meta.interrupted && "interrupted",
         (t.meta.citations || []).length && `cites ${t.meta.citations.join(", ")}`,
         t.latency.speech_end_to_first_audio_ms && `${t.latency.speech_end_to_first_audio_ms} ms`].filter(Boolean).join(" · ")
      : t.sentiment !== undefined ? `sentiment ${t.sentiment.toFixed(2)}` : ""),
    t.speaker === "agent" ? reviewBox(t, labels) : "")));
}

function renderScorecard(card) {
  const form = $("#scorecard");
  const rows = card.rubric.criteria.map((c) => el("tr", {}, el("td", {}, c.label, el("br"), el("small", {}, `weight ${c.weight ?? 1}`)),
    el("td", {}, card.auto[c.id] === null ? "–" : card.auto[c.id]),
    el("td", {}, el("input", { type: "number", min: 0, max: 1, step: 0.25, name: c.id, size: 4,
      value: card.review[c.id] ?? "", disabled: reviewer() ? null : "disabled" }))));
  form.replaceChildren(el("table", {}, el("tr", {}, el("th", {}, "criterion"), el("th", {}, "auto"), el("th", {}, "review")), ...rows),
    el("p", {}, `Automatic ${card.auto_total ?? "–"} · Final `, el("b", { id: "score-total" }, card.total ?? "–"),
      card.reviewer ? ` (reviewed by ${card.reviewer})` : ""));
  if (!reviewer()) return;
  const comment = el("textarea", { name: "comment", rows: 2 }); comment.value = card.comment || "";
  form.append(comment, el("button", { type: "submit" }, "Save score"));
  form.onsubmit = async (e) => {
    e.preventDefault();
    const scores = {};
    for (const c of card.rubric.criteria) {
      const v = form.elements[c.id].value;
      if (v !== "") scores[c.id] = Number(v);
    }
    await api(`/api/qa/calls/${qa.call.id}/score`, { method: "POST", body: JSON.stringify({ scores, comment: comment.value }) });
    loadCall();
  };
}

function seek(offset) {
  const audio = $("#player");
  audio.currentTime = offset;
  highlight(offset);
  audio.play().catch(() => {});
}

function highlight(t) {
  let current = null;
  for (const turn of qa.turns) if (turn.offset_s <= t + 0.05) current = turn;
  for (const node of document.querySelectorAll(".turn.playing")) node.classList.remove("playing");
  if (current) {
    const node = document.querySelector(`.turn[data-turn="${current.id}"]`);
    node.classList.add("playing");
    qa.playing = current.id;
  }
}

async function loadCall() {
  const id = decodeURIComponent(location.pathname.split("/").pop());
  const d = await api(`/api/qa/calls/${encodeURIComponent(id)}`);
  qa.call = d.call; qa.turns = d.turns; qa.labelNames = qa.labelNames || ["correct", "wrong_answer", "not_grounded",
    "should_escalate", "should_not_escalate", "bad_tone", "asr_error", "other"];
  const f = d.facts;
  $("#call-title").textContent = `Call ${d.call.id} · ${fmtTime(d.call.started_at)}`;
  const facts = { caller: d.call.caller_id, channel: d.call.transport, queue: f.queue, intent: f.intent,
    outcome: f.outcome, "end reason": d.call.end_reason, agent: f.agent, sentiment: `${f.sentiment_label} (${f.sentiment ?? "–"})`,
    "AI handle": `${Math.round(f.ai_handle_s)} s`, "human handle": `${Math.round(f.human_handle_s)} s`,
    "p50 reply": f.latency_p50_ms ? `${f.latency_p50_ms} ms` : "–", tools: f.tools.join(", ") || "none" };
  $("#facts").replaceChildren(...Object.entries(facts).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "")]));
  const audio = $("#player");
  if (d.recording_url && audio.getAttribute("src") !== d.recording_url) audio.src = d.recording_url;
  audio.hidden = !d.recording_url;
  renderTranscript(d.turns, d.labels);
  const duration = Math.max(1, ...d.turns.map((t) => t.end_offset_s));
  sentimentChart(d.turns, duration);
  $("#escalation").textContent = f.escalated ? (f.escalation_reason || "escalated") : "not escalated";
  $("#tools").replaceChildren(...(d.tools.length ? d.tools.map((t) => el("pre", {}, JSON.stringify(t, null, 1))) : [el("p", {}, "none")]));
  $("#events").replaceChildren(...d.events.map((e) => el("li", {}, `${fmtOffset(Math.max(0, e.at - d.call.started_at))} ${e.kind} ${JSON.stringify(e.data)}`)));
  renderScorecard(d.scorecard);
  qa.loaded = true;
}

function initCall() {
  $("#call-view").hidden = false;
  $("#player").addEventListener("timeupdate", (e) => highlight(e.target.currentTime));
  loadCall().catch((e) => { $("#call-title").textContent = `Cannot open the call: ${e.message}`; });
}

(async function main() {
  qa.me = await api("/api/me");
  $("#me").textContent = `${qa.me.name} (${qa.me.role})`;
  $("#kpi-link").hidden = !(qa.me.role === "supervisor" || qa.me.role === "admin");
  if (location.pathname.startsWith("/qa/calls/")) initCall(); else initSearch();
})();
