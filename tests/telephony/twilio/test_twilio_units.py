"""Twilio adapter, pure parts: mu-law, signatures, stream tokens, TwiML, wire format, pacing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from telephony.twilio import mulaw, protocol, twiml
from telephony.twilio.errors import FrameError, SignatureError, StreamTokenError
from telephony.twilio.playout import to_ulaw_frames
from telephony.twilio.tokens import TOKEN_PARAM, StreamTokens
from telephony.twilio.wire import InboundAudio
from telephony.web import twilio_signature as signature
from voice.media.pacing import FRAME_BYTES, PlayoutClock, SendStats

# Twilio's published request-signing example (twilio-python tests, Twilio security docs).
VECTOR_TOKEN = "12345"
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def _form(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _headers(sig: str) -> dict[str, str]:
    return {"x-twilio-signature": sig}


# --- mu-law ---
def test_mulaw_known_values() -> None:
    assert mulaw.decode(bytes([0xFF, 0x7F, 0x00, 0x80])).tolist() == [0, 0, -32124, 32124]
    assert mulaw.encode(np.array([0, 32767, -32768, 100, -100], dtype=np.int16)) == bytes(
        [0xFF, 0x80, 0x00, 0xF2, 0x72]
    )
    assert mulaw.encode(np.zeros(1, dtype=np.int16))[0] == mulaw.SILENCE_BYTE


def test_mulaw_bit_exact_with_audioop() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    codes = bytes(range(256))
    assert mulaw.decode(codes).tobytes() == audioop.ulaw2lin(codes, 2)
    every = np.arange(-32768, 32768, dtype=np.int16)
    assert mulaw.encode(every) == audioop.lin2ulaw(every.tobytes(), 2)


def test_mulaw_round_trip_is_stable() -> None:
    codes = bytes(range(256))
    assert mulaw.encode(mulaw.decode(codes)) == bytes(c if c != 0x7F else 0xFF for c in codes)


# --- signatures ---
def test_published_vector_by_hand_and_by_verify() -> None:
    signed = VECTOR_URL + "".join(k + VECTOR_PARAMS[k] for k in sorted(VECTOR_PARAMS))
    mac = hmac.new(VECTOR_TOKEN.encode(), signed.encode(), hashlib.sha1).digest()
    assert base64.b64encode(mac).decode() == VECTOR_SIGNATURE
    params = signature.verify(
        VECTOR_TOKEN, VECTOR_URL, _form(VECTOR_PARAMS), _headers(VECTOR_SIGNATURE)
    )
    assert params.first("Digits") == "1234"


@pytest.mark.parametrize(
    "url",
    [
        "https://mycompany.com/myapp.php?foo=1&bar=3",
        "https://mycompany.com/myapp.php?foo=1",
        "https://evil.example/myapp.php?foo=1&bar=2",
        "http://mycompany.com/myapp.php?foo=1&bar=2",
        "https://mycompany.com/other.php?foo=1&bar=2",
    ],
)
def test_tampered_url_is_refused(url: str) -> None:
    with pytest.raises(SignatureError):
        signature.verify(VECTOR_TOKEN, url, _form(VECTOR_PARAMS), _headers(VECTOR_SIGNATURE))


@pytest.mark.parametrize("change", [{"Digits": "1235"}, {"From": "+15550000000"}, {"Extra": "1"}])
def test_tampered_params_are_refused(change: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        signature.verify(
            VECTOR_TOKEN, VECTOR_URL, _form({**VECTOR_PARAMS, **change}), _headers(VECTOR_SIGNATURE)
        )


def test_missing_signature_wrong_token_and_no_token_are_refused() -> None:
    body = _form(VECTOR_PARAMS)
    with pytest.raises(SignatureError, match="no X-Twilio-Signature"):
        signature.verify(VECTOR_TOKEN, VECTOR_URL, body, {})
    with pytest.raises(SignatureError):
        signature.verify("54321", VECTOR_URL, body, _headers(VECTOR_SIGNATURE))
    with pytest.raises(SignatureError, match="no Auth Token"):
        signature.verify("", VECTOR_URL, body, _headers(VECTOR_SIGNATURE))


def test_public_url_not_host_header_builds_the_signed_url() -> None:
    url = signature.public_request_url("https://hotline.example.com/cc/", "/twilio/voice", b"a=1")
    assert url == "https://hotline.example.com/cc/twilio/voice?a=1"
    assert signature.public_request_url("https://h.example", "/twilio/status", b"") == (
        "https://h.example/twilio/status"
    )


# --- stream tokens ---
def test_stream_token_single_use_and_bound_to_parameters() -> None:
    tokens = StreamTokens(ttl_s=60)
    params = {"CallSid": "CA1", "From": "+1555"}
    token = tokens.mint("secret", params, now=1000)
    tokens.redeem("secret", {**params, TOKEN_PARAM: token}, now=1010)
    with pytest.raises(StreamTokenError, match="already used"):
        tokens.redeem("secret", {**params, TOKEN_PARAM: token}, now=1011)
    token = tokens.mint("secret", params, now=1000)
    for bad in (
        {**params, "From": "+1666", TOKEN_PARAM: token},
        {**params, TOKEN_PARAM: token + "x"},
        params,
    ):
        with pytest.raises(StreamTokenError):
            tokens.redeem("secret", bad, now=1010)
    with pytest.raises(StreamTokenError, match="expired"):
        tokens.redeem("secret", {**params, TOKEN_PARAM: token}, now=1061)
    with pytest.raises(StreamTokenError):
        tokens.redeem("other", {**params, TOKEN_PARAM: token}, now=1010)


# --- TwiML ---
def test_twiml_connects_a_stream_with_parameters_not_query() -> None:
    url = twiml.stream_url("https://hotline.example.com/cc/", "/twilio/media")
    assert url == "wss://hotline.example.com/cc/twilio/media"
    form = {"CallSid": ["CA1"], "From": ["+1555"], "To": ["+1800"], "Junk": ["x"]}
    xml = twiml.connect_stream(url, twiml.stream_parameters(form))
    stream = ET.fromstring(xml).find("Connect/Stream")
    assert stream is not None and stream.get("url") == url and "?" not in url
    got = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    assert got == {"CallSid": "CA1", "From": "+1555", "To": "+1800"}


# --- wire format ---
def _msg(event: str, body: object, **extra: object) -> str:
    return json.dumps({"event": event, event: body, **extra})


def test_parse_every_twilio_event() -> None:
    start = protocol.parse(
        _msg(
            "start",
            {
                "streamSid": "MZ1",
                "callSid": "CA1",
                "accountSid": "AC1",
                "tracks": ["inbound"],
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                "customParameters": {"From": "+1555"},
            },
            sequenceNumber="1",
        )
    )
    assert isinstance(start, protocol.Start) and start.media_format == protocol.MULAW_8K
    assert start.custom_parameters == {"From": "+1555"}
    media = protocol.parse(
        _msg(
            "media",
            {
                "track": "inbound",
                "chunk": "1",
                "timestamp": "40",
                "payload": base64.b64encode(b"\xff" * 160).decode(),
            },
        )
    )
    assert (
        isinstance(media, protocol.Media) and media.timestamp_ms == 40 and len(media.payload) == 160
    )
    assert protocol.parse(_msg("dtmf", {"track": "inbound_track", "digit": "7"})) == protocol.Dtmf(
        "7"
    )
    assert protocol.parse(_msg("mark", {"name": "u1.2"})) == protocol.Mark("u1.2")
    assert isinstance(protocol.parse(_msg("stop", {"callSid": "CA1"})), protocol.Stop)
    assert isinstance(
        protocol.parse('{"event": "connected", "protocol": "Call"}'), protocol.Connected
    )
    assert protocol.parse(_msg("surprise", {})) == protocol.Unknown("surprise")


@pytest.mark.parametrize(
    "message,code",
    [
        ("{not json", "bad_json"),
        (b"\x00\x01", "binary"),
        ("[1, 2]", "no_event"),
        ('{"event": "media"}', "no_body"),
        (json.dumps({"event": "media", "media": {"payload": "@@@not base64@@@"}}), "bad_base64"),
        (json.dumps({"event": "dtmf", "dtmf": {"digit": "12"}}), "bad_dtmf"),
        (json.dumps({"event": "start", "start": {"streamSid": "MZ"}}), "bad_start"),
        ("x" * 70000, "too_large"),
    ],
)
def test_malformed_messages_raise_frame_error(message: str | bytes, code: str) -> None:
    with pytest.raises(FrameError) as err:
        protocol.parse(message)
    assert err.value.code == code


def test_outbound_messages() -> None:
    media = json.loads(protocol.media_message("MZ1", b"\x01\x02"))
    assert media == {"event": "media", "streamSid": "MZ1", "media": {"payload": "AQI="}}
    assert json.loads(protocol.mark_message("MZ1", "u1.1"))["mark"] == {"name": "u1.1"}
    assert json.loads(protocol.clear_message("MZ1")) == {"event": "clear", "streamSid": "MZ1"}


def test_inbound_audio_fills_lost_frames_with_silence() -> None:
    inbound = InboundAudio()
    speech = mulaw.encode(np.full(160, 1000, dtype=np.int16))
    first = inbound.pcm(protocol.Media(payload=speech, timestamp_ms=0))
    assert len(first) == 320
    later = inbound.pcm(protocol.Media(payload=speech, timestamp_ms=60))  # 2 frames lost
    samples = np.frombuffer(later, dtype=np.int16)
    assert len(samples) == 480 and not samples[:320].any() and samples[320:].all()
    assert inbound.filled_ms == 40


# --- outbound audio and pacing ---
def test_agent_audio_becomes_whole_160_byte_frames() -> None:
    tone = (np.sin(np.arange(22050) * 2 * np.pi * 440 / 22050) * 8000).astype(np.int16)
    frames = to_ulaw_frames(tone[: 22050 // 2 + 7].tobytes(), 22050)
    assert all(len(f) == FRAME_BYTES for f in frames)
    assert len(frames) == 26  # 0.5003 s -> 25.01 frames, the last padded with silence
    assert frames[-1].endswith(bytes([mulaw.SILENCE_BYTE]) * 100)


def test_playout_clock_is_absolute_with_lead_and_restarts_after_underrun() -> None:
    clock = PlayoutClock(lead_ms=40)
    dues = []
    for i in range(6):
        dues.append(clock.due(100.0 + i * 0.001))  # sender is slightly late each time
        clock.sent()
    assert dues[:3] == [100.0, 100.0, 100.0]  # the lead: 2 frames ahead of real time
    assert dues[3:] == pytest.approx([100.02, 100.04, 100.06])  # no drift from lateness
    assert clock.play_end == pytest.approx(100.12)
    assert clock.due(100.1) == pytest.approx(100.08)  # not behind yet: same schedule
    clock.sent()
    assert clock.due(100.5) == 100.5 and clock.spurts == 2  # buffer ran dry: new spurt, no burst


def test_send_stats_summary() -> None:
    stats = SendStats()
    for k in range(10):
        stats.record(due=k * 0.02, actual=k * 0.02 + (0.002 if k == 5 else 0.0), paced=k > 0)
    summary = stats.summary()
    assert summary["frames"] == 10 and summary["intervals"] == 9
    assert summary["late_max_ms"] == pytest.approx(2.0)
    assert summary["jitter_max_ms"] == pytest.approx(2.0)
