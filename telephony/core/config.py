"""Parse config.toml once into frozen dataclasses, with HOTLINE_* env overrides.

Each section maps to a dataclass owned by the layer that uses it (models/, voice/,
or here). Unknown keys, wrong types and values outside the allowed set are
rejected before anything starts, with one message naming the key.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.config import ModelConfig
from telephony.core.errors import ConfigError
from telephony.core.text_config import EmailConfig, SmsConfig
from voice.config import VoiceConfig

ENV_PREFIX = "HOTLINE_"


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: str = "data"
    public_url: str = ""
    log_level: str = "info"
    # addresses of reverse proxies whose X-Forwarded-For/-Proto are believed; empty = none
    trusted_proxies: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebRTCConfig:
    ice_host_addresses: tuple[str, ...] = ("127.0.0.1",)
    stun_urls: tuple[str, ...] = ()
    # honour a caller_id sent by the web page, as a *named* (unverified) caller: it names an
    # account, the agent asks for a second fact (docs/webrtc.md, docs/dialog.md)
    accept_caller_id: bool = False
    # HMAC secret shared with the site's login: an offer's identity_token signed with it
    # verifies the caller (telephony/auth/identity_token.py); "" = no tokens accepted.
    # Set it through HOTLINE_WEBRTC_IDENTITY_SECRET rather than in the file.
    identity_secret: str = ""


@dataclass(frozen=True)
class WebChatConfig:
    """[webchat]: the embeddable chat widget (telephony/text/webchat/, docs/webchat.md)."""

    enabled: bool = True
    # sites allowed to embed the widget, as origins ("https://shop.example.com"); Hotline's
    # own origin is always allowed. Empty: no other site can chat
    allowed_origins: tuple[str, ...] = ()
    # the environment variable holding the HMAC secret for signed-in visitors' identity
    # tokens (the site's login backend signs them; docs/webchat.md); unset = tokens refused
    identity_secret_env: str = "HOTLINE_WEBCHAT_IDENTITY_SECRET"
    history_limit: int = 200  # turns re-sent to a reloaded page (the most recent)
    idle_close_s: float = 1800.0  # a chat with no page open this long ends (`caller_left`)

    def identity_secret(self, env: typing.Mapping[str, str] | None = None) -> str:
        """The identity secret, read when needed (never at import); "" when unset."""
        return (os.environ if env is None else env).get(self.identity_secret_env, "")


@dataclass(frozen=True)
class SipSection:
    """[sip]: the SIP user agent server for trunks and PBXs (mapped onto SipConfig)."""

    enabled: bool = True
    bind_host: str = "127.0.0.1"
    bind_port: int = 5060
    public_host: str = ""  # address written into SDP/Contact; "" = bind_host
    rtp_port_min: int = 20000
    rtp_port_max: int = 20999
    max_calls: int = 50
    auth_realm: str = "hotline"
    auth_users: tuple[str, ...] = ()  # "user:password" entries; empty = no digest auth
    allow_from: tuple[str, ...] = ()  # CIDRs or addresses; empty = everyone
    # CIDRs of trunks/PBXs whose From the dialog trusts as the caller's verified number;
    # anyone else's From only names an account (docs/sip.md, "Caller identity")
    trusted_sources: tuple[str, ...] = ()
    # a call that passed digest auth (auth_users) has its From trusted: the authenticated
    # peer (a PBX, a trunk) vouches for the numbers it presents
    trust_authenticated: bool = False
    answer_delay_s: float = 0.0
    # hardening (docs/sip.md, "Attacks and limits")
    rtp_latch: str = "once"  # "once": first source at the SDP/signalling IP, then locked; "strict"
    rtp_timeout_s: float = 60.0  # no RTP this long (not on hold) ends the call; 0 = never
    ack_timeout_s: float = 8.0  # an answered INVITE with no ACK frees its slot after this
    invite_rate: float = 5.0  # new INVITEs per second per source IP; more are dropped unanswered
    invite_burst: int = 20  # ... allowing bursts of this many
    auth_failures: int = 5  # wrong digest credentials per source before it is locked out (403)
    auth_lockout_s: float = 60.0  # the first lockout; each further one doubles (at most 1 hour)
    # encryption (docs/sip.md, "TCP, TLS and SRTP")
    tcp: bool = False  # also listen for SIP over TCP on tcp_port
    tcp_port: int = 5060
    tls: bool = False  # also listen for SIP over TLS on tls_port with tls_cert/tls_key
    tls_port: int = 5061
    tls_cert: str = ""  # PEM certificate (chain) presented to peers
    tls_key: str = ""  # its PEM private key (keep it out of the repository)
    tls_ca: str = ""  # PEM CA bundle for peers' certificates; needed by tls_verify_peer
    tls_verify_peer: bool = False  # mutual TLS: only peers with a certificate signed by tls_ca
    srtp: str = "off"  # "off" | "optional" (SDES SRTP when offered) | "required" (488 otherwise)
    srtp_insecure_signalling: bool = False  # allow SDES keys over UDP/TCP, i.e. in cleartext

    def __post_init__(self) -> None:
        if self.rtp_latch not in ("once", "strict"):
            raise ConfigError(f'sip.rtp_latch: "once" or "strict", got {self.rtp_latch!r}')
        bad = [u for u in self.auth_users if ":" not in u or not u.partition(":")[0]]
        if bad:
            raise ConfigError(f"sip.auth_users: entries must be \"user:password\", got {bad[0]!r}")
        if self.srtp not in ("off", "optional", "required"):
            raise ConfigError(f'sip.srtp: "off", "optional" or "required", got {self.srtp!r}')
        if self.tls and not (self.tls_cert and self.tls_key):
            raise ConfigError("sip.tls = true needs sip.tls_cert and sip.tls_key (PEM files)")
        if self.tls_verify_peer and not self.tls_ca:
            raise ConfigError("sip.tls_verify_peer = true needs sip.tls_ca (the peers' CA bundle)")
        if self.rtp_port_min > self.rtp_port_max:
            raise ConfigError("sip.rtp_port_min must not be above sip.rtp_port_max")
        for net in self.trusted_sources:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ConfigError(f"sip.trusted_sources: not an address or CIDR: {net!r}") from None


@dataclass(frozen=True)
class LLMConfig:
    base_url: str = ""
    model: str = ""
    api_key_env: str = "HOTLINE_LLM_API_KEY"
    timeout_secs: float = 10.0  # per request, and the LLM's whole budget per caller turn
    max_retries: int = 2  # retries of a failed request (timeouts, 429, 5xx) within that budget
    rephrase: bool = True  # reword the brain's replies for warmth (facts checked); false = understanding only
    commands: bool = False  # the LLM turns each caller turn into commands (rules: the fallback)
    command_budget_ms: float = 1000.0  # past this the rule generator's commands are used


@dataclass(frozen=True)
class DialogConfig:
    company_name: str = "Acme Apparel"
    guidelines_path: str = "../shared/testdata/domain/abcd/guidelines.json"
    cache_dir: str = ""  # embedding cache; "" = <data_dir>/cache
    csat_survey: bool = True  # ask "one to five?" once when the caller says goodbye
    llm: LLMConfig = field(default_factory=LLMConfig)


@dataclass(frozen=True)
class PrivacyConfig:
    """[privacy]: PCI redaction/pause, retention and erasure (docs/privacy.md)."""

    retention_days: int = 0  # delete calls that ended longer ago than this; 0 = keep forever
    retention_check_s: float = 3600.0  # how often the server runs the retention sweep
    redact_kinds: tuple[str, ...] = ("card",)  # PII kinds removed from stored caller turns
    pci_pause_max_s: float = 90.0  # a PCI pause of the recording never lasts longer
    dtmf_idle_s: float = 3.0  # a keypad sequence ends after this long without a key

    def __post_init__(self) -> None:
        bad = set(self.redact_kinds) - {"card", "ssn", "email", "phone"}
        if bad:
            raise ConfigError(f"privacy.redact_kinds: unknown kind(s) {sorted(bad)}; "
                              "use card, ssn, email, phone")


@dataclass(frozen=True)
class QAConfig:
    """[qa]: the review console and the KPI dashboard (docs/qa.md, docs/kpi.md)."""

    rubric_path: str = ""  # JSON scorecard rubric; "" = the built-in rubric
    fcr_days: int = 7  # first-contact resolution: no repeat call within this many days
    slow_turn_ms: float = 1500.0  # automatic score: agent turns slower than this count as slow


_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{1,30}$")


def transfer_target(text: str) -> str:
    """`routing.external_transfer` as a URI for SIP REFER: "" (off), a sip:/sips:/tel: URI
    as written, or a phone number as a tel: URI (spaces, dots, dashes, brackets dropped)."""
    text = text.strip()
    if not text:
        return ""
    scheme = text.split(":", 1)[0].lower()
    if scheme in ("sip", "sips", "tel") and ":" in text and len(text) > len(scheme) + 1:
        if any(c in text for c in "<> \t\r\n\""):
            raise ConfigError(f"routing.external_transfer: {text!r} must be a bare URI (no <>, quotes or spaces)")
        return text
    if _PHONE.match(text):
        return "tel:" + re.sub(r"[ ().-]", "", text)
    raise ConfigError(f"routing.external_transfer: {text!r} is neither a sip:/sips:/tel: URI nor a phone number")


@dataclass(frozen=True)
class RoutingConfig:
    """[routing]: which queue an escalated call waits in, and the hold audio (docs/handoff.md)."""

    default_queue: str = "general"
    rules: tuple[str, ...] = ()  # "KEY OP VALUE -> QUEUE", first match wins (telephony/contact_center/routing.py)
    hold_period_s: float = 4.0  # the hold chime repeats this often
    external_transfer: str = ""  # SIP URI or phone number escalations go to; "" = off (docs/handoff.md)
    external_transfer_when: str = "no_agent"  # "no_agent" (no agent available) or "always"
    # waiting callers hear their position and estimated wait this often; 0 = never
    announce_every_s: float = 30.0
    callback_offer: bool = True  # announcements offer "press 1 or say callback"
    wait_per_caller_s: float = 120.0  # estimate per caller ahead until answers give a better one

    def __post_init__(self) -> None:
        from telephony.core.rules import RuleError, parse_rule

        transfer_target(self.external_transfer)

        for rule in self.rules:
            try:
                parse_rule(rule)
            except RuleError as e:
                raise ConfigError(f"routing.rules: {e}") from None


@dataclass(frozen=True)
class ConsolesConfig:
    """[consoles]: the staff consoles' live figures and presence (docs/supervision.md)."""

    presence_heartbeat_s: float = 5.0  # an open agent desktop says "still here" this often
    presence_timeout_s: float = 15.0  # no heartbeat for this long: the agent is offline
    service_level_s: float = 20.0  # service level: % of queued calls answered within this
    figures_window_s: float = 3600.0  # wallboard figures cover calls queued this far back
    transcribe_human: bool = True  # transcribe the human agent's words (voice/human_side.py)

    def __post_init__(self) -> None:
        if self.presence_timeout_s <= self.presence_heartbeat_s:
            raise ConfigError("consoles.presence_timeout_s must be longer than "
                              "consoles.presence_heartbeat_s")


