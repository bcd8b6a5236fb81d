// Shared chart helpers for the QA and KPI consoles, on the vendored Chart.js
// (static/vendor/chartjs: version and licence there). Every chart has axes with units, a text
// alternative (aria-label plus a data table for screen readers) and an empty state.
"use strict";
window.hotlineCharts = (function () {
  const COLORS = { bar: "#2f6fbd", line: "#1a7f37", warn: "#b35900", bad: "#b3261e", grid: "#d9dde3", ink: "#1d2330" };
  const charts = new Map();

  function caption(canvas, rows, header) {
    // the same figures as a table, for screen readers (the canvas itself is one image)
    let table = canvas.parentElement.querySelector("table.chart-data");
    if (!table) {
      table = document.createElement("table");
      table.className = "chart-data visually-hidden";
      canvas.parentElement.append(table);
    }
    const tr = (cells, tag) => { const r = document.createElement("tr"); for (const c of cells) { const d = document.createElement(tag); d.textContent = c; r.append(d); } return r; };
    table.replaceChildren(tr(header, "th"), ...rows.map((r) => tr(r, "td")));
  }

  function draw(canvas, config, empty, isEmpty) {
    if (charts.has(canvas)) { charts.get(canvas).destroy(); charts.delete(canvas); }
    canvas.parentElement.hidden = isEmpty;
    if (empty) empty.hidden = !isEmpty;
    if (isEmpty) return null;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    const chart = new Chart(canvas, config);
    charts.set(canvas, chart);
    return chart;
  }

  function axis(title, extra) {
    return Object.assign({ title: { display: true, text: title, color: COLORS.ink }, ticks: { color: COLORS.ink },
      grid: { color: COLORS.grid } }, extra || {});
  }
  return { COLORS, draw, axis, caption };
})();
