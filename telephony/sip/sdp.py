"""SDP offer/answer (RFC 3264) for one audio stream: PCMU, PCMA and telephone-event."""

from __future__ import annotations

from dataclasses import dataclass, field

from telephony.sip.errors import SdpError
from telephony.sip.srtp import Crypto, parse_crypto

PCMU, PCMA = "PCMU", "PCMA"
STATIC = {0: PCMU, 8: PCMA}
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
FLIP = {
    "sendrecv": "sendrecv",
    "sendonly": "recvonly",
    "recvonly": "sendonly",
    "inactive": "inactive",
}


@dataclass
class MediaLine:
    kind: str
    port: int
    proto: str
    formats: list[str]
    address: str | None = None
    rtpmap: dict[int, str] = field(default_factory=dict)
    direction: str | None = None
    crypto: list[str] = field(default_factory=list)  # a=crypto values, RFC 4568


@dataclass
class SessionDescription:
    address: str | None
    media: list[MediaLine]
    direction: str = "sendrecv"


@dataclass(frozen=True)
class MediaPlan:
    """The negotiated audio stream."""

    remote_host: str
    remote_port: int
    payload_type: int
    codec: str
    dtmf_payload_type: int | None
    direction: str  # our direction: what we may do
    index: int = 0  # which m-line of the offer carries it
    crypto: Crypto | None = None  # the offer's SDES line we chose: SRTP; None: plain RTP


def parse_sdp(body: bytes) -> SessionDescription:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SdpError("SDP is not UTF-8") from exc
    session = SessionDescription(None, [])
    current: MediaLine | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line:
            continue
        key, eq, value = line.partition("=")
        if not eq or len(key) != 1:
            raise SdpError(f"bad SDP line {line[:40]!r}")
        if key == "m":
            current = _media(value)
            session.media.append(current)
        elif key == "c":
            address = _connection(value)
            if current is None:
                session.address = address
            else:
                current.address = address
        elif key == "a":
            name, _, arg = value.partition(":")
            target_direction = name if name in DIRECTIONS else None
            if target_direction:
                if current is None:
                    session.direction = target_direction
                else:
                    current.direction = target_direction
            elif name == "crypto" and current is not None:
                current.crypto.append(arg)
            elif name == "rtpmap" and current is not None:
                pt_text, _, encoding = arg.partition(" ")
                if pt_text.isdigit():
                    current.rtpmap[int(pt_text)] = encoding.strip()
    if not session.media:
        raise SdpError("no media")
    return session


def _media(value: str) -> MediaLine:
    parts = value.split()
    if len(parts) < 4:
        raise SdpError("bad m= line")
    port_text = parts[1].split("/")[0]
    if not port_text.isdigit() or int(port_text) > 65535:
        raise SdpError("bad media port")
    return MediaLine(parts[0], int(port_text), parts[2], parts[3:])


def _connection(value: str) -> str:
    parts = value.split()
    if len(parts) != 3 or parts[0] != "IN" or parts[1] not in ("IP4", "IP6"):
        raise SdpError("bad c= line")
    return parts[2].split("/")[0]  # an address, or an FQDN (never resolved: we latch)


def _codec_name(media: MediaLine, pt: int) -> str:
    encoding = media.rtpmap.get(pt)
    if encoding is None:
        return STATIC.get(pt, "")
    return (
        encoding.split("/")[0].upper()
        if encoding.upper().endswith("/8000") or "/8000/" in encoding.upper()
        else ""
    )


SRTP_MODES = ("off", "optional", "required")


def _usable_crypto(media: MediaLine, srtp: str) -> Crypto | None | bool:
    """The SDES line to use (a Crypto), plain RTP (None), or False: not a stream for us.

    RTP/SAVP must be keyed; RTP/AVP with a=crypto is "best effort" SRTP (baresip's `srtp`,
    many PBXs): keyed when we can, plain otherwise, unless ``srtp`` is "required"."""
    proto = media.proto.upper()
    if proto not in ("RTP/AVP", "RTP/SAVP") or (proto == "RTP/SAVP" and srtp == "off"):
        return False
    chosen = None if srtp == "off" else next(
        (c for c in map(parse_crypto, media.crypto) if c is not None), None)  # fmt: skip
    if chosen is None and (proto == "RTP/SAVP" or srtp == "required"):
        return False
    return chosen


