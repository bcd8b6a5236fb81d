"""Demo users: one per role, seeded on `hotline serve` when no user exists yet.

Passwords are random per installation, written to `<data_dir>/demo-users.txt`
(mode 600) and printed at every start while that file exists; delete the file
(after changing the passwords with `hotline users passwd`) to stop printing them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from pathlib import Path

from telephony.auth.policy import DEFAULT_QUEUE
from telephony.auth.types import Role
from telephony.auth.users import UserStore

log = logging.getLogger(__name__)
CREDENTIALS_FILE = "demo-users.txt"
DEMO_USERS: tuple[tuple[str, Role, tuple[str, ...]], ...] = (
    ("agent", Role.AGENT, (DEFAULT_QUEUE,)),
    ("supervisor", Role.SUPERVISOR, (DEFAULT_QUEUE,)),
    ("qa", Role.QA, ()),
    ("admin", Role.ADMIN, ()),
)


async def _seed(store: UserStore) -> list[tuple[str, Role, str]]:
    if await store.count() > 0:
        return []
    seeded = []
    for name, role, queues in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        await store.add_user(name, role, password, queues)
        seeded.append((name, role, password))
    return seeded


def seed_demo_users(data_dir: Path) -> bool:
    """Create the demo users if the user table is empty; True when it did."""
    store = UserStore(data_dir / "hotline.db")
    try:
        seeded = asyncio.run(_seed(store))
    finally:
        store.close()
    if not seeded:
        return False
    path = data_dir / CREDENTIALS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# Hotline demo users (random passwords, created at first start)\n")
        for name, role, password in seeded:
            out.write(f"{name:<11} {role.value:<11} {password}\n")
    log.info("seeded %d demo users; credentials in %s", len(seeded), path)
    return True


def demo_credentials(data_dir: Path) -> str | None:
    path = data_dir / CREDENTIALS_FILE
    return path.read_text() if path.is_file() else None
