"""Blind transfer of a live Twilio call through the REST API (docs/twilio.md, "Transfer").

The call (its CallSid) is updated with TwiML `<Response><Dial>TARGET</Dial></Response>`:
Twilio leaves the `<Connect><Stream>` (the media socket gets `stop`) and dials the target,
`<Sip>` for a sip:/sips: URI, `<Number>` for a tel: URI. The Account SID and Auth Token are
read from the environment when a transfer happens (`[twilio]` account_sid_env,
auth_token_env). The twilio client is synchronous: it runs in a worker thread, bounded by
`api_timeout_secs`.

`TwilioControl` is the call's CallControl (telephony/conversations/control.py): hang-up through the
registry, transfer as above. Success ends the record `transferred` (the `stop` that follows on
the media socket does not change it); failure returns False, logged and recorded, and the call
stays up (the handoff then queues it).
"""

from __future__ import annotations

import asyncio
import logging

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, VoiceResponse

from telephony.conversations.control import RegistryControl, transfer_done, transfer_failed
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import TwilioConfig, transfer_target
from telephony.core.errors import ConfigError

log = logging.getLogger(__name__)


class TwilioTransferError(Exception):
    """The call could not be redirected (no credentials, REST error, timeout)."""


def dial_twiml(uri: str) -> str:
    """TwiML that dials `uri`: a sip:/sips: URI or a tel: URI (as `transfer_target` gives)."""
    scheme, _, rest = uri.partition(":")
    scheme = scheme.lower()
    dial = Dial()
    if scheme in ("sip", "sips") and rest:
        dial.sip(uri)
    elif scheme == "tel" and rest:
        number = rest.split(";", 1)[0]  # drop tel: parameters (;ext=, ;phone-context=)
        if not number:
            raise TwilioTransferError(f"no number in {uri!r}")
        dial.number(number)
    else:
        raise TwilioTransferError(f"cannot dial {uri!r} (need a sip:, sips: or tel: URI)")
    response = VoiceResponse()
    response.append(dial)
    return str(response)


def _client(account_sid: str, auth_token: str, cfg: TwilioConfig) -> Client:
    client = Client(account_sid, auth_token,
                    http_client=TwilioHttpClient(timeout=cfg.api_timeout_secs, pool_connections=False))
    if cfg.api_base_url:
        client.api.base_url = cfg.api_base_url.rstrip("/")  # the Api domain (api.twilio.com)
    return client


def _update(cfg: TwilioConfig, account_sid: str, auth_token: str, call_sid: str, twiml: str) -> str:
    call = _client(account_sid, auth_token, cfg).calls(call_sid).update(twiml=twiml)
    return str(call.status or "")


async def redirect_call(cfg: TwilioConfig, call_sid: str, uri: str,
                        env: dict[str, str] | None = None) -> str:
    """Update live call `call_sid` to dial `uri`; Twilio's call status on success.

    Raises TwilioTransferError with a reason fit for the log (never the credentials)."""
    account_sid, auth_token = cfg.account_sid(env), cfg.auth_token(env)
    if not account_sid or not auth_token:
        missing = [name for name, value in ((cfg.account_sid_env, account_sid),
                                            (cfg.auth_token_env, auth_token)) if not value]
        raise TwilioTransferError(f"Twilio credentials not set ({', '.join(missing)})")
    if not call_sid:
        raise TwilioTransferError("no CallSid for this call")
    twiml = dial_twiml(uri)
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_update, cfg, account_sid, auth_token, call_sid, twiml),
            cfg.api_timeout_secs + 1.0)
    except TimeoutError as e:
        raise TwilioTransferError(f"Twilio REST API: no answer within {cfg.api_timeout_secs:.0f} s") from e
    except TwilioRestException as e:
        raise TwilioTransferError(f"Twilio REST API: HTTP {e.status}"
                                  + (f" error {e.code}" if e.code else "") + f": {e.msg}") from e
    except Exception as e:  # requests' connection errors, timeouts, bad responses
        raise TwilioTransferError(f"Twilio REST API: {type(e).__name__}: {e}") from e


class TwilioControl(RegistryControl):
    """Twilio: hang-up through the registry, blind transfer by the REST API."""

    can_transfer = True

    def __init__(self, calls: CallRegistry, live: LiveCall, config: TwilioConfig,
                 call_sid: str | None = None, env: dict[str, str] | None = None) -> None:
        super().__init__(calls, live)
        self._config = config
        self._call_sid = call_sid or live.call_id  # the call id is the CallSid when it could be
        self._env = env

    async def transfer(self, target: str) -> bool:
        return bool(await asyncio.shield(self._detach(self._redirect(target))))

    async def _redirect(self, target: str) -> bool:
        try:
            uri = transfer_target(target)
        except ConfigError as e:
            return await transfer_failed(self._live, target, str(e))
        if not uri:
            return await transfer_failed(self._live, target, "no transfer target")
        log.info("call %s: transferring to %s (Twilio REST API)", self._live.call_id, uri)
        try:
            status = await redirect_call(self._config, self._call_sid, uri, self._env)
        except TwilioTransferError as e:
            return await transfer_failed(self._live, uri, str(e))
        log.info("call %s: Twilio took the transfer (call status %s)", self._live.call_id, status or "?")
        await transfer_done(self._live, uri)
        return True
