"""The browser caller's capability for their own call: a random secret, separate from the
call id, issued with the answer to their WebRTC offer and valid until the call ends.

The call id is an identifier (it is written to the log, to URLs and to the staff consoles);
the capability is the credential. The caller's page never sees it: the offer's response
sets it as an HttpOnly, SameSite=Strict cookie scoped to that call (`cookie_name`), which
the browser sends with the hang-up request, the hang-up beacon and the events websocket;
other clients send it in the `X-Call-Capability` header (`HEADER`). It never appears in a
URL, so no access log can carry it. Only its SHA-256 is kept, in memory: a restart or the
call's end (`revoke`, a registry on_close hook) expires it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import Headers

HEADER = "x-call-capability"
COOKIE_PREFIX = "hotline_call_"
MAX_AGE_S = 12 * 3600  # the browser's copy; the server's ends with the call


def cookie_name(call_id: str) -> str:
    return COOKIE_PREFIX + call_id


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class CallCapabilities:
    """call id -> the digest of its caller's capability, for the calls still live."""

    def __init__(self) -> None:
        self._digests: dict[str, bytes] = {}

    def issue(self, call_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self._digests[call_id] = _digest(token)
        return token

    def revoke(self, call_id: str) -> None:
        self._digests.pop(call_id, None)

    def check(self, call_id: str, token: str | None) -> bool:
        digest = self._digests.get(call_id)
        return digest is not None and token is not None and hmac.compare_digest(digest, _digest(token))

    def presented(self, call_id: str, headers: Headers) -> bool:
        """Whether this request carries the caller's capability for `call_id`."""
        token = headers.get(HEADER)
        if token is None:
            for part in headers.get("cookie", "").split(";"):
                name, _, value = part.strip().partition("=")
                if name == cookie_name(call_id):
                    token = value
        return self.check(call_id, token)
