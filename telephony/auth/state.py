"""What the auth layer keeps in `app.state.auth`: stores, limiter and cookie settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from telephony.auth.audit import AuditLog
from telephony.auth.ratelimit import LoginLimiter
from telephony.auth.users import SESSION_TTL_SECS, UserStore

SESSION_COOKIE = "hotline_session"
LOGIN_CSRF_COOKIE = "hotline_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class AuthSettings:
    secure_cookies: bool = False  # True when the server is reached over https
    session_ttl_secs: float = SESSION_TTL_SECS

    @classmethod
    def for_public_url(cls, public_url: str) -> AuthSettings:
        return cls(secure_cookies=public_url.lower().startswith("https://"))


@dataclass
class AuthState:
    users: UserStore
    audit: AuditLog
    settings: AuthSettings = field(default_factory=AuthSettings)
    limiter: LoginLimiter = field(default_factory=LoginLimiter)

    def close(self) -> None:
        self.users.close()
        self.audit.close()


def open_auth(db_path: Path, settings: AuthSettings | None = None) -> AuthState:
    """Open the user and audit tables (blocking: run it in a thread under an event loop)."""
    return AuthState(users=UserStore(db_path), audit=AuditLog(db_path),
                     settings=settings or AuthSettings())
