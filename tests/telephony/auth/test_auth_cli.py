"""`hotline users ...` and the demo users seeded at `hotline serve`."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from telephony.auth.demo import CREDENTIALS_FILE, demo_credentials, seed_demo_users
from telephony.auth.users import UserStore
from telephony.server.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOTLINE_SERVER_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    return tmp_path


def test_users_add_list_token_passwd(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "add", "sue", "--role", "supervisor", "--queues", "general,vip",
                 "--password", "sue-password"]) == 0
    assert main(["users", "add", "sue", "--role", "qa", "--password", "whatever-1"]) == 1
    assert main(["users", "add", "ann", "--role", "agent"]) == 0
    generated = capsys.readouterr().out.split("password: ")[1].strip()
    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "sue" in listing and "general,vip" in listing and "ann" in listing
    assert main(["users", "token", "sue"]) == 0
    token = capsys.readouterr().out.strip()
    assert main(["users", "token", "ghost"]) == 1
    assert main(["users", "passwd", "ann", "--password", "new-password"]) == 0

    async def check() -> None:
        store = UserStore(data_dir / "hotline.db")
        try:
            assert (await store.user_for_token(token)).name == "sue"  # type: ignore[union-attr]
            assert await store.authenticate("ann", generated) is None
            assert await store.authenticate("ann", "new-password") is not None
        finally:
            store.close()

    asyncio.run(check())


def test_demo_users_seeded_once_with_private_credentials(tmp_path: Path) -> None:
    assert seed_demo_users(tmp_path) is True
    assert seed_demo_users(tmp_path) is False  # users exist: nothing changes
    text = demo_credentials(tmp_path)
    assert text is not None
    lines = [line.split() for line in text.splitlines() if not line.startswith("#")]
    assert [(n, r) for n, r, _ in lines] == [("agent", "agent"), ("supervisor", "supervisor"),
                                              ("qa", "qa"), ("admin", "admin")]
    assert stat.S_IMODE((tmp_path / CREDENTIALS_FILE).stat().st_mode) == 0o600

    async def check() -> None:
        store = UserStore(tmp_path / "hotline.db")
        try:
            for name, _, password in lines:
                assert await store.authenticate(name, password) is not None
        finally:
            store.close()

    asyncio.run(check())
