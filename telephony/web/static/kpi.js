// Hotline KPI dashboard: fetches /api/kpi and draws plain SVG charts (no CDN, no library).
"use strict";
const $ = (sel) => document.querySelector(sel);
const NS = "http://www.w3.org/2000/svg";
const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);
const secs = (x) => (x === null || x === undefined ? "–" : `${Math.round(x)} s`);

function svg(tag, attrs, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

function tile(label, value, detail) {
  const d = document.createElement("div");
  d.className = "kpi";
  d.dataset.kpi = label;
  for (const [cls, text] of [["l", label], ["v", value], ["d", detail]]) {
    const s = document.createElement("div"); s.className = cls; s.textContent = text; d.append(s);
  }
  return d;
}

function drawDaily(days) {
  const chart = $("#daily"); chart.replaceChildren();
  const w = 600 / Math.max(days.length, 1), max = Math.max(1, ...days.map((d) => d.calls));
  days.forEach((d, i) => {
    const h = (150 * d.calls) / max, x = 30 + i * w;
    chart.append(svg("rect", { class: "bar", x, y: 170 - h, width: Math.max(2, w * 0.6), height: h }),
      svg("text", { x, y: 185, "font-size": 9 }, d.day.slice(5)));
    if (d.automation_rate !== null) {
      chart.append(svg("circle", { cx: x + w * 0.3, cy: 170 - 150 * d.automation_rate, r: 3, fill: "#2e9d5b" }));
    }
  });
  chart.append(svg("text", { x: 2, y: 12, "font-size": 10 }, `bars: calls (max ${max}) · dots: automation rate`));
}

function drawReasons(reasons) {
  const chart = $("#reasons"); chart.replaceChildren();
  const entries = Object.entries(reasons).slice(0, 6), max = Math.max(1, ...entries.map(([, n]) => n));
  entries.forEach(([reason, n], i) => {
    const y = 8 + i * 24;
    chart.append(svg("rect", { class: "bar2", x: 220, y, width: (400 * n) / max, height: 16 }),
      svg("text", { x: 0, y: y + 12, "font-size": 11 }, reason.slice(0, 36)),
      svg("text", { x: 224 + (400 * n) / max, y: y + 12, "font-size": 11 }, String(n)));
  });
  if (!entries.length) chart.append(svg("text", { x: 4, y: 20 }, "no escalations in this period"));
}

async function load(ev) {
  if (ev) ev.preventDefault();
  const form = new FormData($("#period"));
  const params = new URLSearchParams();
  if (form.get("from")) params.set("since", String(Date.parse(form.get("from")) / 1000));
  if (form.get("to")) params.set("until", String(Date.parse(form.get("to")) / 1000 + 86400));
  if (form.get("fcr_days")) params.set("fcr_days", form.get("fcr_days"));
  const res = await fetch(`/api/kpi?${params}`, { credentials: "same-origin" });
  if (res.status === 401) { location.href = "/login?next=/kpi"; return; }
  const k = await res.json();
  if (!res.ok) { $("#tiles").textContent = k.error; return; }
  window.hotlineKPI = k;
  $("#tiles").replaceChildren(
    tile("Calls", String(k.calls), `${k.engaged} engaged, ${k.abandoned} abandoned`),
    tile("Automation rate", pct(k.automation_rate), "resolved by the AI without a human"),
    tile("First-contact resolution", pct(k.fcr_rate), `no repeat within ${k.fcr_days} days (${k.fcr_calls} calls)`),
    tile("CSAT", pct(k.csat_rate), `${k.csat_responses} answers, avg ${k.csat_avg ?? "–"} / 5`),
    tile("Escalation rate", pct(k.escalation_rate), "escalated or handled by a human"),
    tile("AHT (AI)", secs(k.aht_ai_s), "start to end, or to the human"),
    tile("AHT (human)", secs(k.aht_human_s), "human answer to end"));
  drawDaily(k.daily);
  drawReasons(k.escalation_reasons);
  $("#containment tbody").replaceChildren(...k.containment_by_intent.map((r) => {
    const tr = document.createElement("tr");
    for (const v of [r.intent, r.calls, r.contained, pct(r.rate)]) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
    const td = document.createElement("td"), s = svg("svg", { width: 120, height: 10 });
    s.append(svg("rect", { class: "bar", x: 0, y: 0, width: 120 * (r.rate || 0), height: 10 }));
    td.append(s); tr.append(td);
    return tr;
  }));
}

(async function main() {
  const me = await fetch("/api/me", { credentials: "same-origin" });
  if (me.ok) { const u = await me.json(); $("#me").textContent = `${u.name} (${u.role})`; }
  const to = new Date(), from = new Date(Date.now() - 6 * 86400e3);
  $("#period [name=to]").value = to.toISOString().slice(0, 10);
  $("#period [name=from]").value = from.toISOString().slice(0, 10);
  $("#period").addEventListener("submit", load);
  load();
})();
