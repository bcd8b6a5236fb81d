// Hotline web chat widget: <script src="https://HOTLINE/webchat.js" defer></script> on any page of
// an allowed origin (docs/webchat.md). Options as data- attributes on that tag: data-title,
// data-identity-token (a signed-in customer's token from the site's backend), data-open ("true").
// No framework, no third-party code; the widget lives in a shadow root, styled through the CSSOM
// (no inline <style>, so the site's CSP needs no style exception). The chat's capability is kept in
// this site's localStorage (never in a URL, never logged) so a reload resumes the chat with its
// history; messages carry client ids and are resent until acknowledged. `window.hotlineChat`
// exposes the state for tests.
(() => {
  "use strict";
  const tag = document.currentScript;
  const base = new URL(tag.src);
  const wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/webchat";
  const storeKey = "hotline-webchat:" + base.origin;
  const opt = tag.dataset;
  const chat = (window.hotlineChat = { state: "idle", turns: [], typing: false, typingSeen: false,
    ended: null, rated: null, error: null, reconnects: 0 });
  const saved = (() => { try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; } })();
  const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
  saved.visitor = saved.visitor || randomId();
  const save = () => localStorage.setItem(storeKey, JSON.stringify(saved));
  save();

  const css = (el, style) => { Object.assign(el.style, style); return el; };
  const make = (name, props, style) => css(Object.assign(document.createElement(name), props || {}), style || {});
  const host = make("div", { id: "hotline-webchat" }, { position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000" });
  const root = host.attachShadow({ mode: "open" });
  const font = { font: "15px/1.4 system-ui, sans-serif", color: "#1b1b1b" };
  const toggle = make("button", { type: "button", textContent: opt.title || "Chat with us", id: "toggle" },
    { ...font, color: "#fff", background: "#0b5cad", border: "0", borderRadius: "20px", padding: "10px 18px", cursor: "pointer" });
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", "panel");
  const panel = make("section", { id: "panel", hidden: true }, { ...font, width: "min(360px, 92vw)", background: "#fff",
    border: "1px solid #888", borderRadius: "8px", boxShadow: "0 4px 16px rgba(0,0,0,.25)", marginBottom: "8px",
    display: "flex", flexDirection: "column", maxHeight: "70vh" });
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", opt.title || "Chat with us");
  const log = make("ol", { id: "log" }, { listStyle: "none", margin: "0", padding: "8px", overflowY: "auto", flex: "1", minHeight: "160px" });
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  const status = make("p", { id: "status" }, { margin: "0 8px", minHeight: "1.4em", fontStyle: "italic", color: "#444" });
  status.setAttribute("aria-live", "polite");
  const form = make("form", { id: "form" }, { display: "flex", gap: "6px", padding: "8px", borderTop: "1px solid #ccc" });
  const label = make("label", { htmlFor: "input", textContent: "Your message" }, { position: "absolute", left: "-9999px" });
  const input = make("input", { id: "input", type: "text", autocomplete: "off", maxLength: 2000 }, { ...font, flex: "1", padding: "6px" });
  const send = make("button", { type: "submit", id: "send", textContent: "Send" }, { ...font, padding: "6px 10px" });
  const leave = make("button", { type: "button", id: "leave", textContent: "End chat" }, { ...font, margin: "0 8px 8px", alignSelf: "flex-end" });
  const survey = make("fieldset", { id: "survey", hidden: true }, { margin: "8px", border: "1px solid #ccc" });
  survey.append(make("legend", { textContent: "How satisfied were you with this chat? (1 = not at all, 5 = very)" }));
  for (let n = 1; n <= 5; n++) {
    const b = make("button", { type: "button", textContent: String(n), id: "csat-" + n }, { ...font, margin: "4px", minWidth: "2.4em" });
    b.setAttribute("aria-label", `${n} out of 5`);
    b.addEventListener("click", () => { survey.disabled = true; put({ type: "csat", score: n }); });
    survey.append(b);
  }
  form.append(label, input, send);
  panel.append(log, status, survey, form, leave);
  root.append(panel, toggle);
  document.body.append(host);

  const WHO = { caller: "You", agent: "Assistant", human: "Agent" };
  const seenKeys = new Set();
  const mine = new Map(); // client id -> {text, li, acked}
  let ws = null, delay = 500, over = false;

  function linkify(li, text) { // links become links; everything else (order numbers...) stays text
    let last = 0;
    for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
      li.append(text.slice(last, m.index));
      li.append(make("a", { href: m[0], textContent: m[0], target: "_blank", rel: "noopener noreferrer" }));
      last = m.index + m[0].length;
    }
    li.append(text.slice(last));
  }

  function show(speaker, text, id) {
    const li = make("li", {}, { margin: "4px 0", padding: "6px 8px", borderRadius: "6px", maxWidth: "85%",
      background: speaker === "caller" ? "#e3efff" : "#f1f1f1", marginLeft: speaker === "caller" ? "auto" : "0" });
    li.dataset.speaker = speaker;
    li.append(make("span", { className: "who", textContent: WHO[speaker] + ": " }, { fontWeight: "600" }));
    linkify(li, text);
    log.append(li);
    log.scrollTop = log.scrollHeight;
    chat.turns.push({ speaker, text, id });
    return li;
  }

  function turn(t) {
    if (t.speaker === "caller" && t.id && mine.has(t.id)) return; // our own, shown as sent
    const key = `${t.speaker}|${t.at}|${t.text}`;
    if (seenKeys.has(key)) return;
    seenKeys.add(key);
    if (t.speaker === "caller" && t.id) mine.set(t.id, { text: t.text, acked: true });
    show(t.speaker, t.text, t.id);
  }

  function setStatus(text) { status.textContent = text; }
  function put(msg) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg)); }

  function resend() {
    for (const [id, m] of mine) if (!m.acked) put({ type: "message", id, text: m.text });
  }

  function onMessage(ev) {
    const msg = JSON.parse(ev.data);
    if (msg.type === "ready") {
      if (msg.conversation) {
        if (saved.conversation) { log.replaceChildren(); seenKeys.clear(); chat.turns = []; }
        saved.conversation = msg.conversation; save();
      }
      chat.state = "open"; delay = 500; setStatus("");
      msg.history.forEach(turn);
      resend();
    } else if (msg.type === "turn") turn(msg);
    else if (msg.type === "ack") { const m = mine.get(msg.id); if (m) { m.acked = true; if (m.li) m.li.dataset.acked = "true"; } }
    else if (msg.type === "typing") {
      chat.typing = msg.on; chat.typingSeen = chat.typingSeen || msg.on;
      setStatus(msg.on ? "Assistant is typing…" : "");
    } else if (msg.type === "ended") {
      over = true; chat.ended = msg.reason; chat.state = "ended"; delete saved.conversation; save();
      input.disabled = send.disabled = leave.disabled = true;
      setStatus("This chat has ended.");
      if (msg.csat) { survey.hidden = false; survey.querySelector("button").focus(); } else ws.close();
    } else if (msg.type === "rated") {
      chat.rated = msg.score; survey.hidden = true; setStatus("Thank you for your feedback."); ws.close();
    } else if (msg.type === "error") { chat.error = msg.error; setStatus(msg.error); }
  }

  function connect() {
    chat.state = "connecting";
    ws = new WebSocket(wsUrl);
    ws.onopen = () => put({ type: "hello", visitor: saved.visitor, conversation: saved.conversation || null,
      identity_token: opt.identityToken || null });
    ws.onmessage = onMessage;
    ws.onclose = (ev) => {
      if (over || ev.code === 4401 || ev.code === 4400) { if (!over) chat.state = "refused"; return; }
      chat.state = "reconnecting"; chat.reconnects += 1; setStatus("Reconnecting…");
      setTimeout(connect, delay); delay = Math.min(delay * 2, 15000);
    };
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text || over) return;
    input.value = "";
    const id = randomId();
    const li = show("caller", text, id);
    mine.set(id, { text, li, acked: false });
    put({ type: "message", id, text });
  });
  leave.addEventListener("click", () => put({ type: "leave" }));
  const open = (yes) => {
    panel.hidden = !yes; toggle.setAttribute("aria-expanded", String(yes));
    if (yes) { if (!ws) connect(); input.focus(); }
  };
  toggle.addEventListener("click", () => open(panel.hidden));
  chat.open = () => open(true);
  chat.disconnect = () => ws && ws.close(); // tests: a dropped connection
  if (opt.open === "true" || saved.conversation) open(true);
})();
