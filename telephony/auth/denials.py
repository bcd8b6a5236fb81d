"""Refusals: JSON 401/403 for API clients; for browsers (GET asking for HTML) a redirect to
the login page (401) or the 403 page inside the staff shell, with the consoles the user may
use; a policy-violation close (1008) for websockets. All carry `x-hotline-denied`."""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import Receive, Scope, Send

from telephony.auth.pages import render_denied
from telephony.auth.types import Principal

DENIED_HEADER = "x-hotline-denied"
WS_POLICY_VIOLATION = 1008


def wants_html(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    return scope.get("method") == "GET" and "text/html" in headers.get("accept", "")


async def deny(scope: Scope, receive: Receive, send: Send, status: int, reason: str,
               principal: Principal | None = None) -> None:
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": WS_POLICY_VIOLATION, "reason": reason})
        return
    response: Response
    if status == 401 and wants_html(scope):
        target = scope["path"] + (f"?{scope['query_string'].decode()}" if scope.get("query_string") else "")
        response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    elif status == 403 and wants_html(scope):
        response = HTMLResponse(render_denied(principal, scope["path"], reason), status_code=403)
    else:
        response = JSONResponse({"error": reason}, status_code=status)
        if status == 401:
            response.headers["www-authenticate"] = 'Bearer realm="hotline"'
    response.headers[DENIED_HEADER] = reason
    await response(scope, receive, send)
