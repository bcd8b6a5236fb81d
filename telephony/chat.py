"""`hotline chat`: talk to the same dialog brain in text (interactive or JSON lines)."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from dialog.types import Reply, Session
from telephony.config import HotlineConfig
from telephony.services import build_engine


def reply_json(reply: Reply) -> dict[str, Any]:
    out = asdict(reply)
    out["citations"] = [{"doc_id": c.doc_id, "title": c.title} for c in reply.citations]
    return out


async def run_chat(cfg: HotlineConfig, *, as_json: bool, caller_id: str | None,
                   progress: Callable[[str], None]) -> int:
    progress("loading the dialog engine ...")
    engine = await asyncio.to_thread(build_engine, cfg)
    session = Session(call_id=uuid.uuid4().hex, channel="chat", caller_id=caller_id)

    def emit(reply: Reply) -> None:
        if as_json:
            print(json.dumps(reply_json(reply)), flush=True)
        else:
            print(f"agent> {reply.text}", flush=True)

    emit(await engine.greet(session))
    while True:
        if not as_json:
            print("you> ", end="", flush=True)
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return 0
        text = line.strip()
        if as_json and text.startswith("{"):
            try:
                text = str(json.loads(text).get("text", ""))
            except (json.JSONDecodeError, AttributeError):
                print(json.dumps({"error": "expected a JSON object with a 'text' field"}), flush=True)
                continue
        if not text:
            continue
        reply = await engine.respond(session, text)
        emit(reply)
        if reply.end_call:
            return 0
