"""A small app with the QA/KPI/privacy routes, real auth and a real CallStore (no models),
and a seeder that writes calls with chosen times straight into the store."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from telephony.auth import routes as auth_routes
from telephony.auth.middleware import AuthMiddleware
from telephony.auth.state import AuthSettings, open_auth
from telephony.auth.types import Role
from telephony.core.config import HotlineConfig
from telephony.privacy import routes as privacy_routes
from telephony.qa import kpi_routes
from telephony.qa import routes as qa_routes
from telephony.server.app import STATIC, call_recording
from telephony.server.services import open_store

PASSWORD = "correct horse battery"
USERS = {"ann": (Role.AGENT, ("general",)), "sue": (Role.SUPERVISOR, ("general",)),
         "quinn": (Role.QA, ()), "ada": (Role.ADMIN, ())}
Turn = tuple[str, str, float, float, dict[str, Any]]  # speaker, text, offset s, duration s, meta


def config(tmp_path: Path, **privacy: Any) -> HotlineConfig:
    cfg = HotlineConfig()
    return dataclasses.replace(
        cfg, server=dataclasses.replace(cfg.server, data_dir=str(tmp_path)),
        privacy=dataclasses.replace(cfg.privacy, **privacy))


def add_call(conn: sqlite3.Connection, call_id: str, *, caller: str | None, start: float,
             duration: float = 60.0, reason: str = "completed", meta: dict[str, Any] | None = None,
             turns: list[Turn] = (), events: list[tuple[str, float, dict[str, Any]]] = (),  # type: ignore[assignment]
             recording: str | None = None, transport: str = "sip") -> None:
    conn.execute("INSERT INTO calls (id, transport, caller_id, started_at, ended_at, end_reason, "
                 "recording, meta) VALUES (?,?,?,?,?,?,?,?)",
                 (call_id, transport, caller, start, start + duration, reason, recording,
                  json.dumps(meta or {})))
    for speaker, text, offset, dur, tmeta in turns:
        latency = tmeta.pop("latency", {}) if speaker == "agent" else {}
        conn.execute("INSERT INTO turns (call_id, speaker, text, started_at, ended_at, latency, meta) "
                     "VALUES (?,?,?,?,?,?,?)", (call_id, speaker, text, start + offset,
                                               start + offset + dur, json.dumps(latency),
                                               json.dumps(tmeta)))
    for kind, offset, data in events:
        conn.execute("INSERT INTO call_events (call_id, at, kind, data) VALUES (?,?,?,?)",
                     (call_id, start + offset, kind, json.dumps(data)))


def make_qa_app(tmp_path: Path, seed: Any = None, **privacy: Any) -> Starlette:
    db = tmp_path / "hotline.db"
    cfg = config(tmp_path, **privacy)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await asyncio.to_thread(open_store, db)
        app.state.services = SimpleNamespace(store=store, config=cfg, engine=None)
        app.state.auth = await asyncio.to_thread(open_auth, db, AuthSettings.for_public_url(""))
        for name, (role, queues) in USERS.items():
            await app.state.auth.users.add_user(name, role, PASSWORD, queues)
        if seed is not None:
            await store.run(seed)
        yield
        await asyncio.to_thread(app.state.auth.close)
        await asyncio.to_thread(store.close)

    routes: list[BaseRoute] = [*qa_routes.routes(), *kpi_routes.routes(), *privacy_routes.routes(),
                               *auth_routes.routes(),
                               Route("/api/calls/{call_id}/recording", call_recording),
                               Mount("/static", StaticFiles(directory=STATIC), name="static")]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(AuthMiddleware)])
    app.state.config = cfg
    return app


def agent(text: str, offset: float, intent: str | None, **meta: Any) -> Turn:
    return ("agent", text, offset, 2.0, {"intent": intent, "confidence": 0.9, **meta})


def caller(text: str, offset: float) -> Turn:
    return ("caller", text, offset, 2.0, {})
