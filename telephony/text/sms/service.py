"""The SMS/WhatsApp channel's one object per process (`app.state.sms`).

A signed inbound message (telephony/text/sms/webhooks.py) is `receive`d: recorded, then
either a carrier keyword (STOP and its synonyms opt the address out and close its
conversation; START re-subscribes; HELP is answered, opted out or not), a message from
an opted-out address (dropped, logged), or a message for the brain. Pictures and other
media are acknowledged ("I can't open pictures here...").

One conversation per address while it is active. Its messages wait in the thread's
inbox and are answered one at a time by the thread's worker, a task this object owns:
the webhook answers Twilio at once and the reply goes out through the REST API when it
is ready. A thread with no message for `idle_timeout_s` closes its conversation
(`idle_timeout`); `stop` (server shutdown) cancels and awaits every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telephony.conversations.conversation import Conversation
from telephony.conversations.errors import ConversationClosed
from telephony.conversations.store import CallStore
from telephony.core.text_config import SmsConfig
from telephony.text.conversations import TextConversations
from telephony.text.sms import keywords
from telephony.text.sms.channel import ReplyTimes, SmsChannel
from telephony.text.sms.inbound import Inbound
from telephony.text.sms.outbox import Outbox
from telephony.text.sms.records import SmsRecords
from telephony.text.sms.rest import MessagesApi

log = logging.getLogger(__name__)
MEDIA_REPLY = "I can't open pictures or files here. Could you describe it in a message?"


@dataclass(eq=False)
class _Thread:
    address: str
    conversation: Conversation
    inbox: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)


class SmsService:
    def __init__(self, cfg: SmsConfig, texts: TextConversations, store: CallStore, *,
                 public_url: str = "", company: str = "Hotline", env: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.cfg = cfg
        self.texts = texts
        self.company = company
        self.records = SmsRecords(store)
        callback = public_url.rstrip("/") + cfg.status_path if public_url else ""
        self.outbox = Outbox(cfg, self.records, MessagesApi(cfg, env), store, callback, clock)
        self.times = ReplyTimes()
        self._senders: dict[str, str] = {}
        self.channels = {name: SmsChannel(name, self.outbox, self._senders, self.times, self._closed)
                         for name in ("sms", "whatsapp")}
        self._threads: dict[str, _Thread] = {}
        self._opening = asyncio.Lock()
        self._workers: set[asyncio.Task[None]] = set()  # live or closing threads' workers

    def thread_of(self, address: str) -> Conversation | None:
        thread = self._threads.get(address)
        return thread.conversation if thread else None

    async def receive(self, msg: Inbound) -> None:
        """One signed inbound message; returns once it is recorded and queued or answered."""
        await self.records.message(msg.sid, None, "in", msg.address, "received", at=self.outbox.clock())
        opted_out = await self.records.opted_out(msg.address)
        kw = keywords.keyword(msg.body, opted_out) if msg.body else None
        if kw is not None:
            await self._keyword(msg, kw)
            return
        if opted_out:
            log.info("sms from an opted-out address (%s): nothing is sent until START", msg.channel)
            return
        if msg.media:
            thread = self._threads.get(msg.address)
            await self.outbox.send(msg.address, self.outbox.sender(msg.address, msg.to), [MEDIA_REPLY],
                                   thread.conversation.call_id if thread else None)
        if msg.body:
            thread = await self._thread(msg)
            self.times.message_in(thread.conversation.call_id)
            thread.inbox.put_nowait(msg.body)

    async def _keyword(self, msg: Inbound, kw: keywords.Keyword) -> None:
        sender = self.outbox.sender(msg.address, msg.to)
        if kw is keywords.Keyword.STOP:
            await self.records.opt_out(msg.address, msg.body.strip().upper()[:20])
            thread = self._threads.get(msg.address)
            if thread is not None:
                await self.texts.close(thread.conversation.call_id, "opted_out")
            log.info("sms: an address opted out (%s)", msg.channel)
        elif kw is keywords.Keyword.START:
            await self.records.opt_in(msg.address)
            log.info("sms: an address opted back in (%s)", msg.channel)
        if self.cfg.answer_keywords:
            await self.outbox.send(msg.address, sender, [keywords.reply_for(kw, self.company)], None,
                                   opt_out_confirmation=kw is keywords.Keyword.STOP
                                   or kw is keywords.Keyword.HELP)

    async def _thread(self, msg: Inbound) -> _Thread:
        async with self._opening:
            thread = self._threads.get(msg.address)
            if thread is not None:
                return thread
            channel = self.channels[msg.channel]
            conv = await self.texts.open(channel, msg.number, greet=False,
                                         caller_verified=self.cfg.trust_sender,
                                         meta={"channel_address": msg.channel, "to": msg.to})
            self._senders[conv.call_id] = self.outbox.sender(msg.address, msg.to)
            thread = _Thread(msg.address, conv)
            self._threads[msg.address] = thread
            worker = asyncio.create_task(self._work(thread), name=f"sms-{conv.call_id[:8]}")
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
            return thread

    async def _work(self, thread: _Thread) -> None:
        """Answer the thread's messages in order until it closes or idles out."""
        call_id = thread.conversation.call_id
        try:
            while True:
                try:
                    text = await asyncio.wait_for(thread.inbox.get(), self.cfg.idle_timeout_s)
                except TimeoutError:
                    log.info("call %s: no message for %.0f s, closing", call_id, self.cfg.idle_timeout_s)
                    await self.texts.close(call_id, "idle_timeout")
                    return
                if text is None:
                    return
                try:
                    await self.texts.send(call_id, text)
                except ConversationClosed:
                    return
        finally:
            if self._threads.get(thread.address) is thread:
                del self._threads[thread.address]

    def _closed(self, conv: Conversation, reason: str) -> None:
        for thread in list(self._threads.values()):
            if thread.conversation.call_id == conv.call_id:
                del self._threads[thread.address]
                thread.inbox.put_nowait(None)

    async def stop(self) -> None:
        """Cancel and await every worker (after the server hung the conversations up)."""
        workers = list(self._workers)
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
