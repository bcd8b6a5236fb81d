"""SIP URIs, name-addr values (From, To, Contact, Refer-To) and Via values."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from telephony.sip.errors import ParseError
from telephony.sip.grammar import (
    ALNUM,
    LWS,
    check_escapes,
    is_token,
    parse_host,
    parse_hostport,
    parse_params,
    parse_uint,
    read_quoted,
    split_top,
)

_UNRESERVED = ALNUM | frozenset("-_.!~*'()")
_USER_CHARS = _UNRESERVED | frozenset("&=+$,;?/")
_PASSWORD_CHARS = _UNRESERVED | frozenset("&=+$,")
_PARAM_CHARS = _UNRESERVED | frozenset("[]/:&+$")
_HEADER_CHARS = _UNRESERVED | frozenset("[]/?:+$")
_SCHEME_CHARS = ALNUM | frozenset("+-.")
_URIC = _UNRESERVED | frozenset(";/?:@&=+$,[]#")


@dataclass(frozen=True)
class Uri:
    """A parsed URI. For sip/sips: user (unescaped), host, port, params, headers."""

    scheme: str
    raw: str
    user: str = ""
    host: str = ""
    port: int | None = None
    params: dict[str, str | None] = field(default_factory=dict)
    headers: str = ""

    @property
    def is_sip(self) -> bool:
        return self.scheme in ("sip", "sips")


def parse_uri(text: str) -> Uri:
    scheme, colon, rest = text.partition(":")
    if not colon or not scheme or not scheme[0].isalpha():
        raise ParseError(f"bad URI {text[:40]!r}")
    if not all(c in _SCHEME_CHARS for c in scheme):
        raise ParseError("bad URI scheme")
    scheme = scheme.lower()
    if any(c in ' \t\r\n<>"' for c in rest) or not rest:
        raise ParseError(f"bad URI {text[:40]!r}")
    if scheme not in ("sip", "sips"):
        check_escapes(rest, _URIC, "URI")
        return Uri(scheme=scheme, raw=text)
    user = ""
    if "@" in rest:
        userinfo, _, rest = rest.partition("@")
        name, _, password = userinfo.partition(":")
        if not name:
            raise ParseError("empty user part")
        check_escapes(name, _USER_CHARS, "user")
        check_escapes(password, _PASSWORD_CHARS, "password")
        user = urllib.parse.unquote_to_bytes(name).decode("utf-8", "replace")
    hostport, qmark, headers = rest.partition("?")
    hostport, semi, param_text = hostport.partition(";")
    host, port = parse_hostport(hostport)
    params: dict[str, str | None] = {}
    if semi:
        for raw in param_text.split(";"):
            pname, eq, pvalue = raw.partition("=")
            if not pname:
                raise ParseError("empty URI parameter")
            check_escapes(pname, _PARAM_CHARS, "URI parameter")
            check_escapes(pvalue, _PARAM_CHARS, "URI parameter value")
            params[pname.lower()] = pvalue if eq else None
    if qmark:
        for raw in headers.split("&"):
            hname, eq, hvalue = raw.partition("=")
            if not hname or not eq:
                raise ParseError("bad URI header")
            check_escapes(hname + hvalue, _HEADER_CHARS, "URI header")
    return Uri(scheme, text, user, host, port, params, headers)


@dataclass(frozen=True)
class NameAddr:
    """A From/To/Contact style value: display name, URI, header parameters."""

    display: str
    uri: Uri
    params: dict[str, str | None]
    raw: str

    @property
    def tag(self) -> str | None:
        return self.params.get("tag")


def parse_name_addr(text: str) -> NameAddr:
    value = text.strip(LWS)
    if value.startswith('"'):
        display, end = read_quoted(value, 0)
        rest = value[end:].lstrip(LWS)
        if not rest.startswith("<"):
            raise ParseError("quoted display name without <uri>")
        return _bracketed(display, rest, text)
    lt = value.find("<")
    if lt >= 0:
        display = value[:lt].strip(LWS)
        if display and not all(is_token(word) for word in display.split()):
            raise ParseError(f"bad display name {display[:40]!r}")
        return _bracketed(" ".join(display.split()), value[lt:], text)
    uri_text, semi, param_text = value.partition(";")
    uri_text = uri_text.rstrip(LWS)
    if "?" in uri_text or "," in uri_text:
        raise ParseError("addr-spec with '?' or ',' must be enclosed in <>")
    return NameAddr("", parse_uri(uri_text), parse_params(semi + param_text), text)


def _bracketed(display: str, rest: str, raw: str) -> NameAddr:
    end = rest.find(">")
    if end < 0:
        raise ParseError("missing '>'")
    inner = rest[1:end]
    if inner != inner.strip(LWS):
        raise ParseError("whitespace inside <addr-spec>")
    return NameAddr(display, parse_uri(inner), parse_params(rest[end + 1 :]), raw)


def parse_name_addr_list(text: str) -> list[NameAddr]:
    return [parse_name_addr(item) for item in split_top(text, ",")]


@dataclass(frozen=True)
class Via:
    transport: str
    host: str
    port: int | None
    params: dict[str, str | None]
    raw: str

    @property
    def branch(self) -> str | None:
        return self.params.get("branch")

    @property
    def sent_by(self) -> str:
        return f"{self.host}:{self.port or 5060}"


def parse_via_list(text: str) -> list[Via]:
    return [_parse_via(item) for item in split_top(text, ",")]


def _parse_via(text: str) -> Via:
    parts = text.split("/", 2)
    if len(parts) != 3:
        raise ParseError("bad Via protocol")
    name, version, rest = (p.strip(LWS) for p in parts)
    if name.upper() != "SIP" or version != "2.0":
        raise ParseError("bad Via protocol version")
    pieces = rest.split(None, 1)
    if len(pieces) != 2 or not is_token(pieces[0]):
        raise ParseError("bad Via transport or sent-by")
    transport, rest = pieces[0].upper(), pieces[1]
    sent_by, semi, param_text = rest.partition(";")
    sent_by = "".join(sent_by.split()) if ":" in sent_by else sent_by.strip(LWS)
    host, port = parse_hostport(sent_by)
    params = parse_params(semi + param_text)
    if "ttl" in params:
        parse_uint(params["ttl"] or "", "Via ttl", 255)
    received = params.get("received")
    if received is not None:
        parse_host(received if received.startswith("[") or "." in received else f"[{received}]")
    if "branch" in params and not params["branch"]:
        raise ParseError("empty branch")
    return Via(transport, host, port, params, text.strip(LWS))
