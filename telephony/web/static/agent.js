// Hotline agent desktop: presence, waiting calls with their handoff package, one-click answer
// over WebRTC, live transcript, wrap-up. `window.desk` exposes state for tests.
"use strict";

const $ = (id) => document.getElementById(id);
const desk = (window.desk = { state: "idle", me: null, waiting: [], callId: null, package: null,
  turns: [], rmsMax: 0, loudFrames: 0, wrapped: false, error: null });
let csrf = null, pc = null, mic = null, feed = null, events = null, meterTimer = null;

async function api(path, body) {
  if (!csrf) csrf = (await (await fetch("/api/me")).json()).csrf_token;
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

function renderWaiting() {
  const list = $("waiting");
  list.replaceChildren();
  $("no-waiting").hidden = desk.waiting.length > 0;
  for (const entry of desk.waiting) {
    const p = entry.package || {};
    const li = document.createElement("li");
    li.dataset.callId = entry.call_id;
    const head = document.createElement("strong");
    head.textContent = `${entry.queue} · ${p.channel || ""} · ${p.caller_id || "unknown caller"}`;
    const summary = document.createElement("span");
    summary.className = "summary";
    summary.textContent = `${p.summary || ""} Sentiment ${p.sentiment ?? "–"}.`;
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
  const rows = [["Summary", p.summary], ["Reason", p.reason], ["Customer", p.customer ? `${p.customer.name} (${p.customer.tier})` : "not identified"],
    ["Identity", p.identity ? `${p.identity.level}${p.identity.verified_by ? " by " + p.identity.verified_by : ""}${p.identity.account_holder === false ? ", not the account holder" : ""}` : "–"],
    ["Intent", p.intent || "–"], ["Steps done", (p.steps_done || []).join(", ") || "none"], ["Sentiment", p.sentiment ?? "–"],
    ["Queue", `${p.queue} (${p.routed_by})`]];
  for (const [k, v] of rows) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = String(v);
    dl.append(dt, dd);
  }
  $("turns").replaceChildren();
}

function addTurn(t) {
  desk.turns.push(t);
  const li = document.createElement("li");
  li.className = t.speaker;
  li.textContent = `${t.speaker}: ${t.text}`;
  $("turns").append(li);
}

function onFeed(msg) {
  if (msg.type === "snapshot") {
    desk.me = msg.me; $("me").textContent = msg.me || "";
    desk.waiting = msg.waiting; $("presence").value = msg.presence;
  } else if (msg.type === "queued") {
    desk.waiting = desk.waiting.filter((e) => e.call_id !== msg.entry.call_id).concat([msg.entry]);
  } else if (msg.type === "answered" || msg.type === "ended") {
    desk.waiting = desk.waiting.filter((e) => e.call_id !== msg.call_id);
    if (msg.type === "ended" && msg.call_id === desk.callId) endCall("caller_hangup");
  } else if (msg.type === "presence" && msg.agent === desk.me) {
    $("presence").value = msg.status;
  }
  renderWaiting();
}

function openFeed() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  feed = new WebSocket(`${scheme}//${location.host}/ws/desk`);
  feed.onmessage = (e) => onFeed(JSON.parse(e.data));
  feed.onclose = () => setTimeout(openFeed, 2000);
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
    $("current").hidden = false;
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
  setState(desk.callId ? "wrapup" : "idle");
  renderWaiting();
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
    desk.wrapped = true; $("wrapup-saved").hidden = false;
    desk.callId = null; setState("idle"); renderWaiting();
  } catch (err) { showError(String(err.message || err)); }
});
$("presence").addEventListener("change", () => api("/api/desk/presence", { status: $("presence").value }).catch((e) => showError(String(e.message))));
window.deskSetPresence = (status) => api("/api/desk/presence", { status });
openFeed();
