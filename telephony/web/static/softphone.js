// Hotline softphone: one WebRTC call to the server, live transcript over a websocket.
// Plain JS, no dependencies. `window.hotline` exposes the call's state (used by tests).
"use strict";

const $ = (id) => document.getElementById(id);
const RAW = new URLSearchParams(location.search).get("raw") === "1";
// Demo convenience: a web caller may say which phone number they are calling as (the server
// honours it only when [webrtc].accept_caller_id is true, and then only as an unverified,
// *named* caller; docs/webrtc.md). A page whose site signed the caller in passes a signed
// identity token instead (?identity_token=...): that verifies the caller.
const callerId = () => (document.getElementById("caller-id")?.value || "").trim();
const identityToken = new URLSearchParams(location.search).get("identity_token") || "";
window.addEventListener("DOMContentLoaded", () => {
  const given = new URLSearchParams(location.search).get("caller_id");
  const input = document.getElementById("caller-id");
  if (given && input) input.value = given;
});
// One anonymous id per browser, sent with the offer: QA and the KPIs count a web caller once
// per browser (never by IP address). Not a secret and not a login: clear site data to reset.
function browserId() {
  try {
    let id = localStorage.getItem("hotline.browser_id");
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem("hotline.browser_id", id);
    }
    return id;
  } catch (e) { return null; }  // storage blocked: the call stays anonymous
}
const WHO = { agent: "AI", human: "Agent", caller: "You" };
const hotline = (window.hotline = {
  state: "idle", phase: null, callId: null, endReason: null, turns: [],
  micRmsMax: 0, agentRmsMax: 0, agentLoudFrames: 0, error: null,
});
let pc = null, mic = null, audioCtx = null, socket = null, meterTimer = null, clockTimer = null;
let startedAt = 0;

function setState(state, label) {
  hotline.state = state;
  const el = $("status");
  el.className = "status " + state;
  el.dataset.state = state;
  el.textContent = label || state[0].toUpperCase() + state.slice(1);
  $("call").disabled = state === "connecting" || state === "connected";
  $("hangup").disabled = !(state === "connecting" || state === "connected");
}

function showError(message) {
  hotline.error = message;
  $("error").textContent = message;
  $("error").hidden = !message;
}

function rmsOf(analyser, buf) {
  analyser.getFloatTimeDomainData(buf);
  let sum = 0;
  for (const x of buf) sum += x * x;
  return Math.sqrt(sum / buf.length);
}

function meter(stream, key, el) {
  const analyser = audioCtx.createAnalyser();
  analyser.fftSize = 2048;
  audioCtx.createMediaStreamSource(stream).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  return () => {
    const rms = rmsOf(analyser, buf);
    el.value = Math.min(1, rms * 4);
    hotline[key] = Math.max(hotline[key], rms);
    if (key === "agentRmsMax" && rms > 0.01) hotline.agentLoudFrames += 1;
  };
}

function fmtMs(ms) { return ms == null ? "–" : ms >= 1000 ? (ms / 1000).toFixed(2) + " s" : Math.round(ms) + " ms"; }

function latencyText(lat) {
  if (!lat || lat.speech_end_to_first_audio_ms == null) return "";
  const parts = [["endpoint", lat.endpoint_ms], ["stt", lat.stt_ms], ["dialog", lat.dialog_ms], ["tts", lat.tts_first_ms]]
    .filter(([, v]) => v != null).map(([k, v]) => `${k} ${fmtMs(v)}`);
  return `reply after ${fmtMs(lat.speech_end_to_first_audio_ms)} (${parts.join(" · ")})`;
}

function addLine(kind, who, text, note) {
  const li = document.createElement("li");
  li.className = kind;
  if (who) { const w = document.createElement("span"); w.className = "who"; w.textContent = who; li.append(w); }
  li.append(document.createTextNode(text));
  if (note) { const n = document.createElement("span"); n.className = "latency"; n.textContent = note; li.append(n); }
  $("turns").append(li);
  li.scrollIntoView({ block: "end" });
}

// Who has the caller: the AI, the queue ("on hold"), or a person ("agent joined").
function setPhase(phase, label, line) {
  hotline.phase = phase;
  $("phase").textContent = label;
  $("phase").hidden = !label;
  if (line) addLine("system", "", line);
}

function onEvent(msg) {
  if (msg.type === "turn") {
    hotline.turns.push(msg);
    const note = msg.speaker === "agent" ? latencyText(msg.latency) : "";
    if (note) $("last-latency").textContent = fmtMs(msg.latency.speech_end_to_first_audio_ms);
    addLine(msg.speaker, WHO[msg.speaker] || msg.speaker, msg.text, note);
    $("speaking").hidden = true;
  } else if (msg.type === "event" && msg.kind === "handoff_queued") {
    const pos = msg.position ? ` (position ${msg.position} in line)` : "";
    setPhase("on_hold", `On hold: waiting for an agent${pos}`, `You are on hold for an agent${pos}.`);
  } else if (msg.type === "event" && msg.kind === "agent_answered") {
    setPhase("agent", "Agent joined", `An agent${msg.agent ? " (" + msg.agent + ")" : ""} joined the call.`);
  } else if (msg.type === "event" && msg.kind === "agent_speaking") {
    $("speaking").textContent = "Agent is speaking…";
    $("speaking").hidden = false;
  } else if (msg.type === "event" && msg.kind === "barge_in") {
    $("speaking").hidden = true;
  } else if (msg.type === "call_ended") {
    teardown(msg.reason);
  }
}

