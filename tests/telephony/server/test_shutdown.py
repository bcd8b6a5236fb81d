"""SIGTERM during 20 live calls: `hotline serve` exits within 5 s and every call record is
closed with a reason (issue 15, finding 1). The calls are real peers on 127.0.0.1: ten
sipp callers (answered, holding the line) and ten WebRTC offers from aiortc that never
connect (a browser whose ICE fails), two of them with the softphone's events socket open.
Four more offers that never connect are sent 31 s before, so their connect timeout (30 s)
has passed by then: those calls must have ended on their own ("connect_timeout") and must
not hold up the shutdown (they used to stay active and hang it for good)."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack

from tests.helpers import ROOT, cli_env
from tests.telephony.sip_helpers import free_udp_port, need

pytestmark = pytest.mark.slow
SIP_CALLS = 10
WEBRTC_CALLS = 10
TIMED_OUT_CALLS = 4
CONNECT_TIMEOUT_S = 30


def _unused_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(tmp: Path, port: int, sip_port: int) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "telephony.server.cli", "serve"], text=True, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**cli_env(tmp / "data"), "HOTLINE_SERVER_HOST": "127.0.0.1",
             "HOTLINE_SERVER_PORT": str(port), "HOTLINE_SIP_BIND_HOST": "127.0.0.1",
             "HOTLINE_SIP_BIND_PORT": str(sip_port)})
    lines: list[str] = []
    ready = threading.Event()

    def drain() -> None:  # the pipe must never fill, or the server blocks on its log
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "Hotline is ready." in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(420):  # model loading on a loaded 2-core machine
        proc.kill()
        pytest.fail("the server never said it was ready:\n" + "".join(lines[-40:]))
    return proc, lines


async def _offer(http: aiohttp.ClientSession, base: str) -> tuple[RTCPeerConnection, str, str]:
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    async with http.post(f"{base}/api/webrtc/offer",
                         json={"sdp": pc.localDescription.sdp, "type": "offer"}) as res:
        assert res.status == 200, await res.text()
        answer: dict[str, Any] = await res.json()
    return pc, str(answer["call_id"]), str(answer.get("call_capability"))


async def _active(http: aiohttp.ClientSession, base: str) -> int:
    async with http.get(f"{base}/health") as res:
        return int((await res.json())["active_calls"])


@pytest.mark.timeout(900)  # the models load in the subprocess (minutes on a busy 2-core box)
async def test_sigterm_with_20_live_calls_exits_within_5_s(tmp_path: Path) -> None:
    sipp = need("sipp")
    port, sip_port = _unused_tcp_port(), free_udp_port()
    proc, log = _serve(tmp_path, port, sip_port)
    base = f"http://127.0.0.1:{port}"
    callers = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block
        [sipp, "-sn", "uac", f"127.0.0.1:{sip_port}", "-i", "127.0.0.1", "-p", str(free_udp_port()),
         "-m", str(SIP_CALLS), "-l", str(SIP_CALLS), "-r", "20", "-d", "120000", "-nostdin",
         "-timeout", "150", "-trace_err", "-error_file", str(tmp_path / "sipp.err")],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pcs: list[RTCPeerConnection] = []
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    try:
        async with aiohttp.ClientSession() as http:
            early = time.monotonic()
            timed_out = []
            for _ in range(TIMED_OUT_CALLS):
                pc, call_id, _ = await _offer(http, base)
                pcs.append(pc)
                timed_out.append(call_id)
            await asyncio.sleep(CONNECT_TIMEOUT_S + 1 - (time.monotonic() - early))
            for _ in range(WEBRTC_CALLS):
                pc, call_id, capability = await _offer(http, base)
                pcs.append(pc)
                if len(sockets) < 2:
                    sockets.append(await http.ws_connect(f"ws://127.0.0.1:{port}/ws/calls/{call_id}/events",
                                                         headers={"x-call-capability": capability}))
            deadline = time.monotonic() + 60
            while await _active(http, base) < SIP_CALLS + WEBRTC_CALLS:  # and the 4, if leaked
                assert time.monotonic() < deadline, f"only {await _active(http, base)} calls came up"
                await asyncio.sleep(0.5)
            await asyncio.sleep(3)  # past the greeting's start, each pipeline running
            proc.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            while proc.poll() is None and time.monotonic() - stopped < 30:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            took_s = time.monotonic() - stopped
            for ws in sockets:
                await ws.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        callers.kill()
        callers.wait(10)
        for pc in pcs:
            await pc.close()
    print(f"SIGTERM with {SIP_CALLS + WEBRTC_CALLS} live calls: exited in {took_s:.2f} s")
    assert took_s < 5.0, f"SIGTERM took {took_s:.1f} s:\n" + "".join(log[-30:])
    # uvicorn re-raises the signal once it has shut down gracefully
    assert proc.returncode in (0, -signal.SIGTERM), "".join(log[-30:])
    with sqlite3.connect(tmp_path / "data" / "hotline.db") as db:
        rows = db.execute("SELECT id, transport, ended_at, end_reason FROM calls").fetchall()
    assert sorted(t for _, t, _, _ in rows) == (["sip"] * SIP_CALLS
                                                + ["webrtc"] * (WEBRTC_CALLS + TIMED_OUT_CALLS))
    unclosed = [(i, t, e, r) for i, t, e, r in rows if e is None or not r]
    assert not unclosed, json.dumps(unclosed)
    reasons = {i: r for i, _, _, r in rows}
    assert {reasons.pop(i) for i in timed_out} == {"connect_timeout"}
    assert set(reasons.values()) == {"server_shutdown"}, rows
