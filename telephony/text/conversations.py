"""Text conversations: a channel's messages in, the brain's replies out, one turn at a time.

One `TextConversations` per process (`app.state.text`; `hotline chat` builds its own)
serves every text channel (telephony/text/channel.py). A channel opens a conversation,
hands each customer message to `send`, gets every reply through its `deliver`, and hears
`closed` when the conversation is over, whoever ended it: the brain's goodbye
(`agent_hangup`), the channel itself through `close` (`caller_hangup`), an agent, or the
server shutting down (`server_shutdown`).

Each conversation is a plain `Conversation` in the call registry: no pipeline, recorder
or bridge. Its turns and events go through the same observers as a call's (store, PCI
guard, CSAT recorder, live subscribers), and its escalation through the same
`on_escalate` hook (the contact center's handoff queue). A message is answered in a task
owned by the conversation (`Conversation.task`), so hang-up and shutdown cancel it; the
engine never runs on the caller's stack and messages of one conversation never overlap.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from dialog.types import Reply
from telephony.conversations.conversation import Conversation
from telephony.conversations.errors import ConversationClosed
from telephony.conversations.registry import CallRegistry
from telephony.text.channel import TextChannel
from telephony.text.turns import agent_turn, caller_turn

log = logging.getLogger(__name__)
APOLOGY = "Sorry, something went wrong on my side. Could you send that again?"


@dataclass(eq=False)
class _Thread:
    conversation: Conversation
    channel: TextChannel
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one message at a time


class TextConversations:
    def __init__(self, calls: CallRegistry) -> None:
        self.calls = calls
        self._threads: dict[str, _Thread] = {}
        calls.on_close.append(self._closed)

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._threads

    async def open(self, channel: TextChannel, caller_id: str | None = None, *,
                   call_id: str | None = None, meta: dict[str, Any] | None = None,
                   greet: bool = True, caller_verified: bool = False) -> Conversation:
        """Open a conversation on `channel` (stored at once); with `greet` the agent writes
        first. `caller_verified`: the channel vouches for `caller_id` (else it only names an
        account)."""
        conv = await self.calls.open_text(channel.name, caller_id, call_id=call_id, meta=meta,
                                          caller_verified=caller_verified)
        thread = _Thread(conv, channel)
        self._threads[conv.call_id] = thread
        if greet:
            async with thread.lock:
                await self._owned(conv, self._answer(thread, None))
        return conv

    async def send(self, call_id: str, text: str) -> Reply | None:
        """A customer's message in: stored, answered, the reply stored and delivered, before
        the conversation takes the next one. Returns the reply (None if the brain had nothing
        to say). Raises `ConversationClosed` if the conversation is over or ends meanwhile."""
        thread = self._threads.get(call_id)
        if thread is None:
            raise ConversationClosed(call_id)
        async with thread.lock:
            if call_id not in self._threads:
                raise ConversationClosed(call_id)
            reply = await self._owned(thread.conversation, self._answer(thread, text))
        if reply is not None and reply.end_call:
            await self.close(call_id, "agent_hangup")
        return reply

    async def close(self, call_id: str, reason: str) -> None:
        """End the conversation with `reason` (a message being answered is cancelled)."""
        await self.calls.hang_up(call_id, reason)

    @staticmethod
    async def _owned(conv: Conversation, work: Coroutine[Any, Any, Reply | None]) -> Reply | None:
        """Run one turn as the conversation's task, so that hang-up cancels it."""
        task = asyncio.create_task(work, name=f"text-{conv.call_id[:8]}")
        conv.task = task
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and (current is None or not current.cancelling()):
                raise ConversationClosed(conv.call_id) from None  # hung up, not us cancelled
            raise
        finally:
            if conv.task is task:
                conv.task = None

    async def _answer(self, thread: _Thread, text: str | None) -> Reply | None:
        """One turn: the customer's `text` (None: the greeting) and the agent's reply."""
        conv = thread.conversation
        engine = self.calls.services.engine
        if text is not None:
            await conv.turn(caller_turn(conv.call_id, text))
        started = time.monotonic()
        try:
            reply = await (engine.greet(conv.session) if text is None
                           else engine.respond(conv.session, text))
        except Exception:
            log.exception("call %s: dialog engine failed on %r", conv.call_id, text)
            reply = Reply(text=APOLOGY)
        if not reply.text.strip():
            return None
        await conv.turn(agent_turn(conv.call_id, reply, None if text is None
                                   else time.monotonic() - started))
        await thread.channel.deliver(conv, reply)
        if reply.escalate:
            await self._escalate(conv, reply)
        return reply

    @staticmethod
    async def _escalate(conv: Conversation, reply: Reply) -> None:
        """Once, as a call's bridge does: the brain keeps helping within policy while the
        customer waits (Session.mark_awaiting_human), the handoff queue is told."""
        if conv.session.awaiting_human():
            return
        conv.session.mark_awaiting_human()
        if conv.on_escalate is None:
            return  # no contact center in this process (`hotline chat`): the turn records it
        try:
            await conv.on_escalate(reply)
        except Exception:
            log.exception("call %s: handoff failed", conv.call_id)

    async def _closed(self, conv: Conversation) -> None:
        thread = self._threads.pop(conv.call_id, None)
        if thread is not None:
            await thread.channel.closed(conv, conv.end_reason or "closed")
