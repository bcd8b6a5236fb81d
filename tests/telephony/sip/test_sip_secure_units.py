"""Stream framing (RFC 3261 18.3), SDES attributes (RFC 4568) and SRTP protection, unit by unit;
and SRTP on a real media port: a forged packet neither plays nor latches."""

from __future__ import annotations

import asyncio
import base64
import os

import pytest

from telephony.sip.errors import SdpError
from telephony.sip.media import MediaSession
from telephony.sip.rtp import RtpPacket
from telephony.sip.sdp import PCMU, MediaPlan, negotiate, parse_sdp
from telephony.sip.srtp import Crypto, SrtpStream, local_crypto, parse_crypto
from telephony.sip.stream import MAX_MESSAGE_BYTES, frame

KEY = os.urandom(30)
INLINE = base64.b64encode(KEY).decode()


def test_frame_splits_a_stream_into_messages_by_content_length() -> None:
    one = b"INVITE sip:a@b SIP/2.0\r\nl: 4\r\n\r\nbody"
    two = b"BYE sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n"
    buffer = bytearray(b"\r\n\r\n" + one + two[:10])  # a keep-alive, a message, half of another
    assert frame(buffer) == one
    assert frame(buffer) is None
    buffer += two[10:]
    assert frame(buffer) == two and not buffer


def test_frame_refuses_what_cannot_fit() -> None:
    with pytest.raises(ValueError):
        frame(bytearray(b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n"))
    with pytest.raises(ValueError):
        frame(bytearray(b"x" * (MAX_MESSAGE_BYTES + 1)))


def test_crypto_attributes_we_can_and_cannot_use() -> None:
    good = parse_crypto(f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|2^20")
    assert good == Crypto(1, "AES_CM_128_HMAC_SHA1_80", KEY)
    assert INLINE not in repr(good)  # keys never reach a log line
    assert parse_crypto(f"2 AES_CM_128_HMAC_SHA1_32 inline:{INLINE}|2^31") is not None
    for bad in (f"1 F8_128_HMAC_SHA1_80 inline:{INLINE}", f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|2^20|1:4",
                "1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE};x",
                "x AES_CM_128_HMAC_SHA1_80 inline:!!!", ""):
        assert parse_crypto(bad) is None, bad


def _offer(proto: str, crypto: bool) -> bytes:
    lines = ["v=0", "o=a 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
             f"m=audio 4000 {proto} 0"]
    if crypto:
        lines.append(f"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(("proto", "crypto", "mode", "keyed"), [
    ("RTP/AVP", False, "off", False), ("RTP/AVP", True, "off", False),
    ("RTP/AVP", False, "optional", False), ("RTP/AVP", True, "optional", True),
    ("RTP/SAVP", True, "optional", True), ("RTP/SAVP", True, "required", True),
    ("RTP/AVP", True, "required", True),
    ("RTP/SAVP", True, "off", None), ("RTP/SAVP", False, "optional", None),
    ("RTP/AVP", False, "required", None),
])  # fmt: skip
def test_negotiation_by_srtp_mode(proto: str, crypto: bool, mode: str, keyed: bool | None) -> None:
    offer = parse_sdp(_offer(proto, crypto))
    if keyed is None:
        with pytest.raises(SdpError):
            negotiate(offer, srtp=mode)
        return
    plan = negotiate(offer, srtp=mode)
    assert (plan.crypto is not None) == keyed


def test_protect_and_unprotect_between_two_ends() -> None:
    theirs = Crypto(1, "AES_CM_128_HMAC_SHA1_80", KEY)
    ours = local_crypto(theirs)
    assert ours.key != KEY and ours.suite == theirs.suite
    us, them = SrtpStream(ours, theirs), SrtpStream(theirs, ours)
    rtp = RtpPacket(0, 7, 160, 1234, b"\xff" * 160, False).to_bytes()
    sent = us.protect(rtp)
    assert sent != rtp and len(sent) == len(rtp) + 10  # 80-bit tag
    assert them.unprotect(sent) == rtp
    assert them.unprotect(sent) is None  # a replay
    forged = bytearray(us.protect(RtpPacket(0, 8, 320, 1234, b"\x00" * 160, False).to_bytes()))
    forged[20] ^= 1
    assert them.unprotect(bytes(forged)) is None and them.failures == 2


async def test_srtp_media_port_drops_forged_and_plain_packets() -> None:
    theirs = Crypto(1, "AES_CM_128_HMAC_SHA1_80", KEY)
    ours = local_crypto(theirs)
    plan = MediaPlan("127.0.0.1", 1, 0, PCMU, None, "sendrecv", 0, theirs)
    loop = asyncio.get_running_loop()
    media = MediaSession("srtp-test", plan, "once", "127.0.0.1", SrtpStream(ours, theirs))
    _, protocol = await loop.create_datagram_endpoint(lambda: media, local_addr=("127.0.0.1", 0))
    caller = SrtpStream(theirs, ours)
    try:
        plain = RtpPacket(0, 100, 0, 99, b"\x00" * 160, False).to_bytes()
        media.datagram_received(plain, ("127.0.0.2", 5000))  # a stranger, unencrypted
        assert media.packets_refused == 1 and not media._latched
        for seq in range(101, 106):
            packet = RtpPacket(0, seq, seq * 160, 99, b"\x00" * 160, False).to_bytes()
            media.datagram_received(caller.protect(packet), ("127.0.0.1", 4000))
        assert media.packets_in == 5 and media.remote == ("127.0.0.1", 4000)
    finally:
        await media.close()
