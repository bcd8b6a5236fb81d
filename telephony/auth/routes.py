"""Login, logout and who-am-I pages, and the admin's user and audit APIs.

GET  /login            sign-in form (login CSRF: double-submit cookie)
POST /login            name + password -> session cookie, redirect to `next`
POST /logout           end the session (CSRF-checked by the middleware)
GET  /account          who am I (HTML, with the sign-out form)
GET  /api/me           who am I (JSON; the session's CSRF token for scripts, and the
                       consoles the role may use with its home console: the staff shell)
GET  /users            every user (admin; HTML)
GET  /api/users        every user (admin)
GET  /api/audit        audit entries, newest first (?target=&actor=&limit=) (admin)
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import asdict
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from telephony.auth.consoles import consoles_for, home_for
from telephony.auth.credentials import cookie
from telephony.auth.pages import render, templates
from telephony.auth.state import LOGIN_CSRF_COOKIE, SESSION_COOKIE, AuthState
from telephony.auth.types import Principal, User
from telephony.web.params import integer

log = logging.getLogger(__name__)
DEFAULT_NEXT = ""  # after sign-in: the user's home console (telephony/auth/consoles.py)
MAX_FORM_BYTES = 16 * 1024


def _safe_next(target: str) -> str:
    """Only same-site paths: no open redirect to another host."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else DEFAULT_NEXT


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (python-multipart is not a dependency)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _user_json(user: User) -> dict[str, object]:
    return {"name": user.name, "role": user.role.value, "queues": list(user.queues)}


def _shell_json(user: User) -> dict[str, object]:
    return {"consoles": [c.as_dict() for c in consoles_for(user)], "home": home_for(user)}


def _login_form(request: Request, status: int = 200, error: str = "", name: str = "",
                next_path: str = DEFAULT_NEXT) -> Response:
    auth: AuthState = request.app.state.auth
    token = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(request, "login.html", {
        "csrf_token": token, "error": error, "name": name, "next": _safe_next(next_path)},
        status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=auth.settings.secure_cookies)
    response.headers["cache-control"] = "no-store"
    return response


async def login_page(request: Request) -> Response:
    return _login_form(request, next_path=request.query_params.get("next", DEFAULT_NEXT))


async def login(request: Request) -> Response:
    auth: AuthState = request.app.state.auth
    form = await _form(request)
    name, password = form.get("name", "").strip(), form.get("password", "")
    next_path = form.get("next", DEFAULT_NEXT)
    sent, expected = form.get("csrf_token", ""), cookie(request.headers, LOGIN_CSRF_COOKIE)
    if not expected or not hmac.compare_digest(sent, expected):
        return _login_form(request, 403, "The form expired; please try again.", name, next_path)
    address = request.client.host if request.client else "unknown"
    wait_s = auth.limiter.retry_after(name, address)
    if wait_s > 0:
        response = _login_form(request, 429, "Too many failed sign-ins; try again later.", name,
                               next_path)
        response.headers["retry-after"] = str(int(wait_s) + 1)
        return response
    user = await auth.users.authenticate(name, password)
    if user is None:
        auth.limiter.failed(name, address)
        await auth.audit.record(name[:64] or "-", "anonymous", "auth.login_failed", name[:64],
                                address=address)
        return _login_form(request, 401, "Wrong user name or password.", name, next_path)
    auth.limiter.succeeded(name, address)
    old = cookie(request.headers, SESSION_COOKIE)
    if old:
        await auth.users.end_session(old)
    sid, session = await auth.users.create_session(user, auth.settings.session_ttl_secs)
    await auth.audit.record(user.name, user.role.value, "auth.login", user.name, address=address)
    response = RedirectResponse(_safe_next(next_path) or home_for(user), status_code=303)
    response.set_cookie(SESSION_COOKIE, sid, max_age=int(auth.settings.session_ttl_secs),
                        httponly=True, samesite="lax", secure=auth.settings.secure_cookies)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


async def logout(request: Request) -> Response:
    auth: AuthState = request.app.state.auth
    sid = cookie(request.headers, SESSION_COOKIE)
    if sid:
        await auth.users.end_session(sid)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax",
                           secure=auth.settings.secure_cookies)
    return response


async def account(request: Request) -> Response:
    return render(request, "account.html", {})


async def users_page(request: Request) -> Response:
    auth: AuthState = request.app.state.auth
    return render(request, "users.html", {"users": await auth.users.users()})


async def me(request: Request) -> Response:
    principal: Principal = request.state.principal
    assert principal.user is not None
    return JSONResponse({**_user_json(principal.user), **_shell_json(principal.user),
                         "via": principal.via, "csrf_token": principal.csrf_token})


async def list_users(request: Request) -> Response:
    auth: AuthState = request.app.state.auth
    return JSONResponse({"users": [_user_json(u) for u in await auth.users.users()]})


async def audit_entries(request: Request) -> Response:
    auth: AuthState = request.app.state.auth
    q = request.query_params
    limit = integer(q, "limit", 200, low=1, high=1000)
    entries = await auth.audit.entries(target=q.get("target"), actor=q.get("actor"), limit=limit)
    return JSONResponse({"entries": [asdict(e) for e in entries]})


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/account", account),
        Route("/users", users_page),
        Route("/api/me", me),
        Route("/api/users", list_users),
        Route("/api/audit", audit_entries),
    ]
