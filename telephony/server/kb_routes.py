"""Knowledge updates without a restart: add or replace a document of the knowledge base.

POST /api/kb/documents  {"doc_id"?, "title", "text", "spoken"?, "summary"?}  (admin)
The document is appended to `<data_dir>/kb_additions.jsonl` (read back at every start by
kb.additions) and upserted into the running index at once (re-indexing runs in a thread).
The same doc_id replaces the earlier version. Every change is audited (policy row).
"""

from __future__ import annotations

import json
import re
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from telephony.qa.export import append_kb_addition, apply_live

MAX_BODY_BYTES = 64 * 1024
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")


def _error(message: str, status: int = 400) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def add_document(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error("document too large (64 KiB at most)", 413)
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return _error("body must be JSON {title, text, spoken?, doc_id?}")
    if not isinstance(data, dict):
        return _error("body must be a JSON object")
    title, text = data.get("title"), data.get("text")
    if not isinstance(title, str) or not title.strip() or not isinstance(text, str) or not text.strip():
        return _error("'title' and 'text' are required strings")
    spoken = data.get("spoken", "")
    summary = data.get("summary", "")
    if not isinstance(spoken, str) or not isinstance(summary, str):
        return _error("'spoken' and 'summary' must be strings")
    doc_id = data.get("doc_id") or f"admin-{int(time.time() * 1000)}"
    if not isinstance(doc_id, str) or not _DOC_ID.match(doc_id):
        return _error("'doc_id' must be 1-80 letters, digits, '_', '.', ':' or '-'")
    user = getattr(request.state, "user", None)
    entry = {"doc_id": doc_id, "title": title.strip(), "text": text.strip(), "spoken": spoken.strip(),
             "summary": summary.strip(), "source": "admin", "author": user.name if user else "",
             "at": time.time()}
    services = request.app.state.services
    append_kb_addition(services.config.data_path, entry)
    live = await apply_live(services.engine, entry)
    return JSONResponse({"doc_id": doc_id, "indexed_now": live}, status_code=201)


def routes() -> list[BaseRoute]:
    return [Route("/api/kb/documents", add_document, methods=["POST"])]
