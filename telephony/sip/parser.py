"""Strict, total SIP message parser for datagrams: bytes in, a message or ParseError out."""

from __future__ import annotations

from dataclasses import dataclass

from telephony.sip.errors import ParseError
from telephony.sip.grammar import LWS, WORD_CHARS, is_token, parse_uint, split_top
from telephony.sip.message import Headers, SipRequest, SipResponse, canonical_name
from telephony.sip.uri import NameAddr, parse_name_addr, parse_uri, parse_via_list

MAX_MESSAGE_BYTES = 65_535
SINGLE = ("To", "From", "Call-ID", "CSeq", "Max-Forwards", "Content-Length", "Content-Type")


@dataclass
class RawMessage:
    """A message split into start line, unfolded header fields and body, not yet validated."""

    start: str
    headers: Headers
    body: bytes
    is_request: bool


class RequestParseError(ParseError):
    """A request that must be refused; ``raw`` lets the server copy headers into the reply."""

    def __init__(self, reason: str, status: int, raw: RawMessage) -> None:
        super().__init__(reason, status)
        self.raw = raw


def parse_message(data: bytes) -> SipRequest | SipResponse:
    """Parse one datagram. Raises ParseError (RequestParseError when a reply is owed)."""
    try:
        raw = split_message(data)
    except ParseError:
        raise
    except Exception as exc:  # the contract is total: nothing but ParseError escapes
        raise ParseError(f"unparseable: {type(exc).__name__}") from exc
    try:
        if raw.is_request:
            return _request(raw)
        return _response(raw)
    except RequestParseError:
        raise
    except ParseError as exc:
        if raw.is_request:
            raise RequestParseError(exc.reason, exc.status, raw) from exc
        raise
    except Exception as exc:
        if raw.is_request:
            raise RequestParseError(f"unparseable: {type(exc).__name__}", 400, raw) from exc
        raise ParseError(f"unparseable: {type(exc).__name__}") from exc


def split_message(data: bytes) -> RawMessage:
    data = data.lstrip(b"\r\n")
    if not data:
        raise ParseError("keep-alive")
    head_bytes, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        raise ParseError("no end of headers")
    try:
        head, utf8 = head_bytes.decode("utf-8"), True
    except UnicodeDecodeError:
        head, utf8 = head_bytes.decode("utf-8", "replace"), False  # read on, to answer 400
    lines = head.split("\r\n")
    if any("\r" in line or "\n" in line for line in lines):
        raise ParseError("bare CR or LF in header section")
    is_request = not lines[0].startswith("SIP/")
    headers = Headers()
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            if not headers.items:
                raise ParseError("continuation before first header")
            name, value = headers.items[-1]
            headers.items[-1] = (name, f"{value} {line.strip(LWS)}".strip(LWS))
            continue
        name, colon, value = line.partition(":")
        name = name.rstrip(LWS)
        if not colon or not is_token(name):
            raise ParseError(f"bad header line {line[:40]!r}")
        headers.items.append((canonical_name(name), value.strip(LWS)))
    raw = RawMessage(lines[0], headers, b"", is_request)
    if not utf8:  # RFC 3261 25.1: the header section is UTF-8; a request gets 400
        if is_request:
            raise RequestParseError("header section is not UTF-8", 400, raw)
        raise ParseError("header section is not UTF-8")
    raw.body = _body(raw, rest)
    return raw


def _body(raw: RawMessage, rest: bytes) -> bytes:
    lengths = raw.headers.get_all("Content-Length")
    if not lengths:
        return rest  # over UDP the body runs to the end of the datagram (RFC 3261 18.3)
    if len(lengths) > 1:
        raise RequestParseError("several Content-Length values", 400, raw)
    try:
        length = parse_uint(lengths[0], "Content-Length", MAX_MESSAGE_BYTES)
    except ParseError as exc:
        raise RequestParseError(exc.reason, 400, raw) from exc
    if length > len(rest):
        raise RequestParseError("Content-Length larger than the message", 400, raw)
    return rest[:length]


