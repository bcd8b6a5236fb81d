"""The SMTP listener: a real SMTP server (aiosmtpd) on the server's own event loop.

It accepts mail for the configured address only (550 for any other recipient), refuses
messages over `max_message_bytes` (552), and hands each message to the email service;
a failure there answers 451 so the sending server tries again later. Put it behind the
MX (or a forwarding rule) as docs/email.md describes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from telephony.core.text_config import EmailConfig

log = logging.getLogger(__name__)
Receive = Callable[[bytes, str], Awaitable[None]]


class _Handler:
    def __init__(self, cfg: EmailConfig, receive: Receive) -> None:
        self._address = cfg.address.lower()
        self._receive = receive

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() != self._address:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        if not isinstance(content, bytes):
            content = str(content or "").encode("utf-8", "surrogateescape")
        try:
            await self._receive(content, envelope.mail_from or "")
        except Exception:
            log.exception("email from %s: could not be taken in", envelope.mail_from)
            return "451 4.3.0 Local error, try again later"
        return "250 2.0.0 Message accepted"


async def listen(cfg: EmailConfig, receive: Receive) -> asyncio.Server:
    """Start listening on `listen_host:listen_port` (0: any free port)."""
    handler = _Handler(cfg, receive)
    hostname = cfg.domain or cfg.address.rpartition("@")[2] or "localhost"

    def protocol() -> Any:
        return SMTP(handler, data_size_limit=cfg.max_message_bytes, hostname=hostname,
                    ident="Hotline ESMTP", enable_SMTPUTF8=True)

    loop = asyncio.get_running_loop()
    return await loop.create_server(protocol, cfg.listen_host, cfg.listen_port)
