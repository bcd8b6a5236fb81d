"""Pure unit tests with golden values: parser, G.711, jitter buffer, RFC 4733, SDP."""

from __future__ import annotations

import contextlib
import struct
import warnings

import numpy as np
import pytest

from telephony.sip.dtmf import DtmfReceiver, digit_packets, parse_event
from telephony.sip.errors import ParseError
from telephony.sip.jitter import JitterBuffer
from telephony.sip.message import SipRequest
from telephony.sip.parser import parse_message
from telephony.sip.rtp import RtpPacket, parse_rtp
from telephony.sip.sdp import negotiate, parse_sdp
from voice.media import g711

FOLDED = (
    b"OPTIONS sip:a@example.com SIP/2.0\r\nv: SIP/2.0/UDP h.example.com;branch=z9hG4bK1,\r\n"
    b" SIP/2.0/TCP g.example.com:5070;branch=z9hG4bK2\r\nf: \"A \\\"B\\\"\" <sip:b@example.com>;tag=1\r\n"
    b"t: sip:a@example.com\r\ni: x@y\r\nCSeq: 7\r\n  OPTIONS\r\nl: 0\r\n\r\n"
)


def test_parser_unfolds_compact_headers_escapes_and_multiple_vias() -> None:
    msg = parse_message(FOLDED)
    assert isinstance(msg, SipRequest)
    assert [v.host for v in msg.vias] == ["h.example.com", "g.example.com"]
    assert msg.vias[1].port == 5070 and msg.vias[1].transport == "TCP"
    assert msg.from_.display == 'A "B"' and msg.from_.tag == "1"
    assert (msg.call_id, msg.cseq, msg.cseq_method) == ("x@y", 7, "OPTIONS")


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (FOLDED.replace(b"SIP/2.0\r\nv:", b"SIP/3.0\r\nv:"), 505),
        (FOLDED.replace(b"l: 0", b"l: 99"), 400),
        (FOLDED.replace(b"i: x@y\r\n", b""), 400),
        (b"\x00\xff garbage", 400),
        (b"", 400),
    ],
)
def test_parser_refuses_with_the_right_status(data: bytes, status: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_message(data)
    assert info.value.status == status


def test_parser_is_total_on_random_mutations() -> None:
    rng = np.random.default_rng(7)
    base = np.frombuffer(FOLDED, dtype=np.uint8)
    for _ in range(3000):
        mutated = base.copy()
        idx = rng.integers(0, len(base), size=rng.integers(1, 8))
        mutated[idx] = rng.integers(0, 256, size=len(idx))
        with contextlib.suppress(ParseError):
            parse_message(mutated.tobytes()[: rng.integers(1, len(base) + 1)])


def test_g711_golden_values() -> None:
    assert g711.ulaw_to_pcm16(bytes([0x00, 0x80, 0xFF, 0x7F])) == struct.pack("<4h", -32124, 32124, 0, 0)
    assert g711.alaw_to_pcm16(bytes([0xD5, 0x55, 0x2A, 0xAA])) == struct.pack("<4h", 8, -8, -32256, 32256)
    assert g711.pcm16_to_ulaw(struct.pack("<3h", 0, 32767, -32768)) == bytes([0xFF, 0x80, 0x00])
    assert g711.pcm16_to_alaw(struct.pack("<3h", 0, 32767, -32768)) == bytes([0xD5, 0xAA, 0x2A])


def test_g711_matches_the_itu_reference_in_audioop_for_every_sample() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    pcm = np.arange(-32768, 32768, dtype="<i2").tobytes()
    assert g711.pcm16_to_ulaw(pcm) == audioop.lin2ulaw(pcm, 2)
    assert g711.pcm16_to_alaw(pcm) == audioop.lin2alaw(pcm, 2)
    every = bytes(range(256))
    assert g711.ulaw_to_pcm16(every) == audioop.ulaw2lin(every, 2)
    assert g711.alaw_to_pcm16(every) == audioop.alaw2lin(every, 2)


def _pkt(seq: int) -> RtpPacket:
    return RtpPacket(0, seq & 0xFFFF, seq * 160, 1, bytes([seq & 0xFF]) * 160)


def test_jitter_buffer_reorders_drops_duplicates_and_late_and_wraps() -> None:
    jb = JitterBuffer(depth=3)
    out = []
    for seq in [65534, 0, 65535, 65535, 1, 3, 3, 4, 5, 6, 65533]:
        out += jb.push(_pkt(seq))
    seqs = [p.sequence if p else None for p in out]
    assert seqs == [65534, 65535, 0, 1, None, 3, 4, 5, 6]  # gap given up at depth 3
    assert (jb.duplicates, jb.late, jb.lost) == (1, 2, 1)  # a replayed 65535 is late


def test_rtp_round_trip_and_rejects_garbage() -> None:
    packet = RtpPacket(8, 513, 99, 7, b"abc", marker=True)
    assert parse_rtp(packet.to_bytes()) == packet
    assert parse_rtp(b"\x00" * 12) is None and parse_rtp(b"\x80") is None


def test_rfc4733_digits_are_reported_once_per_event() -> None:
    packets = digit_packets("5")
    assert packets[0][1] is True and all(not m for _, m in packets[1:])
    assert [parse_event(p).end for p, _ in packets[-3:]] == [True] * 3  # type: ignore[union-attr]
    receiver = DtmfReceiver()
    seen = [receiver.feed(1000, p) for p, _ in packets] + [receiver.feed(2000, packets[0][0])]
    digits = [e.digit for e in seen if e is not None]
    assert digits == ["5", "5"]


def test_sdp_answers_first_common_codec_and_flips_direction() -> None:
    offer = parse_sdp(
        b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        b"m=audio 4000 RTP/AVP 18 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n"
    )
    plan = negotiate(offer)
    assert (plan.payload_type, plan.codec, plan.dtmf_payload_type) == (8, "PCMA", 96)
    assert plan.direction == "recvonly" and plan.remote_port == 4000


def test_jitter_buffer_obeys_a_far_jump_only_when_the_next_packet_confirms_it() -> None:
    jb = JitterBuffer(depth=3)
    assert [p.sequence for p in jb.push(_pkt(10)) if p] == [10]
    assert jb.push(_pkt(1510)) == [] and jb.push(RtpPacket(0, 11, 0, 99, b"")) == []  # strangers
    assert [p.sequence for p in jb.push(_pkt(11)) if p] == [11]  # the stream goes on
    assert jb.push(_pkt(9000)) == []
    assert [p.sequence for p in jb.push(_pkt(9001)) if p] == [9001]  # a real restart
    assert jb.rejected == 3