@dataclass(frozen=True)
class TwilioConfig:
    auth_token_env: str = "TWILIO_AUTH_TOKEN"  # env var holding the account's Auth Token
    voice_path: str = "/twilio/voice"  # POST: incoming-call webhook -> TwiML
    status_path: str = "/twilio/status"  # POST: call status callback
    media_path: str = "/twilio/media"  # websocket: bidirectional Media Streams
    stream_token_ttl_secs: float = 120.0  # webhook -> stream `start` must happen within this
    start_timeout_secs: float = 10.0  # socket open -> `start` frame
    playout_lead_ms: int = 40  # agent audio sent this far ahead of real time (network slack)
    max_bad_frames: int = 500  # malformed frames tolerated per call before closing the socket
    account_sid_env: str = "TWILIO_ACCOUNT_SID"  # env var holding the Account SID (REST API: transfer)
    api_base_url: str = ""  # REST API base URL; "" = Twilio's (https://api.twilio.com)
    api_timeout_secs: float = 10.0  # one REST request (transfer) gives up after this
    # the From of a signed webhook verifies the caller (Twilio checked the number; spoofed
    # caller ids still pass carriers): false = it only names an account (docs/twilio.md)
    trust_caller_id: bool = False

    def account_sid(self, env: dict[str, str] | None = None) -> str:
        """The Account SID, read when needed; "" when unset."""
        source = os.environ if env is None else env
        return source.get(self.account_sid_env, "")

    def auth_token(self, env: dict[str, str] | None = None) -> str:
        """The Auth Token, read when needed (never at import); "" when unset."""
        source = os.environ if env is None else env
        return source.get(self.auth_token_env, "")


