"""A small Starlette app with the real auth pieces and a real CallStore on a tmp SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from telephony.auth import routes as auth_routes
from telephony.auth.middleware import AuthMiddleware
from telephony.auth.state import AuthSettings, open_auth
from telephony.auth.types import Role
from telephony.server.services import open_store
from telephony.web.capability import CallCapabilities

PASSWORD = "correct horse battery"
USERS: dict[str, tuple[Role, tuple[str, ...]]] = {
    "ann": (Role.AGENT, ("general",)),
    "sue": (Role.SUPERVISOR, ("general",)),
    "quinn": (Role.QA, ()),
    "ada": (Role.ADMIN, ()),
}


async def echo(request: Request) -> Response:
    user = request.state.user
    return JSONResponse({"ok": True, "user": user.name if user else None,
                         "call_id": request.path_params.get("call_id")})


async def ws_echo(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_json({"ok": True})
    await ws.close()


def routes_under_test() -> list[BaseRoute]:
    """Routes with the paths of real policy rows, plus one with no row."""
    return [
        Route("/api/calls/{call_id}", echo),
        Route("/api/calls/{call_id}/recording", echo),
        Route("/api/webrtc/{call_id}/hangup", echo, methods=["POST"]),
        WebSocketRoute("/ws/calls/{call_id}/events", ws_echo),
        Route("/health", echo),
        Route("/unlisted", echo),
        *auth_routes.routes(),
    ]


def make_app(tmp_path: Path, *, public_url: str = "") -> Starlette:
    db = tmp_path / "hotline.db"

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await asyncio.to_thread(open_store, db)
        app.state.services = SimpleNamespace(store=store)
        app.state.auth = await asyncio.to_thread(open_auth, db, AuthSettings.for_public_url(public_url))
        for name, (role, queues) in USERS.items():
            await app.state.auth.users.add_user(name, role, PASSWORD, queues)
        await store.call_started("c-general", "sip", "+15550001", {"queue": "general",
                                                                    "assigned_agent": "ann"})
        await store.call_started("c-vip", "twilio", "+15550002", {"queue": "vip",
                                                                   "assigned_agent": "bob"})
        await store.call_started("c-web", "webrtc", "127.0.0.1", {})
        app.state.call_capabilities = CallCapabilities()
        app.state.web_capability = app.state.call_capabilities.issue("c-web")  # the caller's
        yield
        await asyncio.to_thread(app.state.auth.close)
        await asyncio.to_thread(store.close)

    return Starlette(routes=routes_under_test(), lifespan=lifespan,
                     middleware=[Middleware(AuthMiddleware)])


def login(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    """Sign in through the real form; returns the POST response (client keeps the cookie)."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token,
                                       "next": "/api/me"}, follow_redirects=False)


def csrf(client: TestClient) -> str:
    return str(client.get("/api/me").json()["csrf_token"])