def _request(raw: RawMessage) -> SipRequest:
    parts = raw.start.split(" ")
    if len(parts) != 3:
        raise ParseError("request line must be three fields separated by single spaces")
    method, uri_text, version = parts
    if not version.startswith("SIP/") or version[4:].count(".") != 1:
        raise ParseError("bad SIP version")
    if version.upper() != "SIP/2.0":
        raise ParseError("unsupported SIP version", 505)
    if not is_token(method):
        raise ParseError("bad method")
    uri = parse_uri(uri_text)
    if uri.headers:
        raise ParseError("headers are not allowed in a Request-URI")
    h = raw.headers
    common = _common(h)
    if common[4] != method:
        raise ParseError("CSeq method does not match the request line")
    mf_text = h.get("Max-Forwards")
    max_forwards = parse_uint(mf_text, "Max-Forwards", 255) if mf_text is not None else None
    contact = _contact(h)
    vias, from_, to, call_id, cseq_method, cseq = common
    return SipRequest(
        method, uri, h, raw.body, vias, from_, to, call_id, cseq, cseq_method, max_forwards, contact
    )


def _response(raw: RawMessage) -> SipResponse:
    version, _, rest = raw.start.partition(" ")
    code, _, reason = rest.partition(" ")
    if version != "SIP/2.0" or len(code) != 3 or not code.isdigit() or code[0] == "0":
        raise ParseError("bad status line")
    vias, from_, to, call_id, cseq_method, cseq = _common(raw.headers)
    return SipResponse(
        int(code), reason, raw.headers, raw.body, vias, from_, to, call_id, cseq, cseq_method,
        _contact(raw.headers),
    )  # fmt: skip


def _common(h: Headers) -> tuple:  # type: ignore[type-arg]
    for name in SINGLE:
        if len(h.get_all(name)) > 1:
            raise ParseError(f"more than one {name}")
    via_values = h.get_all("Via")
    from_text, to_text, call_id, cseq_text = (
        h.get("From"),
        h.get("To"),
        h.get("Call-ID"),
        h.get("CSeq"),
    )
    if (
        not via_values
        or from_text is None
        or to_text is None
        or call_id is None
        or cseq_text is None
    ):
        raise ParseError("missing a mandatory header field")
    vias = [via for value in via_values for via in parse_via_list(value)]
    from_, to = parse_name_addr(from_text), parse_name_addr(to_text)
    word, at, host = call_id.partition("@")
    if not word or not all(c in WORD_CHARS for c in word + host) or (at and not host):
        raise ParseError("bad Call-ID")
    fields = cseq_text.split(None, 1)
    if len(fields) != 2:
        raise ParseError("bad CSeq")
    number, cseq_method = fields[0], fields[1].strip(LWS)
    if not is_token(cseq_method):
        raise ParseError("bad CSeq method")
    cseq = parse_uint(number, "CSeq number", 2**31 - 1)
    content_type = h.get("Content-Type")
    if content_type is not None:
        media, _, _ = content_type.partition(";")
        kind, slash, sub = media.strip(LWS).partition("/")
        if not slash or not is_token(kind.strip(LWS)) or not is_token(sub.strip(LWS)):
            raise ParseError("bad Content-Type")
    for name in ("Require", "Supported", "Proxy-Require"):
        for value in h.get_all(name):
            if name == "Supported" and not value:
                continue  # Supported may be empty (RFC 3261 20.37)
            if not all(is_token(t.strip(LWS)) for t in split_top(value, ",")):
                raise ParseError(f"bad {name}")
    return vias, from_, to, call_id, cseq_method, cseq


def _contact(h: Headers) -> NameAddr | None:
    values = h.get_all("Contact")
    first: NameAddr | None = None
    for value in values:
        if value.strip(LWS) == "*":
            continue
        for item in split_top(value, ","):
            parsed = parse_name_addr(item)
            first = first or parsed
    return first