@dataclass(frozen=True)
class HotlineConfig:
    server: ServerConfig = field(default_factory=ServerConfig)
    models: ModelConfig = field(default_factory=ModelConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    webrtc: WebRTCConfig = field(default_factory=WebRTCConfig)
    webchat: WebChatConfig = field(default_factory=WebChatConfig)
    sip: SipSection = field(default_factory=SipSection)
    dialog: DialogConfig = field(default_factory=DialogConfig)
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    consoles: ConsolesConfig = field(default_factory=ConsolesConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    qa: QAConfig = field(default_factory=QAConfig)
    twilio: TwilioConfig = field(default_factory=TwilioConfig)
    sms: SmsConfig = field(default_factory=SmsConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    source: str = ""  # where it was read from (not a config key)

    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir).expanduser()


ALLOWED: dict[str, tuple[Any, ...]] = {
    "server.log_level": ("debug", "info", "warning", "error"),
    "models.whisper_compute_type": ("int8", "int8_float32", "float32", "int8_float16", "float16"),
    "routing.external_transfer_when": ("no_agent", "always"),
}
RANGES: dict[str, tuple[float, float]] = {
    "twilio.stream_token_ttl_secs": (1.0, 3600.0),
    "twilio.start_timeout_secs": (0.5, 120.0),
    "twilio.playout_lead_ms": (0, 500),
    "twilio.max_bad_frames": (0, 100000),
    "twilio.api_timeout_secs": (0.5, 120.0),
    "server.port": (0, 65535),
    "sms.api_timeout_secs": (0.5, 120.0),
    "sms.idle_timeout_s": (10.0, 30 * 86400.0),
    "sms.max_parts": (1, 10),
    "email.listen_port": (0, 65535),
    "email.relay_port": (1, 65535),
    "email.max_message_bytes": (10_000, 50_000_000),
    "email.idle_timeout_s": (60.0, 365 * 86400.0),
    "webchat.history_limit": (1, 10000),
    "webchat.idle_close_s": (5.0, 7 * 86400.0),
    "voice.vad_threshold": (0.0, 1.0),
    "voice.smart_turn_threshold": (0.0, 1.0),
    "voice.vad_start_secs": (0.0, 2.0),
    "voice.vad_stop_secs": (0.032, 5.0),
    "voice.speculate_secs": (0.032, 5.0),
    "voice.turn_fallback_secs": (0.05, 10.0),
    "voice.hold_secs": (0.05, 10.0),
    "voice.smart_turn_sure": (0.0, 1.0),
    "voice.resume_secs": (0.0, 10.0),
    "voice.max_turn_secs": (1.0, 600.0),
    "models.whisper_threads": (1, 64),
    "sip.bind_port": (0, 65535),
    "sip.rtp_port_min": (1024, 65535),
    "sip.rtp_port_max": (1024, 65535),
    "sip.max_calls": (1, 10000),
    "sip.answer_delay_s": (0.0, 30.0),
    "sip.rtp_timeout_s": (0.0, 86400.0),
    "sip.ack_timeout_s": (0.5, 32.0),
    "sip.invite_rate": (0.1, 10000.0),
    "sip.invite_burst": (1, 100000),
    "sip.auth_failures": (1, 1000),
    "sip.auth_lockout_s": (1.0, 3600.0),
    "sip.tcp_port": (0, 65535),
    "sip.tls_port": (0, 65535),
    "routing.hold_period_s": (1.0, 60.0),
    "routing.announce_every_s": (0.0, 3600.0),
    "routing.wait_per_caller_s": (1.0, 86400.0),
    "consoles.presence_heartbeat_s": (0.5, 300.0),
    "consoles.presence_timeout_s": (1.0, 3600.0),
    "consoles.service_level_s": (1.0, 3600.0),
    "consoles.figures_window_s": (60.0, 7 * 86400.0),
    "privacy.retention_days": (0, 36500),
    "privacy.retention_check_s": (1.0, 86400.0),
    "privacy.pci_pause_max_s": (1.0, 3600.0),
    "privacy.dtmf_idle_s": (0.5, 60.0),
    "qa.fcr_days": (1, 365),
    "dialog.llm.timeout_secs": (0.1, 120.0),
    "dialog.llm.max_retries": (0, 10),
    "dialog.llm.command_budget_ms": (50.0, 60000.0),
    "qa.slow_turn_ms": (100.0, 60000.0),
}


def load_config(path: str | Path | None = None, env: typing.Mapping[str, str] | None = None) -> HotlineConfig:
    """Read `path` (default: ./config.toml if present), apply env overrides, validate."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    source = "defaults"
    candidate = Path(path) if path else Path(env.get("HOTLINE_CONFIG", "config.toml"))
    if candidate.is_file():
        try:
            raw = tomllib.loads(candidate.read_text())
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{candidate}: not valid TOML: {e}") from e
        source = str(candidate)
    elif path:
        raise ConfigError(f"config file {candidate} does not exist")
    cfg = _build(HotlineConfig, raw, "", env)
    return dataclasses.replace(cfg, source=source)


def _build(cls: type, raw: dict[str, Any], prefix: str, env: typing.Mapping[str, str]) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.name != "source"}
    for key in raw:
        if key not in names:
            where = prefix.rstrip(".") or "top level"
            raise ConfigError(f"unknown key '{prefix}{key}' in [{where}]; allowed: {', '.join(sorted(names))}")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "source":
            continue
        key = f"{prefix}{f.name}"
        typ = hints[f.name]
        if dataclasses.is_dataclass(typ):
            sub = raw.get(f.name, {})
            if not isinstance(sub, dict):
                raise ConfigError(f"'{key}' must be a table ([{key}])")
            values[f.name] = _build(typ, sub, key + ".", env)  # type: ignore[arg-type]
            continue
        env_name = ENV_PREFIX + key.replace(".", "_").upper()
        if env_name in env:
            values[f.name] = _coerce(key, typ, _parse_env(env[env_name]), f"environment {env_name}")
        elif f.name in raw:
            values[f.name] = _coerce(key, typ, raw[f.name], "config.toml")
    return cls(**values)


def _parse_env(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _coerce(key: str, typ: Any, value: Any, origin: str) -> Any:
    origin_type = typing.get_origin(typ)
    if origin_type in (tuple, list):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} ({origin}): expected a list of strings, got {value!r}")
        return tuple(value)
    if typ is bool or (isinstance(typ, types.UnionType) and bool in typing.get_args(typ)):
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            value = value.lower() in ("true", "1", "yes")
        if not isinstance(value, bool):
            raise ConfigError(f"{key} ({origin}): expected true or false, got {value!r}")
        return value
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value))
            except ValueError:
                raise ConfigError(f"{key} ({origin}): expected an integer, got {value!r}") from None
    elif typ is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            try:
                value = float(str(value))
            except ValueError:
                raise ConfigError(f"{key} ({origin}): expected a number, got {value!r}") from None
        value = float(value)
    elif typ is str and not isinstance(value, str):
        raise ConfigError(f"{key} ({origin}): expected a string, got {value!r}")
    if key in ALLOWED and value not in ALLOWED[key]:
        allowed = ", ".join(str(a) for a in ALLOWED[key])
        raise ConfigError(f"{key} ({origin}): {value!r} is not allowed; use one of: {allowed}")
    if key in RANGES:
        lo, hi = RANGES[key]
        if not lo <= value <= hi:
            raise ConfigError(f"{key} ({origin}): {value!r} is out of range [{lo}, {hi}]")
    return value
