"""The browser caller's capability for their own call: a random secret, separate from the
call id, issued with the answer to their WebRTC offer and valid until the call ends.

The call id is an identifier (it is written to the log, to URLs and to the staff consoles);
the capability is the credential. The caller's page never sees it: the offer's response
sets it as an HttpOnly, SameSite=Strict cookie scoped to that call (`cookie_name`), which
the browser sends with the hang-up request, the hang-up beacon and the events websocket;
other clients send it in the `X-Call-Capability` header (`HEADER`). It never appears in a
URL, so no access log can carry it. Only its SHA-256 is kept, in memory: a restart or the
call's end (`revoke`, a registry on_close hook) expires it, except for rating the call: a
route that allows it (`after_call`, the post-call survey) accepts it for `RATING_WINDOW_S`
after the end (the survey itself takes one answer per call, telephony/qa/kpi_routes.py).

At debug level the websocket library logs each handshake's headers through uvicorn's
logger, cookie included: `Redactor`, a filter on uvicorn's loggers (installed by the app's
lifespan, `LOGGERS`), blanks the capability wherever a log line would carry it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time

from starlette.datastructures import Headers

HEADER = "x-call-capability"
COOKIE_PREFIX = "hotline_call_"
MAX_AGE_S = 12 * 3600  # the browser's copy; the server's ends with the call
RATING_WINDOW_S = 3600.0
LOGGERS = ("uvicorn.error", "uvicorn.access", "uvicorn.asgi")
SECRET = re.compile(rf"(?i)({HEADER}\s*[:=]\s*['\"]?|{COOKIE_PREFIX}[0-9a-z-]+=)[A-Za-z0-9_-]+")
MAX_ENDED = 10_000  # ended calls remembered for rating (oldest dropped first)


def cookie_name(call_id: str) -> str:
    return COOKIE_PREFIX + call_id


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class CallCapabilities:
    """call id -> the digest of its caller's capability, for the calls still live."""

    def __init__(self) -> None:
        self._digests: dict[str, bytes] = {}
        self._ended: dict[str, tuple[bytes, float]] = {}  # call id -> (digest, ended at)

    def issue(self, call_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self._digests[call_id] = _digest(token)
        return token

    def revoke(self, call_id: str) -> None:
        digest = self._digests.pop(call_id, None)
        if digest is not None:
            if len(self._ended) >= MAX_ENDED:
                self._ended.pop(next(iter(self._ended)))
            self._ended[call_id] = (digest, time.monotonic())

    def check(self, call_id: str, token: str | None, *, after_call: bool = False) -> bool:
        digest = self._digests.get(call_id)
        if digest is None and after_call and call_id in self._ended:
            digest, ended_at = self._ended[call_id]
            if time.monotonic() - ended_at > RATING_WINDOW_S:
                del self._ended[call_id]
                digest = None
        return digest is not None and token is not None and hmac.compare_digest(digest, _digest(token))

    def presented(self, call_id: str, headers: Headers, *, after_call: bool = False) -> bool:
        """Whether this request carries the caller's capability for `call_id` (live, or
        ended within the rating window when `after_call`)."""
        token = headers.get(HEADER)
        if token is None:
            for part in headers.get("cookie", "").split(";"):
                name, _, value = part.strip().partition("=")
                if name == cookie_name(call_id):
                    token = value
        return self.check(call_id, token, after_call=after_call)


class Redactor(logging.Filter):
    """Blanks call capabilities in log records (header lines, cookies, ASGI scopes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if SECRET.search(message):
            record.msg, record.args = SECRET.sub(r"\1[redacted]", message), None
        return True