function openEvents(callId) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws/calls/${callId}/events`);
  socket.onmessage = (e) => onEvent(JSON.parse(e.data));
}

function iceGathered(conn, timeoutMs) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (conn.iceGatheringState === "complete") resolve(); };
    conn.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeoutMs);  // a slow STUN server must not hold the call back
  });
}

async function call() {
  showError("");
  $("turns").replaceChildren();
  hotline.turns = []; hotline.endReason = null; hotline.callId = null;
  setPhase(null, "");
  setState("connecting", "Connecting…");
  audioCtx = audioCtx || new AudioContext();  // created inside the click: allowed to play
  try {
    const config = await (await fetch("/api/webrtc/config")).json();
    mic = await navigator.mediaDevices.getUserMedia({ audio: {
      echoCancellation: !RAW, noiseSuppression: !RAW, autoGainControl: !RAW, channelCount: 1 } });
    pc = new RTCPeerConnection({ iceServers: config.ice_servers });
    pc.addTransceiver(mic.getAudioTracks()[0], { direction: "sendrecv", streams: [mic] });
    pc.ontrack = (e) => {
      const stream = e.streams[0] || new MediaStream([e.track]);
      $("remote-audio").srcObject = stream;  // Chromium feeds WebAudio only from a played stream
      agentMeter = meter(stream, "agentRmsMax", $("agent-level"));
    };
    pc.onconnectionstatechange = () => {
      if (pc && pc.connectionState === "connected") { setState("connected", "Connected"); startClock(); }
      if (pc && (pc.connectionState === "failed" || pc.connectionState === "closed")) teardown("connection " + pc.connectionState);
    };
    const micMeter = meter(mic, "micRmsMax", $("mic-level"));
    meterTimer = setInterval(() => { micMeter(); if (agentMeter) agentMeter(); }, 50);
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc, 2000);
    const res = await fetch("/api/webrtc/offer", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sdp: pc.localDescription.sdp, type: pc.localDescription.type,
                             ...(browserId() ? { browser_id: browserId() } : {}),
                             ...(callerId() ? { caller_id: callerId() } : {}),
                             ...(identityToken ? { identity_token: identityToken } : {}) }) });
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error || res.statusText);
    hotline.callId = answer.call_id;
    $("call-id").textContent = answer.call_id.slice(0, 8);
    $("call-id").title = answer.call_id;
    openEvents(answer.call_id);
    await pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
  } catch (err) {
    showError(err.name === "NotAllowedError" ? "Microphone access was denied." : String(err.message || err));
    teardown("failed");
  }
}
let agentMeter = null;

function startClock() {
  startedAt = Date.now();
  clockTimer = setInterval(() => {
    const s = Math.floor((Date.now() - startedAt) / 1000);
    $("duration").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }, 500);
}

async function hangUp() {
  const callId = hotline.callId;
  teardown("caller_hangup");
  if (callId) await fetch(`/api/webrtc/${callId}/hangup`, { method: "POST" }).catch(() => {});
}

function teardown(reason) {
  if (hotline.state === "ended" || hotline.state === "idle" || hotline.state === "failed") return;
  hotline.endReason = reason;
  clearInterval(meterTimer); clearInterval(clockTimer);
  agentMeter = null;
  if (pc) { pc.onconnectionstatechange = null; pc.close(); pc = null; }
  if (mic) { mic.getTracks().forEach((t) => t.stop()); mic = null; }
  if (socket && socket.readyState <= 1) socket.close();
  socket = null;
  $("speaking").hidden = true;
  setPhase(null, "");
  addLine("system", "", `Call ended (${reason.replace(/_/g, " ")})`);
  setState(reason === "failed" ? "failed" : "ended", reason === "failed" ? "Failed" : "Call ended");
}

// Inbound audio RTP figures of the current call (for tests and troubleshooting).
window.hotlineInboundAudio = async () => {
  const out = { packetsReceived: 0, totalAudioEnergy: 0, packetsLost: 0, jitter: 0 };
  if (!pc) return out;
  (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "audio") {
      out.packetsReceived = r.packetsReceived || 0; out.totalAudioEnergy = r.totalAudioEnergy || 0;
      out.packetsLost = r.packetsLost || 0; out.jitter = r.jitter || 0;
    }
  });
  return out;
};

$("call").addEventListener("click", call);
$("hangup").addEventListener("click", hangUp);
window.addEventListener("pagehide", () => {
  if (hotline.callId && hotline.state === "connected") navigator.sendBeacon(`/api/webrtc/${hotline.callId}/hangup`);
});
setState("idle", "Ready");
