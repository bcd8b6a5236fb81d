"""Email as a text channel: each reply is a threaded email to the customer.

The reply answers the newest message the customer wrote in the conversation's thread
(telephony/text/email/compose.py), in the written form (short paragraphs, links;
telephony/text/render.py), through the relay. Sent replies join the thread's record, so
an answer to them is found in the same thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from dialog.types import Reply
from telephony.conversations.conversation import Conversation
from telephony.conversations.store import CallStore
from telephony.core.text_config import EmailConfig
from telephony.text import render
from telephony.text.email import compose, relay
from telephony.text.email.book import Mail, MailBook
from telephony.text.timing import ReplyTimes

log = logging.getLogger(__name__)


class EmailChannel:
    name = "email"

    def __init__(self, cfg: EmailConfig, book: MailBook, store: CallStore, company: str,
                 times: ReplyTimes, on_closed: Callable[[Conversation], None]) -> None:
        self._cfg = cfg
        self._book = book
        self._store = store
        self._company = company
        self._times = times
        self._on_closed = on_closed
        self.threads: dict[str, str] = {}  # call_id -> thread

    async def deliver(self, conversation: Conversation, reply: Reply) -> None:
        call_id = conversation.call_id
        thread = self.threads.get(call_id)
        latest = await self._book.latest_inbound(thread) if thread else None
        if latest is None:
            log.warning("call %s: no customer email to answer, reply not sent", call_id)
            return
        to = compose.Incoming(latest.message_id, latest.address, latest.subject, [],
                              latest.refs.split(), "", "")
        domain = self._cfg.domain or self._cfg.address.rpartition("@")[2] or "localhost"
        msg = compose.reply(to, render.written(reply), self._cfg.address, self._company, domain)
        try:
            await relay.send(self._cfg, msg, latest.address)
        except relay.RelayError as e:
            log.warning("call %s: email reply not sent: %s", call_id, e)
            await self._store.on_event(call_id, "email_send_failed", {"error": str(e)})
            return
        self._times.reply_out(self.name, call_id)
        await self._book.add(Mail(str(msg["Message-ID"]), call_id, latest.thread, "out", latest.address,
                                  str(msg["Subject"]), str(msg["References"]), time.time()))

    async def closed(self, conversation: Conversation, reason: str) -> None:
        self.threads.pop(conversation.call_id, None)
        self._times.waiting.pop(conversation.call_id, None)
        self._on_closed(conversation)
