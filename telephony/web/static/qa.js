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
    class: "row", "data-call": call.id, onclick: (e) => { if (e.target.tagName !== "A") location.href = `/qa/calls/${call.id}`; },
  }, el("td", {}, el("a", { href: `/qa/calls/${encodeURIComponent(call.id)}`, class: "open" }, fmtTime(call.started_at))),
    el("td", {}, callerText(call, facts)), el("td", {}, call.transport),
    el("td", {}, facts.intent || ""), el("td", { title: facts.unresolved_reason || "" }, outcomeText(facts, call)),
    el("td", { class: facts.sentiment_label === "negative" ? "neg" : "" }, facts.sentiment_label),
    el("td", {}, facts.escalated ? "yes" : ""),
    el("td", {}, [facts.tools.join(", "), facts.tools_offered.length ? ` (offered: ${facts.tools_offered.join(", ")})` : ""].join("")),
    el("td", {}, facts.agent || ""), el("td", {}, snippet))));
  if (!calls.length) body.append(el("tr", {}, el("td", { colspan: 10 }, "No calls match.")));
  qa.searched = calls.length;
}

function callerText(call, facts) {
  if (facts.identity && facts.identity.startsWith("customer:")) return `${facts.identity.slice(9)}${call.caller_id ? " · " + call.caller_id : ""}`;
  if (call.caller_id && facts.identity) return call.caller_id;
  if (facts.identity && facts.identity.startsWith("browser:")) return `web caller ${facts.identity.slice(8, 16)}`;
  return "anonymous";
}

function outcomeText(facts, call) {
  const how = facts.outcome === "human" ? (facts.resolved ? "human · resolved" : "human · not resolved") : facts.outcome;
  return `${how} (${call.end_reason || "open"})`;
}

// ↑/↓ move between the result links (Enter opens one: they are plain links)
function listKeys(e) {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  const links = [...document.querySelectorAll("#results a.open")];
  const at = links.indexOf(document.activeElement);
  if (at < 0) return;
  e.preventDefault();
  links[Math.max(0, Math.min(links.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)))].focus();
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
  $("#results").addEventListener("keydown", listKeys);
  search();
}

