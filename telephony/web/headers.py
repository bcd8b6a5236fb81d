"""Security headers on every HTTP response (pages, API, static files, errors, denials).

- Content-Security-Policy: scripts, styles, images and connections from this origin only
  (the pages have no inline script or style; the staff consoles' Chart.js is vendored under
  /static/vendor), websockets to this host, no plugins, no framing (`frame-ancestors 'none'`),
  forms post here only;
- X-Frame-Options: DENY (older browsers' frame-ancestors), X-Content-Type-Options: nosniff,
  Referrer-Policy: no-referrer (a call's URL never leaks to another site).
A header a handler set itself is left alone.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


class SecurityHeaders:
    """ASGI middleware; the app's outermost, so refusals and errors get the headers too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
