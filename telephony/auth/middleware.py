"""ASGI middleware enforcing `policy.POLICY` on every HTTP request and websocket.

For each request it finds the route the router will pick, looks up that route's
policy row (none: refused), authenticates (API token or session cookie), checks
role, call ownership, CSRF and Origin, writes the audit entry the row asks for,
and only then calls the app. Handlers find the caller in `request.state.user`
(a `User` or None) and `request.state.principal` (how they authenticated).
Refusals carry the header `x-hotline-denied: <reason>` so tests can tell them
from a handler's own 4xx.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telephony.auth.credentials import BadToken, authenticate, csrf_ok, same_origin
from telephony.auth.denials import deny
from telephony.auth.policy import Rule, can_see_call, method_covered, role_allowed, rule_for
from telephony.auth.state import AuthState
from telephony.auth.types import Principal
from telephony.web.capability import CallCapabilities

log = logging.getLogger(__name__)
CROSS_ORIGIN = "cross-origin request"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FORM_BYTES = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


def match_route(routes: list[BaseRoute], scope: Scope) -> tuple[BaseRoute | None, Match, dict[str, Any]]:
    partial: tuple[BaseRoute | None, Match, dict[str, Any]] = (None, Match.NONE, {})
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return route, match, dict(child.get("path_params", {}))
        if match == Match.PARTIAL and partial[0] is None:
            partial = (route, match, dict(child.get("path_params", {})))
    return partial


class AuthMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        route, match, params = match_route(app.router.routes, scope)
        if route is None or match != Match.FULL:
            await self.app(scope, receive, send)  # the router answers 404 / 405
            return
        method = "WS" if scope["type"] == "websocket" else scope["method"]
        path = str(getattr(route, "path", ""))
        rule = rule_for(path)
        if rule is None or not method_covered(rule, method):
            log.error("no access policy row for %s %s: refused", method, path or route)
            await deny(scope, receive, send, 403, "no policy for this route", None)
            return
        auth: AuthState | None = getattr(app.state, "auth", None)
        headers = Headers(scope=scope)
        principal: Principal | None = None
        if auth is not None:
            try:
                principal = await authenticate(auth, headers)
            except BadToken:
                await deny(scope, receive, send, 401, "invalid API token")
                return
        state = scope.setdefault("state", {})
        state["principal"], state["user"] = principal, principal.user if principal else None
        if rule.public:
            await self.app(scope, receive, send)
            return
        verdict = await self._decide(app, rule, principal, params, headers)
        if verdict != "staff" and verdict != "caller":
            status = 401 if verdict == "login" or (principal is None and verdict != CROSS_ORIGIN) else 403
            await deny(scope, receive, send, status, verdict, principal)
            return
        if verdict == "caller":
            state["principal"], state["user"] = Principal(user=None, via="caller"), None
        elif principal is not None and principal.via == "session":
            if not same_origin(headers):
                await deny(scope, receive, send, 403, "cross-origin request", principal)
                return
            if method in UNSAFE:
                receive, ok = await self._check_csrf(principal, headers, receive)
                if not ok:
                    await deny(scope, receive, send, 403, "missing or wrong CSRF token")
                    return
        if verdict == "staff" and rule.audit and auth is not None and principal is not None:
            target = str(params.get(rule.call_param, "")) if rule.call_param else path
            await auth.audit.record(principal.name, principal.role, rule.audit, target,
                                    via=principal.via, method=method, path=scope["path"])
        await self.app(scope, receive, send)

    async def _decide(self, app: Any, rule: Rule, principal: Principal | None,
                      params: dict[str, Any], headers: Headers) -> str:
        """'staff' or 'caller' when allowed, else the reason for refusing."""
        user = principal.user if principal else None
        call: dict[str, Any] | None = None
        if rule.call_param:
            services = getattr(app.state, "services", None)
            call_id = str(params.get(rule.call_param, ""))
            call = await services.store.call(call_id) if services is not None else None
        if role_allowed(rule, user) and user is not None and (call is None or can_see_call(user, call)):
            return "staff"  # an unknown call falls through to the handler's 404
        capabilities: CallCapabilities | None = getattr(app.state, "call_capabilities", None)
        if (rule.caller and rule.call_param and call is not None and call.get("transport") == "webrtc"
                and capabilities is not None
                and capabilities.presented(call["id"], headers, after_call=rule.after_call)):
            # the browser caller's own call (telephony/web/capability.py), from this origin
            return "caller" if same_origin(headers) else CROSS_ORIGIN
        if user is None:
            return "login"
        return "role not allowed" if not role_allowed(rule, user) else "not your call"

    async def _check_csrf(self, principal: Principal, headers: Headers,
                          receive: Receive) -> tuple[Receive, bool]:
        if headers.get("x-csrf-token") is not None or not headers.get(
                "content-type", "").startswith(FORM_TYPE):
            return receive, csrf_ok(principal, headers, None)
        body, messages = bytearray(), []
        while True:  # read the form to find its csrf_token field, then replay it
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if len(body) > MAX_FORM_BYTES or not message.get("more_body", False):
                break
        ok = len(body) <= MAX_FORM_BYTES and csrf_ok(principal, headers, bytes(body))

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        return replay, ok