// --- one call ---
function loadScript(src) {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[src="${src}"]`)) { resolve(); return; }
    const tag = document.createElement("script");
    tag.src = src; tag.onload = resolve; tag.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(tag);
  });
}

async function sentimentChart(turns, duration) {
  const pts = turns.filter((t) => t.speaker === "caller" && t.sentiment !== undefined).map((t) => ({ x: t.offset_s, y: t.sentiment }));
  const canvas = $("#sentiment");
  if (pts.length) await loadScript("/static/vendor/chartjs/chart.umd.min.js");  // charts only where drawn
  const C = window.hotlineCharts;
  const color = (v) => (v <= -0.05 ? C.COLORS.bad : v >= 0.05 ? C.COLORS.line : "#6b7385");
  C.draw(canvas, {
    type: "line",
    data: { datasets: [{ label: "Caller sentiment", data: pts, borderColor: C.COLORS.bar, pointRadius: 4,
      pointBackgroundColor: pts.map((p) => color(p.y)), pointBorderColor: pts.map((p) => color(p.y)) }] },
    options: { plugins: { legend: { display: false } }, scales: {
      x: C.axis("Seconds into the call", { type: "linear", min: 0, suggestedMax: Math.ceil(duration) }),
      y: C.axis("Sentiment (−1 … +1)", { min: -1, max: 1 }) } },
  }, $("#sentiment-empty"), pts.length === 0);
  C.caption(canvas, pts.map((p) => [fmtOffset(p.x), p.y.toFixed(2), sentimentWord(p.y)]), ["At", "Score", "Label"]);
}
const sentimentWord = (v) => (v <= -0.05 ? "negative" : v >= 0.05 ? "positive" : "neutral");
const WHO = { agent: "AI", caller: "Caller", human: "Agent", supervisor: "Supervisor" };

// a value as short readable text: no raw JSON walls
function brief(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) return v.map(brief).join(", ");
  return Object.entries(v).map(([k, x]) => `${k.replace(/_/g, " ")}: ${brief(x)}`).join("; ");
}

function renderTools(tools) {
  if (!tools.length) return [el("p", {}, "No tool calls.")];
  return [el("table", { class: "tools" }, el("thead", {}, el("tr", {}, ...["Tool", "What became of it", "Details"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...tools.map((t) => el("tr", { class: `ran-${t.ran}` },
      el("td", {}, t.tool || t.name || "?"),
      el("td", {}, t.ran === "executed" ? "executed" : t.ran === "offered" ? "offered, never confirmed" : (t.status || "–")),
      el("td", { class: "details" }, brief(Object.fromEntries(Object.entries(t).filter(([k]) =>
        !["tool", "name", "ran", "turn_id", "event_id", "offset_s", "status"].includes(k)))))))))];
}

function eventText(e) {
  const data = { ...e.data };
  if (data.package) data.package = data.package.summary || "handoff package";
  return `${e.kind.replace(/_/g, " ")}${Object.keys(data).length ? " — " + brief(data) : ""}`;
}

function reviewBox(turn, labels) {
  const mine = labels.filter((l) => l.turn_id === turn.id);
  const box = el("div", { class: "review", onclick: (e) => e.stopPropagation() },
    ...mine.map((l) => el("div", { class: "labels" }, `${l.label} by ${l.author}`,
      l.corrected_answer ? ` — corrected: “${l.corrected_answer}”` : "", l.note ? ` (${l.note})` : "")));
  if (!reviewer()) return box;
  const select = el("select", { name: "label", "aria-label": "Label for this answer" }, ...qa.labelNames.map((n) => el("option", {}, n)));
  const corrected = el("textarea", { name: "corrected_answer", rows: 2, placeholder: "corrected answer (optional)",
    "aria-label": "Corrected answer (optional)" });
  const note = el("input", { name: "note", placeholder: "note", "aria-label": "Note" });
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
  }, el("div", { class: "who" }, `${WHO[t.speaker] || t.speaker}${t.speaker === "human" && t.meta.agent ? " " + t.meta.agent : ""} · `,
    el("button", { type: "button", class: "play", "aria-label": `Play from ${fmtOffset(t.offset_s)}`,
      onclick: (e) => { e.stopPropagation(); seek(t.offset_s); } }, fmtOffset(t.offset_s))),
    el("div", { class: "text" }, t.text),
    el("div", { class: "meta" }, t.speaker === "agent"
      ? [t.meta.intent && `intent ${t.meta.intent}`, t.meta.confidence && `conf ${t.meta.confidence}`,
         t.meta.escalate && "ESCALATE", t.meta.interrupted && (t.meta.cut_by === "call_end" ? "call ended mid-reply" : "interrupted")
           + (t.meta.heard_text !== undefined ? ` (heard: "${t.meta.heard_text}")` : ""),
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
      "aria-label": `Review score for ${c.label} (0 to 1)`,
      value: card.review[c.id] ?? "", disabled: reviewer() ? null : "disabled" }))));
  form.replaceChildren(el("table", {}, el("tr", {}, el("th", {}, "criterion"), el("th", {}, "auto"), el("th", {}, "review")), ...rows),
    el("p", {}, `Automatic ${card.auto_total ?? "–"} · Final `, el("b", { id: "score-total" }, card.total ?? "–"),
      card.reviewer ? ` (reviewed by ${card.reviewer})` : ""));
  if (!reviewer()) return;
  const comment = el("textarea", { name: "comment", rows: 2, "aria-label": "Reviewer comment" }); comment.value = card.comment || "";
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
  $("#call-body").hidden = false;
  qa.call = d.call; qa.turns = d.turns; qa.labelNames = qa.labelNames || ["correct", "wrong_answer", "not_grounded",
    "should_escalate", "should_not_escalate", "bad_tone", "asr_error", "other"];
  const f = d.facts;
  $("#call-title").textContent = `Call ${d.call.id} · ${fmtTime(d.call.started_at)}`;
  const facts = { caller: d.call.caller_id, channel: d.call.transport, queue: f.queue, intent: f.intent,
    outcome: f.unresolved_reason ? `${f.outcome}: ${f.unresolved_reason}` : f.outcome, resolved: f.resolved ? "yes" : "no",
    "end reason": d.call.end_reason, agent: f.agent, customer: f.identity || "unknown", sentiment: f.sentiment_label,
    "AI handle": `${Math.round(f.ai_handle_s)} s`, "human handle": `${Math.round(f.human_handle_s)} s`,
    "p50 reply": f.latency_p50_ms ? `${f.latency_p50_ms} ms` : "–", "tools run": f.tools.join(", ") || "none",
    "tools offered, not run": f.tools_offered.join(", ") || "none" };
  $("#facts").replaceChildren(...Object.entries(facts).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "")]));
  const audio = $("#player");
  if (d.recording_url && audio.getAttribute("src") !== d.recording_url) audio.src = d.recording_url;
  audio.hidden = !d.recording_url;
  renderTranscript(d.turns, d.labels);
  const duration = Math.max(1, ...d.turns.map((t) => t.end_offset_s));
  await sentimentChart(d.turns, duration);
  $("#escalation").textContent = f.escalated ? (f.escalation_reason || "escalated") : "not escalated";
  $("#tools").replaceChildren(...renderTools(d.tools));
  $("#events").replaceChildren(...(d.events.length ? d.events.map((e) => el("li", {},
    el("span", { class: "at" }, fmtOffset(Math.max(0, e.at - d.call.started_at))), " ", eventText(e))) : [el("li", {}, "No events.")]));
  renderScorecard(d.scorecard);
  qa.loaded = true;
  qa.rendered = performance.now();
}

function initCall() {
  $("#call-view").hidden = false;
  $("#player").addEventListener("timeupdate", (e) => highlight(e.target.currentTime));
  loadCall().catch((e) => {
    $("#call-title").textContent = "Call not available";
    $("#call-error").textContent = `Cannot open this call: ${e.message}. Go back to the call list to find another.`;
    $("#call-error").hidden = false;
    $("#call-body").hidden = true;
    qa.error = e.message;
  });
}

(async function main() {
  qa.me = await api("/api/me");
  $("#me").textContent = `${qa.me.name} (${qa.me.role})`;
  $("#kpi-link").hidden = !(qa.me.role === "supervisor" || qa.me.role === "admin");
  if (location.pathname.startsWith("/qa/calls/")) initCall(); else initSearch();
})();
