"""The text channels that listen to the outside world, started with the app.

SMS/WhatsApp (`[sms]`, webhooks on the app's routes) and email (`[email]`, its own SMTP
listener) are built here when enabled and put on `app.state` (`sms`, `email`); `stop`
ends them after the server has hung every conversation up.
"""

from __future__ import annotations

from starlette.datastructures import State

from telephony.conversations.store import CallStore
from telephony.core.config import HotlineConfig
from telephony.core.errors import StartupError
from telephony.text.conversations import TextConversations
from telephony.text.email.service import EmailService
from telephony.text.sms.service import SmsService


async def start_text_channels(cfg: HotlineConfig, texts: TextConversations, store: CallStore,
                              state: State) -> None:
    state.sms = (SmsService(cfg.sms, texts, store, public_url=cfg.server.public_url,
                            company=cfg.dialog.company_name) if cfg.sms.enabled else None)
    state.email = None
    if cfg.email.enabled:
        email = EmailService(cfg.email, texts, store, company=cfg.dialog.company_name)
        try:
            await email.start()
        except OSError as e:
            raise StartupError(f"cannot start the SMTP listener on {cfg.email.listen_host}:"
                               f"{cfg.email.listen_port}: {e}") from e
        state.email = email


async def stop_text_channels(state: State) -> None:
    for name in ("sms", "email"):
        channel: SmsService | EmailService | None = getattr(state, name, None)
        if channel is not None:
            await channel.stop()
