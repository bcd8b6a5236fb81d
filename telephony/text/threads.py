"""Threads of messages: one conversation per key (a phone number, an email thread) while
it is active, its messages answered one at a time by a worker task this object owns.

Used by the channels whose messages arrive on a request or a connection that must be
answered at once (SMS webhooks, the SMTP listener): `put` queues the message and returns;
the worker hands it to `TextConversations.send`, and the reply goes out through the
channel's `deliver` when it is ready. A thread with no message for `idle_timeout_s`
closes its conversation (`idle_timeout`). The channel's `closed` must call `closed` here;
`stop` (server shutdown, after the conversations were hung up) cancels and awaits every
worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telephony.conversations.conversation import Conversation
from telephony.conversations.errors import ConversationClosed
from telephony.text.conversations import TextConversations

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Thread:
    key: str
    conversation: Conversation
    inbox: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)


class Threads:
    def __init__(self, texts: TextConversations, idle_timeout_s: float, name: str) -> None:
        self.texts = texts
        self.idle_timeout_s = idle_timeout_s
        self._name = name  # task names: "<name>-<call id>"
        self._threads: dict[str, _Thread] = {}
        self._opening = asyncio.Lock()
        self._workers: set[asyncio.Task[None]] = set()

    def get(self, key: str) -> Conversation | None:
        thread = self._threads.get(key)
        return thread.conversation if thread else None

    async def put(self, key: str, text: str, open_conversation: Callable[[], Awaitable[Conversation]]) -> Conversation:
        """Queue `text` on `key`'s conversation, opened with `open_conversation` if none is active."""
        async with self._opening:
            thread = self._threads.get(key)
            if thread is None:
                thread = _Thread(key, await open_conversation())
                self._threads[key] = thread
                worker = asyncio.create_task(self._work(thread),
                                             name=f"{self._name}-{thread.conversation.call_id[:8]}")
                self._workers.add(worker)
                worker.add_done_callback(self._workers.discard)
        thread.inbox.put_nowait(text)
        return thread.conversation

    async def _work(self, thread: _Thread) -> None:
        call_id = thread.conversation.call_id
        try:
            while True:
                try:
                    text = await asyncio.wait_for(thread.inbox.get(), self.idle_timeout_s)
                except TimeoutError:
                    log.info("call %s: no message for %.0f s, closing", call_id, self.idle_timeout_s)
                    await self.texts.close(call_id, "idle_timeout")
                    return
                if text is None:
                    return
                try:
                    await self.texts.send(call_id, text)
                except ConversationClosed:
                    return
        finally:
            if self._threads.get(thread.key) is thread:
                del self._threads[thread.key]

    def closed(self, conversation: Conversation) -> None:
        """The conversation ended (whoever ended it): its worker stops, the key is free."""
        for thread in list(self._threads.values()):
            if thread.conversation.call_id == conversation.call_id:
                del self._threads[thread.key]
                thread.inbox.put_nowait(None)

    async def stop(self) -> None:
        workers = list(self._workers)
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
