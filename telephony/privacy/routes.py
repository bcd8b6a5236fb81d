"""Admin privacy APIs (docs/privacy.md).

POST /api/privacy/erase       {"caller_id": "..."}: erase every call of that caller
POST /api/privacy/retention   run the retention sweep now (privacy.retention_days)
"""

from __future__ import annotations

import json
from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from telephony.privacy.retention import erase_caller, purge_expired


async def erase(request: Request) -> Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    caller_id = body.get("caller_id") if isinstance(body, dict) else None
    if not isinstance(caller_id, str) or not caller_id.strip():
        return JSONResponse({"error": "give {\"caller_id\": \"...\"}"}, status_code=400)
    services, user = request.app.state.services, request.state.user
    erased = await erase_caller(services.store, request.app.state.auth.audit,
                                services.config.data_path, caller_id.strip(),
                                actor=user.name, role=user.role)
    return JSONResponse({"erased": len(erased), "calls": [asdict(e) for e in erased]})


async def retention(request: Request) -> Response:
    services = request.app.state.services
    days = services.config.privacy.retention_days
    erased = await purge_expired(services.store, request.app.state.auth.audit,
                                 services.config.data_path, days)
    return JSONResponse({"retention_days": days, "deleted": len(erased),
                         "calls": [asdict(e) for e in erased]})


def routes() -> list[BaseRoute]:
    return [Route("/api/privacy/erase", erase, methods=["POST"]),
            Route("/api/privacy/retention", retention, methods=["POST"])]
