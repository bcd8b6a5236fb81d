"""Digest authentication (RFC 2617 / RFC 3261 22) with stateless, expiring nonces."""

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

    def challenge(self) -> str:
        stamp = str(int(time.time()))
        sig = hmac.new(self._secret, stamp.encode(), "sha256").hexdigest()[:16]
        return f'Digest realm="{self.realm}", nonce="{stamp}.{sig}", algorithm=MD5, qop="auth"'

    def _nonce_ok(self, nonce: str) -> bool:
        stamp, _, sig = nonce.partition(".")
        good = hmac.new(self._secret, stamp.encode(), "sha256").hexdigest()[:16]
        if not stamp.isdigit() or not hmac.compare_digest(sig, good):
            return False
        return time.time() - int(stamp) < NONCE_TTL_S

    def verify(self, header: str | None, method: str) -> str | None:
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
        if not self._nonce_ok(nonce) or params.get("algorithm", "MD5").upper() != "MD5":
            return None
        ha1 = md5(f"{user}:{self.realm}:{password}")
        ha2 = md5(f"{method}:{uri}")
        qop = params.get("qop")
        if qop == "auth":
            nc, cnonce = params.get("nc", ""), params.get("cnonce", "")
            expected = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        elif qop is None:
            expected = md5(f"{ha1}:{nonce}:{ha2}")
        else:
            return None
        return user if hmac.compare_digest(expected, params.get("response", "")) else None


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
