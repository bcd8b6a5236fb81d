"""Who is asking: an API token (`Authorization: Bearer hl_...`) or a session cookie."""

from __future__ import annotations

import hmac
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers

from telephony.auth.state import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, AuthState
from telephony.auth.types import Principal


class BadToken(Exception):
    """An Authorization header was sent but names no valid token."""


def cookie(headers: Headers, name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


async def authenticate(auth: AuthState, headers: Headers) -> Principal | None:
    header = headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        user = await auth.users.user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise BadToken("invalid API token")
        return Principal(user=user, via="token")
    sid = cookie(headers, SESSION_COOKIE)
    if not sid:
        return None
    session = await auth.users.session(sid)
    if session is None:
        return None
    return Principal(user=session.user, via="session", csrf_token=session.csrf_token)


def csrf_ok(principal: Principal, headers: Headers, form_body: bytes | None) -> bool:
    """The session's token in the X-CSRF-Token header, or in a form's csrf_token field."""
    expected = principal.csrf_token or ""
    sent = headers.get(CSRF_HEADER)
    if sent is None and form_body is not None:
        values = parse_qs(form_body.decode("latin-1")).get(CSRF_FIELD, [])
        sent = values[0] if values else None
    return bool(expected and sent) and hmac.compare_digest(str(sent), expected)


def same_origin(headers: Headers) -> bool:
    """A browser's Origin (when it sends one) must name this host: no cross-site use."""
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
