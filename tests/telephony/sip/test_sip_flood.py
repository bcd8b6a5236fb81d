"""The 60 s mixed flood (issue 15, "Done when"): INVITE floods, garbage, RTP from strangers,
PROTOS cases and junk TCP from other loopback hosts, from a separate process, while a real call
is up. Afterwards the server answers a normal call at once, holds no flood call, and its RSS is
reported (before/after). `load`: HOTLINE_FLOOD_S sets the length (60 by default)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from pathlib import Path

import pytest

from tests.telephony.sip_attack_helpers import Heard, hang_up, place_call, stream
from tests.telephony.sip_helpers import ROOT, SIP_DATA, invite, running, status_of, udp_peer

pytestmark = pytest.mark.load


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _answer_time(port: int, call_id: str) -> tuple[int, float]:
    async with udp_peer() as peer:
        started = time.monotonic()
        peer.send(invite(call_id, peer.port, 41000), port)
        status = status_of(await peer.final(5))
        return status, time.monotonic() - started


async def test_a_mixed_flood_leaves_the_server_answering_at_once() -> None:
    seconds = int(os.environ.get("HOTLINE_FLOOD_S", "60"))
    heard = Heard()
    async with running(heard.on_call, tcp_port=0, max_calls=50) as server:
        status, before_s = await _answer_time(server.port, "before")
        assert status == 200
        gc.collect()
        rss_before = _rss_mb()
        cfg = server.config
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.telephony.sip_flood", str(server.port), str(server.tcp_port),
            str(cfg.rtp_port_min), str(cfg.rtp_port_max), str(seconds),
            str(SIP_DATA / "protos-c07-sip.tar.gz"), cwd=str(ROOT), stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        # a real caller keeps talking through the flood (its RTP from the SDP address)
        async with udp_peer() as sip, udp_peer() as media:
            call = await place_call(sip, server.port, media, "during")
            talking_from = asyncio.get_running_loop().time()
            seq = 100
            while proc.returncode is None:
                seq = await stream(media, call.rtp_port, 1.0, seq)
            voiced = heard.voiced_since(talking_from)
            [live] = heard.calls
            refused = live.media_refused
            await hang_up(sip, server, call)
        out, _ = await proc.communicate()
        sent = json.loads(out)
        for _ in range(100):  # flood calls the guard let through end at their ACK timeout
            if server.active_calls == 0:
                break
            await asyncio.sleep(0.1)
        status, after_s = await _answer_time(server.port, "after")
        gc.collect()
        rss_after = _rss_mb()
        print(f"\nflood {seconds} s: sent {sent}; answered before {before_s * 1000:.0f} ms, after "
              f"{after_s * 1000:.0f} ms (status {status}); RSS {rss_before:.0f} -> {rss_after:.0f} MB; "
              f"active calls {server.active_calls}; transactions {len(server._transactions)}; "
              f"stream connections {len(server._streams)}; the live call heard {voiced} voiced frames of ~{(seq - 100)} sent, refused {refused} stranger packets")
        await asyncio.sleep(64 * server.config.t1_s + 1)  # every flood transaction past Timer H/J
        gc.collect()
        print(f"after the flood's transactions expired: RSS {_rss_mb():.0f} MB, "
              f"transactions {len(server._transactions)}, guard sources {len(server.guard._sources)}")
        assert status == 200 and after_s < 1.0
        assert voiced >= 0.8 * (seq - 100), "the live call lost its caller's audio in the flood"
        assert not server._streams, "junk TCP connections still held"
