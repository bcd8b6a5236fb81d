"""The email channel's one object per process (`app.state.email`).

A message taken in by the SMTP listener (telephony/text/email/listener.py) is read
(telephony/text/email/compose.py): mail from robots (auto-replies, bounces, lists, our
own address) is dropped with a logged reason; a redelivered Message-ID is taken once. It
joins its thread (telephony/text/email/book.py); one conversation per thread while it is
active (telephony/text/threads.py), answered by the thread's worker, so the SMTP session
ends at once and the reply follows through the relay.

The From address names the customer (the conversation's caller id) but never verifies
them: anyone can write any From (docs/email.md, "Identity").
"""

from __future__ import annotations

import asyncio
import logging
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from telephony.conversations.conversation import Conversation
from telephony.conversations.store import CallStore
from telephony.core.text_config import EmailConfig
from telephony.text.conversations import TextConversations
from telephony.text.email import compose, listener
from telephony.text.email.book import Mail, MailBook
from telephony.text.email.channel import EmailChannel
from telephony.text.threads import Threads
from telephony.text.timing import ReplyTimes

log = logging.getLogger(__name__)


class EmailService:
    def __init__(self, cfg: EmailConfig, texts: TextConversations, store: CallStore, *,
                 company: str = "Hotline") -> None:
        self.cfg = cfg
        self.texts = texts
        self.book = MailBook(store)
        self.times = ReplyTimes()
        self.threads = Threads(texts, cfg.idle_timeout_s, "email")
        self.channel = EmailChannel(cfg, self.book, store, company, self.times, self.threads.closed)
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await listener.listen(self.cfg, self.receive)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("email: SMTP listener on %s:%d for %s", self.cfg.listen_host, self.port, self.cfg.address)

    async def receive(self, content: bytes, envelope_from: str) -> None:
        msg = BytesParser(policy=policy.default).parsebytes(content)
        assert isinstance(msg, EmailMessage)
        mail = compose.read(msg, envelope_from, self.cfg.address)
        if mail.automatic:
            log.info("email %s not answered: %s", mail.message_id, mail.automatic)
            return
        text = mail.text or mail.subject
        thread = await self.book.thread_of(mail.named) or mail.message_id
        fresh = await self.book.add(Mail(mail.message_id, None, thread, "in", mail.sender, mail.subject,
                                         " ".join(mail.references), time.time()))
        if not fresh:
            log.info("email %s seen before: not answered twice", mail.message_id)
            return
        if not text:
            log.info("email %s has nothing new to answer (only quoted text)", mail.message_id)
            return
        conv = await self.threads.put(thread, text, lambda: self._open(mail.sender, thread))
        self.times.message_in(conv.call_id)
        await self.book.attach(mail.message_id, conv.call_id)

    async def _open(self, sender: str, thread: str) -> Conversation:
        conv = await self.texts.open(self.channel, sender, greet=False, caller_verified=False,
                                     meta={"email_thread": thread})
        self.channel.threads[conv.call_id] = thread
        return conv

    def thread_of(self, thread: str) -> Conversation | None:
        return self.threads.get(thread)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self.threads.stop()
