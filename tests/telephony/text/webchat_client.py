"""The web chat's scenario adapter: a websocket client that IS a `DialogEngine` to
dialog/evaluate.py, so `run_scenario` plays dialog/scenarios/*.json through the real widget
protocol (hello, messages, acks, the replies as the page receives them) and judges them with
`hotline eval`'s own checks. What the wire does not carry for the checks (the reply's intent,
escalation flag and citations) is read back from the stored agent turn, as QA reads it.

A scenario's verified caller id signs in with an identity token; any other scenario is an
anonymous visitor (a browser cannot present a merely named caller id). Each reply's time from
message out to reply in is kept in `latencies_ms`."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from dialog.types import Citation, Reply, Session
from telephony.auth.identity_token import issue


class WebChatEngine:
    def __init__(self, url: str, origin: str, secret: str, store: Any) -> None:
        self.url, self.origin, self.secret, self.store = url, origin, secret, store
        self.latencies_ms: list[float] = []
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)

    async def _frame(self) -> dict[str, Any]:
        assert self._ws is not None
        return dict(json.loads(await self._ws.recv()))

    async def _agent_turn(self, call_id: str, after: int) -> Reply | None:
        turns = [t for t in await self.store.turns(call_id) if t["speaker"] == "agent"]
        if len(turns) <= after:
            return None
        meta = turns[-1]["meta"] or {}
        return Reply(text=turns[-1]["text"], intent=meta.get("intent"), escalate=bool(meta.get("escalate")),
                     citations=[Citation(doc_id=d, title="", passage="", score=0.0)
                                for d in meta.get("citations") or ()])

    async def greet(self, session: Session) -> Reply:
        await self.close()
        self._ws = await connect(self.url, origin=self.origin)  # type: ignore[arg-type]
        hello: dict[str, Any] = {"type": "hello", "visitor": f"eval-visitor-{session.call_id}"}
        if session.caller_verified and session.caller_id:
            hello["identity_token"] = issue(self.secret, session.caller_id)
        await self._ws.send(json.dumps(hello))
        ready = await self._frame()
        assert ready["type"] == "ready", ready
        session.call_id = await self._call_id(session)
        greeting = await self._agent_turn(session.call_id, 0)
        assert greeting is not None
        return greeting

    async def _call_id(self, session: Session) -> str:
        visitor = f"eval-visitor-{session.call_id}"
        row = await self.store.run(lambda c: c.execute(
            "SELECT id FROM calls WHERE transport = 'webchat' AND json_extract(meta, '$.visitor') = ? "
            "ORDER BY started_at DESC LIMIT 1", (visitor,)).fetchone())
        return str(row["id"])

    async def respond(self, session: Session, text: str) -> Reply:
        assert self._ws is not None
        before = len([t for t in await self.store.turns(session.call_id) if t["speaker"] == "agent"])
        started = time.perf_counter()
        client_id = f"m{next(self._ids)}"
        await self._ws.send(json.dumps({"type": "message", "id": client_id, "text": text}))
        while (frame := await self._frame()) != {"type": "ack", "id": client_id}:
            pass  # the end of the previous turn (its typing off) may still be on its way
        typing_over = got_turn = False
        while not got_turn:
            frame = await self._frame()
            if frame["type"] == "turn" and frame["speaker"] == "agent":
                got_turn = True
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
            elif frame["type"] == "typing" and not frame["on"]:
                typing_over = True
            elif frame["type"] == "ended":
                break
            if typing_over and not got_turn and await self._agent_turn(session.call_id, before) is None:
                break  # the brain had nothing to say
        reply = await self._agent_turn(session.call_id, before)
        if reply is None:
            return Reply(text="")
        return Reply(text=reply.text, intent=reply.intent, escalate=reply.escalate,
                     citations=reply.citations, end_call=not got_turn or reply.intent == "goodbye")

    async def on_dtmf(self, session: Session, digits: str) -> Reply | None:
        return await self.respond(session, digits)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
