"""SIP over TCP and TLS, SRTP keyed by SDES: baresip as the real peer, raw clients for refusals.

Certificates are made at test time (tests/telephony/sip_tls_helpers.py); nothing secret is
committed."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest

from telephony.core.config import SipSection
from telephony.core.errors import ConfigError
from telephony.sip import SipCall, SipServer
from tests.telephony.sip_helpers import (
    TESTDATA,
    config,
    invite,
    need,
    rms,
    running,
    status_of,
    udp_peer,
)
from tests.telephony.sip_tls_helpers import baresip_conf, make_certificate

RECORDING = TESTDATA / "speech" / "openai_whisper" / "jfk.flac"
KEY = base64.b64encode(os.urandom(30)).decode()


def _tone(seconds: float) -> bytes:
    t = np.arange(int(8000 * seconds)) / 8000
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes()


async def _baresip_call(tmp: Path, transport: str, mediaenc: str, **overrides: object) -> dict[str, object]:
    """baresip dials the server over ``transport``; the server plays a tone and listens."""
    need("baresip")
    need("sox")
    mic = tmp / "mic.wav"
    sox = ["sox", str(RECORDING), "-r", "8000", "-c", "1", "-b", "16", str(mic), "trim", "0", "4"]
    await asyncio.to_thread(subprocess.run, sox, check=True, timeout=30)
    cert, key = make_certificate(tmp)
    conf, rec = baresip_conf(tmp, mic, 15093 if transport == "tls" else 15095, transport, mediaenc, cert)
    heard: list[bytes] = []
    seen: dict[str, object] = {}

    async def play(call: SipCall) -> None:
        seen.update(transport=call.transport, srtp=call.srtp)
        await call.send_audio(_tone(3.0))
        async for frame in call:
            heard.append(frame)
            if len(heard) >= 150:
                seen["refused"] = call.media_refused
                await call.hangup()

    settings = dict(tcp_port=0, tls_port=0, tls_cert=str(cert), tls_key=str(key), **overrides)
    async with running(play, **settings) as server:
        port = server.tls_port if transport == "tls" else server.tcp_port
        proc = await asyncio.create_subprocess_exec(
            "baresip", "-f", str(conf), "-e", f"/dial sip:service@127.0.0.1:{port}", "-t", "9",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 25)
        except TimeoutError:
            proc.kill()
            out, _ = await proc.communicate()
        for _ in range(50):
            if server.active_calls == 0:
                break
            await asyncio.sleep(0.1)
        seen["left"] = server.active_calls
    import soundfile

    decoded = sorted(rec.glob("*-dec.wav"))
    assert decoded, f"baresip recorded nothing: {out.decode(errors='replace')[-1500:]}"
    data, _ = soundfile.read(io.BytesIO(decoded[-1].read_bytes()), dtype="int16")
    seen.update(peer_heard=rms(data.tobytes()), server_heard=rms(b"".join(heard)),
                log=out.decode(errors="replace"))  # fmt: skip
    return seen


async def test_baresip_over_tls_with_srtp_hears_the_server_and_is_heard(tmp_path: Path) -> None:
    got = await _baresip_call(tmp_path, "tls", "srtp-mand", srtp="required")
    assert "SRTP is Enabled" in str(got["log"]), str(got["log"])[-1500:]  # the peer's own word
    assert got["transport"] == "tls" and got["srtp"] is True
    assert float(got["peer_heard"]) > 1000, "baresip heard silence (or noise it could not decrypt)"  # type: ignore[arg-type]
    assert float(got["server_heard"]) > 300, "the server heard silence from baresip"  # type: ignore[arg-type]
    assert got["refused"] == 0 and got["left"] == 0


async def test_baresip_over_tcp_with_plain_rtp(tmp_path: Path) -> None:
    got = await _baresip_call(tmp_path, "tcp", "")
    assert got["transport"] == "tcp" and got["srtp"] is False
    assert float(got["peer_heard"]) > 1000 and float(got["server_heard"]) > 300  # type: ignore[arg-type]
    assert got["left"] == 0


# -- refusals, over a raw TLS client ----------------------------------------------------------
@asynccontextmanager
async def _tls_server(tmp: Path, **overrides: object) -> AsyncIterator[SipServer]:
    cert, key = make_certificate(tmp)
    async with running(tls_port=0, tcp_port=0, tls_cert=str(cert), tls_key=str(key), **overrides) as server:
        yield server


async def _exchange(port: int, messages: list[bytes], answers: int, tls: bool = True) -> list[bytes]:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context if tls else None)
    try:
        writer.write(b"".join(messages))
        await writer.drain()
        got: list[bytes] = []
        while len(got) < answers:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))  # fmt: skip
            body = await reader.readexactly(length)
            if not head.startswith(b"SIP/2.0 100"):
                got.append(head + body)
        return got
    finally:
        writer.close()


def _stream_invite(call_id: str, transport: str, proto: str = "RTP/AVP", crypto: bool = False) -> bytes:
    message = invite(call_id, 5999, 40000).replace(b"SIP/2.0/UDP", f"SIP/2.0/{transport}".encode())
    head, _, sdp = message.partition(b"\r\n\r\n")
    sdp = sdp.replace(b"RTP/AVP", proto.encode())
    if crypto:
        sdp += f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY}\r\n".encode()
    head = head.replace(b"Content-Length: ", b"X-Old: ") + f"\r\nContent-Length: {len(sdp)}".encode()
    return head + b"\r\n\r\n" + sdp


async def test_plain_rtp_offer_is_refused_when_srtp_is_required(tmp_path: Path) -> None:
    async with _tls_server(tmp_path, srtp="required") as server:
        assert server.tls_port is not None
        [answer] = await _exchange(server.tls_port, [_stream_invite("plain1", "TLS")], 1)
        assert status_of(answer) == 488 and b"SRTP is required" in answer
        assert server.active_calls == 0


async def test_srtp_offer_over_tls_is_answered_with_our_own_key(tmp_path: Path) -> None:
    async with _tls_server(tmp_path, srtp="optional") as server:
        assert server.tls_port is not None
        msg = _stream_invite("savp1", "TLS", "RTP/SAVP", crypto=True)
        [answer] = await _exchange(server.tls_port, [msg], 1)
        assert status_of(answer) == 200, answer
        assert b"m=audio" in answer and b"RTP/SAVP" in answer and b"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" in answer
        assert KEY.encode() not in answer, "the answer must carry a key of its own"
        assert b";transport=tls>" in answer  # Contact: in-dialog requests come back over TLS


async def test_sdes_keys_never_cross_cleartext_signalling(tmp_path: Path) -> None:
    async with _tls_server(tmp_path, srtp="optional") as server:
        assert server.tcp_port is not None
        # RTP/SAVP over TCP: the key cannot be answered in cleartext -> 488
        [answer] = await _exchange(server.tcp_port, [_stream_invite("tcp1", "TCP", "RTP/SAVP", True)], 1, tls=False)
        assert status_of(answer) == 488
        # best effort (RTP/AVP + a=crypto) over TCP: answered, but plain, with no key in it
        [answer] = await _exchange(server.tcp_port, [_stream_invite("tcp2", "TCP", "RTP/AVP", True)], 1, tls=False)
        assert status_of(answer) == 200 and b"a=crypto" not in answer
    (tmp_path / "required").mkdir()
    async with _tls_server(tmp_path / "required", srtp="required") as server, udp_peer() as peer:
        # SRTP required over UDP: no safe channel for the keys, every offer is refused
        peer.send(_stream_invite("udp1", "UDP", "RTP/SAVP", True), server.port)
        assert status_of(await peer.final()) == 488


async def test_srtp_offer_is_refused_when_srtp_is_off(tmp_path: Path) -> None:
    async with _tls_server(tmp_path) as server:
        assert server.tls_port is not None
        [answer] = await _exchange(server.tls_port, [_stream_invite("off1", "TLS", "RTP/SAVP", True)], 1)
        assert status_of(answer) == 488


async def test_two_requests_in_one_tcp_segment_get_two_answers_on_the_connection(tmp_path: Path) -> None:
    options = [(f"OPTIONS sip:service@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKopt{n}\r\n"
                f"From: <sip:t@127.0.0.1>;tag=a{n}\r\nTo: <sip:service@127.0.0.1>\r\nCall-ID: opt{n}\r\n"
                f"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode() for n in (1, 2)]
    async with _tls_server(tmp_path) as server:
        assert server.tcp_port is not None
        answers = await _exchange(server.tcp_port, [b"\r\n\r\n" + options[0] + options[1]], 2, tls=False)
        assert [status_of(a) for a in answers] == [200, 200]
        assert b"Call-ID: opt1" in answers[0] and b"Call-ID: opt2" in answers[1]


async def test_an_oversized_stream_message_closes_the_connection(tmp_path: Path) -> None:
    async with _tls_server(tmp_path) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.tcp_port)
        writer.write(b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 999999999\r\n\r\n")
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.tcp_port)
        writer.write(b"X" * 70_000)  # no header end in sight
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
        assert not server._streams  # nothing held


async def test_a_stalled_partial_message_is_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("telephony.sip.stream.PARTIAL_TIMEOUT_S", 0.5)
    async with _tls_server(tmp_path) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.tcp_port)
        writer.write(b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4")  # slowloris
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()


# -- certificates -----------------------------------------------------------------------------
async def test_a_missing_or_bad_certificate_is_a_clear_config_error(tmp_path: Path) -> None:
    garbage = tmp_path / "bad.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    cert, key = make_certificate(tmp_path)
    for cert_path, key_path in ((tmp_path / "missing.crt", key), (garbage, key), (cert, garbage)):
        server = SipServer(config(tls_port=0, tls_cert=str(cert_path), tls_key=str(key_path)), lambda c: asyncio.sleep(0))
        with pytest.raises(ConfigError, match=r"sip\.tls_cert/sip\.tls_key: cannot load"):
            await server.start()
        assert server._transport is None  # the UDP socket opened first was closed again
    with pytest.raises(ConfigError, match="tls_cert and sip.tls_key"):
        SipSection(tls=True)
    with pytest.raises(ConfigError, match="tls_ca"):
        SipSection(tls=True, tls_cert="a", tls_key="b", tls_verify_peer=True)
    with pytest.raises(ConfigError, match="sip.srtp"):
        SipSection(srtp="sometimes")


async def test_tls_with_peer_verification_refuses_a_client_without_certificate(tmp_path: Path) -> None:
    cert, _ = make_certificate(tmp_path, "ca")
    async with _tls_server(tmp_path, tls_ca=str(cert), tls_verify_peer=True) as server:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.tls_port, ssl=context)
            writer.write(_stream_invite("mtls", "TLS"))
            await writer.drain()
            data = await asyncio.wait_for(reader.read(1), 5)
            writer.close()
            if not data:
                raise ConnectionError("closed")
