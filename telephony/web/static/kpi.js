// Hotline KPI dashboard: fetches /api/kpi; charts on the vendored Chart.js (charts.js).
"use strict";
const $ = (sel) => document.querySelector(sel);
const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);
const secs = (x) => (x === null || x === undefined ? "–" : `${Math.round(x)} s`);
const C = window.hotlineCharts;

function tile(label, value, detail) {
  const d = document.createElement("div");
  d.className = "kpi";
  d.dataset.kpi = label;
  for (const [cls, text] of [["l", label], ["v", value], ["d", detail]]) {
    const s = document.createElement("div"); s.className = cls; s.textContent = text; d.append(s);
  }
  return d;
}

function say(text) { $("#message").textContent = text || ""; $("#message").hidden = !text; }

function drawDaily(days) {
  const canvas = $("#daily");
  C.draw(canvas, {
    data: { labels: days.map((d) => d.day), datasets: [
      { type: "bar", label: "Calls", data: days.map((d) => d.calls), backgroundColor: C.COLORS.bar, yAxisID: "calls",
        order: 1, maxBarThickness: 48 },
      { type: "line", label: "Automation rate (%)", data: days.map((d) => d.automation_rate === null ? null : d.automation_rate * 100),
        borderColor: C.COLORS.line, backgroundColor: C.COLORS.line, yAxisID: "rate", spanGaps: true,
        order: 0, pointRadius: 4, borderWidth: 3 }] },
    options: { scales: {
      x: C.axis("Day (UTC)"),
      calls: C.axis("Calls", { position: "left", beginAtZero: true, ticks: { precision: 0 } }),
      rate: C.axis("Automation rate (%)", { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } }) } },
  }, $("#daily-empty"), days.length === 0);
  C.caption(canvas, days.map((d) => [d.day, d.calls, pct(d.automation_rate), pct(d.escalation_rate)]),
    ["Day", "Calls", "Automation rate", "Escalation rate"]);
}

function drawReasons(k) {
  const rows = [...Object.entries(k.escalation_reasons).map(([r, n]) => [`escalated: ${r}`, n]),
    ...Object.entries(k.unresolved_reasons || {}).map(([r, n]) => [`unresolved: ${r}`, n])];
  const canvas = $("#reasons");
  canvas.parentElement.style.height = `${Math.max(120, 34 * rows.length + 60)}px`;
  C.draw(canvas, {
    type: "bar",
    data: { labels: rows.map(([r]) => r), datasets: [{ label: "Calls", data: rows.map(([, n]) => n),
      backgroundColor: rows.map(([r]) => r.startsWith("escalated") ? C.COLORS.warn : C.COLORS.bad) }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } },
      scales: { x: C.axis("Calls", { beginAtZero: true, ticks: { precision: 0 } }), y: C.axis("Reason") } },
  }, $("#reasons-empty"), rows.length === 0);
  C.caption(canvas, rows, ["Reason", "Calls"]);
}

async function load(ev) {
  if (ev) ev.preventDefault();
  const form = new FormData($("#period"));
  const params = new URLSearchParams();
  const from = form.get("from"), to = form.get("to");
  if (from && to && from > to) {
    say(`The start date (${from}) is after the end date (${to}): pick a start on or before the end.`);
    return;
  }
  if (from) params.set("since", String(Date.parse(from) / 1000));
  if (to) params.set("until", String(Date.parse(to) / 1000 + 86400));
  if (form.get("fcr_days")) params.set("fcr_days", form.get("fcr_days"));
  const res = await fetch(`/api/kpi?${params}`, { credentials: "same-origin" });
  if (res.status === 401) { location.href = "/login?next=/kpi"; return; }
  const k = await res.json();
  if (!res.ok) { say(`Cannot show this period: ${k.error || res.statusText}.`); return; }
  say(k.calls ? "" : "No calls in this period.");
  window.hotlineKPI = k;
  $("#tiles").replaceChildren(
    tile("Calls", String(k.calls), `${k.engaged} engaged, ${k.abandoned} abandoned`),
    tile("Automation rate", pct(k.automation_rate), "resolved by the AI alone (task done, no failed ending, no repeat contact)"),
    tile("First-contact resolution", pct(k.fcr_rate), `resolved, no repeat contact within ${k.fcr_days} days (${k.fcr_calls} contacts, ${k.customers} customers)`),
    tile("CSAT", pct(k.csat_rate), `${k.csat_responses} answers, avg ${k.csat_avg ?? "–"} / 5`),
    tile("Escalation rate", pct(k.escalation_rate), "escalated or handled by a human"),
    tile("AHT (AI)", secs(k.aht_ai_s), "start to end, or to the human"),
    tile("AHT (human)", secs(k.aht_human_s), "human answer to end"));
  drawDaily(k.daily);
  drawReasons(k);
  const rows = k.containment_by_intent.map((r) => {
    const tr = document.createElement("tr");
    for (const v of [r.intent, r.calls, r.contained, pct(r.rate)]) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
    return tr;
  });
  if (!rows.length) { const tr = document.createElement("tr"), td = document.createElement("td"); td.colSpan = 4; td.textContent = "No engaged calls in this period."; tr.append(td); rows.push(tr); }
  $("#containment tbody").replaceChildren(...rows);
  window.hotlineKPIRendered = performance.now();
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
