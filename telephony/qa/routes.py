"""QA console: pages and APIs (policy rows in telephony/auth/policy.py; docs/qa.md).

GET  /qa, /qa/calls/{call_id}                 the console (one page, qa.js)
GET  /api/qa/calls?since&until&q&intent&...   search (supervisors: their queues only)
GET  /api/qa/calls/{call_id}                  call, facts, transcript, events, labels, scorecard
POST /api/qa/calls/{call_id}/score            {"scores": {...}, "comment": ""}  (qa, admin)
POST /api/qa/calls/{call_id}/turns/{turn_id}/label  {"label", "corrected_answer", "note"}
POST /api/qa/calls/{call_id}/turns/{turn_id}/kb     {"answer"?, "title"?} -> kb_additions.jsonl
GET  /api/qa/export?since                     labeled turns as JSONL (qa, admin)
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from nlu.sentiment import sentiment
from telephony.auth.audit import audit_request
from telephony.auth.policy import visible_calls
from telephony.qa.errors import QAError
from telephony.qa.export import append_kb_addition, apply_live, kb_entry, labeled_turns, to_jsonl
from telephony.qa.review import (
    add_label,
    clean_scores,
    labels,
    load_rubric,
    save_score,
    saved_score,
    scorecard,
)
from telephony.qa.search import CallFilter, FactSources, decode, load_facts, search
from telephony.web.assets import STATIC
from telephony.web.params import number


def fact_sources(request: Request) -> FactSources:
    """The slow-turn bound and repeat-contact window (config [qa]) and the tool audit log."""
    cfg = getattr(request.app.state, "config", None)
    audit = getattr(request.app.state, "tool_audit", None)
    if cfg is None:
        return FactSources(tool_audit=audit)
    return FactSources(slow_turn_ms=float(cfg.qa.slow_turn_ms), window_s=cfg.qa.fcr_days * 86400.0,
                       tool_audit=audit)


def _rubric(request: Request) -> dict[str, Any]:
    rubric = getattr(request.app.state, "qa_rubric", None)
    if rubric is None:
        cfg = getattr(request.app.state, "config", None)
        rubric = request.app.state.qa_rubric = load_rubric(cfg.qa.rubric_path if cfg else "")
    return dict(rubric)


async def _run(request: Request, fn: Any) -> Any:
    return await request.app.state.services.store.run(fn)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise QAError("expected a JSON object") from None
    if not isinstance(body, dict):
        raise QAError("expected a JSON object")
    return body


def _error(e: QAError) -> Response:
    return JSONResponse({"error": str(e)}, status_code=e.status)


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "qa.html")


async def list_calls(request: Request) -> Response:
    flt = CallFilter.from_query(request.query_params)
    found = await _run(request, lambda c: search(c, flt, fact_sources(request)))
    user = request.state.user
    rows = [{"call": call, "facts": facts.as_dict() | {"sentiments": []}, "snippet": snip}
            for call, facts, snip in found if visible_calls(user, [call])]
    await audit_request(request, "transcript.search", "/api/qa/calls", filters=dict(request.query_params),
                        calls=[r["call"]["id"] for r in rows])
    return JSONResponse({"calls": rows})


def _detail(conn: sqlite3.Connection, call_id: str, sources: FactSources) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
    if row is None:
        return None
    call = decode(row)
    facts = load_facts(conn, [call], sources)[0]
    turns = [decode(r) for r in conn.execute("SELECT * FROM turns WHERE call_id = ? ORDER BY id",
                                             (call_id,))]
    events = [decode(r) for r in conn.execute(
        "SELECT * FROM call_events WHERE call_id = ? ORDER BY id", (call_id,))]
    for t in turns:
        t["offset_s"] = round(max(0.0, t["started_at"] - call["started_at"]), 3)
        t["end_offset_s"] = round(max(0.0, t["ended_at"] - call["started_at"]), 3)
        if t["speaker"] == "caller":
            t["sentiment"] = sentiment(t["text"])
    tools = [{"turn_id": t["id"], "offset_s": t["offset_s"], **tc} for t in turns
             for tc in (t["meta"].get("tool_calls") or []) if isinstance(tc, dict)]
    tools += [{"event_id": e["id"], **e["data"]} for e in events if e["kind"] in ("tool_call", "tool")]
    for tool in tools:  # what became of it: the facts' executed/offered split (qa/outcome.py)
        name = tool.get("tool") or tool.get("name")
        tool["ran"] = ("executed" if name in facts.tools else "offered" if name in facts.tools_offered
                       else "not a task")
    return {"call": call, "facts": facts, "turns": turns, "events": events, "tools": tools,
            "labels": labels(conn, call_id), "saved_score": saved_score(conn, call_id),
            "recording_url": f"/api/calls/{call_id}/recording" if call.get("recording") else None}


async def call_detail(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    detail = await _run(request, lambda c: _detail(c, call_id, fact_sources(request)))
    if detail is None:
        return JSONResponse({"error": "no such call"}, status_code=404)
    facts = detail.pop("facts")
    detail["scorecard"] = scorecard(_rubric(request), facts, detail.pop("saved_score"))
    detail["facts"] = facts.as_dict()
    user = request.state.user
    detail["can_review"] = user is not None and user.role in ("qa", "admin")
    return JSONResponse(detail)


async def post_score(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    try:
        body = await _body(request)
        rubric = _rubric(request)
        scores = clean_scores(rubric, body.get("scores"))
    except QAError as e:
        return _error(e)
    if await request.app.state.services.store.call(call_id) is None:
        return JSONResponse({"error": "no such call"}, status_code=404)
    reviewer = request.state.user.name
    await _run(request, lambda c: save_score(c, call_id, scores, str(body.get("comment", "")), reviewer))
    return JSONResponse({"ok": True, "scores": scores})


def _turn_id(request: Request) -> int:
    try:
        return int(request.path_params["turn_id"])
    except ValueError:
        raise QAError("no such turn", status=404) from None


async def post_label(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    try:
        turn_id, body = _turn_id(request), await _body(request)
        author = request.state.user.name
        label_id = await _run(request, lambda c: add_label(
            c, call_id, turn_id, str(body.get("label", "")), str(body.get("corrected_answer", "")),
            str(body.get("note", "")), author))
    except QAError as e:
        return _error(e)
    return JSONResponse({"ok": True, "id": label_id})


async def post_kb(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    services = request.app.state.services
    try:
        turn_id, body = _turn_id(request), await _body(request)
        author = request.state.user.name
        entry = await _run(request, lambda c: kb_entry(
            c, call_id, turn_id, str(body.get("answer", "")), str(body.get("title", "")), author))
    except QAError as e:
        return _error(e)
    path = await _run(request, lambda c: append_kb_addition(services.config.data_path, entry))
    live = await apply_live(services.engine, entry)
    return JSONResponse({"ok": True, "entry": entry, "file": str(path), "live": live})


async def export(request: Request) -> Response:
    since = number(request.query_params, "since", 0.0, low=0) or 0.0
    records = await _run(request, lambda c: labeled_turns(c, since))
    await audit_request(request, "transcript.export", "/api/qa/export", records=len(records),
                        calls=sorted({r["call_id"] for r in records}))
    return Response(to_jsonl(records), media_type="application/x-ndjson", headers={
        "content-disposition": 'attachment; filename="hotline-labeled-turns.jsonl"'})


def routes() -> list[BaseRoute]:
    return [
        Route("/qa", page),
        Route("/qa/calls/{call_id}", page),
        Route("/api/qa/calls", list_calls),
        Route("/api/qa/calls/{call_id}", call_detail),
        Route("/api/qa/calls/{call_id}/score", post_score, methods=["POST"]),
        Route("/api/qa/calls/{call_id}/turns/{turn_id}/label", post_label, methods=["POST"]),
        Route("/api/qa/calls/{call_id}/turns/{turn_id}/kb", post_kb, methods=["POST"]),
        Route("/api/qa/export", export),
    ]
