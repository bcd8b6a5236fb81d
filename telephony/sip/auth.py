"""Digest authentication (RFC 2617 / RFC 3261 22) with signed, expiring, counted nonces.

A nonce is ours when its HMAC checks and it is younger than NONCE_TTL_S. Each use must carry
a higher nonce-count (qop=auth, RFC 2617 3.2.2) than the last accepted one; without qop a
nonce is good once. So a captured Authorization header cannot be replayed for another call.
The digest ``uri`` must be the Request-URI (RFC 2617 3.2.2.5)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

from telephony.sip.errors import ParseError
from telephony.sip.grammar import read_quoted, split_top

NONCE_TTL_S = 300


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class DigestAuth:
    def __init__(self, users: Mapping[str, str], realm: str) -> None:
        self.users = dict(users)
        self.realm = realm
        self._secret = secrets.token_bytes(16)
        self._counts: dict[str, tuple[int, float]] = {}  # nonce -> (last nc accepted, stamp)

    def challenge(self) -> str:
        stamp = f"{int(time.time())}.{secrets.token_hex(4)}"
        sig = hmac.new(self._secret, stamp.encode(), "sha256").hexdigest()[:16]
        return f'Digest realm="{self.realm}", nonce="{stamp}.{sig}", algorithm=MD5, qop="auth"'

    def _nonce_ok(self, nonce: str) -> bool:
        stamp, _, sig = nonce.rpartition(".")
        good = hmac.new(self._secret, stamp.encode(), "sha256").hexdigest()[:16]
        seconds = stamp.partition(".")[0]
        if not seconds.isdigit() or not hmac.compare_digest(sig, good):
            return False
        return time.time() - int(seconds) < NONCE_TTL_S

    def _count_ok(self, nonce: str, nc: int) -> bool:
        """Record a use of the nonce; False if this count was seen (a replay)."""
        now = time.time()
        for old in [n for n, (_, at) in self._counts.items() if now - at >= NONCE_TTL_S]:
            del self._counts[old]
        last = self._counts.get(nonce, (0, now))[0]
        if nc <= last:
            return False
        self._counts[nonce] = (nc, int(nonce.partition(".")[0]))
        return True

    def verify(self, header: str | None, method: str, request_uri: str) -> str | None:
        """Return the authenticated user name, or None."""
        if header is None:
            return None
        try:
            params = parse_digest(header)
        except ParseError:
            return None
        user, nonce, uri = params.get("username"), params.get("nonce"), params.get("uri")
        password = self.users.get(user or "")
        if password is None or not nonce or uri is None or params.get("realm") != self.realm:
            return None
        if uri.strip() != request_uri.strip():
            return None  # credentials computed for another request
        if not self._nonce_ok(nonce) or params.get("algorithm", "MD5").upper() != "MD5":
            return None
        ha1 = md5(f"{user}:{self.realm}:{password}")
        ha2 = md5(f"{method}:{uri}")
        qop = params.get("qop")
        count = 1  # without qop: the nonce is good once
        if qop == "auth":
            nc, cnonce = params.get("nc", ""), params.get("cnonce", "")
            if len(nc) != 8 or not all(c in "0123456789abcdefABCDEF" for c in nc):
                return None
            count = int(nc, 16)
            expected = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        elif qop is None:
            expected = md5(f"{ha1}:{nonce}:{ha2}")
        else:
            return None
        if not hmac.compare_digest(expected, params.get("response", "")):
            return None
        return user if self._count_ok(nonce, count) else None


def parse_digest(header: str) -> dict[str, str]:
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        raise ParseError("not a Digest credential")
    out: dict[str, str] = {}
    for item in split_top(rest, ","):
        name, eq, value = item.strip().partition("=")
        if not eq:
            raise ParseError("bad digest parameter")
        value = value.strip()
        if value.startswith('"'):
            value, _ = read_quoted(value, 0)
        out[name.strip().lower()] = value
    return out
