"""Low-level RFC 3261 grammar: tokens, quoted strings, parameters, hosts and list splitting.

Every function here either returns a value or raises :class:`ParseError`; nothing else.
"""

from __future__ import annotations

import ipaddress
import string

from telephony.sip.errors import ParseError

ALNUM = frozenset(string.ascii_letters + string.digits)
TOKEN_CHARS = ALNUM | frozenset("-.!%*_+`'~")
WORD_CHARS = TOKEN_CHARS | frozenset('()<>:\\"/[]?{}')
LWS = " \t"
HEX = frozenset(string.hexdigits)


def is_token(text: str) -> bool:
    return bool(text) and all(ch in TOKEN_CHARS for ch in text)


def require_token(text: str, what: str) -> str:
    if not is_token(text):
        raise ParseError(f"bad {what}: {text[:40]!r}")
    return text


def check_escapes(text: str, allowed: frozenset[str], what: str) -> None:
    """Every char is in ``allowed`` or part of a well-formed ``%HH`` escape."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) != 2 or not all(c in HEX for c in pair):
                raise ParseError(f"bad escape in {what}")
            i += 3
            continue
        if ch not in allowed:
            raise ParseError(f"bad character {ch!r} in {what}")
        i += 1


def read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read a quoted-string starting at ``text[start] == '"'``; return (content, end index)."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text) or text[i + 1] in "\r\n":
                raise ParseError("bad quoted-pair")
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        if ch in "\r\n":
            raise ParseError("line break in quoted string")
        out.append(ch)
        i += 1
    raise ParseError("unterminated quoted string")


def split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside quoted strings and angle brackets."""
    parts: list[str] = []
    depth = 0
    cur_start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            _, i = read_quoted(text, i)
            continue
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
            if depth < 0:
                raise ParseError("unbalanced '>'")
        elif ch == sep and depth == 0:
            parts.append(text[cur_start:i])
            cur_start = i + 1
        i += 1
    if depth != 0:
        raise ParseError("unbalanced '<'")
    parts.append(text[cur_start:])
    return parts


def parse_params(text: str) -> dict[str, str | None]:
    """Parse ``;name[=value]`` pairs (``text`` starts at the first ';' or is empty)."""
    params: dict[str, str | None] = {}
    text = text.strip(LWS)
    if not text:
        return params
    if not text.startswith(";"):
        raise ParseError(f"junk before parameters: {text[:30]!r}")
    for raw in split_top(text[1:], ";"):
        name, eq, value = raw.partition("=")
        name = name.strip(LWS).lower()
        require_token(name, "parameter name")
        if not eq:
            params[name] = None
            continue
        value = value.strip(LWS)
        if value.startswith('"'):
            content, end = read_quoted(value, 0)
            if value[end:].strip(LWS):
                raise ParseError("junk after quoted parameter")
            params[name] = content
        elif value.startswith("[") and value.endswith("]"):
            parse_host(value)
            params[name] = value
        elif _is_ip(value):
            params[name] = value
        else:
            require_token(value, f"value of {name}")
            params[name] = value
    return params


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def parse_host(host: str) -> str:
    """Validate hostname / IPv4address / IPv6reference; return it lower-cased."""
    if host.startswith("["):
        if not host.endswith("]"):
            raise ParseError("bad IPv6 reference")
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError as exc:
            raise ParseError("bad IPv6 address") from exc
        return host.lower()
    if not host:
        raise ParseError("empty host")
    if all(c.isdigit() or c == "." for c in host) and host.count(".") == 3:
        try:
            ipaddress.IPv4Address(host)
        except ValueError as exc:
            raise ParseError("bad IPv4 address") from exc
        return host
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    for label in labels:
        if not label or not all(c in ALNUM or c == "-" for c in label):
            raise ParseError(f"bad host {host[:40]!r}")
        if label[0] == "-" or label[-1] == "-":
            raise ParseError(f"bad host label {label!r}")
    if not labels[-1][0].isalpha():
        raise ParseError(f"bad top label in {host[:40]!r}")
    return host.lower()


def parse_hostport(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ParseError("bad IPv6 reference")
        host, rest = text[: end + 1], text[end + 1 :]
    else:
        host, colon, port_text = text.partition(":")
        rest = ":" + port_text if colon else ""
    host = parse_host(host)
    if not rest:
        return host, None
    if not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6:
        raise ParseError(f"bad port in {text[:40]!r}")
    port = int(rest[1:])
    if port > 65535:
        raise ParseError("port out of range")
    return host, port


def parse_uint(text: str, what: str, limit: int) -> int:
    text = text.strip(LWS)
    if not text.isdigit() or not text.isascii() or len(text) > 12:
        raise ParseError(f"bad {what}: {text[:20]!r}")
    value = int(text)
    if value > limit:
        raise ParseError(f"{what} out of range")
    return value
