"""SIP message objects: headers, requests, responses, and their wire form."""

from __future__ import annotations

from dataclasses import dataclass, field

from telephony.sip.uri import NameAddr, Uri, Via

COMPACT = {
    "i": "Call-ID", "m": "Contact", "e": "Content-Encoding", "l": "Content-Length",
    "c": "Content-Type", "f": "From", "s": "Subject", "k": "Supported", "t": "To",
    "v": "Via", "r": "Refer-To", "b": "Referred-By", "o": "Event", "u": "Allow-Events",
    "x": "Session-Expires",
}  # fmt: skip
_KNOWN = [
    "Accept", "Accept-Encoding", "Accept-Language", "Allow", "Authorization", "Call-ID",
    "Contact", "Content-Disposition", "Content-Encoding", "Content-Length", "Content-Type",
    "CSeq", "Date", "Event", "Expires", "From", "Max-Forwards", "Proxy-Authorization",
    "Proxy-Require", "Record-Route", "Refer-To", "Referred-By", "Require", "Retry-After",
    "Route", "Server", "Subject", "Subscription-State", "Supported", "To", "Unsupported",
    "User-Agent", "Via", "WWW-Authenticate", "Allow-Events", "Session-Expires",
]  # fmt: skip
CANONICAL = {name.lower(): name for name in _KNOWN}

REASONS = {
    100: "Trying", 180: "Ringing", 200: "OK", 202: "Accepted", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 408: "Request Timeout", 415: "Unsupported Media Type",
    416: "Unsupported URI Scheme", 420: "Bad Extension", 480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 483: "Too Many Hops",
    486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
    491: "Request Pending", 500: "Server Internal Error", 501: "Not Implemented",
    503: "Service Unavailable", 505: "Version Not Supported", 513: "Message Too Large",
}  # fmt: skip


def canonical_name(name: str) -> str:
    lower = name.lower()
    if lower in COMPACT:
        return COMPACT[lower]
    return CANONICAL.get(lower, name)


@dataclass
class Headers:
    """Ordered header fields; names are canonical, lookups case-insensitive."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        key = canonical_name(name).lower()
        for hname, value in self.items:
            if hname.lower() == key:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        key = canonical_name(name).lower()
        return [value for hname, value in self.items if hname.lower() == key]

    def add(self, name: str, value: str) -> None:
        self.items.append((canonical_name(name), value))


@dataclass
class SipRequest:
    method: str
    uri: Uri
    headers: Headers
    body: bytes
    vias: list[Via]
    from_: NameAddr
    to: NameAddr
    call_id: str
    cseq: int
    cseq_method: str
    max_forwards: int | None = None
    contact: NameAddr | None = None

    @property
    def top_via(self) -> Via:
        return self.vias[0]


@dataclass
class SipResponse:
    status: int
    reason: str
    headers: Headers
    body: bytes
    vias: list[Via]
    from_: NameAddr
    to: NameAddr
    call_id: str
    cseq: int
    cseq_method: str
    contact: NameAddr | None = None


def serialize(start_line: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    lines = [start_line]
    lines += [f"{name}: {value}" for name, value in headers if name != "Content-Length"]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response_headers(
    vias: list[str],
    from_: str | None,
    to: str | None,
    call_id: str | None,
    cseq: str | None,
    to_tag: str | None,
) -> list[tuple[str, str]]:
    """The header fields a response copies from its request (RFC 3261 8.2.6.2)."""
    out = [("Via", via) for via in vias]
    if from_ is not None:
        out.append(("From", from_))
    if to is not None:
        if to_tag and ";tag=" not in to.replace(" ", "").lower():
            to = f"{to};tag={to_tag}"
        out.append(("To", to))
    if call_id is not None:
        out.append(("Call-ID", call_id))
    if cseq is not None:
        out.append(("CSeq", cseq))
    return out


def build_response(
    request: SipRequest,
    status: int,
    to_tag: str | None = None,
    extra: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    reason: str | None = None,
) -> bytes:
    headers = response_headers(
        request.headers.get_all("Via"),
        request.headers.get("From"),
        request.headers.get("To"),
        request.call_id,
        f"{request.cseq} {request.cseq_method}",
        to_tag if status != 100 else None,
    )
    headers += extra or []
    headers.append(("Server", "Hotline"))
    return serialize(f"SIP/2.0 {status} {reason or REASONS.get(status, 'Unknown')}", headers, body)
