"""Knowledge updates without a restart: an admin adds a document, the next caller's
question is answered from it (with its citation), and it survives a restart."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from dialog.factory import build_engine
from dialog.types import Session
from telephony.auth import routes as auth_routes
from telephony.auth.middleware import AuthMiddleware
from telephony.auth.state import AuthSettings, open_auth
from telephony.auth.types import Role
from telephony.core.config import load_config
from telephony.server import kb_routes
from tests.helpers import EMBED_CACHE, ROOT, TESTDATA

GUIDELINES = TESTDATA / "domain/abcd/guidelines.json"
DOC = {"doc_id": "gift-wrap-price", "title": "Gift wrapping price",
       "text": "Gift wrapping costs 7 dollars per item and can be added at checkout.",
       "spoken": "Gift wrapping is 7 dollars per item, and you can add it at checkout."}
QUESTION = "How much does gift wrapping cost?"


def _app(data_dir: Path, engine: Any) -> Starlette:
    import dataclasses

    cfg = load_config(ROOT / "config.toml", env={})
    cfg = dataclasses.replace(cfg, server=dataclasses.replace(cfg.server, data_dir=str(data_dir)))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.services = SimpleNamespace(config=cfg, engine=engine)
        app.state.auth = await asyncio.to_thread(open_auth, data_dir / "hotline.db", AuthSettings.for_public_url(""))
        await app.state.auth.users.add_user("ada", Role.ADMIN, "pw-admin-123456", ["*"])
        await app.state.auth.users.add_user("quinn", Role.QA, "pw-qa-1234567", ["*"])
        yield
        await asyncio.to_thread(app.state.auth.close)

    app = Starlette(routes=[*kb_routes.routes(), *auth_routes.routes()], lifespan=lifespan,
                    middleware=[Middleware(AuthMiddleware)])
    app.state.config = cfg
    return app


def _token(client: TestClient, name: str) -> dict[str, str]:
    users = client.app.state.auth.users  # type: ignore[attr-defined]
    token = client.portal.call(users.mint_token, name, "test")  # type: ignore[union-attr]
    return {"authorization": f"Bearer {token}"}


def test_admin_adds_a_document_that_answers_callers_now_and_after_restart(tmp_path: Path) -> None:
    engine = build_engine(data_dir=tmp_path, guidelines_path=GUIDELINES, cache_dir=EMBED_CACHE)
    before = asyncio.run(engine.respond(Session(call_id="kb-0"), QUESTION))
    assert "7 dollars" not in before.text
    with TestClient(_app(tmp_path, engine)) as client:
        assert client.post("/api/kb/documents", json=DOC, headers=_token(client, "quinn")).status_code == 403
        assert client.post("/api/kb/documents", content=b"{", headers=_token(client, "ada")).status_code == 400
        res = client.post("/api/kb/documents", json=DOC, headers=_token(client, "ada"))
        assert res.status_code == 201 and res.json() == {"doc_id": DOC["doc_id"], "indexed_now": True}
    now = asyncio.run(engine.respond(Session(call_id="kb-1"), QUESTION))
    assert "7 dollars" in now.text
    assert any(c.doc_id == DOC["doc_id"] for c in now.citations)
    restarted = build_engine(data_dir=tmp_path, guidelines_path=GUIDELINES, cache_dir=EMBED_CACHE)
    again = asyncio.run(restarted.respond(Session(call_id="kb-2"), QUESTION))
    assert "7 dollars" in again.text and any(c.doc_id == DOC["doc_id"] for c in again.citations)
