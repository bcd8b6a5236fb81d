"""Replies out through the configured SMTP relay (smtplib, in a worker thread)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage

from telephony.core.text_config import EmailConfig

TIMEOUT_S = 30.0


class RelayError(Exception):
    pass


async def send(cfg: EmailConfig, msg: EmailMessage, recipient: str) -> None:
    try:
        await asyncio.wait_for(asyncio.to_thread(_send, cfg, msg, recipient), TIMEOUT_S + 5)
    except (TimeoutError, OSError, smtplib.SMTPException) as e:
        raise RelayError(f"SMTP relay {cfg.relay_host}:{cfg.relay_port}: {type(e).__name__}: {e}") from e


def _send(cfg: EmailConfig, msg: EmailMessage, recipient: str) -> None:
    with smtplib.SMTP(cfg.relay_host, cfg.relay_port, timeout=TIMEOUT_S) as smtp:
        if cfg.relay_starttls:
            smtp.starttls(context=ssl.create_default_context())
        login = cfg.relay_login()
        if login is not None:
            smtp.login(*login)
        smtp.send_message(msg, from_addr=cfg.address, to_addrs=[recipient])
