"""Signed caller identity tokens: how a web page (the softphone, issue 12's web chat) says
who is calling in a way the server can check (docs/webrtc.md, "Caller identity").

The token is a compact JWT signed with HMAC-SHA256 (RFC 7519 / RFC 7515, "HS256") with a
secret the site's login backend and Hotline share (`[webrtc] identity_secret`):

    base64url({"alg": "HS256", "typ": "JWT"}) . base64url({"sub": "+15550100002",
    "exp": 1767225600}) . base64url(HMAC-SHA256(secret, "<header>.<payload>"))

`sub` is the caller id the site vouches for (a phone number on the customer's account),
`exp` the expiry in Unix seconds (keep it short: minutes). Any JWT library makes one
(`jwt.encode({"sub": ..., "exp": ...}, secret, algorithm="HS256")`); `issue` below does too.
A valid token verifies the caller (dialog: Session.caller_verified); anything else is no
proof at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from telephony.auth.errors import AuthError

_HEADER = {"alg": "HS256", "typ": "JWT"}


class IdentityTokenError(AuthError):
    """The token is malformed, wrongly signed or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: str) -> str:
    return _b64(hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest())


def issue(secret: str, caller_id: str, ttl_s: int = 300, *, now: float | None = None) -> str:
    """A token vouching for `caller_id` for `ttl_s` seconds (for sites and tests)."""
    payload = {"sub": caller_id, "exp": int((time.time() if now is None else now) + ttl_s)}
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{head}.{body}.{_sign(secret, f'{head}.{body}')}"


def verify(secret: str, token: str, *, now: float | None = None) -> str:
    """The caller id `token` vouches for; IdentityTokenError if it does not."""
    if not secret:
        raise IdentityTokenError("no identity secret configured")
    parts = token.split(".")
    if len(parts) != 3:
        raise IdentityTokenError("not a compact JWT")
    head, body, signature = parts
    if not hmac.compare_digest(_sign(secret, f"{head}.{body}"), signature):
        raise IdentityTokenError("bad signature")
    try:
        header = json.loads(_unb64(head))
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as e:
        raise IdentityTokenError("unreadable token") from e
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise IdentityTokenError("only HS256 tokens are accepted")
    sub, exp = (payload.get("sub"), payload.get("exp")) if isinstance(payload, dict) else (None, None)
    if not isinstance(sub, str) or not sub or not isinstance(exp, int | float):
        raise IdentityTokenError("the token needs 'sub' (a string) and 'exp' (a number)")
    if exp <= (time.time() if now is None else now):
        raise IdentityTokenError("the token has expired")
    return sub
