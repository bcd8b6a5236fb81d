"""KPI dashboard, KPI API, post-call survey API (docs/kpi.md).

GET  /kpi                              the dashboard (supervisor, admin)
GET  /kpi/definitions                  docs/kpi.md rendered (telephony/qa/definitions.py)
GET  /api/kpi?since=&until=&fcr_days=  the KPIs (unix seconds; default: the last 7 days);
                                       supervisors get their queues' calls only
POST /api/calls/{call_id}/survey       {"score": 1..5, "channel": "web", "comment": ""}
                                       (the web caller of that call, by its capability, from
                                       this origin, up to an hour after it; or an admin);
                                       one answer per call: 409 after that

Keypad/voice surveys at the end of a phone call are the dialog's to ask; it stores
the answer through `record_survey` (the documented hook, see docs/kpi.md).
"""

from __future__ import annotations

import dataclasses
import json
import time

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from telephony.auth.policy import can_see_call
from telephony.conversations.store import CallStore
from telephony.qa.definitions import definitions
from telephony.qa.errors import QAError
from telephony.qa.kpi import compute, load
from telephony.qa.routes import fact_sources
from telephony.web.assets import STATIC
from telephony.web.params import integer, number

SURVEY_CHANNELS = ("web", "chat", "keypad", "voice", "sms")


async def record_survey(store: CallStore, call_id: str, score: object, channel: str = "keypad",
                        comment: str = "") -> int:
    """Store the call's post-call survey answer (1 = very unhappy .. 5 = very happy); a call
    is rated once, whatever the channel (QAError 409 after that)."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise QAError("score must be an integer from 1 to 5")
    if channel not in SURVEY_CHANNELS:
        raise QAError(f"channel must be one of {', '.join(SURVEY_CHANNELS)}")
    call = await store.call(call_id)
    if call is None:
        raise QAError("no such call", status=404)
    cur = await store.run(lambda c: c.execute(  # one answer per call, checked atomically
        "INSERT INTO surveys (call_id, caller_id, score, channel, comment, at) "
        "SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM surveys WHERE call_id = ?)",
        (call_id, call.get("caller_id"), score, channel, comment[:2000], time.time(), call_id)))
    if cur.rowcount == 0:
        raise QAError("this call has been rated already", status=409)
    return int(cur.lastrowid or 0)


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "kpi.html")


async def kpi_api(request: Request) -> Response:
    q = request.query_params
    cfg = request.app.state.config
    until = number(q, "until", low=0) or time.time()
    since = number(q, "since", low=0)
    since = until - 7 * 86400 if since is None else since
    fcr_days = integer(q, "fcr_days", cfg.qa.fcr_days, low=1, high=365)
    if since >= until:
        return JSONResponse({"error": "since must be before until"}, status_code=400)
    store: CallStore = request.app.state.services.store
    sources = dataclasses.replace(fact_sources(request), window_s=fcr_days * 86400.0)
    facts, surveys = await store.run(lambda c: load(c, since, until, sources))
    user = request.state.user
    facts = [f for f in facts if can_see_call(user, {"meta": {"queue": f.queue,
                                                              "assigned_agent": f.agent}})]
    scores = [s for f in facts for s in surveys.get(f.call_id, [])]
    return JSONResponse({"since": since, "until": until, **compute(facts, scores, fcr_days)})


async def survey_api(request: Request) -> Response:
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise QAError("expected a JSON object")
        survey_id = await record_survey(request.app.state.services.store,
                                        request.path_params["call_id"], body.get("score"),
                                        str(body.get("channel", "web")), str(body.get("comment", "")))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "expected a JSON object"}, status_code=400)
    except QAError as e:
        return JSONResponse({"error": str(e)}, status_code=e.status)
    return JSONResponse({"ok": True, "id": survey_id})


def routes() -> list[BaseRoute]:
    return [
        Route("/kpi", page),
        Route("/kpi/definitions", definitions),
        Route("/api/kpi", kpi_api),
        Route("/api/calls/{call_id}/survey", survey_api, methods=["POST"]),
    ]
