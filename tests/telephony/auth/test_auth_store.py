"""Users, tokens and sessions at rest; the append-only audit log."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from telephony.auth.audit import AuditLog
from telephony.auth.errors import UnknownUser, UserExists
from telephony.auth.types import Role
from telephony.auth.users import UserStore


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[UserStore]:
    s = UserStore(tmp_path / "hotline.db")
    yield s
    s.close()


async def test_users_passwords_and_names(store: UserStore) -> None:
    ann = await store.add_user("ann", Role.AGENT, "password-1", ("general",))
    with pytest.raises(UserExists):
        await store.add_user("ANN", Role.ADMIN, "password-2")
    assert await store.authenticate("ann", "password-1") == ann
    assert await store.authenticate("ann", "password-2") is None
    assert await store.authenticate("nobody", "password-1") is None
    raw = store.run_sync(lambda c: c.execute("SELECT password_hash FROM users").fetchone()[0])
    assert "password-1" not in raw and raw.startswith("scrypt$")
    assert [u.name for u in await store.users()] == ["ann"] and await store.count() == 1


async def test_tokens_are_hashed_at_rest_and_revocable(store: UserStore) -> None:
    await store.add_user("bot", Role.QA, "password-1")
    token = await store.mint_token("bot", "export")
    assert token.startswith("hl_") and len(token) > 40
    dump = "\n".join(store.run_sync(lambda c: list(c.iterdump())))
    assert token not in dump and token[3:] not in dump
    user = await store.user_for_token(token)
    assert user is not None and user.role == Role.QA
    assert await store.user_for_token(token + "x") is None
    assert await store.revoke_tokens("bot") == 1
    assert await store.user_for_token(token) is None
    with pytest.raises(UnknownUser):
        await store.mint_token("ghost")


async def test_sessions_expire_and_end_on_password_change(store: UserStore) -> None:
    sue = await store.add_user("sue", Role.SUPERVISOR, "password-1")
    sid, session = await store.create_session(sue, ttl_secs=60)
    got = await store.session(sid)
    assert got is not None and got.user == sue and got.csrf_token == session.csrf_token
    assert sid not in "\n".join(store.run_sync(lambda c: list(c.iterdump())))
    short, _ = await store.create_session(sue, ttl_secs=0.05)
    await asyncio.sleep(0.1)
    assert await store.session(short) is None
    await store.set_password("sue", "password-2")
    assert await store.session(sid) is None
    sid2, _ = await store.create_session(sue)
    await store.end_session(sid2)
    assert await store.session(sid2) is None


async def test_audit_log_is_append_only(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "hotline.db")
    try:
        await audit.record("sue", "supervisor", "supervisor.whisper", "call-1", text="slow down")
        await audit.record("quinn", "qa", "recording.read", "call-2")
        entries = await audit.entries()
        assert [e.action for e in entries] == ["recording.read", "supervisor.whisper"]
        assert (await audit.entries(target="call-1"))[0].detail == {"text": "slow down"}
        assert [e.actor for e in await audit.entries(actor="quinn")] == ["quinn"]
        for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                audit.run_sync(lambda c, sql=sql: c.execute(sql))
        assert len(await audit.entries()) == 2
    finally:
        audit.close()
