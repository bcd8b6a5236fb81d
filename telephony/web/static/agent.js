// Hotline agent desktop: presence (with a heartbeat while the page is open, and the time in
// state), waiting calls with their handoff package and callback tasks pushed over WS /ws/desk,
// one-click answer over WebRTC, live transcript, wrap-up. `window.desk` exposes state for tests.
"use strict";

const $ = (id) => document.getElementById(id);
const desk = (window.desk = { state: "idle", me: null, waiting: [], callbacks: [], presence: null, offset: 0,
  heartbeats: 0, callId: null, package: null, turns: [], rmsMax: 0, loudFrames: 0, wrapped: false, error: null });
let csrf = null, pc = null, mic = null, feed = null, events = null, meterTimer = null, beat = null;

async function api(path, body) {
  if (!csrf) csrf = (await window.shell.me).csrf_token;
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body || {}) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function setState(state) {
  desk.state = state;
  $("status").textContent = state[0].toUpperCase() + state.slice(1);
  $("status").dataset.state = state;
}

function showError(message) { desk.error = message; $("error").textContent = message; $("error").hidden = !message; }

const WHO = { agent: "AI", caller: "Caller", human: "You", supervisor: "Supervisor" };

function customerText(c) {
  if (!c) return "not identified";
  const tier = c.tier ? `, ${c.tier} member` : "";
  return `${c.name}${tier} (${c.method || "identified by the AI"})`;
}

function sentimentText(p) {
  if (p.sentiment_label) return `${p.sentiment_label}, ${p.sentiment_trend || "steady"}`;
  return p.sentiment == null ? "not enough said" : p.sentiment <= -0.05 ? "negative" : p.sentiment >= 0.05 ? "positive" : "neutral";
}

function renderWaiting() {
  const list = $("waiting");
  list.replaceChildren();
  $("no-waiting").hidden = desk.waiting.length > 0;
  for (const entry of desk.waiting) {
    const p = entry.package || {};
    const li = document.createElement("li");
    li.dataset.callId = entry.call_id;
    const head = document.createElement("strong");
    head.textContent = `${entry.queue} · ${p.channel || ""} · ${p.customer ? p.customer.name : p.caller_id || "unknown caller"}`;
    const summary = document.createElement("span");
    summary.className = "summary";
    summary.textContent = `${p.summary || ""} Sentiment: ${sentimentText(p)}.`;
    const answer = document.createElement("button");
    answer.className = "answer call";
    answer.id = "answer-" + entry.call_id;
    answer.textContent = "Answer";
    answer.disabled = desk.state !== "idle";
    answer.addEventListener("click", () => answerCall(entry));
    li.append(head, summary, answer);
    list.append(li);
  }
}

function renderPackage(p) {
  const dl = $("package");
  dl.replaceChildren();
  const c = p.customer;
  const rows = [["Customer", c ? c.name : "not identified"], ["Tier", c && c.tier ? c.tier : "–"],
    ["Verification", c ? (c.method || "identified by the AI") : "none"], ["Caller id", p.caller_id || "none (web caller)"],
    ["Summary", p.summary], ["Reason", p.reason], ["Intent", p.intent || "–"],
    ["Steps done", (p.steps_done || []).join(", ") || "none"], ["Sentiment", sentimentText(p)],
    ["Identity", p.identity ? `${p.identity.level}${p.identity.verified_by ? " by " + p.identity.verified_by : ""}${p.identity.account_holder === false ? ", not the account holder" : ""}` : "–"],
    ["Queue", `${p.queue} (${p.routed_by})`]];
  for (const [k, v] of rows) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = String(v);
    dd.dataset.field = k.toLowerCase().replace(/ /g, "-");
    dl.append(dt, dd);
  }
  $("turns").replaceChildren();
}

function addTurn(t) {
  desk.turns.push(t);
  const li = document.createElement("li");
  li.className = t.speaker;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = WHO[t.speaker] || t.speaker;
  li.append(who, document.createTextNode(" " + t.text));
  $("turns").append(li);
}

function clock(s) { s = Math.max(0, Math.floor(s)); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; }
function tickPresence() {
  if (desk.presence) $("presence-timer").textContent = clock(Date.now() / 1000 + desk.offset - desk.presence.since);
}
function showPresence(p) { desk.presence = p; if (p.status !== "offline") $("presence").value = p.status; tickPresence(); }

function renderCallbacks() {
  $("no-callbacks").hidden = desk.callbacks.length > 0;
  $("callbacks").replaceChildren(...desk.callbacks.map((c) => {
    const li = document.createElement("li");
    li.dataset.callbackId = c.id;
    const who = document.createElement("strong"); who.textContent = c.caller_id;
    const when = document.createElement("span");
    when.textContent = `${c.queue} · asked at ${new Date(c.requested_at * 1000).toLocaleTimeString()}`;
    const done = document.createElement("button");
    done.type = "button"; done.className = "secondary"; done.textContent = "Called back";
    done.id = `callback-done-${c.id}`;
    done.addEventListener("click", () => api(`/api/desk/callbacks/${c.id}/done`).catch((e) => showError(String(e.message))));
    li.append(who, when, done);
    return li;
  }));
}

