"""Twilio path end to end: the app served by uvicorn on 127.0.0.1 with the real models and
dialog engine; a real third-party Media Streams simulator (streamdouble) as the caller."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from telephony.server.app import create_app
from telephony.server.audiofile import read_mono
from telephony.twilio.config import TwilioConfig
from telephony.twilio.state import TwilioState
from telephony.twilio.tokens import StreamTokens
from tests.telephony.goodbye_helpers import (
    assert_greeted_then_hung_up_after_goodbye,
    goodbye_caller,
)
from voice.media.audio import resample

TOKEN = "test-auth-token-0123456789"
TOKEN_ENV = "HOTLINE_TEST_TWILIO_AUTH_TOKEN"
CLIP = "speechbrain/spk2_snt4.wav"  # "mend the coat before you go out"
STREAMDOUBLE = Path(__file__).resolve().parents[3] / ".venv/bin/streamdouble"
SILENCE_B64 = base64.b64encode(b"\xff" * 160).decode()


@dataclasses.dataclass
class Harness:
    base: str
    app: Any
    services: Any

    def post(
        self,
        path: str,
        form: dict[str, str],
        *,
        sign_url: str | None = None,
        token: str = TOKEN,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> tuple[int, str]:
        hdrs = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        if signed:
            hdrs["X-Twilio-Signature"] = RequestValidator(token).compute_signature(
                sign_url or self.base + path, form
            )
        req = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(form).encode(),
            headers=hdrs,
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def incoming_call(self, caller: str = "+14155550100") -> tuple[str, str, dict[str, str]]:
        """Twilio's voice webhook for a new call -> (CallSid, stream URL, <Parameter>s)."""
        call_sid = "CA" + os.urandom(16).hex()
        status, xml = self.post(
            "/twilio/voice",
            {
                "CallSid": call_sid,
                "AccountSid": "AC" + os.urandom(16).hex(),
                "From": caller,
                "To": "+18005550199",
                "Direction": "inbound",
                "CallStatus": "ringing",
            },
        )
        assert status == 200, xml
        stream = ET.fromstring(xml).find("Connect/Stream")
        assert stream is not None
        params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        return call_sid, stream.get("url", ""), params

    def store(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        def q(c: Any) -> list[dict[str, Any]]:
            return [dict(r) for r in c.execute(sql, args)]

        rows: list[dict[str, Any]] = self.services.store.run_sync(q)
        return rows

    def events(self, call_id: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.store(
            "SELECT kind, data FROM call_events WHERE call_id = ? ORDER BY id", call_id
        )
        return [(r["kind"], json.loads(r["data"])) for r in rows]


def wait_for(predicate: Callable[[], bool], timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def twilio_server(services, hotline_config) -> Iterator[Harness]:  # type: ignore[no-untyped-def]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = dataclasses.replace(
        hotline_config, server=dataclasses.replace(hotline_config.server, public_url=base)
    )
    app = create_app(cfg, services=services)
    tw = TwilioConfig(auth_token_env=TOKEN_ENV, start_timeout_secs=2.0)
    app.state.twilio = TwilioState(config=tw, public_url=base, tokens=StreamTokens(60))
    os.environ[TOKEN_ENV] = TOKEN
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-twilio", daemon=True)
    thread.start()
    assert wait_for(lambda: server.started, 30), "uvicorn did not start"
    try:
        yield Harness(base=base, app=app, services=services)
    finally:
        server.should_exit = True
        thread.join(30)
        os.environ.pop(TOKEN_ENV, None)
    assert not app.state.calls.active, "calls left open after shutdown"


# --- webhooks ---
def test_voice_webhook_answers_with_a_media_stream(twilio_server: Harness) -> None:
    call_sid, url, params = twilio_server.incoming_call()
    assert url == twilio_server.base.replace("http", "ws") + "/twilio/media"
    assert params["CallSid"] == call_sid and params["From"] == "+14155550100"
    assert params["hotline_token"] and "?" not in url


def test_unsigned_spoofed_or_tampered_webhooks_get_403_and_change_nothing(
    twilio_server: Harness,
) -> None:
    h = twilio_server
    before = h.store("SELECT COUNT(*) AS n FROM calls")[0]["n"]
    form = {"CallSid": "CA" + "0" * 32, "From": "+1555", "CallStatus": "completed"}
    assert h.post("/twilio/voice", form, signed=False)[0] == 403
    assert h.post("/twilio/voice", form, token="not-the-token")[0] == 403
    # signed for the URL an attacker chose, with a Host header to match: never trusted
    spoofed = "https://evil.example/twilio/voice"
    assert (
        h.post("/twilio/voice", form, sign_url=spoofed, headers={"Host": "evil.example"})[0] == 403
    )
    # a valid signature over other parameters
    sig = RequestValidator(TOKEN).compute_signature(h.base + "/twilio/status", form)
    tampered = {**form, "CallStatus": "busy"}
    assert (
        h.post("/twilio/status", tampered, signed=False, headers={"X-Twilio-Signature": sig})[0]
        == 403
    )
    assert h.post("/twilio/status", form, signed=False)[0] == 403
    assert h.store("SELECT COUNT(*) AS n FROM calls")[0]["n"] == before
    assert not h.events(form["CallSid"])


def test_status_callback_records_a_call_that_never_streamed(twilio_server: Harness) -> None:
    h = twilio_server
    call_sid = "CA" + os.urandom(16).hex()
    form = {
        "CallSid": call_sid,
        "CallStatus": "no-answer",
        "From": "+1555",
        "To": "+1800",
        "CallDuration": "0",
    }
    assert h.post("/twilio/status", form)[0] == 204
    [call] = h.store("SELECT * FROM calls WHERE id = ?", call_sid)
    assert call["ended_at"] is not None and call["end_reason"] == "twilio_no_answer"
    assert [k for k, _ in h.events(call_sid)] == ["twilio_status"]


# --- malformed and hostile media sockets ---
def _start(params: dict[str, str], stream_sid: str = "MZ" + "1" * 32) -> str:
    return json.dumps(
        {
            "event": "start",
            "sequenceNumber": "1",
            "streamSid": stream_sid,
            "start": {
                "streamSid": stream_sid,
                "callSid": params.get("CallSid", "CA0"),
                "accountSid": "AC0",
                "tracks": ["inbound"],
                "customParameters": params,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }
    )


def _media(payload: str, ts: int = 0) -> str:
    return json.dumps(
        {
            "event": "media",
            "streamSid": "MZ",
            "media": {"track": "inbound", "chunk": "1", "timestamp": str(ts), "payload": payload},
        }
    )


async def test_bad_token_or_no_start_closes_without_a_call(twilio_server: Harness) -> None:
    h = twilio_server
    url = h.base.replace("http", "ws") + "/twilio/media"
    before = h.store("SELECT COUNT(*) AS n FROM calls")[0]["n"]
    _, _, params = h.incoming_call()
    forged = {**params, "From": "+19999999999"}  # token no longer matches the parameters
    async with connect(url) as ws:
        for junk in (
            '{"event": "connected", "protocol": "Call"}',
            _media(SILENCE_B64),
            "{not json",
            b"\x00binary",
            '{"event": "surprise", "surprise": {}}',
        ):
            await ws.send(junk)
        await ws.send(_start(forged))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    async with connect(url) as ws:  # says nothing: closed after start_timeout_secs
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 6)
    assert h.store("SELECT COUNT(*) AS n FROM calls")[0]["n"] == before
    assert not h.app.state.calls.active


async def test_garbage_mid_call_is_skipped_and_a_dropped_socket_ends_the_call(
    twilio_server: Harness,
) -> None:
    h = twilio_server
    call_sid, url, params = h.incoming_call()
    ws = await connect(url)
    await ws.send('{"event": "connected", "protocol": "Call"}')
    await ws.send(_start(params))
    assert await asyncio.to_thread(wait_for, lambda: call_sid in h.app.state.calls.active)
    for i, junk in enumerate(
        [
            "{oops",
            _media("###"),
            '{"event": "surprise", "surprise": {}}',
            json.dumps({"event": "mark", "mark": {"name": "u999.1"}}),
            json.dumps({"event": "dtmf", "dtmf": {"digit": "X"}}),
            b"\x01\x02",
            _start(params),
            _media(SILENCE_B64, 20 * 1),
        ]
    ):
        await ws.send(junk)
        await ws.send(_media(SILENCE_B64, 20 * (i + 2)))
    await asyncio.sleep(0.5)
    assert call_sid in h.app.state.calls.active, "garbage must not end the call"
    ws.transport.abort()  # the caller's leg vanishes: no close frame, no stop
    ended = await asyncio.to_thread(
        wait_for,
        lambda: (
            h.store("SELECT ended_at FROM calls WHERE id = ?", call_sid)[0]["ended_at"] is not None
        ),
    )
    assert ended
    [call] = h.store("SELECT * FROM calls WHERE id = ?", call_sid)
    assert call["end_reason"] == "socket_dropped" and call["caller_id"] == "+14155550100"
    assert call_sid not in h.app.state.calls.active
    assert await asyncio.to_thread(
        wait_for, lambda: any(k == "twilio_stream" for k, _ in h.events(call_sid))
    )
    stats = next(d for k, d in h.events(call_sid) if k == "twilio_stream")
    assert stats["bad_frames"].keys() >= {
        "bad_json",
        "bad_base64",
        "binary",
        "bad_dtmf",
        "unexpected_unknown",
        "unexpected_start",
    }


async def test_status_callback_hangs_up_a_live_stream(twilio_server: Harness) -> None:
    h = twilio_server
    call_sid, url, params = h.incoming_call()
    async with connect(url) as ws:
        await ws.send(_start(params))
        assert await asyncio.to_thread(wait_for, lambda: call_sid in h.app.state.calls.active)
        status, _ = await asyncio.to_thread(
            h.post, "/twilio/status", {"CallSid": call_sid, "CallStatus": "completed"}
        )
        assert status == 204
        with pytest.raises(ConnectionClosed):  # the server closes the media socket
            while True:
                await asyncio.wait_for(ws.recv(), 10)
    [call] = h.store("SELECT * FROM calls WHERE id = ?", call_sid)
    assert call["end_reason"] == "twilio_completed" and call["ended_at"] is not None


# --- real calls with streamdouble ---
@dataclasses.dataclass
class SimulatedCall:
    call_sid: str
    report: dict[str, Any]
    trace: list[dict[str, Any]]
    reply: Path


def _place_call(h: Harness, tmp: Path, steps: list[str], name: str) -> SimulatedCall:
    assert shutil.which(str(STREAMDOUBLE)), "streamdouble (dev dependency) is not installed"
    call_sid, url, params = h.incoming_call()
    scenario = tmp / f"{name}.yaml"
    scenario.write_text(f"name: {name}\nsteps:\n" + "".join(f"  - {s}\n" for s in steps))
    reply, trace = tmp / f"{name}-reply.wav", tmp / f"{name}-trace.jsonl"
    cmd = [
        str(STREAMDOUBLE),
        "scenario",
        str(scenario),
        url,
        "--json",
        "--out",
        str(reply),
        "--trace",
        str(trace),
        "--max-drain",
        "20",
        "--response-timeout",
        "30",
    ]
    for key, value in params.items():
        cmd += ["--param", f"{key}={value}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    records = [json.loads(line) for line in trace.read_text().splitlines() if line.strip()]
    assert wait_for(lambda: call_sid not in h.app.state.calls.active)
    return SimulatedCall(call_sid, json.loads(proc.stdout), records, reply)


@pytest.fixture(scope="module")
def caller_clip(testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The recording as a phone would carry it: 8 kHz, through mu-law (sox)."""
    out = tmp_path_factory.mktemp("twilio-audio")
    ulaw, pcm = out / "utt_ulaw.wav", out / "utt8k.wav"
    src = testdata / "speech" / CLIP
    subprocess.run(["sox", str(src), "-r", "8000", "-c", "1", "-e", "u-law", str(ulaw)], check=True)
    subprocess.run(
        ["sox", str(ulaw), "-e", "signed", "-b", "16", str(pcm)], check=True
    )  # streamdouble reads PCM WAV
    return pcm


@pytest.fixture(scope="module")
def answered_call(
    twilio_server: Harness, caller_clip: Path, tmp_path_factory: pytest.TempPathFactory
) -> SimulatedCall:
    steps = ["wait_for: quiet", f"say: {caller_clip}", "wait: 7", 'dtmf: "1"', "wait: 4"]
    return _place_call(twilio_server, tmp_path_factory.mktemp("answered"), steps, "answered")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def _recall(said: str, heard: str) -> float:
    """Share of the words the agent said that a transcription of the caller's audio has."""
    expected = _words(said)
    return len(expected & _words(heard)) / max(1, len(expected))


@pytest.mark.slow
def test_caller_hears_the_greeting_and_the_stored_answer(
    twilio_server: Harness, answered_call: SimulatedCall
) -> None:
    h, call = twilio_server, answered_call
    audio, rate = read_mono(call.reply)
    heard = h.services.models.stt.transcribe(resample(audio, rate, 16000)).text
    turns = h.store("SELECT speaker, text FROM turns WHERE call_id = ? ORDER BY id", call.call_sid)
    print(f"caller heard: {heard!r}\nstored turns: {turns}")
    caller = [t["text"] for t in turns if t["speaker"] == "caller"]
    agent = [t["text"] for t in turns if t["speaker"] == "agent"]
    assert caller and "coat" in _words(caller[0])
    # Whisper tiny hears the 8 kHz "Acme Apparel" as e.g. "at me a peril": check the
    # greeting and the stored answer to the caller's turn word by word instead
    greeting, answer = agent[0], agent[1]
    assert "Acme Apparel" in greeting
    assert _recall(greeting, heard) >= 0.6, (greeting, heard)
    assert _recall(answer, heard) >= 0.6, (answer, heard)
    [row] = h.store("SELECT * FROM calls WHERE id = ?", call.call_sid)
    assert row["transport"] == "twilio" and row["end_reason"] == "caller_hangup"
    assert json.loads(row["meta"])["call_sid"] == call.call_sid


@pytest.mark.slow
def test_dtmf_and_marks_reach_the_call_record(
    twilio_server: Harness, answered_call: SimulatedCall
) -> None:
    events = twilio_server.events(answered_call.call_sid)
    kinds = Counter(k for k, _ in events)
    assert ("dtmf", {"digit": "1"}) in events
    heard = [d for k, d in events if k == "agent_heard"]
    assert heard and heard[0]["utterance"] == 1 and "Acme" in heard[0]["text"]
    assert answered_call.report["marks_echoed"] == answered_call.report["marks_received"] > 0
    assert kinds["agent_cut_off"] == 0


@pytest.mark.slow
def test_outbound_audio_is_paced_in_whole_20ms_frames(
    twilio_server: Harness, answered_call: SimulatedCall
) -> None:
    report, trace = answered_call.report, answered_call.trace
    agent = [r for r in trace if r.get("dir") == "in" and r.get("event") == "media"]
    assert agent and all(r["bytes"] == len(SILENCE_B64) for r in agent)  # 160 mu-law bytes each
    assert not report["violations"] and not report["unknown_events"]
    stats = next(d for k, d in twilio_server.events(answered_call.call_sid) if k == "twilio_stream")
    assert stats["sent"]["media"] == report["media_frames_received"] == len(agent)
    assert stats["sent"]["mark"] == report["marks_received"]
    assert stats["bad_frames"] == {}
    # jitter as the caller receives it: intervals inside talk spurts, lead-in excluded
    t = np.array([r["t"] for r in agent])
    gaps = np.diff(t) * 1000
    spurt_starts = {0} | {i + 1 for i, g in enumerate(gaps) if g > 200}
    paced = [
        g
        for i, g in enumerate(gaps)
        if not any(s <= i + 1 < s + 3 for s in spurt_starts) and g <= 200
    ]
    dev = np.abs(np.array(paced) - 20)
    playout = stats["playout"]
    print(
        f"\nserver send lateness: p50 {playout['late_p50_ms']} ms, p99 {playout['late_p99_ms']} ms, "
        f"max {playout['late_max_ms']} ms over {playout['frames']} frames"
    )
    print(
        f"server inter-frame jitter |interval-20ms|: p50 {playout['jitter_p50_ms']} "
        f"p99 {playout['jitter_p99_ms']} max {playout['jitter_max_ms']} ms"
    )
    print(
        f"caller-side arrival jitter: p50 {np.percentile(dev, 50):.2f} "
        f"p99 {np.percentile(dev, 99):.2f} max {dev.max():.2f} ms over {len(dev)} intervals, "
        f"{len(spurt_starts)} talk spurts"
    )
    # structural: frames come one per 20 ms on average, not in bursts
    assert np.median(paced) == pytest.approx(20, abs=2)


@pytest.mark.slow
def test_end_of_speech_to_first_agent_audio_on_the_twilio_path(
    twilio_server: Harness, answered_call: SimulatedCall, caller_clip: Path
) -> None:
    """Measured where the caller is: last voiced sample sent -> first reply frame received."""
    trace = answered_call.trace
    sent = [r for r in trace if r.get("dir") == "out" and r.get("event") == "media"]
    silence_digest = Counter(r["sha256_8"] for r in sent).most_common(1)[0][0]
    first_voice = next(r["t"] for r in sent if r["sha256_8"] != silence_digest)
    audio, rate = read_mono(caller_clip)
    loud = np.flatnonzero(np.abs(audio) > 0.02)
    speech_end = first_voice + loud[-1] / rate - loud[0] / rate
    agent = [r["t"] for r in trace if r.get("dir") == "in" and r.get("event") == "media"]
    first_reply = next(t for t in agent if t > speech_end)
    latency_ms = (first_reply - speech_end) * 1000
    stored = twilio_server.store(
        "SELECT latency FROM turns WHERE call_id = ? AND speaker = 'agent' ORDER BY id",
        answered_call.call_sid,
    )
    print(
        f"\nend of caller speech -> first agent audio at the caller: {latency_ms:.0f} ms "
        f"(pipeline's own figures: {[json.loads(s['latency']) for s in stored[1:2]]})"
    )
    assert 0 < latency_ms < 10_000


@pytest.mark.slow
def test_barge_in_sends_clear_and_records_where_the_agent_was_cut(
    twilio_server: Harness, caller_clip: Path, tmp_path: Path
) -> None:
    call = _place_call(
        twilio_server, tmp_path, ["wait: 1.2", f"say: {caller_clip}", "wait: 6"], "barge"
    )
    assert call.report["clears_received"] >= 1
    events = twilio_server.events(call.call_sid)
    [cut] = [d for k, d in events if k == "agent_cut_off"]
    print(f"\ncut off: {cut}")
    assert cut["utterance"] == 1 and "Acme" in cut["text"]
    assert 0 < cut["played_s"] < 3.0 and cut["pieces_heard"] < cut["pieces_total"]
    assert any(k == "barge_in" for k, _ in events)
    turns = twilio_server.store(
        "SELECT speaker, text FROM turns WHERE call_id = ? ORDER BY id", call.call_sid
    )
    assert any(t["speaker"] == "caller" and "coat" in t["text"].lower() for t in turns)


@pytest.mark.slow
async def test_caller_is_greeted_and_hung_up_on_after_the_goodbye(
    twilio_server: Harness, tmp_path: Path
) -> None:
    """streamdouble says goodbye and stays on the line: the agent closes the stream, only
    once its goodbye has played (tests/telephony/goodbye_helpers.py)."""
    caller = goodbye_caller(tmp_path, 8000)
    call = await asyncio.to_thread(_place_call, twilio_server, tmp_path, [f"say: {caller}"], "goodbye")
    report = call.report
    assert report["closed_early"] and report["closed_by"] == "agent", report
    await assert_greeted_then_hung_up_after_goodbye(twilio_server.services, call.call_sid)
    heard = [d for k, d in twilio_server.events(call.call_sid) if k == "agent_heard"]
    assert heard and heard[0]["utterance"] == 1 and "Acme" in heard[0]["text"]  # the greeting
