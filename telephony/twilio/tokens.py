"""Stream tokens: only a call that came through the signed voice webhook may stream.

Twilio does not sign the media websocket's messages, so the voice webhook (which
is signature-checked) mints a short-lived HMAC over the <Parameter>s it puts in
the TwiML; the `start` frame must carry them back unchanged with the token. The
token is single-use (replays of a captured `start` are refused) and stateless
apart from that used-set, so any node holding the Auth Token can verify it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

from telephony.twilio.errors import StreamTokenError

TOKEN_PARAM = "hotline_token"
_CONTEXT = b"hotline twilio stream token v1"


def _key(auth_token: str) -> bytes:
    return hmac.new(auth_token.encode(), _CONTEXT, hashlib.sha256).digest()


def _mac(key: bytes, params: Mapping[str, str], expires: int) -> str:
    canonical = "\n".join(f"{k}={params[k]}" for k in sorted(params) if k != TOKEN_PARAM)
    digest = hmac.new(key, f"{expires}\n{canonical}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class StreamTokens:
    def __init__(self, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._used: dict[str, float] = {}  # token -> expiry (pruned as they lapse)

    def mint(self, auth_token: str, params: Mapping[str, str], now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + self._ttl_s)
        return f"{expires}.{_mac(_key(auth_token), params, expires)}"

    def redeem(self, auth_token: str, params: Mapping[str, str], now: float | None = None) -> None:
        """Accept the token in `params` once; raise StreamTokenError otherwise."""
        now = now if now is not None else time.time()
        token = params.get(TOKEN_PARAM, "")
        stamp, _, mac = token.partition(".")
        if not auth_token or not stamp.isdigit() or not mac:
            raise StreamTokenError("start carries no stream token")
        expires = int(stamp)
        if not hmac.compare_digest(mac, _mac(_key(auth_token), params, expires)):
            raise StreamTokenError("stream token does not match the start parameters")
        if expires < now:
            raise StreamTokenError("stream token expired")
        self._used = {t: e for t, e in self._used.items() if e >= now}
        if token in self._used:
            raise StreamTokenError("stream token already used")
        self._used[token] = expires