def negotiate(
    offer: SessionDescription, codecs: tuple[str, ...] = (PCMU, PCMA), srtp: str = "off"
) -> MediaPlan:
    """Pick the first offered codec we support on the first usable audio stream; ``srtp``
    ("off", "optional", "required") says which profiles are usable (docs/sip.md, "SRTP")."""
    refused_profile = False
    for index, media in enumerate(offer.media):
        if media.kind != "audio" or media.port == 0:
            continue
        crypto = _usable_crypto(media, srtp)
        if crypto is False:
            refused_profile = True
            continue
        assert crypto is None or isinstance(crypto, Crypto)
        pts = [int(f) for f in media.formats if f.isdigit()]
        chosen = next(
            ((pt, _codec_name(media, pt)) for pt in pts if _codec_name(media, pt) in codecs), None
        )
        if chosen is None:
            continue
        dtmf = next(
            (
                pt
                for pt in pts
                if media.rtpmap.get(pt, "").lower().startswith("telephone-event/8000")
            ),
            None,
        )
        host = media.address or offer.address
        if host is None:
            raise SdpError("no connection address")
        remote_direction = media.direction or offer.direction
        if host in ("0.0.0.0", "::"):
            remote_direction = "inactive" if remote_direction == "inactive" else "sendonly"
        return MediaPlan(
            host, media.port, chosen[0], chosen[1], dtmf, FLIP[remote_direction], index, crypto
        )
    if refused_profile:
        raise SdpError("SRTP is required" if srtp == "required" else "no acceptable media profile")
    raise SdpError("no common codec")


def build_sdp(
    address: str,
    port: int,
    session_id: int,
    version: int,
    formats: list[tuple[int, str]],
    direction: str,
    offer: SessionDescription | None = None,
    audio_index: int = 0,
    crypto: Crypto | None = None,
) -> bytes:
    """An offer (``offer`` None) or an answer mirroring every m-line of ``offer``."""
    family = "IP6" if ":" in address else "IP4"
    lines = [
        "v=0",
        f"o=hotline {session_id} {version} IN {family} {address}",
        "s=Hotline",
        f"c=IN {family} {address}",
        "t=0 0",
    ]
    offered = offer.media if offer else [MediaLine("audio", 1, "RTP/AVP", [])]
    for index, media in enumerate(offered):
        if index != audio_index:
            lines.append(f"m={media.kind} 0 {media.proto} {' '.join(media.formats)}")
            continue
        proto = media.proto if offer else ("RTP/SAVP" if crypto else "RTP/AVP")
        lines.append(f"m=audio {port} {proto} {' '.join(str(pt) for pt, _ in formats)}")
        if crypto is not None:
            lines.append(f"a={crypto.attribute()}")
        for pt, name in formats:
            lines.append(f"a=rtpmap:{pt} {name}/8000")
            if name == "telephone-event":
                lines.append(f"a=fmtp:{pt} 0-16")
        lines += ["a=ptime:20", f"a={direction}"]
    return ("\r\n".join(lines) + "\r\n").encode()


def answer_for(
    offer: SessionDescription,
    plan: MediaPlan,
    address: str,
    port: int,
    session_id: int,
    version: int,
    crypto: Crypto | None = None,
) -> bytes:
    """The answer to ``offer`` as planned; ``crypto`` is our SDES line when the plan is SRTP."""
    formats = [(plan.payload_type, plan.codec)]
    if plan.dtmf_payload_type is not None:
        formats.append((plan.dtmf_payload_type, "telephone-event"))
    return build_sdp(
        address, port, session_id, version, formats, plan.direction, offer, plan.index, crypto
    )


OFFER_FORMATS = [(0, PCMU), (8, PCMA), (101, "telephone-event")]
