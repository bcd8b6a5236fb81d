// Hotline wallboard: live calls and queues over a websocket; listen, whisper (voice, or text to
// the AI) and barge over WebRTC. `window.board` exposes state for tests.
"use strict";

const $ = (id) => document.getElementById(id);
const board = (window.board = { snapshot: null, state: "idle", callId: null, mode: null, rmsMax: 0, error: null });
let csrf = null, pc = null, mic = null, socket = null;

async function api(path, body) {
  if (!csrf) csrf = (await (await fetch("/api/me")).json()).csrf_token;
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body || {}) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function showError(message) { board.error = message; $("error").textContent = message; $("error").hidden = !message; }
function fmt(s) { s = Math.floor(s); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; }
function cell(text) { const td = document.createElement("td"); td.textContent = text == null ? "–" : String(text); return td; }

function button(label, onClick) {
  const b = document.createElement("button"); b.type = "button"; b.textContent = label; b.addEventListener("click", onClick); return b;
}

function render(snap) {
  board.snapshot = snap;
  $("queues").replaceChildren(...snap.queues.map((q) => {
    const tr = document.createElement("tr"); tr.append(cell(q.queue), cell(q.waiting), cell(fmt(q.longest_wait_s))); return tr; }));
  $("agents").replaceChildren(...snap.agents.map((a) => { const li = document.createElement("li"); li.textContent = `${a.agent}: ${a.status}`; return li; }));
  $("calls").replaceChildren(...snap.calls.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.callId = c.call_id;
    if (c.call_id === board.callId) tr.className = "monitored";
    const sentiment = c.sentiment == null ? "–" : `${c.sentiment} (${c.sentiment_trend})`;
    tr.append(cell(c.call_id.slice(0, 8)), cell(c.channel), cell(fmt(c.duration_s)), cell(c.intent), cell(sentiment),
      cell(c.handler), cell(c.queue || "general"));
    const td = document.createElement("td");
    for (const mode of ["listen", "whisper", "barge"]) {
      const b = button(mode[0].toUpperCase() + mode.slice(1), () => supervise(c.call_id, mode));
      b.id = `${mode}-${c.call_id}`; td.append(b);
    }
    if (board.callId === c.call_id) td.append(button("Leave", leave));
    if (c.mode === "ai") {
      const input = document.createElement("input"); input.className = "guidance"; input.placeholder = "Guidance for the AI";
      input.id = `guidance-${c.call_id}`;
      td.append(input, button("Send", () => sendGuidance(c.call_id, input)));
    }
    tr.append(td);
    return tr;
  }));
}

function iceGathered(conn, timeoutMs) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    conn.addEventListener("icegatheringstatechange", () => { if (conn.iceGatheringState === "complete") resolve(); });
    setTimeout(resolve, timeoutMs);
  });
}

function setState(state, mode) {
  board.state = state; board.mode = mode || null;
  $("status").textContent = state === "connected" ? `Monitoring (${mode})` : state;
  $("status").dataset.state = state;
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
  if (callId) await api(`/api/supervise/${callId}/leave`).catch(() => {});
}

async function sendGuidance(callId, input) {
  if (!input.value.trim()) return;
  try { await api(`/api/supervise/${callId}/guidance`, { text: input.value }); input.value = ""; }
  catch (err) { showError(String(err.message || err)); }
}

function openBoard() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws/wallboard`);
  socket.onmessage = (e) => render(JSON.parse(e.data));
  socket.onclose = () => setTimeout(openBoard, 2000);
}

window.boardSupervise = supervise;
window.boardGuidance = (callId, text) => api(`/api/supervise/${callId}/guidance`, { text });
window.boardLeave = leave;
openBoard();
