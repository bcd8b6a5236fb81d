"""Routes the SMS/WhatsApp channel adds to the app (paths from `[sms]`; each has a row in
telephony/auth/policy.py). They answer 503 while `[sms].enabled` is false."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from telephony.core.text_config import SmsConfig
from telephony.text.sms.webhooks import message, status


def routes(config: SmsConfig | None = None) -> list[BaseRoute]:
    cfg = config or SmsConfig()
    return [Route(cfg.webhook_path, message, methods=["POST"]),
            Route(cfg.status_path, status, methods=["POST"])]
