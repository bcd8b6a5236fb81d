"""Users, API tokens (hashed at rest) and server-side sessions in hotline.db.

Tokens and session ids are 256-bit random secrets, so a fast SHA-256 is enough to
store them: only their digests are kept, a leaked database reveals no credential.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from typing import Any

from kb.db import Connection, Schema, Store, Where
from telephony.auth.errors import UnknownUser, UserExists
from telephony.auth.passwords import (
    DUMMY_HASH,
    hash_password_async,
    verify_password_async,
)
from telephony.auth.types import Role, Session, User

log = logging.getLogger(__name__)
TOKEN_PREFIX = "hl_"
SESSION_TTL_SECS = 12 * 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'qa', 'admin')),
    password_hash TEXT NOT NULL,
    queues TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);
"""
AUTH = Schema("auth", {"sqlite": (SCHEMA,)})
USER_COLUMNS = "users.id, users.name, users.role, users.queues, users.disabled"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(id=row["id"], name=row["name"], role=Role(row["role"]),
                queues=tuple(json.loads(row["queues"])), disabled=bool(row["disabled"]))


class UserStore(Store):
    def __init__(self, where: Where) -> None:
        """`where`: a SQLite file path (`hotline.db`), a backend or a shared `kb.db.Database`."""
        super().__init__(where, (AUTH,), name="auth-db")

    # --- users ---
    async def add_user(self, name: str, role: Role, password: str,
                       queues: tuple[str, ...] = ()) -> User:
        encoded = await hash_password_async(password)
        name = name.strip()  # compared without case (COLLATE NOCASE), stored trimmed

        def q(c: Connection) -> User:
            try:
                row = c.execute("INSERT INTO users (name, role, password_hash, queues, created_at) "
                                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                (name, role.value, encoded, json.dumps(list(queues)),
                                 time.time())).fetchone()
            except self.dialect.integrity_error:
                raise UserExists(f"user {name!r} already exists") from None
            return User(id=int(row[0]), name=name, role=role, queues=queues)

        return await self.run(q)

    async def set_password(self, name: str, password: str) -> None:
        encoded = await hash_password_async(password)

        def q(c: Connection) -> None:
            cur = c.execute("UPDATE users SET password_hash = ? WHERE name = ?", (encoded, name))
            if cur.rowcount == 0:
                raise UnknownUser(f"no user named {name!r}")
            c.execute("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)",
                      (name,))

        await self.run(q)

    async def user(self, name: str) -> User | None:
        name = name.strip()
        row = await self.run(lambda c: c.execute(
            f"SELECT {USER_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone())
        return _user(row) if row else None

    async def users(self) -> list[User]:
        rows = await self.run(lambda c: c.execute(
            f"SELECT {USER_COLUMNS} FROM users ORDER BY id").fetchall())
        return [_user(r) for r in rows]

    async def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is right and the account enabled; same cost either way.
        `name` is compared trimmed and without case ("Agent", " agent ": agent)."""
        name = name.strip()
        row = await self.run(lambda c: c.execute(
            f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE name = ?", (name,)).fetchone())
        ok = await verify_password_async(password, row["password_hash"] if row else DUMMY_HASH)
        if not ok or row is None or row["disabled"]:
            return None
        return _user(row)

    # --- API tokens ---
    async def mint_token(self, name: str, label: str = "") -> str:
        """A new token for `name`; shown once, only its digest is stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)

        def q(c: Connection) -> None:
            row = c.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise UnknownUser(f"no user named {name!r}")
            c.execute("INSERT INTO api_tokens (user_id, token_hash, label, created_at) "
                      "VALUES (?, ?, ?, ?)", (row["id"], digest(token), label, time.time()))

        await self.run(q)
        return token

    async def user_for_token(self, token: str) -> User | None:
        row = await self.run(lambda c: c.execute(
            f"SELECT {USER_COLUMNS} FROM api_tokens JOIN users ON users.id = api_tokens.user_id "
            "WHERE token_hash = ? AND revoked_at IS NULL AND users.disabled = 0",
            (digest(token),)).fetchone())
        return _user(row) if row else None

    async def revoke_tokens(self, name: str) -> int:
        return await self.run(lambda c: c.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND user_id = "
            "(SELECT id FROM users WHERE name = ?)", (time.time(), name)).rowcount)

    # --- sessions ---
    async def create_session(self, user: User, ttl_secs: float = SESSION_TTL_SECS) -> tuple[str, Session]:
        """A new session id (for the cookie) and its server-side record."""
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()

        def q(c: Connection) -> None:
            c.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            c.execute("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) "
                      "VALUES (?, ?, ?, ?, ?)", (digest(sid), user.id, csrf, now, now + ttl_secs))

        await self.run(q)
        return sid, Session(user=user, csrf_token=csrf, expires_at=now + ttl_secs)

    async def session(self, sid: str) -> Session | None:
        row = await self.run(lambda c: c.execute(
            f"SELECT {USER_COLUMNS}, csrf_token, expires_at FROM sessions "
            "JOIN users ON users.id = sessions.user_id "
            "WHERE id_hash = ? AND expires_at > ? AND users.disabled = 0",
            (digest(sid), time.time())).fetchone())
        if row is None:
            return None
        return Session(user=_user(row), csrf_token=row["csrf_token"], expires_at=row["expires_at"])

    async def end_session(self, sid: str) -> None:
        await self.run(lambda c: c.execute("DELETE FROM sessions WHERE id_hash = ?", (digest(sid),)))

    async def count(self) -> int:
        return int(await self.run(lambda c: c.execute("SELECT COUNT(*) FROM users").fetchone()[0]))
