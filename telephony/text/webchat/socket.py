"""`WS /ws/webchat`: one open widget. The handshake's Origin must be allowed
(`[webchat] allowed_origins`, else refused with 403 before any frame); the first frame is
`hello` (telephony/text/webchat/protocol.py): a capability resumes a live chat, otherwise a
new one starts, anonymous (the widget's stable visitor id) or signed in (a valid identity
token verifies the customer; a bad one is refused with an error and close code 4401).
Then three tasks until the page goes: the reader (messages in, acked at once), the feed
(the conversation's turns as stored, after the history) and the writer (one sender)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from telephony.auth.identity_token import IdentityTokenError, verify
from telephony.conversations.errors import ConversationClosed
from telephony.qa.errors import QAError
from telephony.qa.kpi_routes import record_survey
from telephony.text.webchat.chat import Chat, Page, WebChat
from telephony.text.webchat.protocol import VISITOR, BadMessage, origin_allowed, text_of, turn_out

log = logging.getLogger(__name__)
HELLO_TIMEOUT_S = 10.0
REFUSED, BAD_IDENTITY, PROTOCOL = 4403, 4401, 4400
Key = tuple[Any, Any, Any]


def own_origin(ws: WebSocket) -> str:
    public = ws.app.state.config.server.public_url
    if public:
        return str(public).rstrip("/")
    scheme = "https" if ws.url.scheme == "wss" else "http"
    return f"{scheme}://{ws.headers.get('host', '')}"


async def webchat_socket(ws: WebSocket) -> None:
    chats: WebChat | None = getattr(ws.app.state, "webchat", None)
    origin = ws.headers.get("origin")
    if chats is None or not chats.cfg.enabled or not origin_allowed(
            origin, chats.cfg.allowed_origins, own_origin(ws)):
        log.info("web chat refused for origin %r", origin)
        await ws.close(code=REFUSED)
        return
    await ws.accept()
    try:
        hello = json.loads(await asyncio.wait_for(ws.receive_text(), HELLO_TIMEOUT_S))
        chat, capability = await _open(chats, hello if isinstance(hello, dict) else {}, origin)
    except (TimeoutError, ValueError, KeyError, WebSocketDisconnect) as e:
        await _refuse(ws, f"expected a hello: {e}" if not isinstance(e, BadMessage) else str(e),
                      BAD_IDENTITY if isinstance(e, _Unverified) else PROTOCOL)
        return
    except ConversationClosed:
        await _refuse(ws, "the chat service is stopping", PROTOCOL)
        return
    page = chats.attach(chat)
    feed = chats.texts.calls.subscribe(chat.call_id)
    try:
        sent = await _history(ws, chats, chat, capability)
        tasks = [asyncio.create_task(_read(ws, chats, chat, page), name="webchat-read"),
                 asyncio.create_task(_write(ws, page), name="webchat-write")]
        if feed is not None:
            tasks.append(asyncio.create_task(_forward(feed, chat, page, sent), name="webchat-feed"))
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task
    finally:
        chats.detach(chat, page)
        if feed is not None:
            chats.texts.calls.unsubscribe(chat.call_id, feed)
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await ws.close()


class _Unverified(BadMessage):
    """The identity token was refused."""


async def _refuse(ws: WebSocket, error: str, code: int) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await ws.send_json({"type": "error", "error": error})
        await ws.close(code=code)


async def _open(chats: WebChat, hello: dict[str, Any], origin: str | None) -> tuple[Chat, str | None]:
    """The chat a hello opens: resumed by its capability, or new (capability returned)."""
    if hello.get("type") != "hello":
        raise BadMessage("the first message must be a hello")
    chat = chats.resume(hello.get("conversation"))
    if chat is not None:
        return chat, None
    visitor = hello.get("visitor")
    if not isinstance(visitor, str) or not VISITOR.match(visitor):
        raise BadMessage("hello needs a visitor id (8-64 letters, digits, - or _)")
    token = hello.get("identity_token")
    meta: dict[str, Any] = {"visitor": visitor, "origin": origin}
    if token:
        try:
            user = verify(chats.cfg.identity_secret(), str(token))
        except IdentityTokenError as e:
            raise _Unverified(f"identity token refused: {e}") from None
        return await chats.start(user, verified=True, meta={**meta, "web_user": user})
    return await chats.start(f"visitor:{visitor}", verified=False, meta=meta)


async def _history(ws: WebSocket, chats: WebChat, chat: Chat, capability: str | None) -> set[Key]:
    turns = await chats.texts.calls.services.store.turns(chat.call_id)
    history = [t for t in (turn_out(x) for x in turns[-chats.cfg.history_limit:]) if t]
    ready: dict[str, Any] = {"type": "ready", "resumed": capability is None, "history": history,
                             "identified": chat.conversation.session.caller_verified}
    if capability is not None:
        ready["conversation"] = capability
    await ws.send_json(ready)
    return {(t["speaker"], t["at"], t["text"]) for t in history}


async def _read(ws: WebSocket, chats: WebChat, chat: Chat, page: Page) -> None:
    """The customer's frames, until they leave or have rated the ended chat."""
    while True:
        try:
            message = json.loads(await ws.receive_text())
            if not isinstance(message, dict):
                raise BadMessage("frames are JSON objects")
            kind = message.get("type")
            live = chat.call_id in chats.texts.calls.active
            if kind == "message" and live:
                client_id, text = text_of(message)
                chats.accept(chat, client_id, text)
                page.outbox.put_nowait({"type": "ack", "id": client_id})
            elif kind == "leave" and live:
                await chats.leave(chat)
            elif kind == "csat" and not live:
                await record_survey(chats.texts.calls.services.store, chat.call_id,
                                    message.get("score"), "chat")
                page.outbox.put_nowait({"type": "rated", "score": message.get("score")})
            else:
                raise BadMessage(f"unexpected {kind!r} ({'live' if live else 'ended'} chat)")
        except (ValueError, QAError) as e:
            page.outbox.put_nowait({"type": "error", "error": str(e)})


async def _write(ws: WebSocket, page: Page) -> None:
    while True:
        await ws.send_json(await page.outbox.get())


async def _forward(feed: asyncio.Queue[dict[str, Any]], chat: Chat, page: Page, sent: set[Key]) -> None:
    """The conversation's live turns (those not in the history just sent), then its end."""
    while True:
        message = await feed.get()
        if message.get("type") == "call_ended":
            surveyed = chat.conversation.session.state.survey.asked
            page.outbox.put_nowait({"type": "ended", "reason": message.get("reason"),
                                    "csat": not surveyed})
            continue
        out = turn_out(message) if message.get("type") == "turn" else None
        if out is not None and (out["speaker"], out["at"], out["text"]) not in sent:
            page.outbox.put_nowait(out)
