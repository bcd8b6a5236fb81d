"""Settings of the text channels that reach the outside world: `[sms]` and `[email]`.

Parsed with the rest of config.toml by telephony/core/config.py (`load_config`); secrets
are never in the file: each section names the environment variables that hold them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class SmsConfig:
    """[sms]: SMS and WhatsApp through Twilio Messaging (docs/sms.md)."""

    enabled: bool = False
    account_sid_env: str = "TWILIO_ACCOUNT_SID"  # env var holding the Account SID (REST API)
    auth_token_env: str = "TWILIO_AUTH_TOKEN"  # env var holding the Auth Token (signatures, REST)
    from_number: str = ""  # the SMS sender (+E.164 or a Messaging Service SID "MG..."); "" = the To it was sent to
    whatsapp_from: str = ""  # the WhatsApp sender, "whatsapp:+1..."; "" = the To it was sent to
    api_base_url: str = ""  # REST API base URL; "" = Twilio's (https://api.twilio.com)
    api_timeout_secs: float = 10.0  # one REST request gives up after this
    webhook_path: str = "/twilio/sms"  # POST: incoming message webhook
    status_path: str = "/twilio/sms/status"  # POST: message status callback
    idle_timeout_s: float = 1800.0  # a conversation with no message for this long is closed
    # answer STOP/START/HELP ourselves; false where Twilio's Advanced Opt-Out answers them
    # (Hotline still records the opt-out and sends nothing until START)
    answer_keywords: bool = True
    max_parts: int = 3  # an SMS reply is at most this many single-segment messages (shortened beyond)
    # a signed webhook's From verifies the customer (Twilio received it from the carrier;
    # sender ids can be spoofed): false = the number only names an account (docs/sms.md)
    trust_sender: bool = False

    def account_sid(self, env: dict[str, str] | None = None) -> str:
        return (os.environ if env is None else env).get(self.account_sid_env, "")

    def auth_token(self, env: dict[str, str] | None = None) -> str:
        return (os.environ if env is None else env).get(self.auth_token_env, "")


@dataclass(frozen=True)
class EmailConfig:
    """[email]: email in over SMTP (our listener), replies out through a relay (docs/email.md)."""

    enabled: bool = False
    listen_host: str = "127.0.0.1"  # the SMTP listener (point MX or a forwarding rule at it)
    listen_port: int = 2525  # 0 = any free port
    address: str = "support@example.com"  # the address customers write to; replies come from it
    domain: str = ""  # for Message-IDs; "" = the address's domain
    relay_host: str = "127.0.0.1"  # SMTP relay (smarthost) the replies go out through
    relay_port: int = 25
    relay_starttls: bool = False  # STARTTLS before sending (needed with credentials on port 587)
    relay_user_env: str = ""  # env var holding the relay user name; "" = no authentication
    relay_password_env: str = ""  # env var holding the relay password
    max_message_bytes: int = 1_000_000  # larger messages are refused (552)
    idle_timeout_s: float = 7 * 86400.0  # a thread with no message for this long is closed

    def relay_login(self, env: dict[str, str] | None = None) -> tuple[str, str] | None:
        source = os.environ if env is None else env
        user = source.get(self.relay_user_env, "") if self.relay_user_env else ""
        return (user, source.get(self.relay_password_env, "")) if user else None
