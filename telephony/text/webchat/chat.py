"""`WebChat`: the web chat channel, one per process (`app.state.webchat`).

A chat is a text conversation (telephony/text/conversations.py) plus what the web adds:
- its **capability**, a random secret the widget keeps in the browser (localStorage of the
  embedding site) and presents to resume the chat after a reload or a dropped connection.
  Only its SHA-256 is kept, in memory; it travels inside websocket frames, never in a URL,
  so no access log carries it, and it dies with the chat. The call id is never sent;
- its **inbox** and the one worker task that answers it, so a message is answered whether
  or not a page is attached when the reply comes (the reply is stored; a page that comes
  back gets it with the history). Client message ids make a resent message a no-op;
- the **pages** attached to it (each open websocket's outbox): acks, the typing indicator
  while the brain works, and the end.
Replies are not pushed through `deliver`: every page reads the conversation's turns as
stored and published by the registry (history, then live), so the brain's, the customer's
and a person's messages reach the widget alike. A chat whose pages are all gone for
`[webchat] idle_close_s` ends as `caller_left`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from dialog.types import Reply
from telephony.conversations.conversation import Conversation
from telephony.conversations.errors import ConversationClosed
from telephony.core.config import WebChatConfig
from telephony.text.conversations import TextConversations

log = logging.getLogger(__name__)
NAME = "webchat"
SEEN_IDS = 1000  # client message ids remembered per chat, for dedupe


def _digest(capability: str) -> bytes:
    return hashlib.sha256(capability.encode()).digest()


@dataclass(eq=False)
class Page:
    """One open widget (a websocket): what is to be sent to it, in order."""

    outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)


@dataclass(eq=False)
class Chat:
    conversation: Conversation
    digest: bytes
    inbox: asyncio.Queue[tuple[str, str]] = field(default_factory=asyncio.Queue)
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    pages: set[Page] = field(default_factory=set)
    left_at: float | None = None  # monotonic: when the last page went away
    worker: asyncio.Task[None] | None = None

    @property
    def call_id(self) -> str:
        return self.conversation.call_id


class WebChat:
    name = NAME

    def __init__(self, texts: TextConversations, cfg: WebChatConfig) -> None:
        self.texts = texts
        self.cfg = cfg
        self._chats: dict[bytes, Chat] = {}
        self._by_call: dict[str, Chat] = {}

    # --- TextChannel ---
    async def deliver(self, conversation: Conversation, reply: Reply) -> None:
        return None  # pages read the stored turns (see the module doc)

    async def closed(self, conversation: Conversation, reason: str) -> None:
        chat = self._by_call.pop(conversation.call_id, None)
        if chat is None:
            return
        self._chats.pop(chat.digest, None)
        surveyed = conversation.session.state.survey.asked
        self._tell(chat, {"type": "ended", "reason": reason, "csat": not surveyed})
        worker = chat.worker
        if worker is not None and worker is not asyncio.current_task():
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    # --- chats ---
    async def start(self, caller_id: str, *, verified: bool, meta: dict[str, Any]) -> tuple[Chat, str]:
        """A new chat, greeted; returns it and its capability (the only copy)."""
        capability = secrets.token_urlsafe(32)
        conv = await self.texts.open(self, caller_id, meta=meta, caller_verified=verified)
        chat = Chat(conv, _digest(capability))
        if conv.call_id not in self.texts:  # ended while greeting (shutdown)
            raise ConversationClosed(conv.call_id)
        self._chats[chat.digest] = self._by_call[conv.call_id] = chat
        chat.worker = asyncio.create_task(self._work(chat), name=f"webchat-{conv.call_id[:8]}")
        return chat, capability

    def resume(self, capability: object) -> Chat | None:
        """The live chat this capability opens, if any."""
        if not isinstance(capability, str) or not capability:
            return None
        return self._chats.get(_digest(capability))

    def attach(self, chat: Chat) -> Page:
        page = Page()
        chat.pages.add(page)
        chat.left_at = None
        return page

    def detach(self, chat: Chat, page: Page) -> None:
        chat.pages.discard(page)
        if not chat.pages:
            chat.left_at = time.monotonic()

    def accept(self, chat: Chat, client_id: str, text: str) -> bool:
        """Take a customer message in (False: this id was taken already, a resend)."""
        if client_id in chat.seen:
            return False
        chat.seen[client_id] = None
        if len(chat.seen) > SEEN_IDS:
            chat.seen.popitem(last=False)
        chat.inbox.put_nowait((client_id, text))
        return True

    async def leave(self, chat: Chat) -> None:
        await self.texts.close(chat.call_id, "caller_hangup")

    def _tell(self, chat: Chat, message: dict[str, Any]) -> None:
        for page in chat.pages:
            page.outbox.put_nowait(message)

    async def _work(self, chat: Chat) -> None:
        """Answer the chat's messages one by one, until it ends or is left idle."""
        idle = self.cfg.idle_close_s
        while True:
            wait = idle if chat.left_at is None else idle - (time.monotonic() - chat.left_at)
            try:
                client_id, text = await asyncio.wait_for(chat.inbox.get(), max(wait, 0.05))
            except TimeoutError:
                if chat.left_at is not None and time.monotonic() - chat.left_at >= idle:
                    log.info("call %s: web chat left idle; closing", chat.call_id)
                    await self.texts.close(chat.call_id, "caller_left")
                    return
                continue
            human = chat.conversation.handled_by is not None
            if not human:
                self._tell(chat, {"type": "typing", "on": True})
            try:
                await self.texts.send(chat.call_id, text, meta={"client_id": client_id})
            except ConversationClosed:
                return
            finally:
                if not human:
                    self._tell(chat, {"type": "typing", "on": False})
            if chat.call_id not in self._by_call:
                return  # the reply ended it (goodbye)