function onFeed(msg) {
  if (msg.type === "snapshot") {
    desk.me = msg.me; desk.offset = msg.now - Date.now() / 1000;
    desk.waiting = msg.waiting; desk.callbacks = msg.callbacks; showPresence(msg.presence);
    clearInterval(beat);
    beat = setInterval(() => { if (feed.readyState === 1) { feed.send(JSON.stringify({ type: "heartbeat" })); desk.heartbeats += 1; } },
      msg.heartbeat_s * 1000);
  } else if (msg.type === "queued") {
    desk.waiting = desk.waiting.filter((e) => e.call_id !== msg.entry.call_id).concat([msg.entry]);
  } else if (msg.type === "answered" || msg.type === "ended" || msg.type === "dequeued") {
    desk.waiting = desk.waiting.filter((e) => e.call_id !== msg.call_id);
    if (msg.type === "ended" && msg.call_id === desk.callId) endCall("caller_hangup");
  } else if (msg.type === "presence" && msg.agent === desk.me) {
    showPresence(msg);
  } else if (msg.type === "callback") {
    desk.callbacks = desk.callbacks.filter((c) => c.id !== msg.callback.id).concat([msg.callback]);
  } else if (msg.type === "callback_done") {
    desk.callbacks = desk.callbacks.filter((c) => c.id !== msg.id);
  }
  renderWaiting();
  renderCallbacks();
}

function openFeed() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  feed = new WebSocket(`${scheme}//${location.host}/ws/desk`);
  feed.onmessage = (e) => onFeed(JSON.parse(e.data));
  feed.onclose = () => { clearInterval(beat); setTimeout(openFeed, 2000); };
}

function iceGathered(conn, timeoutMs) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    conn.addEventListener("icegatheringstatechange", () => { if (conn.iceGatheringState === "complete") resolve(); });
    setTimeout(resolve, timeoutMs);
  });
}

function meter(stream) {
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  return () => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0; for (const x of buf) sum += x * x;
    const rms = Math.sqrt(sum / buf.length);
    $("caller-level").value = Math.min(1, rms * 4);
    desk.rmsMax = Math.max(desk.rmsMax, rms);
    if (rms > 0.01) desk.loudFrames += 1;
  };
}

async function answerCall(entry) {
  showError("");
  setState("connecting");
  renderWaiting();
  try {
    mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false,
      autoGainControl: false, channelCount: 1 } });
    pc = new RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver(mic.getAudioTracks()[0], { direction: "sendrecv", streams: [mic] });
    pc.ontrack = (e) => {
      const stream = e.streams[0] || new MediaStream([e.track]);
      $("remote-audio").srcObject = stream;
      const m = meter(stream);
      meterTimer = setInterval(m, 50);
    };
    pc.onconnectionstatechange = () => {
      if (pc && pc.connectionState === "connected") setState("connected");
      if (pc && pc.connectionState === "failed") endCall("connection failed");
    };
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc, 2000);
    const answer = await api(`/api/desk/calls/${entry.call_id}/answer`, { sdp: pc.localDescription.sdp, type: "offer" });
    desk.callId = entry.call_id; desk.package = answer.package; desk.turns = []; desk.wrapped = false;
    $("call-id").textContent = entry.call_id.slice(0, 8);
    $("current").hidden = false; $("hangup").disabled = false;
    $("wrapup-saved").hidden = true; $("last-wrapup").hidden = true;
    renderPackage(answer.package);
    await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    events = new WebSocket(`${scheme}//${location.host}/ws/calls/${entry.call_id}/events`);
    events.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === "turn") addTurn(m); if (m.type === "call_ended") endCall(m.reason); };
  } catch (err) {
    showError(String(err.message || err));
    endCall("failed");
  }
}

function endCall(reason) {
  if (desk.state === "idle" || desk.state === "wrapup") return;
  clearInterval(meterTimer);
  if (pc) { pc.onconnectionstatechange = null; pc.close(); pc = null; }
  if (mic) { mic.getTracks().forEach((t) => t.stop()); mic = null; }
  if (events && events.readyState <= 1) events.close();
  desk.endReason = reason;
  $("hangup").disabled = true;
  setState(desk.callId ? "wrapup" : "idle");
  if (!desk.callId) clearCall();
  renderWaiting();
}

// After wrap-up (or a failed answer) the old call is gone from the desktop: no panel, no Hang up.
function clearCall() {
  $("current").hidden = true;
  $("package").replaceChildren(); $("turns").replaceChildren();
  $("call-id").textContent = ""; $("notes").value = "";
  $("hangup").disabled = true;
  desk.package = null;
}

$("hangup").addEventListener("click", async () => {
  const callId = desk.callId;
  endCall("agent_hangup");
  if (callId) await api(`/api/desk/calls/${callId}/hangup`).catch(() => {});
});
$("wrapup").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!desk.callId) return;
  try {
    await api(`/api/desk/calls/${desk.callId}/wrapup`, { disposition: $("disposition").value, notes: $("notes").value });
    desk.wrapped = true;
    $("last-wrapup").textContent = `Wrap-up saved for call ${desk.callId.slice(0, 8)} (${$("disposition").value.replace(/_/g, " ")}).`;
    $("last-wrapup").hidden = false;
    desk.callId = null; clearCall(); setState("idle"); renderWaiting();
  } catch (err) { showError(String(err.message || err)); }
});
$("presence").addEventListener("change", () => api("/api/desk/presence", { status: $("presence").value }).catch((e) => showError(String(e.message))));
window.deskSetPresence = (status) => api("/api/desk/presence", { status });
setInterval(tickPresence, 1000);
openFeed();
