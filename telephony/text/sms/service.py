"""The SMS/WhatsApp channel's one object per process (`app.state.sms`).

A signed inbound message (telephony/text/sms/webhooks.py) is `receive`d: recorded, then
either a carrier keyword (STOP and its synonyms opt the address out and close its
conversation; START re-subscribes; HELP is answered, opted out or not), a message from
an opted-out address (dropped, logged), or a message for the brain. Pictures and other
media are acknowledged ("I can't open pictures here...").

One conversation per address while it is active (telephony/text/threads.py): the
webhook answers Twilio at once, the thread's worker hands the message to the brain, and
the reply goes out through the REST API when it is ready. A thread with no message for
`[sms].idle_timeout_s` closes its conversation (`idle_timeout`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telephony.conversations.conversation import Conversation
from telephony.conversations.store import CallStore
from telephony.core.text_config import SmsConfig
from telephony.text.conversations import TextConversations
from telephony.text.sms import keywords
from telephony.text.sms.channel import SmsChannel
from telephony.text.sms.inbound import Inbound
from telephony.text.sms.outbox import Outbox
from telephony.text.sms.records import SmsRecords
from telephony.text.sms.rest import MessagesApi
from telephony.text.threads import Threads
from telephony.text.timing import ReplyTimes

log = logging.getLogger(__name__)
MEDIA_REPLY = "I can't open pictures or files here. Could you describe it in a message?"


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
        self.threads = Threads(texts, cfg.idle_timeout_s, "sms")

    def thread_of(self, address: str) -> Conversation | None:
        return self.threads.get(address)

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
            conv = self.threads.get(msg.address)
            await self.outbox.send(msg.address, self.outbox.sender(msg.address, msg.to), [MEDIA_REPLY],
                                   conv.call_id if conv else None)
        if msg.body:
            conv = await self.threads.put(msg.address, msg.body, lambda: self._open(msg))
            self.times.message_in(conv.call_id)
            await self.records.attach(msg.sid, conv.call_id)

    async def _keyword(self, msg: Inbound, kw: keywords.Keyword) -> None:
        sender = self.outbox.sender(msg.address, msg.to)
        if kw is keywords.Keyword.STOP:
            await self.records.opt_out(msg.address, msg.body.strip().upper()[:20])
            conv = self.threads.get(msg.address)
            if conv is not None:
                await self.texts.close(conv.call_id, "opted_out")
            log.info("sms: an address opted out (%s)", msg.channel)
        elif kw is keywords.Keyword.START:
            await self.records.opt_in(msg.address)
            log.info("sms: an address opted back in (%s)", msg.channel)
        if self.cfg.answer_keywords:
            await self.outbox.send(msg.address, sender, [keywords.reply_for(kw, self.company)], None,
                                   opt_out_confirmation=kw is keywords.Keyword.STOP
                                   or kw is keywords.Keyword.HELP)

    async def _open(self, msg: Inbound) -> Conversation:
        conv = await self.texts.open(self.channels[msg.channel], msg.number, greet=False,
                                     caller_verified=self.cfg.trust_sender,
                                     meta={"to": msg.to})
        self._senders[conv.call_id] = self.outbox.sender(msg.address, msg.to)
        return conv

    def _closed(self, conv: Conversation, reason: str) -> None:
        self.threads.closed(conv)

    async def stop(self) -> None:
        """Cancel and await every worker (after the server hung the conversations up)."""
        await self.threads.stop()
