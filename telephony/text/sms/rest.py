"""Messages out through Twilio's REST API (`POST .../Accounts/{Sid}/Messages.json`).

Not TwiML: a reply can go out whenever it is ready (after a slow answer, after a human
took over). The twilio client is synchronous, so each request runs in a worker thread,
bounded by `api_timeout_secs`; `api_base_url` points it elsewhere (tests: a fake Twilio
on 127.0.0.1). Credentials are read from the environment when a message is sent and never
logged. Errors come back as `SendError` with Twilio's error code where there is one
(21610: the number has unsubscribed at Twilio; 63016: WhatsApp outside the 24-hour window).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from telephony.core.text_config import SmsConfig


class SendError(Exception):
    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Sent:
    sid: str
    status: str


class MessagesApi:
    def __init__(self, cfg: SmsConfig, env: dict[str, str] | None = None) -> None:
        self._cfg = cfg
        self._env = env

    async def send(self, to: str, sender: str, body: str, status_callback: str = "") -> Sent:
        """Create one message; raises SendError with a reason fit for the log."""
        sid, token = self._cfg.account_sid(self._env), self._cfg.auth_token(self._env)
        if not sid or not token:
            missing = [name for name, v in ((self._cfg.account_sid_env, sid),
                                            (self._cfg.auth_token_env, token)) if not v]
            raise SendError(f"Twilio credentials not set ({', '.join(missing)})")
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._create, sid, token, to, sender, body, status_callback),
                self._cfg.api_timeout_secs + 1.0)
        except TimeoutError as e:
            raise SendError(f"Twilio REST API: no answer within {self._cfg.api_timeout_secs:.0f} s") from e
        except TwilioRestException as e:
            raise SendError(f"Twilio REST API: HTTP {e.status}" + (f" error {e.code}" if e.code else "")
                            + f": {e.msg}", e.code) from e
        except Exception as e:  # connection errors, bad responses
            raise SendError(f"Twilio REST API: {type(e).__name__}: {e}") from e

    def _create(self, sid: str, token: str, to: str, sender: str, body: str,
                status_callback: str) -> Sent:
        client = Client(sid, token, http_client=TwilioHttpClient(
            timeout=self._cfg.api_timeout_secs, pool_connections=False))
        if self._cfg.api_base_url:
            client.api.base_url = self._cfg.api_base_url.rstrip("/")
        kwargs: dict[str, str] = {"to": to, "body": body}
        if sender.startswith("MG"):
            kwargs["messaging_service_sid"] = sender
        else:
            kwargs["from_"] = sender
        if status_callback:
            kwargs["status_callback"] = status_callback
        message = client.messages.create(**kwargs)
        return Sent(str(message.sid), str(message.status or ""))
